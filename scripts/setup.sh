#!/usr/bin/env bash
# Installs everything the tests and the demo need on a fresh Debian machine of this kind:
# Debian packages (real peers: sshd, rpm/dnf, ipmi_sim/ipmitool; chromium, headless, draws the rendered
# Gantt chart in a test), npm packages, and the Pulumi engine.
# Idempotent: each part does nothing when it is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(openssh-server openssh-client sudo rpm dnf openipmi ipmitool openssl iproute2 iptables curl ca-certificates chromium postgresql-15 postgresql-client-15 faketime)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A supported Node.js first on PATH (Node 24 LTS from the npm registry when the machine's is older).
source scripts/node-env.sh
echo "setup: Node.js $(node -v) ($(command -v node))"

# Native add-ons (ssh2's crypto binding) are built for one Node.js ABI: reinstall when the Node.js changed.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
  [ "$(cat node_modules/.node-abi 2>/dev/null)" != "$(node -p process.versions.modules)" ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  node -p process.versions.modules >node_modules/.node-abi
fi

if [ -x scripts/install-pulumi-engine.sh ]; then
  scripts/install-pulumi-engine.sh
fi

npm run --silent build
