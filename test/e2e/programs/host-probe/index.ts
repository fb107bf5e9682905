// Probe program for test/e2e/language-host.test.ts: reports what our language host handed the program.
//
// Config (namespace pulumi-sps-host-probe): big (any size), bigSecret (secret, any size), hangMarker (a file path:
// the program writes its pid there and then waits forever, for the Cancel test), greet (a name: creates a resource
// of the `probe` provider, a plugin written in Node.js, test/e2e/programs/node-provider).
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const sha256 = (text: string): string => crypto.createHash("sha256").update(text).digest("hex");

/** The environment this process was started with (what /proc shows to other processes of the same user). */
const startEnvironment = fs.readFileSync("/proc/self/environ", "utf8").split("\0");

const big = config.get("big") ?? "";
export const bigLength = big.length;
export const bigSha256 = sha256(big);
export const bigSecretSha256 = config.getSecret("bigSecret")?.apply(sha256);
/** Whether PULUMI_CONFIG was in the environment the process was started with (it must not be). */
export const configInStartEnvironment = startEnvironment.some((entry) => entry.startsWith("PULUMI_CONFIG="));
/** The engine's parallelism as @pulumi/pulumi's run script exports it. */
export const parallel = process.env["PULUMI_NODEJS_PARALLEL"] ?? null;

/** probe:index:Greeting of the `probe` provider (test/e2e/programs/node-provider). */
class Greeting extends pulumi.CustomResource {
  declare readonly greeting: pulumi.Output<string>;
  declare readonly pid: pulumi.Output<number>;

  constructor(name: string, args: { name: string }) {
    super("probe:index:Greeting", name, { ...args, greeting: undefined, pid: undefined });
  }
}

const greet = config.get("greet");
const greetingResource = greet ? new Greeting("greeting", { name: greet }) : undefined;
export const greeting = greetingResource ? { id: greetingResource.id, pid: greetingResource.pid } : undefined;
export const greetingText = greetingResource?.greeting ?? null;

const hangMarker = config.get("hangMarker");
if (hangMarker) {
  fs.writeFileSync(hangMarker, String(process.pid));
  // Keeps the event loop (and so the program) alive until the process is interrupted.
  setInterval(() => undefined, 60_000);
}
