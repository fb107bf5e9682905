// E2E harness around the real Pulumi engine that scripts/install-pulumi-engine.sh builds into .tools/pulumi.
//
// Everything stays on this machine: state lives in a file backend inside a temporary directory, secrets are
// encrypted with a passphrase, plugins come only from .tools/pulumi (automatic plugin download is off), and the
// update check is off. Nothing talks to Pulumi Cloud.
//
// How a program is run. A program directory holds its own Pulumi.yaml (runtime nodejs) and a TypeScript entry file.
// `createTestStack` creates a temporary workspace whose Pulumi.yaml is the program's, with `main` pointing at the
// program's entry file by absolute path, so stack files (Pulumi.<stack>.yaml) and state never land in the repo while
// the program still runs from its own directory and resolves the repository's node_modules. State is in the DIY
// backend's project layout (.pulumi/meta.yaml `version: 1`, stacks under .pulumi/stacks/<project>/), the only one
// engine 3.276 accepts. TypeScript works offline with the engine and @pulumi/pulumi on one version (package-lock
// pins both): our language host runs @pulumi/pulumi's `cmd/run` with
// PULUMI_NODEJS_TYPESCRIPT (runtime option `typescript`, default true), which loads the repository's ts-node and
// typescript; PULUMI_NODEJS_TRANSPILE_ONLY=true skips type checking there (`npm run typecheck` covers programs).
//
// Usage:
//   const stack = await createTestStack({ programDir, config: { k: "v" }, secrets: { token: "..." } });
//   try {
//     const preview = await stack.preview();   // preview.diffText (`--diff` text), preview.events (JSON events)
//     const up = await stack.up();             // up.stdout, up.outputs (plain values)
//     await stack.refresh(); await stack.destroy();
//     stack.transcript();                      // everything printed so far
//     await stack.stateText();                 // every file of the file backend (state, backups, history)
//   } finally {
//     await stack.dispose();                   // removes the temporary workspace and its state
//   }
// `pulumiEngineEnv(dir)` gives the same environment for running `pulumi` directly (demo, other tests).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import * as automation from "@pulumi/pulumi/automation";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** Install root of the engine: `bin/` (pulumi, language host, dynamic-provider launcher) and `plugins/`. */
export const PULUMI_TOOLS_DIR = path.join(REPO_ROOT, ".tools", "pulumi");
export const PULUMI_BIN_DIR = path.join(PULUMI_TOOLS_DIR, "bin");
export const PULUMI_PLUGINS_DIR = path.join(PULUMI_TOOLS_DIR, "plugins");
export const DEFAULT_PASSPHRASE = "pulumi-sps-e2e-passphrase";

/** Throws, naming the fix, when the engine has not been built (a missing engine is a failure, never a skip). */
export function assertEngineInstalled(): void {
  const missing = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]
    .map((name) => path.join(PULUMI_BIN_DIR, name))
    .filter((file) => !isExecutable(file));
  if (missing.length > 0) {
    throw new Error(
      `Pulumi engine not built (missing ${missing.join(", ")}): run scripts/install-pulumi-engine.sh ` +
        `(scripts/setup.sh and npm test run it)`,
    );
  }
}

export interface PulumiEngineEnvOptions {
  /** Passphrase of the passphrase secrets provider; default DEFAULT_PASSPHRASE. */
  passphrase?: string;
  /** State backend URL (e.g. `postgres://…`, test/support/postgres.ts); default file://`dir`/state. */
  backendUrl?: string;
}

/**
 * Environment for running the engine with state and PULUMI_HOME under `dir` (created if needed): PATH starts with
 * .tools/pulumi/bin, PULUMI_HOME is `dir`/home (its plugins/ links to .tools/pulumi/plugins), the backend is
 * file://`dir`/state. Pass it to `pulumi` (child_process env, merged over process.env) or to the automation API.
 */
export function pulumiEngineEnv(dir: string, options: PulumiEngineEnvOptions = {}): Record<string, string> {
  const home = path.join(dir, "home");
  const state = path.join(dir, "state");
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(state, { recursive: true });
  const plugins = path.join(home, "plugins");
  if (!fs.existsSync(plugins)) {
    fs.symlinkSync(PULUMI_PLUGINS_DIR, plugins, "dir");
  }
  return {
    PATH: `${PULUMI_BIN_DIR}${path.delimiter}${process.env["PATH"] ?? ""}`,
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: options.backendUrl ?? `file://${state}`,
    PULUMI_CONFIG_PASSPHRASE: options.passphrase ?? DEFAULT_PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_DIY_BACKEND_GZIP: "false",
    // A new state directory gets the project layout; a caller's legacy-layout request must not leak in (3.276 refuses
    // legacy state; scripts/upgrade-diy-state.js migrates an old one).
    PULUMI_DIY_BACKEND_LEGACY_LAYOUT: "",
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    // The engine ships no Pulumi Cloud credentials here and must not look for any.
    PULUMI_ACCESS_TOKEN: "",
  };
}

let pulumiCommand: Promise<automation.PulumiCommand> | undefined;

/** The automation API's handle on the built CLI (.tools/pulumi/bin/pulumi), version-checked once. */
export function builtPulumiCommand(): Promise<automation.PulumiCommand> {
  assertEngineInstalled();
  pulumiCommand ??= automation.PulumiCommand.get({ root: PULUMI_TOOLS_DIR });
  return pulumiCommand;
}

export interface TestStackOptions {
  /** Directory holding the program's Pulumi.yaml (runtime nodejs) and entry file. */
  programDir: string;
  /** Stack name; default "e2e". */
  stackName?: string;
  /** Plain config values, keys without namespace (the project's) or `ns:key`. */
  config?: Record<string, string>;
  /** Secret config values, stored encrypted with the passphrase. */
  secrets?: Record<string, string>;
  passphrase?: string;
  /** State backend URL; default a file backend in the workspace (see pulumiEngineEnv). */
  backendUrl?: string;
}

/** Options of preview and up beyond the defaults. */
export interface RunOptions {
  /** Policy pack directories (`--policy-pack DIR`), run through our language host's RunPlugin. */
  policyPacks?: string[];
  /** One config file per policy pack (`--policy-pack-config FILE`), in the same order. */
  policyPackConfigs?: string[];
  /** The engine's parallelism (`--parallel N`). */
  parallel?: number;
}

function runOptions(options: RunOptions): {
  policyPacks?: string[];
  policyPackConfigs?: string[];
  parallel?: number;
} {
  return {
    ...(options.policyPacks === undefined ? {} : { policyPacks: options.policyPacks }),
    ...(options.policyPackConfigs === undefined ? {} : { policyPackConfigs: options.policyPackConfigs }),
    ...(options.parallel === undefined ? {} : { parallel: options.parallel }),
  };
}

export interface OperationReport {
  stdout: string;
  stderr: string;
}

export interface PreviewReport extends OperationReport {
  /** The `--diff` text of the preview (same as stdout). */
  diffText: string;
  /** Engine events (the JSON event stream), in order. */
  events: automation.EngineEvent[];
  changeSummary: Record<string, number>;
}

export interface UpReport extends OperationReport {
  /** Stack outputs as plain values (secrets decrypted). */
  outputs: Record<string, unknown>;
  /** Names of the outputs that are secret. */
  secretOutputs: string[];
  resourceChanges: Record<string, number>;
}

export interface RefreshReport extends OperationReport {
  resourceChanges: Record<string, number>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One stack of one program in its own temporary workspace; see the module comment for the life cycle. */
export class TestStack {
  private readonly printed: string[] = [];

  constructor(
    /** Temporary workspace: Pulumi.yaml, Pulumi.<stack>.yaml, home/, state/. */
    readonly workDir: string,
    readonly env: Record<string, string>,
    readonly stack: automation.Stack,
  ) {}

  get name(): string {
    return this.stack.name;
  }

  async setConfig(key: string, value: string, secret = false): Promise<void> {
    await this.stack.setConfig(key, { value, secret });
  }

  /** A config value of the stack, or undefined when it is not set. */
  async getConfig(key: string): Promise<string | undefined> {
    const all = await this.stack.getAllConfig();
    const full = key.includes(":") ? key : Object.keys(all).find((k) => k.endsWith(`:${key}`));
    return full !== undefined ? all[full]?.value : undefined;
  }

  /**
   * `pulumi preview --diff` with the engine's JSON events; `policyPacks` are policy pack directories
   * (`--policy-pack DIR`), `policyPackConfigs` their config files, `parallel` is `--parallel N`.
   */
  async preview(options: RunOptions & { refresh?: boolean } = {}): Promise<PreviewReport> {
    const events: automation.EngineEvent[] = [];
    const result = await this.stack.preview({
      diff: true,
      color: "never",
      refresh: options.refresh ?? false,
      onEvent: (event) => events.push(event),
      ...runOptions(options),
    });
    this.record(result.stdout, result.stderr);
    return {
      stdout: result.stdout,
      stderr: result.stderr,
      diffText: result.stdout,
      events,
      changeSummary: { ...result.changeSummary },
    };
  }

  /** `pulumi up --diff`; options as for preview. */
  async up(options: RunOptions = {}): Promise<UpReport> {
    const result = await this.stack.up({ color: "never", diff: true, ...runOptions(options) });
    this.record(result.stdout, result.stderr);
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const [key, output] of Object.entries(result.outputs)) {
      outputs[key] = output.value;
      if (output.secret) {
        secretOutputs.push(key);
      }
    }
    return {
      stdout: result.stdout,
      stderr: result.stderr,
      outputs,
      secretOutputs,
      resourceChanges: { ...(result.summary.resourceChanges ?? {}) },
    };
  }

  async refresh(): Promise<RefreshReport> {
    const result = await this.stack.refresh({ color: "never" });
    this.record(result.stdout, result.stderr);
    return {
      stdout: result.stdout,
      stderr: result.stderr,
      resourceChanges: { ...(result.summary.resourceChanges ?? {}) },
    };
  }

  async destroy(): Promise<RefreshReport> {
    const result = await this.stack.destroy({ color: "never" });
    this.record(result.stdout, result.stderr);
    return {
      stdout: result.stdout,
      stderr: result.stderr,
      resourceChanges: { ...(result.summary.resourceChanges ?? {}) },
    };
  }

  /**
   * Runs the built `pulumi` CLI in the workspace (this stack is the selected one), e.g.
   * `["preview", "--json", "--stack", stack.name]`; output is recorded in the transcript.
   */
  async cli(args: string[], options: RunPulumiOptions = {}): Promise<CliResult> {
    const result = await runPulumi(args, this.workDir, this.env, options);
    this.record(result.stdout, result.stderr);
    return result;
  }

  /**
   * The stack's current deployment as `pulumi stack export` prints it, secrets encrypted (the automation API's
   * exportStack() decrypts them with --show-secrets, so it is not used here).
   */
  async exportState(): Promise<string> {
    const result = await runPulumi(["stack", "export", "--stack", this.name], this.workDir, this.env);
    if (result.code !== 0) {
      throw new Error(`pulumi stack export failed (${result.code}): ${result.stderr}`);
    }
    return result.stdout;
  }

  /** Text of every file the file backend holds (current state, backups, history). */
  async stateText(): Promise<string> {
    const stateDir = path.join(this.workDir, "state");
    const parts: string[] = [];
    for (const file of listFiles(stateDir)) {
      parts.push(`== ${path.relative(stateDir, file)}\n${await fs.promises.readFile(file, "utf8")}`);
    }
    return parts.join("\n");
  }

  /** Everything the engine printed (stdout and stderr of every operation) so far. */
  transcript(): string {
    return this.printed.join("\n");
  }

  /** Removes the temporary workspace, its state and PULUMI_HOME. */
  async dispose(): Promise<void> {
    await fs.promises.rm(this.workDir, { recursive: true, force: true });
  }

  private record(stdout: string, stderr: string): void {
    this.printed.push(stdout, stderr);
  }
}

/** Creates a stack of the program in `options.programDir` in a fresh temporary workspace (see module comment). */
export async function createTestStack(options: TestStackOptions): Promise<TestStack> {
  const pulumiCommand = await builtPulumiCommand();
  const programDir = path.resolve(options.programDir);
  const workDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pulumi-sps-e2e-"));
  try {
    const env = pulumiEngineEnv(workDir, {
      ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
      ...(options.backendUrl === undefined ? {} : { backendUrl: options.backendUrl }),
    });
    const programWorkspace = await automation.LocalWorkspace.create({
      workDir: programDir,
      pulumiCommand,
      envVars: env,
    });
    const program = withAbsolutePluginPaths(await programWorkspace.projectSettings(), programDir);
    const entry = path.resolve(programDir, program.main ?? "index.ts");
    const workspace = await automation.LocalWorkspace.create({
      workDir,
      pulumiCommand,
      envVars: env,
      pulumiHome: env["PULUMI_HOME"],
      projectSettings: { ...program, main: entry },
    });
    const stack = await automation.Stack.create(options.stackName ?? "e2e", workspace);
    const testStack = new TestStack(workDir, env, stack);
    for (const [key, value] of Object.entries(options.config ?? {})) {
      await testStack.setConfig(key, value);
    }
    for (const [key, value] of Object.entries(options.secrets ?? {})) {
      await testStack.setConfig(key, value, true);
    }
    return testStack;
  } catch (error) {
    await fs.promises.rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

/** Runs `fn` on a fresh test stack and always disposes it. */
export async function withTestStack<T>(
  options: TestStackOptions,
  fn: (stack: TestStack) => Promise<T>,
): Promise<T> {
  const stack = await createTestStack(options);
  try {
    return await fn(stack);
  } finally {
    await stack.dispose();
  }
}

export interface RunPulumiOptions {
  /**
   * Text for the CLI's standard input, e.g. a config value for `config set KEY` (without a value argument the CLI
   * reads it there: no argument-size limit, and a secret never appears in a process list).
   */
  input?: string;
}

/** Runs the built `pulumi` with `args` in `cwd`, with `env` merged over process.env; never throws on exit codes. */
export function runPulumi(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  options: RunPulumiOptions = {},
): Promise<CliResult> {
  assertEngineInstalled();
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(PULUMI_BIN_DIR, "pulumi"),
      [...args, "--non-interactive", "--color", "never"],
      {
        cwd,
        env: { ...process.env, ...env },
        stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      },
    );
    if (options.input !== undefined) {
      child.stdin?.end(options.input);
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      }),
    );
  });
}

/**
 * The program's settings with the paths of its local plugins (Pulumi.yaml `plugins: {providers, analyzers,
 * languages: [{name, path}]}`, relative to the program's directory) made absolute, as the workspace is elsewhere.
 */
function withAbsolutePluginPaths(
  settings: automation.ProjectSettings,
  programDir: string,
): automation.ProjectSettings {
  const plugins = (settings as { plugins?: Record<string, { name: string; path?: string }[] | undefined> })
    .plugins;
  if (plugins === undefined) {
    return settings;
  }
  const absolute: Record<string, { name: string; path?: string }[]> = {};
  for (const [kind, list] of Object.entries(plugins)) {
    absolute[kind] = (list ?? []).map((plugin) =>
      plugin.path === undefined ? plugin : { ...plugin, path: path.resolve(programDir, plugin.path) },
    );
  }
  return { ...settings, plugins: absolute } as automation.ProjectSettings;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? listFiles(path.join(dir, entry.name))
        : entry.isFile()
          ? [path.join(dir, entry.name)]
          : [],
    )
    .sort();
}
