// The provider process watches its engine (its parent, and the engine's address): once the engine is gone, runs in flight are
// aborted at their next safe point and the process exits after the last one — never in the middle
// of an operation (no indexer left stopped, I5; no interrupted first boot, S10).
import assert from "node:assert/strict";
import * as net from "node:net";
import {
  EngineWatchdog,
  engineAddress,
  engineWatchdog,
  inDynamicProviderHost,
  probeTcp,
  watched,
  type EngineProbe,
  type WatchdogHost,
} from "../../../provider/resources/engine-watchdog";

function fakeHost(
  parent: number,
): WatchdogHost & { parent: number; exits: number[]; ticks: Array<() => void> } {
  const host = {
    parent,
    exits: [] as number[],
    ticks: [] as Array<() => void>,
    parentPid: () => host.parent,
    exit: (code: number) => void host.exits.push(code),
    setInterval: (fn: () => void) => {
      host.ticks.push(fn);
      return { unref: () => undefined };
    },
  };
  return host;
}

describe("engine watchdog (the provider never outlives a killed engine)", () => {
  it("does nothing while the parent is the engine that started the provider", () => {
    const host = fakeHost(4242);
    const w = new EngineWatchdog(host).start();
    host.ticks[0]();
    host.ticks[0]();
    assert.equal(w.signal.aborted, false);
    assert.equal(w.engineGone, false);
    assert.deepEqual(host.exits, []);
  });

  it("exits at once when the engine is gone and nothing is running", () => {
    const host = fakeHost(4242);
    const w = new EngineWatchdog(host).start();
    host.parent = 1;
    host.ticks[0]();
    assert.equal(w.engineGone, true);
    assert.match(
      String((w.signal.reason as Error).message),
      /engine that started this provider is gone \(pid 4242 is no longer.*pulumi up/,
    );
    assert.deepEqual(host.exits, [1]);
  });

  it("aborts a run in flight, lets it reach its safe point, and exits only after it settled (I5, S10)", async () => {
    const host = fakeHost(4242);
    const w = new EngineWatchdog(host).start();
    let release!: () => void;
    const safePoint = new Promise<void>((r) => (release = r));
    const events: string[] = [];
    const run = w.track(async () => {
      await new Promise<void>((resolve) =>
        w.signal.addEventListener("abort", () => resolve(), { once: true }),
      );
      events.push("aborted");
      await safePoint; // e.g. the indexer is started again before the run gives up
      events.push("safe point reached");
      return "stopped";
    });
    host.parent = 1; // re-parented: the engine was killed
    host.ticks[0]();
    await Promise.resolve();
    assert.deepEqual(host.exits, [], "no exit while an operation is in flight");
    release();
    assert.equal(await run, "stopped");
    assert.deepEqual(events, ["aborted", "safe point reached"]);
    assert.deepEqual(host.exits, [1]);
  });

  it("a failing operation still counts as settled", async () => {
    const host = fakeHost(7);
    const w = new EngineWatchdog(host).start();
    const run = w.track(async () => {
      await Promise.resolve();
      throw new Error("step failed");
    });
    host.parent = 99;
    host.ticks[0]();
    await assert.rejects(run, /step failed/);
    assert.deepEqual(host.exits, [1]);
  });

  it("polls once however often it is started, and only inside the dynamic-provider host", () => {
    const host = fakeHost(1);
    new EngineWatchdog(host).start().start();
    assert.equal(host.ticks.length, 1);
    assert.equal(
      inDynamicProviderHost([
        "node",
        "/x/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js",
        "127.0.0.1:1",
      ]),
      true,
    );
    assert.equal(
      inDynamicProviderHost(["node", "/x/node_modules/@pulumi/pulumi/cmd/dynamic-provider"]),
      true,
    );
    assert.equal(inDynamicProviderHost(["node", "/x/node_modules/mocha/bin/mocha.js"]), false);
  });

  it("with any launcher: two refusals in a row at the engine's address mean the engine is gone", async () => {
    const host = fakeHost(4242);
    const answers: EngineProbe[] = ["refused", "answers", "unknown", "refused", "refused"];
    host.probeEngine = () => Promise.resolve(answers.shift() ?? "answers");
    const w = new EngineWatchdog(host).start();
    const tick = async (): Promise<void> => {
      host.ticks[0]();
      await new Promise((r) => setImmediate(r));
    };
    for (let i = 0; i < 4; i++) await tick();
    assert.equal(w.engineGone, false, "one refusal, an answer and a timeout are not enough");
    await tick();
    assert.equal(w.engineGone, true);
    assert.match(String((w.signal.reason as Error).message), /nothing listens at its address/);
    assert.deepEqual(host.exits, [1]);
  });

  it("reads the engine address from the host's arguments, and probes it over TCP for real", async () => {
    assert.deepEqual(engineAddress(["node", "/x/dynamic-provider/index.js", "127.0.0.1:41933"]), {
      host: "127.0.0.1",
      port: 41933,
    });
    assert.equal(engineAddress(["node", "/x/dynamic-provider/index.js"]), undefined);
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    assert.equal(await probeTcp({ host: "127.0.0.1", port }), "answers");
    await new Promise<void>((r) => server.close(() => r()));
    assert.equal(await probeTcp({ host: "127.0.0.1", port }), "refused");
  });

  it("is one per process, whichever copy of the module asks", () => {
    const key = Symbol.for("pulumi-sps.engine-watchdog");
    const w = engineWatchdog();
    assert.equal((globalThis as unknown as Record<symbol, unknown>)[key], w);
    assert.equal(engineWatchdog(), w);
    assert.equal(w.engineGone, false, "inert outside the dynamic-provider host");
  });

  it("watched() keeps a provider's methods and results", async () => {
    const provider = {
      check: async (_o: unknown, n: { a: number }) => ({ inputs: { a: n.a + 1 } }),
      label: "firmware",
    };
    const w = watched(provider);
    assert.deepEqual(await w.check(undefined, { a: 1 }), { inputs: { a: 2 } });
    assert.equal(w.label, "firmware");
  });
});
