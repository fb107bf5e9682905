/**
 * The files a cluster plan needs from the operator, read from its steps: a firmware image per hop
 * target (S3, V7), a license per LTS major the plan enters (S2, S11 — [doc] 6.0 upgrade guide, "Upgrade
 * checklist": "You need a new license file for every LTS release"), a build per plugin step (P6, S4,
 * S15) and an indexer RPM per SPS revision the indexers are brought to (I1, I3). The executor and the
 * preview check every one of them before the first write to any node (./input-problems.ts is the check
 * itself): a missing one found after the reboot into a new LTS cannot be undone.
 */
import type { PlanStep } from "./plan";
import { parseRevision } from "./version";

/** What one input is, without the nodes needing it. */
export type InputKey =
  | { kind: "firmware"; version: string }
  | { kind: "license"; major: string }
  | { kind: "plugin"; plugin: string; version: string }
  | { kind: "indexer-package"; version: string };

export type RequiredInput = InputKey & { nodes: string[] };

/** Rule IDs of the inputs, for findings and errors. */
export const INPUT_RULES: Record<RequiredInput["kind"], string> = {
  firmware: "S3",
  license: "S2",
  plugin: "P6",
  "indexer-package": "I3",
};

/**
 * Every input the steps need, once each, in plan order. `steps` may be the remaining steps of a resumed
 * run (the finished ones need nothing any more).
 */
export function requiredInputs(steps: readonly PlanStep[], planTarget: string): RequiredInput[] {
  const found = new Map<string, RequiredInput>();
  const add = (i: InputKey, node: string): void => {
    const key = JSON.stringify(i);
    const have = found.get(key);
    if (have) {
      if (!have.nodes.includes(node)) have.nodes.push(node);
    } else found.set(key, { ...i, nodes: [node] });
  };
  for (const s of steps) {
    const version = s.version ?? planTarget;
    switch (s.action) {
      case "upload-firmware":
      case "fetch-firmware":
        add({ kind: "firmware", version }, s.node);
        break;
      case "upload-license":
        add({ kind: "license", major: String(parseRevision(version).major) }, s.node);
        break;
      case "upload-plugin":
      case "upgrade-plugin":
        if (s.plugin) add({ kind: "plugin", plugin: s.plugin, version }, s.node);
        break;
      case "copy-indexer-package":
        add({ kind: "indexer-package", version }, s.node);
        break;
      default:
        break;
    }
  }
  return [...found.values()];
}

/** "license for 6 LTS", "firmware image 6.0.7", ... */
export function describeInput(i: RequiredInput): string {
  switch (i.kind) {
    case "firmware":
      return `firmware image ${i.version}`;
    case "license":
      return `license for ${i.major} LTS`;
    case "plugin":
      return `plugin ${i.plugin} build for ${i.version}`;
    case "indexer-package":
      return `indexer RPM for SPS ${i.version}`;
  }
}
