// The manual channel's "Log in to the web interface of …" line gives the address the node was declared
// with, port included (https://127.0.0.1:8443/), not only its host (the router gets both).
import { strict as assert } from "node:assert";
import { createSystemControl, ManualStepRequired } from "../../../provider/clients/system-control";
import { parseCredentials } from "../../../sdk/credentials";
import { systemControlConfig } from "../../../provider/resources/context";

describe("manual gate: the declared web address, port kept", function () {
  it("a node declared at https://127.0.0.1:8443 is logged in to at https://127.0.0.1:8443/", async function () {
    const cfg = systemControlConfig(
      [
        { name: "sps-branch", address: "https://127.0.0.1:8443", ha: false },
        { name: "sps-ha", address: "https://[::1]:9443", ha: true },
      ],
      {},
      parseCredentials("{}"),
    );
    const control = createSystemControl(cfg);
    await assert.rejects(control.rebootNode("sps-branch"), (e: unknown) => {
      assert.ok(e instanceof ManualStepRequired);
      assert.match(e.message, /Log in to the web interface of sps-branch \(https:\/\/127\.0\.0\.1:8443\/\)/);
      return true;
    });
    await assert.rejects(control.rebootNode("sps-ha.b"), (e: unknown) => {
      assert.ok(e instanceof ManualStepRequired);
      assert.match(e.message, /\(https:\/\/\[::1\]:9443\/\)/);
      return true;
    });
  });
});
