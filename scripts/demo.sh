#!/usr/bin/env bash
# The demo (README: `npm run demo`): an emulated SPS fleet (time-scaled) with two external indexer hosts
# (real sshd, rpm and dnf on loopback; RHEL 6 style `service`, RHEL 7 style `systemctl`), the upgrade
# plan in `pulumi preview --diff` (indexer steps with their commands), `pulumi up` (canary cluster first,
# dc1's indexers after its firmware), out-of-band changes injected through the emulator's control
# surface and over SSH on an indexer host, and the drift in `pulumi refresh` / `pulumi preview --refresh`.
# Everything runs on loopback with the locally built engine; every process it starts (the lab: emulator
# and sshd) is stopped and every temporary file removed at the end, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
START=$(date +%s)

bash scripts/setup.sh
source scripts/node-env.sh

WORK=$(mktemp -d /tmp/sps-demo-XXXXXX)
LAB_PID=""
cleanup() {
  # Engine plugins a cancelled or killed `pulumi` left running: the processes whose environment names
  # this run's PULUMI_HOME. They notice a dead engine and stop at their next safe point by themselves
  # (provider/resources/engine-watchdog.ts): give them 15 s, then end the rest by pid.
  local env pid left=()
  for env in /proc/[0-9]*/environ; do
    pid=${env#/proc/}; pid=${pid%/environ}
    [ "$pid" != "$$" ] || continue
    if { tr '\0' '\n' < "$env"; } 2>/dev/null | grep -qxF "PULUMI_HOME=$WORK/home"; then left+=("$pid"); fi
  done
  for _ in $(seq 1 30); do
    [ "${#left[@]}" -gt 0 ] || break
    local still=()
    for pid in "${left[@]}"; do kill -0 "$pid" 2>/dev/null && still+=("$pid"); done
    left=("${still[@]+"${still[@]}"}")
    [ "${#left[@]}" -eq 0 ] || sleep 0.5
  done
  for pid in "${left[@]+"${left[@]}"}"; do
    kill -TERM "$pid" 2>/dev/null && echo "demo: stopped a leftover engine plugin (pid $pid)"
  done
  if [ -n "$LAB_PID" ] && kill -0 "$LAB_PID" 2>/dev/null; then
    kill -TERM "$LAB_PID" 2>/dev/null || true
    wait "$LAB_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  echo "demo: cleaned up (lab stopped, $WORK removed) after $(( $(date +%s) - START ))s"
}
trap cleanup EXIT
# Ctrl-C (or a TERM) ends the demo: pulumi cancels (or dies of a broken pipe when Ctrl-C ended the
# filter it prints into), which alone would let the script go on to the next step; exiting here runs
# the cleanup above.
trap 'echo "demo: interrupted"; exit 130' INT TERM

step() { printf '\n\033[1m== %s\033[0m  (+%ss)\n' "$*" "$(( $(date +%s) - START ))"; }

# The indexer hosts run their own sshd and need a login user with sudo: that takes root.
INDEXERS=()
if [ "$(id -u)" -eq 0 ]; then INDEXERS=(--indexers); fi

step "starting the emulated fleet (time scale 600: 15 emulated minutes take 1.5 s) and the indexer hosts"
[ "${#INDEXERS[@]}" -gt 0 ] || echo "  (not root: no indexer hosts — they run their own sshd and sudo user)"
# In its own session: Ctrl-C reaches pulumi (which cancels and waits for the step in flight) but not the
# lab, which must outlive that step; the cleanup stops it afterwards.
setsid node dist/test/support/sps-lab.js --fleet examples/demo/fleet.json --out "$WORK/lab.json" \
  --time-scale 600 --indexer-versions 7.0.3,8.0.0 --operator-at-gate "${INDEXERS[@]}" &
LAB_PID=$!
for _ in $(seq 1 120); do
  [ -s "$WORK/lab.json" ] && break
  kill -0 "$LAB_PID" 2>/dev/null || break
  sleep 0.5
done
[ -s "$WORK/lab.json" ] || { echo "demo: the lab did not start"; exit 1; }
node -e '
  const lab = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  for (const [name, h] of Object.entries(lab.indexerSsh?.hosts ?? {}))
    console.log(`  indexer host ${name} (${h.os}): sshd on ${h.host}:${h.port}, external-indexer 7.0.3 installed and running`);
' "$WORK/lab.json"

# The engine: state and PULUMI_HOME under $WORK, plugins from .tools/pulumi, secrets under a passphrase.
export PATH="$ROOT/.tools/pulumi/bin:$PATH"
export PULUMI_HOME="$WORK/home" PULUMI_BACKEND_URL="file://$WORK/state"
export PULUMI_CONFIG_PASSPHRASE="sps-demo-$RANDOM$RANDOM" PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_NODEJS_TRANSPILE_ONLY=true PULUMI_ACCESS_TOKEN=""
# A new state directory in the project layout (the only one engine 3.276 accepts), whatever the caller set.
unset PULUMI_DIY_BACKEND_LEGACY_LAYOUT
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
# The support bundles (S8) go into the demo's work directory (removed at the end), not the lab's.
pulumi config set fleet:evidenceDir "$WORK/evidence" --non-interactive
CONTROL=$(node -e 'console.log(JSON.parse(require("node:fs").readFileSync(process.argv[1],"utf8")).controlUrl.replace(/\/_emulator$/,""))' "$WORK/lab.json")

step "pulumi preview --diff: hops and ordered steps per wave, per cluster"
pulumi preview --diff --non-interactive --color never | grep -E '^\s*[-+~] |"hop [0-9]|"wave [0-9]|"  \$ |"upload-license|"route |error|Resources:|to create' || true

step "sps-upgrade render: the same preview as a pull-request comment (estimate against each window, Gantt chart)"
pulumi preview --json --non-interactive > "$WORK/preview.json" || true
node "$ROOT/bin/sps-upgrade.js" render --preview "$WORK/preview.json" | sed -n '1,9p'
echo "  ... (per cluster: hops, wave table, findings; the chart as drawn: docs/rollout-gantt.png)"

step "pulumi up: the canary cluster (branch) first, then dc1, then dc1's indexer hosts"
# What POST /api/firmware/upgrade does is unknown (it may reboot the primary while the secondary runs, H2),
# so the HA pair's firmware is activated by hand in the web interface: the run stops with the exact steps
# and resumes on the next up. The demo plays the operator through the emulator's control surface.
# The configuration backup and export before each hop (P1) has no public API: the run stops at a gate
# naming a confirmation; the demo plays the operator who made them and adds it to the stack config.
CONFIRMED=()
for attempt in 1 2 3 4 5 6 7 8; do
  pulumi up --yes --skip-preview --non-interactive --color never > "$WORK/up.log" 2>&1 && up_rc=0 || up_rc=$?
  sed -n -e 's/.*\(\[sps\].*\)/\1/p' -e '/Resources:/,$p' "$WORK/up.log" | grep -v ' start: ' | awk '!seen[$0]++' || true
  gate=$(grep -o 'node [^ ,]*, step [0-9]* activate-firmware (hop [0-9]* → [0-9.]*): activate the firmware of the HA pair by hand' "$WORK/up.log" | head -1 || true)
  # The standalone canary has no system-control channel (docs/design-notes.md): its S11 license upload after the
  # reboot into the new LTS is a manual gate naming the node and the declared license (never its text).
  license_gate=$(grep -o 'node [^ ,]*, step [0-9]* upload-license (hop [0-9]* → [0-9.]*)' "$WORK/up.log" | head -1 || true)
  license_name=$(grep -o 'the license declared as "[^"]*"' "$WORK/up.log" | head -1 | sed -E 's/.*"([^"]*)"/\1/' || true)
  [ "$up_rc" -eq 0 ] && break
  confirms=$(grep -o 'add "[^"]*" to confirmed' "$WORK/up.log" | sed -E 's/^add "([^"]*)" to confirmed$/\1/' | sort -u || true)
  if [ -n "$confirms" ]; then
    while IFS= read -r c; do
      echo "demo: the operator does what the gate asks (for \"$c\": a configuration backup and export in the web interface, or the Downloads page checked for a newer revision), then confirms it and runs up again"
      CONFIRMED+=("$c")
    done <<< "$confirms"
    pulumi config set confirmed "$(node -e 'console.log(JSON.stringify(process.argv.slice(1)))' "${CONFIRMED[@]}")" --non-interactive
    continue
  fi
  if [ -n "$license_gate" ] && [ -n "$license_name" ]; then
    gate_node=$(echo "$license_gate" | sed -E 's/^node ([^ ,]*),.*/\1/')
    echo "demo: the operator uploads the license \"$license_name\" on $gate_node in its web interface (Basic Settings > System > License, then restarts Traffic control), then runs up again"
    node -e '
      const lab = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
      const text = JSON.parse(lab.secrets["sps:credentials"]).licenses[process.argv[2]];
      process.stdout.write(JSON.stringify({ license: text }));
    ' "$WORK/lab.json" "$license_name" |
      curl -sf -X POST -H 'Content-Type: application/json' --data-binary @- \
        "$CONTROL/_emulator/nodes/$gate_node/webui/upload-license" >/dev/null
    continue
  fi
  [ -z "$gate" ] && break
  gate_node=$(echo "$gate" | sed -E 's/^node ([^ ,]*),.*/\1/')
  gate_version=$(echo "$gate" | sed -E 's/.*→ ([0-9.]*)\).*/\1/')
  echo "demo: the operator activates $gate_version on $gate_node in its web interface (Basic Settings > System > Firmwares: After reboot, Activate), then runs up again"
  curl -sf -X POST -H 'Content-Type: application/json' -d "{\"version\":\"$gate_version\"}" \
    "$CONTROL/_emulator/nodes/$gate_node/webui/activate-firmware" >/dev/null
done

step "the evidence: each node's support bundle (S8), as the stack outputs name it, checked on disk"
pulumi stack output evidence --json > "$WORK/evidence.json"
node -e '
  const fs = require("node:fs"), crypto = require("node:crypto");
  const clusters = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  let bad = 0;
  for (const e of clusters.flat()) {
    const bytes = fs.readFileSync(e.path);
    const sha = crypto.createHash("sha256").update(bytes).digest("hex");
    const ok = sha === e.sha256 && bytes.length === e.bytes;
    if (!ok) bad++;
    console.log(`  ${e.node} hop ${e.hop} ${e.when}: ${e.path}\n    ${e.bytes} bytes, sha256 ${e.sha256} ${ok ? "(file matches)" : `(FILE DIFFERS: ${bytes.length} bytes, sha256 ${sha})`}`);
  }
  if (clusters.flat().length === 0) { console.log("  no support bundle in the outputs"); bad++; }
  process.exit(bad === 0 ? 0 : 1);
' "$WORK/evidence.json"

step "pulumi up again: nothing to do"
pulumi up --yes --skip-preview --non-interactive --color never | grep -E 'Resources:|[0-9]+ (unchanged|created|updated)' || true

step "out-of-band changes: through the emulator's control surface, and on an indexer host"
ENDS=$(date -u -d "+20 days" +%F) # inside the 30-day expiry warning, on any day the demo runs
echo "  sps-branch: license replaced by one ending $ENDS; dc1: firmware rolled back to 7.0.3"
curl -sf -X POST -H 'Content-Type: application/json' -d "{\"license\":{\"major\":8,\"validNotAfter\":\"$ENDS\"}}" "$CONTROL/_emulator/nodes/sps-branch/drift" >/dev/null
curl -sf -X POST -H 'Content-Type: application/json' -d '{"version":"7.0.3"}' "$CONTROL/_emulator/nodes/sps-ha/drift" >/dev/null
if [ "${#INDEXERS[@]}" -gt 0 ]; then
  # An operator on idx-rhel7, over SSH with the lab's key and the pinned host key (nothing printed but the command).
  read -r IDX_USER IDX_KEY IDX_KNOWN IDX_PORT < <(node -e '
    const s = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).indexerSsh;
    console.log(s.user, s.identityFile, s.knownHostsFile, s.hosts["idx-rhel7"].port);
  ' "$WORK/lab.json")
  echo "  idx-rhel7: an operator runs 'sudo systemctl stop external-indexer.service' over SSH"
  ssh -F /dev/null -p "$IDX_PORT" -i "$IDX_KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR \
    -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$IDX_KNOWN" "$IDX_USER@127.0.0.1" \
    sudo systemctl stop external-indexer.service
fi

step "pulumi refresh: the drift"
pulumi refresh --yes --diff --non-interactive --color never | grep -v "\[urn=" | grep -E '^\s*~ pulumi|upgraded-out-of-band|rolled-back|stuck-mid-hop|license-|plugin-|indexer-|version\s*:.*=>|service\s*:.*=>|Resources:|updated' || true

step "pulumi preview --refresh: what the next up would do"
pulumi preview --refresh --diff --non-interactive --color never | grep -E '^\s*~ pulumi|"hop [0-9]|"wave [0-9]|"upload-license|"start-indexer|"  \$ |Resources:|to update' || true

cd "$ROOT"
echo
echo "demo: done in $(( $(date +%s) - START ))s"
