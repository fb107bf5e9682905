#!/usr/bin/env node
// Moves a file:// DIY state directory from Pulumi's legacy layout (stacks not scoped by project) to the project
// layout, which the engine >= 3.275 requires: it refuses a legacy state outright ("Legacy DIY state is no longer
// supported") and so can no longer run its own `pulumi state upgrade` on it.
//
//   node scripts/upgrade-diy-state.js <state dir | file:///state/dir> [--project NAME] [--dry-run]
//   (no argument: PULUMI_BACKEND_URL, which must be a file:// URL)
//
// What it does is what `pulumi state upgrade` of engine 3.259 does [Pulumi pkg/backend/diy/backend.go Upgrade]:
// for each legacy stack .pulumi/stacks/<stack>.json[.gz] it takes the project from the URN of any resource in the
// stack's checkpoint (urn:pulumi:<stack>::<project>::...) — an empty stack needs --project —, writes
// .pulumi/meta.yaml `version: 1` first, then moves the stack file (and its .bak/.attrs siblings) to
// .pulumi/stacks/<project>/, its history to .pulumi/history/<project>/<stack>/ and its backups to
// .pulumi/backups/<project>/<stack>/. URNs keep their project and stack, so the checkpoint's content is unchanged.
// A locked stack (.pulumi/locks/<stack>/ not empty: a run in progress) is refused. Idempotent: a state already in the
// project layout is left alone. Other backends (postgres://, s3://) never had a legacy layout created by this
// project's tools; for them, use a Pulumi CLI <= 3.274.1's `pulumi state upgrade`.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");

function fail(message) {
  console.error(`upgrade-diy-state: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const options = { project: undefined, dryRun: false, target: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--project") {
      options.project = argv[++i];
      if (!options.project) fail("--project needs a project name");
    } else if (arg.startsWith("--project=")) {
      options.project = arg.slice("--project=".length);
    } else if (arg === "--dry-run") {
      options.dryRun = true;
    } else if (arg === "--help" || arg === "-h") {
      console.log(
        "usage: node scripts/upgrade-diy-state.js <state dir | file:// URL> [--project NAME] [--dry-run]",
      );
      process.exit(0);
    } else if (arg.startsWith("-")) {
      fail(`unknown option ${arg} (known: --project NAME, --dry-run)`);
    } else if (options.target === undefined) {
      options.target = arg;
    } else {
      fail(`one state directory only (got ${options.target} and ${arg})`);
    }
  }
  return options;
}

function stateDir(target) {
  const spec = target ?? process.env.PULUMI_BACKEND_URL;
  if (!spec) fail("name the state directory (or a file:// URL), or set PULUMI_BACKEND_URL");
  if (spec.startsWith("file://")) {
    const dir = spec.slice("file://".length).replace(/\?.*$/, "");
    return path.resolve(dir.startsWith("~") ? path.join(process.env.HOME ?? "", dir.slice(1)) : dir);
  }
  if (/^[a-z0-9]+:\/\//i.test(spec)) {
    fail(
      `${spec}: only file:// state can be upgraded here; use \`pulumi state upgrade\` of a CLI <= 3.274.1`,
    );
  }
  return path.resolve(spec);
}

function readCheckpoint(file) {
  const raw = fs.readFileSync(file);
  const text = file.endsWith(".gz") ? zlib.gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    fail(`${file} is not a Pulumi checkpoint (JSON): ${error.message}`);
  }
}

/** Project of the first resource URN (urn:pulumi:<stack>::<project>::<type>::<name>), or undefined. */
function projectOf(checkpoint) {
  const resources = checkpoint?.checkpoint?.latest?.resources ?? [];
  for (const resource of resources) {
    const parts = typeof resource.urn === "string" ? resource.urn.split("::") : [];
    if (parts.length >= 3 && parts[1]) return parts[1];
  }
  return undefined;
}

function move(from, to, dryRun, done) {
  if (!fs.existsSync(from)) return;
  if (fs.existsSync(to)) fail(`${to} already exists: not overwriting it with ${from}`);
  done.push(`${from} -> ${to}`);
  if (dryRun) return;
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.renameSync(from, to);
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const dir = stateDir(options.target);
  const root = path.join(dir, ".pulumi");
  const stacksDir = path.join(root, "stacks");
  if (!fs.existsSync(root)) fail(`${dir} holds no Pulumi state (no .pulumi directory)`);

  const legacy = fs.existsSync(stacksDir)
    ? fs
        .readdirSync(stacksDir, { withFileTypes: true })
        .filter((e) => e.isFile() && /\.json(\.gz)?$/.test(e.name))
        .map((e) => ({ file: e.name, stack: e.name.replace(/\.json(\.gz)?$/, "") }))
    : [];
  if (legacy.length === 0) {
    console.log(`upgrade-diy-state: ${dir} is already in the project layout (no legacy stack files)`);
    return;
  }

  const plans = legacy.map(({ file, stack }) => {
    const project = projectOf(readCheckpoint(path.join(stacksDir, file))) ?? options.project;
    if (!project) fail(`stack ${stack} has no resources to take its project from: pass --project NAME`);
    if (!/^[A-Za-z0-9_.-]+$/.test(project))
      fail(`stack ${stack}: project name ${JSON.stringify(project)} is invalid`);
    const locks = path.join(root, "locks", stack);
    if (fs.existsSync(locks) && fs.readdirSync(locks).length > 0) {
      fail(
        `stack ${stack} is locked (${locks}): an update is running; retry when it ends (a stale lock: remove it)`,
      );
    }
    return { stack, project };
  });

  const done = [];
  if (!options.dryRun) {
    // Written first, as the engine's own upgrade does: an unwritable store fails before anything moved.
    fs.writeFileSync(path.join(root, "meta.yaml"), "version: 1\n");
  }
  for (const { stack, project } of plans) {
    const siblings = fs.readdirSync(stacksDir).filter((name) => name.startsWith(`${stack}.json`));
    for (const name of siblings) {
      move(path.join(stacksDir, name), path.join(stacksDir, project, name), options.dryRun, done);
    }
    for (const kind of ["history", "backups"]) {
      move(path.join(root, kind, stack), path.join(root, kind, project, stack), options.dryRun, done);
    }
  }
  for (const line of done) console.log(`  ${options.dryRun ? "would move" : "moved"} ${line}`);
  const summary = plans.map((p) => `${p.project}/${p.stack}`).join(", ");
  console.log(
    `upgrade-diy-state: ${options.dryRun ? "would upgrade" : "upgraded"} ${plans.length} stack(s) to the ` +
      `project layout: ${summary}`,
  );
}

main();
