/**
 * The CI workflows in examples/ci stay true: valid YAML with the documented triggers, every `run`
 * script parses in bash, every `pulumi` flag they use exists in the engine this project builds,
 * every `sps-upgrade` flag in its usage, and the drift verdict maps 0 / 7 / other to converged /
 * drift / error.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { assertEngineInstalled, PULUMI_BIN_DIR } from "../../support/pulumi-engine";

const ROOT = join(__dirname, "..", "..", "..");
const CI = join(ROOT, "examples", "ci");

interface Step {
  name?: string;
  run?: string;
  uses?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  env?: Record<string, string>;
  jobs: Record<string, { steps: Step[]; if?: string; environment?: string; "runs-on"?: string[] }>;
}

function workflow(file: string): Workflow {
  return load(readFileSync(join(CI, file), "utf8")) as Workflow;
}

function scripts(w: Workflow): string[] {
  return Object.values(w.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run] : [])));
}

/** The script with GitHub expressions replaced by a placeholder word, one logical line per command. */
function shell(script: string): string {
  return script.replace(/\$\{\{[^}]*\}\}/g, "EXPR");
}

/** Each `<tool> <sub> ...flags` invocation, continuation lines joined. */
function invocations(script: string, tool: RegExp): Array<{ sub: string; flags: string[] }> {
  const joined = shell(script).replace(/\\\n\s*/g, " ");
  const out: Array<{ sub: string; flags: string[] }> = [];
  for (const line of joined.split("\n")) {
    const m = tool.exec(line);
    if (!m) continue;
    const rest = line.slice((m.index ?? 0) + m[0].length).split(/[|>;]|&&|\|\|/)[0] ?? "";
    const sub = rest.trim().split(/\s+/)[0] ?? "";
    const flags = [...rest.matchAll(/(?:^|\s)(--[a-z-]+)/g)].map((f) => f[1] ?? "");
    out.push({ sub, flags });
  }
  return out;
}

const FILES = ["pull-request.yml", "drift.yml", "apply.yml"];

describe("examples/ci workflows", function () {
  this.timeout(120_000);

  it("are YAML with the documented triggers, a DIY backend URL from a secret, and shared stack concurrency", () => {
    const pr = workflow("pull-request.yml");
    const drift = workflow("drift.yml");
    const apply = workflow("apply.yml");
    assert.ok("pull_request" in pr.on);
    assert.ok("schedule" in drift.on);
    assert.deepEqual((apply.on["push"] as { branches: string[] }).branches, ["main"]);
    for (const w of [pr, drift, apply])
      assert.equal(w.env?.["PULUMI_BACKEND_URL"], "${{ secrets.PULUMI_BACKEND_URL }}");
    assert.equal(drift.concurrency?.group, apply.concurrency?.group);
    assert.equal(apply.concurrency?.["cancel-in-progress"], false);
  });

  it("a pull request's code reaches the self-hosted runner and its secrets only from this repository, after approval", () => {
    const job = workflow("pull-request.yml").jobs["preview"];
    assert.ok(job, "pull-request.yml has the job preview");
    assert.deepEqual(job["runs-on"], ["self-hosted", "sps-management"]);
    assert.equal(job.if, "github.event.pull_request.head.repo.full_name == github.repository");
    assert.equal(job.environment, "sps-preview");
    const readme = readFileSync(join(CI, "README.md"), "utf8");
    assert.match(readme, /`sps-preview`: create it\s+with \*\*required reviewers\*\*/);
  });

  it("every run script parses in bash", () => {
    for (const f of FILES) {
      for (const s of scripts(workflow(f))) {
        const r = spawnSync("bash", ["-n"], { input: shell(s), encoding: "utf8" });
        assert.equal(r.status, 0, `${f}: ${r.stderr}\n${s}`);
      }
    }
  });

  it("every pulumi flag they use exists in the engine this project builds", () => {
    assertEngineInstalled();
    const seen = new Set<string>();
    for (const f of FILES) {
      for (const s of scripts(workflow(f))) {
        for (const inv of invocations(s, /(?:^|\s)pulumi\s+/)) {
          const help = spawnSync(join(PULUMI_BIN_DIR, "pulumi"), [inv.sub, "--help"], { encoding: "utf8" });
          assert.equal(help.status, 0, `pulumi ${inv.sub} --help: ${help.stderr}`);
          for (const flag of inv.flags) {
            assert.ok(new RegExp(`\\s${flag}[\\s=\\[]`).test(help.stdout), `${f}: pulumi ${inv.sub} ${flag}`);
            seen.add(`${inv.sub} ${flag}`);
          }
        }
      }
    }
    for (const used of [
      "refresh --preview-only",
      "refresh --expect-no-changes",
      "preview --refresh",
      "preview --json",
      "up --yes",
    ])
      assert.ok(seen.has(used), used);
  });

  it("every sps-upgrade command and flag they use is in its usage", () => {
    let count = 0;
    for (const f of FILES) {
      for (const s of scripts(workflow(f))) {
        for (const inv of invocations(s, /sps-upgrade\.js"?\s+/)) {
          const help = spawnSync(process.execPath, [join(ROOT, "bin", "sps-upgrade.js"), inv.sub, "--help"], {
            encoding: "utf8",
          });
          assert.equal(help.status, 0, `${f}: sps-upgrade ${inv.sub}`);
          for (const flag of inv.flags)
            assert.ok(help.stdout.includes(flag), `${f}: sps-upgrade ${inv.sub} ${flag}`);
          count++;
        }
      }
    }
    assert.equal(count, 3, "render in each workflow");
  });

  it("drift: exit 0 is converged, 7 drift, anything else an error", () => {
    const verdictStep = workflow("drift.yml").jobs["drift"]?.steps.find((s) => s.run?.includes("verdict()"));
    const fn = /verdict\(\) \{[\s\S]*?\n\s*\}\n/.exec(verdictStep?.run ?? "")?.[0];
    assert.ok(fn, "the verdict function");
    const r = spawnSync("bash", ["-c", `${fn}\nfor c in 0 7 1 255; do verdict $c; done`], {
      encoding: "utf8",
    });
    assert.deepEqual(r.stdout.trim().split("\n"), ["converged", "drift", "error", "error"]);
  });

  describe("drift: a cluster whose last run failed is named apart from drift", function () {
    const verdictStep = (): string => {
      const run = workflow("drift.yml").jobs["drift"]?.steps.find((x) => x.run?.includes("verdict()"))?.run;
      assert.ok(run, "the verdict step");
      return run;
    };
    let dir = "";
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "sps-drift-verdict-"));
      writeFileSync(join(dir, "refresh.txt"), "    ~ sps:index:SpsCluster site-a\n");
      writeFileSync(join(dir, "next-up.md"), "next up\n");
      // `gh` records the issue it would create instead of calling GitHub.
      writeFileSync(join(dir, "gh"), `#!/bin/sh\necho "$@" > "${dir}/gh-args"\n`);
      chmodSync(join(dir, "gh"), 0o755);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const run = (state: unknown, codes: { REFRESH: string; PREVIEW: string; EXPORT?: string }) => {
      writeFileSync(join(dir, "state.json"), JSON.stringify(state));
      return spawnSync("bash", ["-e", "-c", verdictStep()], {
        encoding: "utf8",
        env: {
          ...process.env,
          PATH: `${dir}:${process.env["PATH"] ?? ""}`,
          RUNNER_TEMP: dir,
          STACK: "prod",
          EXPORT: "0",
          ...codes,
        },
      });
    };
    const resource = (outputs: Record<string, unknown>) => ({
      urn: `urn:x::${String(outputs["cluster"])}`,
      outputs,
    });

    it("a recorded failed or held run: exit 7, the message and the issue name the clusters, not drift", () => {
      const r = run(
        {
          deployment: {
            resources: [
              resource({
                cluster: "site-a",
                outcome: "failed",
                lastRun: {
                  failed: { kind: "firmware-test-failed", message: "firmware/site-a: test failed" },
                },
              }),
              resource({ cluster: "site-b", outcome: "held" }),
              resource({ cluster: "site-c", outcome: "succeeded" }),
            ],
          },
        },
        { REFRESH: "0", PREVIEW: "7" },
      );
      assert.equal(r.status, 7, r.stderr);
      assert.match(
        r.stdout,
        /::error::clusters whose last run failed on stack prod \(exit 7, as drift\): site-a,site-b/,
      );
      const issue = readFileSync(join(dir, "issue.md"), "utf8");
      assert.match(issue, /site-a: failed \(firmware\/site-a: test failed\)\nsite-b: held\n/);
      assert.ok(!issue.includes("site-c"));
      assert.ok(!issue.includes("changes made outside Pulumi on stack"));
      assert.match(readFileSync(join(dir, "gh-args"), "utf8"), /--title SPS failed run on prod/);
    });

    it("no recorded failure: exit 7 reported as drift; converged: exit 0; an export error: exit 1", () => {
      const clean = { deployment: { resources: [resource({ cluster: "site-c", outcome: "succeeded" })] } };
      const drift = run(clean, { REFRESH: "7", PREVIEW: "7" });
      assert.equal(drift.status, 7, drift.stderr);
      assert.match(drift.stdout, /::error::drift on stack prod \(exit 7\)/);
      assert.match(
        readFileSync(join(dir, "issue.md"), "utf8"),
        /changes made outside Pulumi on stack `prod`/,
      );
      assert.match(readFileSync(join(dir, "gh-args"), "utf8"), /--title SPS drift on prod/);
      const converged = run(clean, { REFRESH: "0", PREVIEW: "0" });
      assert.equal(converged.status, 0, converged.stderr);
      assert.match(converged.stdout, /no drift/);
      assert.equal(run(clean, { REFRESH: "0", PREVIEW: "7", EXPORT: "1" }).status, 1);
    });
  });
});
