#!/usr/bin/env bash
# The whole crash matrix (test/integration/executor/crash-matrix.test.ts) in N parallel processes
# (default 2): each runs CRASH_MATRIX=all CRASH_SHARD=k/N, i.e. every N-th point of every case.
# Prints each shard's report; fails when any shard fails.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-2}"
if ! [[ "$n" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [number of shards, default 2]" >&2
  exit 2
fi
logs="$(mktemp -d "${TMPDIR:-/tmp}/sps-crash-shards-XXXXXX")"
pids=()
for k in $(seq 1 "$n"); do
  CRASH_MATRIX=all CRASH_SHARD="$k/$n" npx mocha test/integration/executor/crash-matrix.test.ts >"$logs/shard-$k.log" 2>&1 &
  pids+=("$!")
done
rc=0
for k in $(seq 1 "$n"); do
  if ! wait "${pids[$((k - 1))]}"; then rc=1; fi
  echo "== shard $k/$n"
  cat "$logs/shard-$k.log"
done
rm -rf "$logs"
exit "$rc"
