/**
 * Mocha hooks that give the sdk runtime a stack's credentials for the tests of one `describe` (as the
 * provider's `configure()` does with the stack config) and take them away afterwards.
 */
import { configure } from "../../provider/resources/context";

export function useStackCredentials(credentials: Record<string, unknown>): void {
  before(() =>
    configure({
      get: (key) => (key === "sps:credentials" ? JSON.stringify(credentials) : undefined),
    }),
  );
  after(() => configure({ get: () => undefined }));
}
