#!/usr/bin/env bash
# Builds the Pulumi engine and the plugins our programs need into .tools/pulumi/ (git-ignored), from the Go module
# proxy only: the Pulumi CLI is in neither npm nor Debian, and no other download works on our machines.
#
#   .tools/pulumi/bin/pulumi                          github.com/pulumi/pulumi/pkg/v3 ./cmd/pulumi
#   .tools/pulumi/bin/pulumi-language-nodejs          our Node.js language host (tools/pulumi-engine), on the Go SDK
#   .tools/pulumi/bin/pulumi-language-nodejs-config.cjs  its preload: the stack config through a pipe, not the env
#   .tools/pulumi/bin/pulumi-resource-pulumi-nodejs   launcher of @pulumi/pulumi's dynamic-provider host
#   .tools/pulumi/plugins/resource-command-vX/        the command provider, in plugin-cache layout (PULUMI_HOME)
#
# Versions: one pin, package-lock.json. The engine (github.com/pulumi/pulumi/pkg/v3) is built at the version of
# @pulumi/pulumi there, so engine and SDK are always the same release; @pulumi/command's version names the command
# provider. Bumping @pulumi/pulumi (npm install) rebuilds the engine on the next setup. Idempotent and cached: nothing
# is built when .tools/pulumi/stamp matches the versions and sources. With CI=true every failure exits non-zero; elsewhere too,
# except a machine with no Go toolchain, which gets a warning (the e2e tests then fail, naming this script).
#
# pkg/go.mod carries `replace github.com/pulumi/pulumi/sdk/v3 => ../sdk`, so `go install pkg@version` is refused.
# We rebuild the repository's sibling layout in a temporary workspace: pkg/ and sdk/ are symlinks to the module
# cache (`go mod download -json` gives each Dir), plugins/ is a copy of tools/pulumi-engine.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TOOLS="$ROOT/.tools/pulumi"
BIN="$TOOLS/bin"
PLUGINS="$TOOLS/plugins"
SRC="$ROOT/tools/pulumi-engine"

fail() {
  echo "install-pulumi-engine: $*" >&2
  exit 1
}

lock_version() {
  node -e 'const l = require(process.argv[1]); const p = l.packages["node_modules/" + process.argv[2]];
    if (!p) { process.exit(1); } console.log(p.version.replace(/^v/, ""));' "$ROOT/package-lock.json" "$1" ||
    fail "cannot read the version of $1 from package-lock.json"
}

SDK_VERSION=$(lock_version @pulumi/pulumi)
COMMAND_VERSION=$(lock_version @pulumi/command)
# The engine is the SDK's release: one version, pinned once (package-lock.json).
ENGINE_VERSION=$SDK_VERSION

# One build at a time (several test runs may start together); a waiting run then finds the stamp up to date.
mkdir -p "$ROOT/.tools"
exec 9>"$ROOT/.tools/pulumi-engine.lock"
flock 9

# The stamp names everything the outputs depend on; if it matches and every output is there, we are done.
SOURCES_HASH=$(cd "$SRC" && find . -type f ! -name '*.md' -print0 | sort -z | xargs -0 sha256sum | cat - "$ROOT/scripts/install-pulumi-engine.sh" | sha256sum | cut -c1-16)
STAMP="engine=$ENGINE_VERSION sdk=$SDK_VERSION command=$COMMAND_VERSION go=$( (go version 2>/dev/null || /usr/local/go/bin/go version 2>/dev/null || echo none) | awk '{print $3}') sources=$SOURCES_HASH"
COMMAND_DIR="$PLUGINS/resource-command-v$COMMAND_VERSION"
OUTPUTS=("$BIN/pulumi" "$BIN/pulumi-language-nodejs" "$BIN/pulumi-language-nodejs-config.cjs" "$BIN/pulumi-resource-pulumi-nodejs" "$COMMAND_DIR/pulumi-resource-command")
up_to_date=true
[ -f "$TOOLS/stamp" ] && [ "$(cat "$TOOLS/stamp")" = "$STAMP" ] || up_to_date=false
for f in "${OUTPUTS[@]}"; do [ -f "$f" ] || up_to_date=false; done
if $up_to_date; then
  echo "install-pulumi-engine: up to date (pulumi v$ENGINE_VERSION = @pulumi/pulumi in package-lock.json, command v$COMMAND_VERSION) in .tools/pulumi"
  exit 0
fi

GO=$(command -v go || true)
[ -n "$GO" ] || { [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go; }
if [ -z "$GO" ]; then
  if [ "${CI:-}" = "true" ]; then fail "no Go toolchain (go on PATH or /usr/local/go/bin/go): cannot build the Pulumi engine"; fi
  echo "install-pulumi-engine: WARNING: no Go toolchain; the Pulumi engine is not built and e2e tests will fail" >&2
  exit 0
fi
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export GOTOOLCHAIN=local

echo "install-pulumi-engine: building pulumi v$ENGINE_VERSION (the version of @pulumi/pulumi in package-lock.json:" \
  "engine and SDK are one release), command v$COMMAND_VERSION (@pulumi/command in package-lock.json)"
started=$(date +%s)

module_dir() {
  local json dir
  json=$("$GO" mod download -json "$1@v$2") || fail "go mod download $1@v$2 failed: $json"
  dir=$(printf '%s' "$json" | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const m = JSON.parse(s); if (m.Error || !m.Dir) { console.error(m.Error || "no Dir"); process.exit(1); } console.log(m.Dir); });') ||
    fail "module $1@v$2 is not available from the Go module proxy"
  printf '%s\n' "$dir"
}

WS=$(mktemp -d "${TMPDIR:-/tmp}/pulumi-engine-build.XXXXXX")
trap 'rm -rf "$WS"' EXIT
PKG_DIR=$(module_dir github.com/pulumi/pulumi/pkg/v3 "$ENGINE_VERSION")
SDK_DIR=$(module_dir github.com/pulumi/pulumi/sdk/v3 "$ENGINE_VERSION")
# The engine's go.mod names the oldest Go that builds it (3.276: 1.26.6); with GOTOOLCHAIN=local an older Go fails
# deep in the build, so say it here.
NEED_GO=$(awk '$1 == "go" { print $2; exit }' "$PKG_DIR/go.mod")
HAVE_GO=$("$GO" env GOVERSION | sed 's/^go//')
if [ -n "$NEED_GO" ] && [ "$(printf '%s\n%s\n' "$NEED_GO" "$HAVE_GO" | sort -V | head -1)" != "$NEED_GO" ]; then
  fail "pulumi v$ENGINE_VERSION needs Go >= $NEED_GO (its go.mod); $GO is $HAVE_GO: install a newer Go"
fi
ln -s "$PKG_DIR" "$WS/pkg"
ln -s "$SDK_DIR" "$WS/sdk"
cp -r "$SRC" "$WS/plugins"
# Same dependency versions as the CLI: pkg's own replaces, and go.sum from both modules.
grep '^replace github.com/atotto/clipboard' "$PKG_DIR/go.mod" >>"$WS/plugins/go.mod" || true
cat "$PKG_DIR/go.sum" "$SDK_DIR/go.sum" | sort -u >"$WS/plugins/go.sum"

OUT="$WS/out"
mkdir -p "$OUT"
VERSION_FLAG="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$ENGINE_VERSION"
(cd "$WS/pkg" && "$GO" build -trimpath -ldflags "-s -w $VERSION_FLAG" -o "$OUT/pulumi" ./cmd/pulumi) ||
  fail "building pulumi v$ENGINE_VERSION failed"
(cd "$WS/plugins" && "$GO" build -mod=mod -trimpath -ldflags "-s -w -X main.version=$ENGINE_VERSION" \
  -o "$OUT/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs) || fail "building pulumi-language-nodejs failed"
(cd "$WS/plugins" && "$GO" build -mod=mod -trimpath -ldflags "-s -w -X main.version=$COMMAND_VERSION" \
  -o "$OUT/pulumi-resource-command" ./cmd/pulumi-resource-command) || fail "building pulumi-resource-command failed"

# Install: replace the outputs whole, then write the stamp last.
rm -rf "$BIN" "$COMMAND_DIR" "$TOOLS/stamp"
mkdir -p "$BIN" "$COMMAND_DIR"
mv "$OUT/pulumi" "$OUT/pulumi-language-nodejs" "$BIN/"
install -m 0755 "$SRC/pulumi-resource-pulumi-nodejs" "$BIN/pulumi-resource-pulumi-nodejs"
install -m 0644 "$SRC/pulumi-language-nodejs-config.cjs" "$BIN/pulumi-language-nodejs-config.cjs"
mv "$OUT/pulumi-resource-command" "$COMMAND_DIR/"
printf '%s\n' "$STAMP" >"$TOOLS/stamp"

"$BIN/pulumi" version >/dev/null || fail "the built pulumi does not run"
echo "install-pulumi-engine: built in $(($(date +%s) - started))s: $("$BIN/pulumi" version) in .tools/pulumi ($(du -sh "$TOOLS" | cut -f1))"
