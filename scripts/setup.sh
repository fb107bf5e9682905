#!/usr/bin/env bash
# Installs everything the tests and the demo need on a fresh Debian machine of this kind:
# Debian packages (real peers: sshd, rpm/dnf, ipmi_sim/ipmitool; chromium, headless, draws the rendered
# Gantt chart in a test), npm packages, and the Pulumi engine.
# Idempotent: each part does nothing when it is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(openssh-server openssh-client sudo rpm dnf openipmi ipmitool openssl iproute2 iptables curl ca-certificates chromium postgresql-15 postgresql-client-15)

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

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ -x scripts/install-pulumi-engine.sh ]; then
  scripts/install-pulumi-engine.sh
fi

npm run --silent build
