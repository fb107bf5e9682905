// Existing stacks keep working across the engine upgrade to 3.276 (engine = @pulumi/pulumi's version).
//
// The fixtures are file:// states that engine 3.259 (this project's previous engine) wrote for the smoke program,
// byte for byte: `project/` in the project layout (what 3.259 creates for a new state directory, so what every stack
// made by our tools has) and `legacy/` in the pre-project layout (PULUMI_DIY_BACKEND_LEGACY_LAYOUT=1), which 3.276
// refuses. The first must preview with no changes as it is; the second after scripts/upgrade-diy-state.js.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { pulumiEngineEnv, REPO_ROOT, runPulumi } from "../support/pulumi-engine";

const FIXTURES = path.join(REPO_ROOT, "test", "fixtures", "diy-state-3.259");
const PROGRAM_DIR = path.join(__dirname, "programs", "smoke");
const UPGRADE_SCRIPT = path.join(REPO_ROOT, "scripts", "upgrade-diy-state.js");

interface Workspace {
  dir: string;
  project: string;
  state: string;
  env: Record<string, string>;
}

/** A temporary copy of one fixture: state/ plus a project directory with the smoke program's Pulumi.yaml. */
async function workspaceFrom(fixture: string): Promise<Workspace> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pulumi-sps-layout-"));
  const env = pulumiEngineEnv(dir);
  const state = path.join(dir, "state");
  await fs.promises.cp(path.join(FIXTURES, fixture, "state"), state, { recursive: true });
  const project = path.join(dir, "project");
  await fs.promises.mkdir(project);
  const yaml = await fs.promises.readFile(path.join(PROGRAM_DIR, "Pulumi.yaml"), "utf8");
  await fs.promises.writeFile(
    path.join(project, "Pulumi.yaml"),
    yaml.replace(/^main: .*$/m, `main: ${path.join(PROGRAM_DIR, "index.ts")}`),
  );
  await fs.promises.copyFile(
    path.join(FIXTURES, fixture, "Pulumi.prod.yaml"),
    path.join(project, "Pulumi.prod.yaml"),
  );
  return { dir, project, state, env };
}

async function upgradeState(state: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [UPGRADE_SCRIPT, state]);
  return stdout;
}

describe("stacks written by engine 3.259 under engine 3.276", function () {
  this.timeout(180_000);
  const workspaces: Workspace[] = [];

  after(async function () {
    for (const w of workspaces) {
      await fs.promises.rm(w.dir, { recursive: true, force: true });
    }
  });

  it("previews a project-layout stack as it is, with no changes", async function () {
    const w = await workspaceFrom("project");
    workspaces.push(w);
    const preview = await runPulumi(["preview", "--stack", "prod", "--expect-no-changes"], w.project, w.env);
    assert.equal(preview.code, 0, `preview failed:\n${preview.stdout}\n${preview.stderr}`);
    assert.match(preview.stdout, /3 unchanged/);
    assert.match(await upgradeState(w.state), /already in the project layout/);
  });

  it("refuses a legacy-layout stack, and previews it with no changes after upgrade-diy-state", async function () {
    const w = await workspaceFrom("legacy");
    workspaces.push(w);
    const refused = await runPulumi(["preview", "--stack", "prod"], w.project, w.env);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Legacy DIY state is no longer supported/);

    const upgraded = await upgradeState(w.state);
    assert.match(upgraded, /upgraded 1 stack\(s\) to the project layout: pulumi-sps-smoke\/prod/);
    const stacks = path.join(w.state, ".pulumi", "stacks");
    assert.ok(fs.existsSync(path.join(stacks, "pulumi-sps-smoke", "prod.json")));
    assert.ok(!fs.existsSync(path.join(stacks, "prod.json")));
    assert.equal(fs.readFileSync(path.join(w.state, ".pulumi", "meta.yaml"), "utf8"), "version: 1\n");

    const preview = await runPulumi(["preview", "--stack", "prod", "--expect-no-changes"], w.project, w.env);
    assert.equal(preview.code, 0, `preview after the upgrade failed:\n${preview.stdout}\n${preview.stderr}`);
    assert.match(preview.stdout, /3 unchanged/);
    assert.doesNotMatch(preview.stderr, /legacy/i);
    // The history moved with the stack: the 3.259 update is still listed.
    const history = await runPulumi(["stack", "history", "--stack", "prod", "--json"], w.project, w.env);
    assert.equal(history.code, 0, history.stderr);
    const updates = JSON.parse(history.stdout) as { kind: string; result: string }[];
    assert.deepEqual(
      updates.map((u) => [u.kind, u.result]),
      [["update", "succeeded"]],
    );
    assert.match(await upgradeState(w.state), /already in the project layout/);
  });
});
