/**
 * The external-indexer test hosts are the lab's indexer hosts (emulator/indexer-hosts/indexer-lab-host.ts: real
 * sshd, rpm, dnf; shimmed systemctl/service), with what only the tests need: every test package
 * built up front and the password-sudo user for the password-login cases.
 */
import { IndexerLabFixtures } from "../../emulator/indexer-hosts/indexer-lab-host";

export {
  IndexerLabHost as IndexerTestHost,
  SUDO_NOPASSWD_USER,
  SUDO_PASSWORD_USER,
  SUDO_PASSWORD_USER_PASSWORD,
  type IndexerRpms,
  type LabHostSpec as TestHostSpec,
  type LabHostUser as TestUser,
} from "../../emulator/indexer-hosts/indexer-lab-host";

export type IndexerTestFixtures = IndexerLabFixtures;
export const IndexerTestFixtures = {
  create: (): IndexerLabFixtures => IndexerLabFixtures.create({ passwordUser: true, build: "all" }),
};
