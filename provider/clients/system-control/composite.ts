/**
 * The `SystemControl` the executor uses: routes each operation to the channel configured for it
 * (`operations.<op>.channel`; unconfigured operations go to the manual channel). Channels are
 * created once per configuration; each operation applies its own deadline inside its channel.
 */
import { CommandChannel } from "./command-channel";
import { parseSystemControlConfig, routeOf, type SystemControlConfig } from "./config";
import { IpmiChannel } from "./ipmi-channel";
import { ManualChannel } from "./manual-channel";
import type { ChannelKind, SystemControlOperation } from "./operations";
import {
  PerformingControl,
  type ChannelBase,
  type OperationAnswer,
  type OperationCall,
} from "./channel-base";
import { SshChannel } from "./ssh-channel";

export class RoutedSystemControl extends PerformingControl {
  private readonly channels: Record<ChannelKind, ChannelBase>;

  constructor(readonly config: SystemControlConfig) {
    super();
    this.channels = {
      ssh: new SshChannel(config),
      ipmi: new IpmiChannel(config),
      command: new CommandChannel(config),
      manual: new ManualChannel(config),
    };
  }

  /** The channel that carries an operation. */
  channelOf(operation: SystemControlOperation): ChannelKind {
    return routeOf(this.config, operation).channel;
  }

  /** Whether the configuration routes the operation (false: it goes to the manual channel by default). */
  declares(operation: SystemControlOperation): boolean {
    return this.config.operations[operation] !== undefined;
  }

  /** Hands the call to the channel the configuration routes the operation to. */
  perform(call: OperationCall): Promise<OperationAnswer> {
    return this.channels[this.channelOf(call.operation)].perform(call);
  }
}

/** Validates the configuration (zod; `SystemControlConfigError` naming field and fix) and builds the router. */
export function createSystemControl(config: unknown): RoutedSystemControl {
  return new RoutedSystemControl(parseSystemControlConfig(config));
}
