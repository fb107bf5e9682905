// Resource provider `probe` for test/e2e/language-host.test.ts: one resource type, probe:index:Greeting, whose create
// answers `hello <name>` and the pid of the provider process. The engine starts it through the language host's
// RunPlugin (this directory's PulumiPlugin.yaml); @pulumi/pulumi/provider serves the gRPC protocol.
import * as provider from "@pulumi/pulumi/provider";

const probe: provider.Provider = {
  version: "0.0.1",
  async create(_urn, inputs: { name?: unknown }) {
    if (typeof inputs.name !== "string" || inputs.name === "") {
      throw new Error("probe:index:Greeting: name must be a non-empty string");
    }
    return {
      id: `greeting-${inputs.name}`,
      outs: { name: inputs.name, greeting: `hello ${inputs.name}`, pid: process.pid },
    };
  },
};

void provider.main(probe, process.argv.slice(2));
