/**
 * Plugin and license writes checked against another run (./README.md, "Another run on the same
 * appliance"). Before each plugin upload (P6, S4, S15) and each license upload through system control
 * (S11) the node is read and compared with what this stack's run found there first (`found`, recorded at
 * its first read of the node: preflight, or the step itself), what the run declares, and what it recorded
 * writing (`pluginWrites`, saved before the upload; `licenseRecords`). The declared value already there
 * is not written again; anything else stops the run with kind `foreign-state` before the upload, unless
 * the operator accepts that change with a confirmation specific to node, field and value.
 *
 * A license is compared by what REST shows of it (`GET /api/configuration/management/license` [doc]; its
 * fields as public sources name them, provider/clients/sps/license-reading.ts). [unknown] A node whose REST
 * license shows none of those fields cannot be compared: the upload then goes on as before. A license
 * gate passed by hand (no system-control route) is the operator's write: the record of what was found is
 * dropped at the gate, so the next run starts from what the operator installed.
 */
import { createHash } from "node:crypto";
import { readLicense } from "../clients/sps/license-reading";
import type { PlanStep } from "../../core/plan";
import { confirmLine, isConfirmed } from "./confirmations";
import { foreignStateError } from "./foreign-state";
import type { RunContext } from "./run-context";
import { hopOf, hopTarget, type NodeHandle } from "./step-kit";

/** The checkpoint key of a field of a node: "sps1#plugin mfa-demo", "sps1#license". */
export function fieldKey(node: string, field: string): string {
  return `${node}#${field}`;
}

const pluginField = (name: string): string => `plugin ${name}`;
const LICENSE = "license";

/**
 * What REST shows of the installed license, as one value (a SHA-256 of its identifying fields: customer,
 * serial, type, limit, product version, validity dates — never the license text), or null when REST shows
 * none of them.
 */
export function licenseIdentity(raw: Record<string, unknown>): string | null {
  const r = readLicense(raw, new Date(0));
  const fields = [
    r.customer,
    r.serial,
    r.licenseType,
    r.limitType,
    r.limit,
    r.productVersion,
    r.validNotBefore,
    r.validNotAfter,
  ];
  if (fields.every((f) => f === undefined)) return null;
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

/** Records what the node shows for a field the first time this stack's run reads it (never overwritten). */
async function recordFound(
  ctx: RunContext,
  node: string,
  field: string,
  value: string | null,
): Promise<void> {
  const key = fieldKey(node, field);
  if (ctx.checkpoint.found && key in ctx.checkpoint.found) return;
  await ctx.save((c) => {
    c.found = { ...c.found, [key]: value };
  });
}

/** The plugins and license a node's plan writes, read once before its first change (preflight). */
export async function recordFoundOnNode(ctx: RunContext, node: NodeHandle): Promise<void> {
  const steps = ctx.inputs.plan.steps.filter((s) => s.node === node.name);
  const names = [...new Set(steps.flatMap((s) => (s.plugin !== undefined ? [s.plugin] : [])))];
  if (names.length > 0) {
    const installed = await node.client.listPlugins();
    for (const name of names)
      await recordFound(
        ctx,
        node.name,
        pluginField(name),
        installed.find((p) => p.name === name)?.version ?? null,
      );
  }
  if (steps.some((s) => s.action === "upload-license"))
    await recordFound(ctx, node.name, LICENSE, licenseIdentity((await node.client.getLicense()).raw));
}

/** The confirmation that accepts a plugin version another run or a person installed. */
export function acceptPluginConfirmation(node: string, name: string, version: string): string {
  return `accept-plugin ${node} ${name} ${version}`;
}

/** The confirmation that accepts a license another run or a person installed (by the first 12 hex of its identity). */
export function acceptLicenseConfirmation(node: string, identity: string): string {
  return `accept-license ${node} ${identity.slice(0, 12)}`;
}

/**
 * Before a plugin upload: stops when the installed version (null: none) is neither what this run found,
 * nor one it wrote, nor accepted; otherwise records the first read and the write (before the upload).
 */
export async function checkPluginWrite(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  name: string,
  installed: string | null,
  declared: string,
): Promise<void> {
  await recordFound(ctx, node.name, pluginField(name), installed);
  const found = ctx.checkpoint.found?.[fieldKey(node.name, pluginField(name))] ?? null;
  const wrote = (ctx.checkpoint.pluginWrites ?? []).filter((w) => w.node === node.name && w.plugin === name);
  const accept = installed !== null ? acceptPluginConfirmation(node.name, name, installed) : undefined;
  const ours =
    installed === found ||
    wrote.some((w) => w.version === installed) ||
    (accept !== undefined && isConfirmed(ctx, accept));
  if (!ours) {
    throw foreignStateError(
      ctx,
      node,
      step,
      hopTarget(ctx, step),
      `plugin ${name} (plugins["${name}"]) is ${installed ?? "not installed"} on it, but this run found ${found ?? "none"} there, declares ${declared} and did not install ${installed ?? "anything else"}`,
      "the plugin upload",
      accept
        ? `check Basic Settings > Plugins on the node; if ${name} ${installed} is meant to be there, ${confirmLine(accept)}`
        : `check Basic Settings > Plugins on the node (who removed ${name}?)`,
    );
  }
  await ctx.save((c) => {
    c.pluginWrites = [
      ...(c.pluginWrites ?? []),
      { node: node.name, plugin: name, version: declared, hop: hopOf(step), startedAt: ctx.nowIso() },
    ];
  });
}

/**
 * A value found on the node that differs from what this run first found there and that this run did not
 * write: another run or a person made the same write. The words for the step's skip ("" otherwise).
 */
function madeByOthers(
  ctx: RunContext,
  node: string,
  field: string,
  value: string | null,
  wrote: boolean,
): string {
  const key = fieldKey(node, field);
  const found = ctx.checkpoint.found;
  if (wrote || !found || !(key in found) || found[key] === value) return "";
  return " — installed since this run first read the node, not by this run (another run or a person made the same write): not written again";
}

/** The declared plugin build found installed: says whether another run or a person installed it. */
export function pluginFoundNote(ctx: RunContext, node: string, name: string, version: string): string {
  const wrote = (ctx.checkpoint.pluginWrites ?? []).some(
    (w) => w.node === node && w.plugin === name && w.version === version,
  );
  return madeByOthers(ctx, node, pluginField(name), version, wrote);
}

/** A valid license found for the declared major: says whether another run or a person installed it. */
export function licenseFoundNote(
  ctx: RunContext,
  node: string,
  identity: string | null,
  recorded: boolean,
): string {
  return madeByOthers(ctx, node, LICENSE, identity, recorded);
}

/**
 * Before a license upload through system control: stops when the license REST shows is neither the
 * one this run found (nor accepted); `identity` null (REST shows no license field) cannot be compared.
 */
export async function checkLicenseWrite(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  identity: string | null,
  declared: string,
): Promise<void> {
  await recordFound(ctx, node.name, LICENSE, identity);
  const found = ctx.checkpoint.found?.[fieldKey(node.name, LICENSE)] ?? null;
  if (identity === null || found === null || identity === found) return;
  const accept = acceptLicenseConfirmation(node.name, identity);
  if (isConfirmed(ctx, accept)) return;
  throw foreignStateError(
    ctx,
    node,
    step,
    hopTarget(ctx, step),
    `its license (licenses["${declared}"]) is not the one this run found there, not the declared ${declared} LTS license, and this run did not install it`,
    "the license upload",
    `check Basic Settings > System > License on the node; if that license is meant to be there, ${confirmLine(accept)}`,
  );
}

/** A license gate passed by hand is the operator's write: what the node shows next is taken as found. */
export async function forgetFoundLicense(ctx: RunContext, node: string): Promise<void> {
  const key = fieldKey(node, LICENSE);
  if (!ctx.checkpoint.found || !(key in ctx.checkpoint.found)) return;
  await ctx.save((c) => {
    if (c.found) delete c.found[key];
  });
}
