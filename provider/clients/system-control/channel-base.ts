/**
 * One entry, `perform`, that each operation of `SystemControl` goes through with the node it
 * addresses (the pair's primary for a cluster reboot and "activate slave", the secondary for its
 * shutdown and power-on): the router (`composite.ts`) hands the call to the routed channel, and a
 * channel (`ChannelBase`: its errors carry the configuration's secrets) answers the operations it
 * carries and leaves the rest to the default, `unsupported`, saying why the channel never can.
 */
import { secretsOf, type SystemControlConfig } from "./config";
import { ChannelErrors } from "./errors";
import type {
  ChannelKind,
  HaPair,
  HaState,
  LicenseFile,
  PowerState,
  SystemControl,
  SystemControlOperation,
} from "./operations";

/** One operation as a channel receives it. */
export interface OperationCall {
  operation: SystemControlOperation;
  node: string;
  pair?: HaPair;
  license?: LicenseFile;
}

/** What `perform` answers: the state for the two reads, nothing for the rest. */
export type OperationAnswer = HaState | PowerState | void;

/** A `SystemControl` whose every operation goes through `perform`. */
export abstract class PerformingControl implements SystemControl {
  abstract perform(call: OperationCall): Promise<OperationAnswer>;

  async rebootNode(node: string): Promise<void> {
    await this.perform({ operation: "rebootNode", node });
  }

  async rebootCluster(pair: HaPair): Promise<void> {
    await this.perform({ operation: "rebootCluster", node: pair.primary, pair });
  }

  async shutdownSecondary(pair: HaPair): Promise<void> {
    await this.perform({ operation: "shutdownSecondary", node: pair.secondary, pair });
  }

  async powerOnSecondary(pair: HaPair): Promise<void> {
    await this.perform({ operation: "powerOnSecondary", node: pair.secondary, pair });
  }

  async activateSecondary(pair: HaPair): Promise<void> {
    await this.perform({ operation: "activateSecondary", node: pair.primary, pair });
  }

  async readHaState(node: string): Promise<HaState> {
    return (await this.perform({ operation: "readHaState", node })) as HaState;
  }

  async readPowerState(node: string): Promise<PowerState> {
    return (await this.perform({ operation: "readPowerState", node })) as PowerState;
  }

  async uploadLicense(node: string, license: LicenseFile): Promise<void> {
    await this.perform({ operation: "uploadLicense", node, license });
  }
}

/** A channel: its errors name it and redact the configuration's secrets. */
export abstract class ChannelBase extends PerformingControl {
  protected readonly errors: ChannelErrors;

  constructor(
    protected readonly config: SystemControlConfig,
    kind: ChannelKind,
  ) {
    super();
    this.errors = new ChannelErrors(kind, secretsOf(config));
  }

  /** By default the channel cannot carry the operation. */
  async perform(call: OperationCall): Promise<OperationAnswer> {
    throw this.errors.unsupported(call.operation, call.node);
  }
}
