#!/usr/bin/env bash
# The demo (README: `npm run demo`): an emulated SPS fleet (time-scaled), the upgrade plan in
# `pulumi preview --diff`, `pulumi up` (canary cluster first), out-of-band changes injected through the
# emulator's control surface, and the drift in `pulumi refresh` / `pulumi preview --refresh`. Everything
# runs on loopback with the locally built engine; every process it starts is stopped and every temporary
# file removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
START=$(date +%s)

bash scripts/setup.sh

WORK=$(mktemp -d /tmp/sps-demo-XXXXXX)
LAB_PID=""
cleanup() {
  if [ -n "$LAB_PID" ] && kill -0 "$LAB_PID" 2>/dev/null; then
    kill -TERM "$LAB_PID" 2>/dev/null || true
    wait "$LAB_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  echo "demo: cleaned up (lab stopped, $WORK removed) after $(( $(date +%s) - START ))s"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "starting the emulated fleet (time scale 600: 15 emulated minutes take 1.5 s)"
node dist/test/support/sps-lab.js --fleet examples/demo/fleet.json --out "$WORK/lab.json" --time-scale 600 &
LAB_PID=$!
for _ in $(seq 1 120); do [ -s "$WORK/lab.json" ] && break; sleep 0.5; done
[ -s "$WORK/lab.json" ] || { echo "demo: the lab did not start"; exit 1; }

# The engine: state and PULUMI_HOME under $WORK, plugins from .tools/pulumi, secrets under a passphrase.
export PATH="$ROOT/.tools/pulumi/bin:$PATH"
export PULUMI_HOME="$WORK/home" PULUMI_BACKEND_URL="file://$WORK/state"
export PULUMI_CONFIG_PASSPHRASE="sps-demo-$RANDOM$RANDOM" PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_NODEJS_TRANSPILE_ONLY=true PULUMI_ACCESS_TOKEN=""
mkdir -p "$PULUMI_HOME" "$WORK/state" "$WORK/project"
ln -s "$ROOT/.tools/pulumi/plugins" "$PULUMI_HOME/plugins"
# The root Pulumi.yaml, with its program by absolute path, so stack files stay out of the repository.
sed "s#^main: .*#main: $ROOT/examples/demo/index.ts#" Pulumi.yaml > "$WORK/project/Pulumi.yaml"
cd "$WORK/project"
pulumi stack init demo --non-interactive >/dev/null
node -e '
  const { execFileSync } = require("node:child_process");
  const lab = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  for (const [k, v] of Object.entries(lab.config)) execFileSync("pulumi", ["config", "set", k, v, "--non-interactive"]);
  for (const [k, v] of Object.entries(lab.secrets)) execFileSync("pulumi", ["config", "set", "--secret", k, v, "--non-interactive"]);
' "$WORK/lab.json"
CONTROL=$(node -e 'console.log(JSON.parse(require("node:fs").readFileSync(process.argv[1],"utf8")).controlUrl.replace(/\/_emulator$/,""))' "$WORK/lab.json")

step "pulumi preview --diff: hops and ordered steps per wave, per cluster"
pulumi preview --diff --non-interactive --color never | grep -E '^\s*[-+~] |"hop [0-9]|"wave [0-9]|"upload-license|error|Resources:|to create' || true

step "pulumi up: the canary cluster (branch) first, then dc1"
pulumi up --yes --skip-preview --non-interactive --color never \
  | sed -u -n -e 's/.*\(\[sps\].*\)/\1/p' -e '/Resources:/,$p' | grep --line-buffered -v ' start: ' \
  | awk '!seen[$0]++ { print; fflush() }' || true

step "pulumi up again: nothing to do"
pulumi up --yes --skip-preview --non-interactive --color never | grep -E 'Resources:|unchanged|created|updated' || true

step "out-of-band changes through the emulator's control surface"
echo "  sps-branch: license replaced by one ending 2026-12-01; dc1: firmware rolled back to 6.0.12"
curl -sf -X POST -H 'Content-Type: application/json' -d '{"license":{"major":6,"validNotAfter":"2026-12-01"}}' "$CONTROL/_emulator/nodes/sps-branch/drift" >/dev/null
curl -sf -X POST -H 'Content-Type: application/json' -d '{"version":"6.0.12"}' "$CONTROL/_emulator/nodes/sps-ha/drift" >/dev/null

step "pulumi refresh: the drift"
pulumi refresh --yes --diff --non-interactive --color never | grep -E '^\s*~ pulumi|upgraded-out-of-band|rolled-back|stuck-mid-hop|license-|plugin-|indexer-|version\s*:.*=>|Resources:|updated' || true

step "pulumi preview --refresh: what the next up would do"
pulumi preview --refresh --diff --non-interactive --color never | grep -E '^\s*~ pulumi|"hop [0-9]|"wave [0-9]|"upload-license|Resources:|to update' || true

cd "$ROOT"
echo
echo "demo: done in $(( $(date +%s) - START ))s"
