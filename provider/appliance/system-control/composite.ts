/**
 * The `SystemControl` the executor uses: routes each operation to the channel configured for it
 * (`operations.<op>.channel`; unconfigured operations go to the manual channel). Channels are
 * created once per configuration; each operation applies its own deadline inside its channel.
 */
import { CommandChannel } from "./command-channel";
import { parseSystemControlConfig, routeOf, type SystemControlConfig } from "./config";
import { IpmiChannel } from "./ipmi-channel";
import { ManualChannel } from "./manual-channel";
import type {
  ChannelKind,
  HaPair,
  HaState,
  LicenseFile,
  PowerState,
  SystemControl,
  SystemControlOperation,
} from "./operations";
import { SshChannel } from "./ssh-channel";

export class RoutedSystemControl implements SystemControl {
  private readonly channels: Record<ChannelKind, SystemControl>;

  constructor(readonly config: SystemControlConfig) {
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

  rebootNode(node: string): Promise<void> {
    return this.via("rebootNode").rebootNode(node);
  }

  rebootCluster(pair: HaPair): Promise<void> {
    return this.via("rebootCluster").rebootCluster(pair);
  }

  shutdownSecondary(pair: HaPair): Promise<void> {
    return this.via("shutdownSecondary").shutdownSecondary(pair);
  }

  powerOnSecondary(pair: HaPair): Promise<void> {
    return this.via("powerOnSecondary").powerOnSecondary(pair);
  }

  activateSecondary(pair: HaPair): Promise<void> {
    return this.via("activateSecondary").activateSecondary(pair);
  }

  readHaState(node: string): Promise<HaState> {
    return this.via("readHaState").readHaState(node);
  }

  readPowerState(node: string): Promise<PowerState> {
    return this.via("readPowerState").readPowerState(node);
  }

  uploadLicense(node: string, license: LicenseFile): Promise<void> {
    return this.via("uploadLicense").uploadLicense(node, license);
  }

  private via(operation: SystemControlOperation): SystemControl {
    return this.channels[this.channelOf(operation)];
  }
}

/** Validates the configuration (zod; `SystemControlConfigError` naming field and fix) and builds the router. */
export function createSystemControl(config: unknown): RoutedSystemControl {
  return new RoutedSystemControl(parseSystemControlConfig(config));
}
