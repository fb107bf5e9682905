// The package as a platform team uses it: `npm pack` of this repository, a fresh Pulumi TypeScript project in
// a temporary directory outside the repository that installs the tarball (with @pulumi/pulumi, from the npm
// cache when it holds them), and the user guide's "A Pulumi program" code, read from docs/user-guide.md when the
// test runs — only addresses, the CA, host keys, firmware image paths/hashes and credentials are substituted — run
// through the real engine against the emulator (native channels: SSH core shell, IPMI BMCs): preview, `up`
// through the manual gates as an operator passes them, a second `up` with no changes, the drift job exiting 0.
// Then the project is copied to another path and the first one removed (a second CI runner sharing the state
// backend): there the drift job exits 0, an out-of-band change makes it exit 7, and `up` converges again.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as automation from "@pulumi/pulumi/automation";
import { dayOffset } from "../../emulator/sps/license";
import {
  builtPulumiCommand,
  pulumiEngineEnv,
  REPO_ROOT,
  TestStack,
  type UpReport,
} from "../support/pulumi-engine";
import { LAB_LICENSE_END, startLab, type Lab } from "../support/sps-lab";
import { drift, driftJob, nodeModel, upThroughGates, type LabStack } from "./sps-helpers";

const exec = promisify(execFile);

/** Where the program a platform team copies is shown (test/unit/docs/code-in-docs.test.ts typechecks the rest). */
const GUIDE = "docs/user-guide.md";

/** The first ```ts block under "## A Pulumi program" in the user guide. */
function guideProgram(guide: string): string {
  const section = guide.split(/^## A Pulumi program$/m)[1];
  assert.ok(section !== undefined, `${GUIDE} has no "## A Pulumi program" section`);
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(section.split(/^## /m)[0] ?? "");
  assert.ok(block?.[1], `${GUIDE}: no \`\`\`ts block under "## A Pulumi program"`);
  return block[1];
}

interface LabNode {
  address: string;
  caPem: string;
  coreShell?: { host: string; port: number; hostKeySha256: string };
  bmc?: Record<string, { host: string; port: number }>;
}

/**
 * The user guide's program for `lab`: each `https://<node>.example.net` becomes the node's address, each core shell
 * `host: "<node>.example.net", port: 22, hostKeySha256: "SHA256:…"` and BMC `host: "<node>-<unit>-ipmi.example.net",
 * port: 623` the emulator's, each `path: "/isos/sps-<version>.iso", sha256: "…"` the lab's image. Anything of the
 * guide's placeholders left over fails the test, naming it.
 */
function substitute(program: string, lab: Lab): string {
  const nodes = JSON.parse(lab.config["fleet:nodes"] ?? "{}") as Record<string, LabNode>;
  const firmware = JSON.parse(lab.config["fleet:firmware"] ?? "{}") as Record<
    string,
    { path: string; sha256: string }
  >;
  const node = (name: string): LabNode => {
    const found = nodes[name];
    assert.ok(found, `${GUIDE} names node "${name}", which the test's emulated fleet does not have`);
    return found;
  };
  const out = program
    .replace(
      /host: "([a-z0-9-]+)\.example\.net",(\s*)port: 22,(\s*)hostKeySha256: "SHA256:…"/g,
      (_m, name: string, s1: string, s2: string) => {
        const shell = node(name).coreShell;
        assert.ok(shell, `the emulated ${name} has no core shell`);
        return `host: ${JSON.stringify(shell.host)},${s1}port: ${shell.port},${s2}hostKeySha256: ${JSON.stringify(shell.hostKeySha256)}`;
      },
    )
    .replace(
      /host: "([a-z0-9-]+)-([ab])-ipmi\.example\.net",(\s*)port: 623/g,
      (_m, name: string, unit: string, s: string) => {
        const bmc = node(name).bmc?.[unit];
        assert.ok(bmc, `the emulated ${name} has no BMC for unit ${unit}`);
        return `host: ${JSON.stringify(bmc.host)},${s}port: ${bmc.port}`;
      },
    )
    .replace(/"https:\/\/([a-z0-9-]+)\.example\.net"/g, (_m, name: string) =>
      JSON.stringify(node(name).address),
    )
    .replace(/path: "\/isos\/sps-([0-9.]+)\.iso",(\s*)sha256: "…"/g, (_m, version: string, s: string) => {
      const image = firmware[version];
      assert.ok(image, `${GUIDE} declares firmware ${version}, which the lab has no image of`);
      return `path: ${JSON.stringify(image.path)},${s}sha256: ${JSON.stringify(image.sha256)}`;
    });
  const left = /.*(?:example\.net|…).*/.exec(out);
  assert.equal(left, null, `${GUIDE}'s program has a placeholder the test does not substitute: ${left?.[0]}`);
  return out;
}

/** The emulated fleet the user guide's program declares: a standalone appliance and an HA pair on 6.0.12. */
const FLEET = {
  clusters: [
    {
      name: "branch",
      nodes: [
        {
          name: "sps-branch",
          version: "6.0.12",
          settings: { diskFillupLimitPercent: 90 },
          emulator: { license: { major: 6, validNotAfter: LAB_LICENSE_END } },
        },
      ],
    },
    {
      name: "dc1",
      nodes: [
        {
          name: "sps-ha",
          version: "6.0.12",
          ha: true,
          settings: { diskFillupLimitPercent: 90 },
          emulator: { license: { major: 6, validNotAfter: LAB_LICENSE_END } },
        },
      ],
    },
  ],
};

function lockedVersion(name: string): string {
  const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`node_modules/${name}`]?.version;
  assert.ok(version, `package-lock.json has no ${name}`);
  return version;
}

const PULUMI_YAML = `name: sps-fleet
description: SPS fleet of a platform team (the user guide's example)
runtime:
  name: nodejs
  options:
    typescript: true
main: index.ts
`;

/**
 * The tsconfig `pulumi new typescript` writes, unchanged: no skipLibCheck and no esModuleInterop, so `tsc`
 * checks every declaration the package's entry reaches (a zod type among them would fail it).
 */
const TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ["index.ts"],
};

describe("the package in a fresh Pulumi project outside the repository (user guide example, two runners)", function () {
  this.timeout(900_000);
  // Made when the suite starts (not when mocha loads the file), removed after it.
  let root = "";
  let runnerA = "";
  let runnerB = "";
  let backend = "";
  let tarball = "";
  let lab: Lab | undefined;
  let ls: LabStack;

  /** The stack `consumer` of the project in `dir`, run by the built engine with that runner's own home. */
  async function runnerStack(dir: string, runner: string, create: boolean): Promise<LabStack> {
    fs.mkdirSync(path.join(root, "state"), { recursive: true });
    const env: Record<string, string> = {
      ...pulumiEngineEnv(path.join(root, runner), { backendUrl: backend }),
      HOME: path.join(root, runner, "home"),
    };
    const workspace = await automation.LocalWorkspace.create({
      workDir: dir,
      pulumiCommand: await builtPulumiCommand(),
      envVars: env,
      pulumiHome: env["PULUMI_HOME"],
    });
    const stack = create
      ? await automation.Stack.create("consumer", workspace)
      : await automation.Stack.select("consumer", workspace);
    assert.ok(lab);
    const labRef = lab;
    return { lab: labRef, stack: new TestStack(dir, env, stack), dispose: async () => undefined };
  }

  function assertConverged(up: UpReport): void {
    const nodes = up.outputs["nodes"] as Record<string, Record<string, { version: string }>>;
    assert.equal(nodes["branch"]?.["sps-branch"]?.version, "6.3.0", JSON.stringify(nodes));
    assert.equal(nodes["dc1"]?.["sps-ha"]?.version, "6.3.0", JSON.stringify(nodes));
  }

  before(function () {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "sps-consumer-"));
    runnerA = path.join(root, "runner-a", "sps-fleet");
    runnerB = path.join(root, "runner-b", "checkout", "sps-fleet");
    backend = `file://${path.join(root, "state")}`;
  });

  after(async function () {
    await lab?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it("packs the repository: compiled code, declarations, CLIs, README and LICENSE, no test or Go file", async function () {
    assert.ok(
      fs.existsSync(path.join(REPO_ROOT, "dist", "sdk", "index.js")),
      "dist/ is missing: run npm run build (scripts/setup.sh does)",
    );
    assert.ok(!root.startsWith(REPO_ROOT), `${root} is inside the repository`);
    const { stdout } = await exec("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", root], {
      cwd: REPO_ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    assert.ok(packed);
    tarball = path.join(root, packed.filename);
    const files = packed.files.map((f) => f.path);
    for (const required of [
      "README.md",
      "LICENSE",
      "package.json",
      "bin/sps-upgrade.js",
      "dist/sdk/index.js",
      "dist/sdk/index.d.ts",
      "dist/provider/resources/index.js",
    ])
      assert.ok(files.includes(required), `the tarball lacks ${required}`);
    // The README's links lead somewhere in the installed package too (docs/, ARCHITECTURE.md, …).
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const linked = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1] ?? "")
      .filter((t) => t !== "" && !/^[a-z]+:/.test(t));
    assert.ok(linked.length > 0, "the README links into docs/");
    for (const target of linked) {
      const normal = path.posix.normalize(target).replace(/\/$/, "");
      assert.ok(
        files.some((f) => f === normal || f.startsWith(`${normal}/`)),
        `the README links ${target}, which the tarball lacks`,
      );
    }
    const stray = files.filter((f) =>
      /^(test|bench|examples|tools|scripts)\/|^dist\/(test|bench|examples)\/|\.go$|(?<!\.d)\.ts$|\.map$/.test(
        f,
      ),
    );
    assert.deepEqual(stray, []);
  });

  it("installs the tarball into a fresh project; the user guide's program typechecks against it", async function () {
    fs.mkdirSync(runnerA, { recursive: true });
    fs.writeFileSync(path.join(runnerA, "Pulumi.yaml"), PULUMI_YAML);
    fs.writeFileSync(
      path.join(runnerA, "package.json"),
      `${JSON.stringify({ name: "sps-fleet", private: true, main: "index.ts" }, null, 2)}\n`,
    );
    fs.writeFileSync(path.join(runnerA, "tsconfig.json"), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
    await exec(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        tarball,
        `@pulumi/pulumi@${lockedVersion("@pulumi/pulumi")}`,
        `typescript@${lockedVersion("typescript")}`,
        `ts-node@${lockedVersion("ts-node")}`,
        `@types/node@${lockedVersion("@types/node")}`,
      ],
      { cwd: runnerA, maxBuffer: 64 * 1024 * 1024 },
    );
    const installed = JSON.parse(
      fs.readFileSync(path.join(runnerA, "node_modules", "pulumi-sps", "package.json"), "utf8"),
    ) as { name: string };
    assert.equal(installed.name, "pulumi-sps");
    assert.ok(!fs.lstatSync(path.join(runnerA, "node_modules", "pulumi-sps")).isSymbolicLink());

    lab = await startLab(FLEET, { channels: "native" });
    fs.writeFileSync(
      path.join(runnerA, "index.ts"),
      substitute(guideProgram(fs.readFileSync(path.join(REPO_ROOT, GUIDE), "utf8")), lab),
    );
    const nodes = JSON.parse(lab.config["fleet:nodes"] ?? "{}") as Record<string, LabNode>;
    fs.writeFileSync(path.join(runnerA, "sps-ca.pem"), nodes["sps-ha"]?.caPem ?? "");
    // The project's CI step: `tsc --noEmit` with the tsconfig above; its diagnostics are the failure message.
    await exec(path.join(runnerA, "node_modules", ".bin", "tsc"), ["-p", ".", "--noEmit"], {
      cwd: runnerA,
    }).catch((e: { stdout?: string; message: string }) => {
      throw new Error(`tsc --noEmit in the consumer project failed:\n${e.stdout ?? ""}${e.message}`);
    });
  });

  it("runner A: preview shows both clusters' plans", async function () {
    ls = await runnerStack(runnerA, "runner-a", true);
    assert.ok(lab);
    await ls.stack.setConfig("sps:credentials", lab.secrets["sps:credentials"] ?? "", true);
    const preview = await ls.stack.preview();
    assert.match(preview.diffText, /sps-branch: .*6\.3\.0/);
    assert.match(preview.diffText, /sps-ha: .*6\.3\.0/);
  });

  it("runner A: up through the manual gates, then a second up with no changes", async function () {
    const up = await upThroughGates(ls);
    assertConverged(up);
    const again = await ls.stack.up();
    assert.deepEqual(Object.keys(again.resourceChanges), ["same"], again.stdout);
    assertConverged(again);
  });

  it("runner A: the drift job exits 0", async function () {
    const job = await driftJob(ls);
    assert.deepEqual({ refresh: job.refresh, preview: job.preview }, { refresh: 0, preview: 0 }, job.text);
  });

  it("runner B (the project copied to another path, the first removed): drift job 0, an out-of-band change 7, up converges", async function () {
    fs.mkdirSync(path.dirname(runnerB), { recursive: true });
    fs.cpSync(runnerA, runnerB, { recursive: true, verbatimSymlinks: true });
    fs.rmSync(path.join(root, "runner-a"), { recursive: true, force: true });
    ls = await runnerStack(runnerB, "runner-b", false);
    const before = await driftJob(ls);
    assert.deepEqual(
      { refresh: before.refresh, preview: before.preview },
      { refresh: 0, preview: 0 },
      before.text,
    );

    assert.ok(lab);
    const license = (await nodeModel(lab, "sps-ha"))["license"] as { major: number };
    await drift(lab, "sps-ha", { license: { major: license.major, validNotAfter: dayOffset(400) } });
    const drifted = await driftJob(ls);
    assert.deepEqual(
      { refresh: drifted.refresh, preview: drifted.preview },
      { refresh: 7, preview: 7 },
      drifted.text,
    );
    assert.match(drifted.text, /license-changed sps-ha/);

    assertConverged(await upThroughGates(ls));
    const after = await driftJob(ls);
    assert.deepEqual(
      { refresh: after.refresh, preview: after.preview },
      { refresh: 0, preview: 0 },
      after.text,
    );
    assert.doesNotMatch(await ls.stack.exportState(), new RegExp(`${root}/runner-a|${REPO_ROOT}/dist`));
  });
});
