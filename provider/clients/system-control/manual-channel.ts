/**
 * The `manual` channel: every operation stops the run with `ManualStepRequired`, carrying
 * step-by-step instructions from the SPS guides (web UI paths as documented). After doing them the
 * operator runs again (`pulumi up`); the executor re-checks state and resumes from there.
 */
import { ChannelBase, type OperationAnswer, type OperationCall } from "./channel-base";
import { routeOf, type SystemControlConfig } from "./config";
import { ManualStepRequired } from "./errors";
import type { HaPair, SystemControlOperation } from "./operations";

const RESUME =
  "When done, run the deployment again (`pulumi up`): it re-checks the appliance state and continues.";

/** The instructions for one operation (pure; also used by the planner to print manual steps). */
export function manualInstructions(
  operation: SystemControlOperation,
  target: { node: string; address: string; webAddress?: string; pair?: HaPair; licenseName?: string },
): string[] {
  const url = target.webAddress ?? `https://${target.address}/`;
  const web = `Log in to the web interface of ${target.node} (${url}) as an administrator.`;
  switch (operation) {
    case "rebootNode":
      return [
        web,
        "Open Basic Settings > System > System control.",
        "Under This node, click Reboot. Do NOT click Reboot cluster (rule H1).",
        "Do not reboot or power off the node again while the first boot of an upgrade runs (10-20 minutes, rule S10).",
        RESUME,
      ];
    case "rebootCluster":
      return [
        web.replace(target.node, target.pair?.primary ?? target.node),
        "Open Basic Settings > High Availability and check that the status is HA and the other node is synced.",
        'Click Reboot Cluster: both nodes restart (the HA next-hop monitoring text: "To restart both nodes, click Reboot Cluster.").',
        "Wait until both nodes are back and the High Availability page shows the other node synced again.",
        RESUME,
      ];
    case "shutdownSecondary":
      return [
        web.replace(target.node, target.pair?.primary ?? target.node),
        "Open Basic Settings > High Availability.",
        `Check that the new firmware is shown on the secondary (${target.pair?.secondary ?? "other node"}) (rule H2).`,
        "Under Other node, click Shutdown and wait until the other node is shown as down.",
        RESUME,
      ];
    case "powerOnSecondary":
      return [
        `Open the IPMI web interface or console of ${target.pair?.secondary ?? target.node} (it is the only way to power it on, rule H2).`,
        "Power the chassis on (e.g. `ipmitool -I lanplus -H <bmc> -U <user> -E chassis power on`).",
        "Wait until the node has booted, synced and appears again on the High Availability page of the primary.",
        RESUME,
      ];
    case "activateSecondary":
      return [
        web.replace(target.node, target.pair?.primary ?? target.node),
        "Open Basic Settings > High Availability and wait until the secondary is fully synced.",
        "Click Activate Slave: the secondary becomes the primary (a few minutes; not part of the 5.11 procedure, rule H3).",
        RESUME,
      ];
    case "readHaState":
      return [
        web,
        "Open Basic Settings > High Availability and note Status, each node's HA state, and the current and active firmware of both nodes.",
        "Resolve a Degraded, Broken or Half status before the upgrade (rule P4).",
        RESUME,
      ];
    case "readPowerState":
      return [
        `Check in the IPMI interface of ${target.node} that the chassis is reachable and whether its power is on (rule P4).`,
        RESUME,
      ];
    case "uploadLicense":
      return [
        web,
        `Open Basic Settings > System > License and upload ${target.licenseName ?? "the new license file"}.`,
        "Restart Traffic control > All services when SPS asks (this drops proxied connections).",
        RESUME,
      ];
  }
}

export class ManualChannel extends ChannelBase {
  constructor(config: SystemControlConfig) {
    super(config, "manual");
  }

  override async perform(call: OperationCall): Promise<OperationAnswer> {
    // "Other node > Shutdown" is clicked on the primary's web interface.
    const node = call.operation === "shutdownSecondary" && call.pair ? call.pair.primary : call.node;
    throw this.stop(call.operation, node, {
      ...(call.pair ? { pair: call.pair } : {}),
      ...(call.license ? { licenseName: call.license.fileName } : {}),
    });
  }

  private stop(
    operation: SystemControlOperation,
    node: string,
    extra: { pair?: HaPair; licenseName?: string },
  ): ManualStepRequired {
    const route = routeOf(this.config, operation);
    const steps = manualInstructions(operation, {
      node,
      address: this.config.nodes[node]?.address ?? node,
      ...(this.config.nodes[node]?.webAddress ? { webAddress: this.config.nodes[node]?.webAddress } : {}),
      ...extra,
    });
    if (route.channel === "manual" && route.note) steps.splice(steps.length - 1, 0, route.note);
    return new ManualStepRequired({ operation, node, instructions: steps });
  }
}
