/**
 * The system-control configuration a resource's run would build (./context.ts systemControlFor),
 * checked when `check` runs: a configuration the run would refuse fails the preview, each problem
 * named by the field the user wrote — `systemControl.<operation>`, `nodes["<name>"].coreShell`,
 * `nodes["<name>"].bmc.<unit>`, `sps:credentials.coreShell`, `sps:credentials.ipmi` — with the fix,
 * never the router's own field names (`nodes.<name>.ssh`, `operations.<op>`), which a program does
 * not have.
 */
import { SystemControlConfigError } from "../clients/system-control/errors";
import type { FieldProblem } from "../../core/validation";
import { CREDENTIALS_CONFIG_KEY, CredentialsError, type Credentials } from "../../sdk/credentials";
import { createSystemControl, type RoutedSystemControl } from "../clients/system-control";
import type { ApplianceNode, SystemControlInput } from "../../sdk/inputs";
import { credentials, errorText, systemControlConfig } from "./context";

/** A node as the License, Plugin and firmware resources declare it (channel settings optional). */
export type ChannelNode = Pick<ApplianceNode, "name" | "address"> &
  Partial<Pick<ApplianceNode, "ha" | "units" | "coreShell" | "bmc" | "roles">>;

/** The node as systemControlFor takes it: roles and ha defaulted. */
export function controlNode<N extends ChannelNode>(n: N): N & { roles: ApplianceNode["roles"]; ha: boolean } {
  return { ...n, roles: n.roles ?? [], ha: n.ha ?? false };
}

/** `operations.rebootNode` → `systemControl.rebootNode` in a router message. */
function userTerms(reason: string): string {
  return reason
    .replace(/\boperations\.(\w+)/g, "systemControl.$1")
    .replace(
      /every node needs `ssh` settings \(port, username, password or privateKey, hostKey\)/,
      "every node needs its core shell: coreShell { host, port, hostKeySha256 } and the login in sps:credentials.coreShell",
    );
}

/** The operations (as `systemControl.<op>`) that a router message says use a channel. */
function operationsIn(reason: string): string {
  const ops = [...reason.matchAll(/\boperations\.(\w+)/g)].map((m) => `systemControl.${m[1] ?? ""}`);
  return ops.length > 0 ? ops.join(", ") : "an operation";
}

/** One router issue in the declaration's terms. */
function problemOf(
  issue: { property: string; reason: string },
  byName: ReadonlyMap<string, ChannelNode>,
  c: Credentials,
): FieldProblem {
  const parts = issue.property.split(".");
  const head = parts[0];
  if (head === "operations")
    return { property: `systemControl.${parts.slice(1).join(".")}`, reason: userTerms(issue.reason) };
  if (head !== "nodes") return { property: issue.property, reason: userTerms(issue.reason) };
  const channel = parts[parts.length - 1];
  const control = parts.slice(1, channel === "ssh" || channel === "ipmi" ? -1 : undefined).join(".");
  // The router names an HA unit `<node>.<unit>` (./context.ts unitControlName).
  const dot = control.lastIndexOf(".");
  const nodeName = byName.has(control) || dot < 0 ? control : control.slice(0, dot);
  const unit = byName.has(control) || dot < 0 ? undefined : control.slice(dot + 1);
  const node = byName.get(nodeName);
  const ops = operationsIn(issue.reason);
  // "uses" for one operation, "use" for several.
  const verb = ops.includes(",") ? "use" : "uses";
  if (channel === "ssh") {
    if (/^missing/.test(issue.reason) && node && !node.coreShell)
      return {
        property: `nodes["${nodeName}"].coreShell`,
        reason: `missing: ${ops} ${verb} the ssh channel: declare coreShell { host, port, hostKeySha256 } on this node, or route ${ops.includes(",") ? "them" : "it"} to another channel (command, manual)`,
      };
    if (/^missing/.test(issue.reason) && !c.coreShell)
      return {
        property: `${CREDENTIALS_CONFIG_KEY}.coreShell`,
        reason: `missing: ${ops} ${verb} the ssh channel: set the core shell login { username, password or privateKey } in ${CREDENTIALS_CONFIG_KEY} with --secret`,
      };
    return { property: `nodes["${nodeName}"].coreShell`, reason: userTerms(issue.reason) };
  }
  if (channel === "ipmi" || (parts.length === 1 && head === "nodes")) {
    const bmcDeclared = [...byName.values()].some((n) => n.bmc && Object.keys(n.bmc).length > 0);
    if (parts.length === 1 && !bmcDeclared)
      return {
        property: "nodes[].bmc",
        reason: `${ops} ${verb} the ipmi channel, but no HA node declares its BMCs: set bmc { <unit>: { host, port } } on the HA node, or route the operation to another channel (command, manual)`,
      };
    if (parts.length === 1)
      return {
        property: `${CREDENTIALS_CONFIG_KEY}.ipmi`,
        reason: `${ops} ${verb} the ipmi channel, but no BMC login is set: set ${CREDENTIALS_CONFIG_KEY}.ipmi { username, password } (or per unit ${CREDENTIALS_CONFIG_KEY}.bmc["<node>"].<unit>) with --secret`,
      };
    return {
      property: `nodes["${nodeName}"].bmc${unit ? `.${unit}` : ""}`,
      reason: userTerms(issue.reason),
    };
  }
  return { property: `nodes["${nodeName}"]`, reason: userTerms(issue.reason) };
}

/**
 * The problems of the system-control configuration that `nodes` and `operations` make with the
 * credentials (empty: the run can build it), in the declaration's terms and redacted.
 */
export function systemControlFailures(
  nodes: readonly ChannelNode[],
  operations: SystemControlInput,
): FieldProblem[] {
  try {
    return routedControl(nodes, operations, credentials()).failures;
  } catch (e) {
    if (e instanceof CredentialsError) return [{ property: CREDENTIALS_CONFIG_KEY, reason: errorText(e) }];
    throw e;
  }
}

/**
 * The router the run would build for `nodes` with the logins of `c`, or the problems that make the
 * run refuse it (in the declaration's terms). `sps-upgrade doctor` decides its routes by the same.
 */
export function routedControl(
  nodes: readonly ChannelNode[],
  operations: SystemControlInput,
  c: Credentials,
): { control?: RoutedSystemControl; failures: FieldProblem[] } {
  try {
    return {
      control: createSystemControl(systemControlConfig(nodes.map(controlNode), operations, c)),
      failures: [],
    };
  } catch (e) {
    if (!(e instanceof SystemControlConfigError))
      return { failures: [{ property: "systemControl", reason: errorText(e) }] };
    const byName = new Map(nodes.map((n) => [n.name, n]));
    // Each problem once, in the order found.
    const unique = new Map(
      e.issues.map((i) => problemOf(i, byName, c)).map((p) => [`${p.property}\n${p.reason}`, p]),
    );
    return {
      failures: [...unique.values()].map((p) => ({
        property: p.property,
        reason: errorText(new Error(p.reason)),
      })),
    };
  }
}
