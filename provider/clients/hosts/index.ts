/** External indexer hosts over SSH: the public surface of `provider/clients/hosts`. */
export * from "./host-errors";
export * from "./host-key";
export * from "./host-session";
export * from "./indexer-host";
export * from "./indexer-host-commands";
export * from "./indexer-host-run";
export * from "./indexer-upgrade-result";
export * from "./indexer-version";
export * from "./os-detection";
export * from "./shell-quote";
export * from "./ssh-host-session";
export * from "./ssh-options";
