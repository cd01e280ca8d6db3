#!/usr/bin/env bash
# Installs what the project needs and this machine lacks: Debian packages, then npm packages.
# Safe to run again: it only acts on what is missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

need_node_major=20
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt "$need_node_major" ]; then
  echo "Node.js $need_node_major or newer is required (found $(node --version))." >&2
  exit 1
fi

# Debian packages: ZooKeeper for the coordination tests and the local quickstart; kazoo (the
# Python client Zuul and the original Nodepool use) for interoperability tests; OpenSSH's sshd
# for the static driver's host key scan tests; Chromium for the dashboard's browser test
# (driven by playwright-core, which never downloads a browser of its own); openstacksdk (the
# library the original Nodepool drives OpenStack with) to prove the fake OpenStack faithful.
packages=(zookeeper python3-kazoo openssh-server chromium python3-openstacksdk)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v java >/dev/null; then
  echo "ZooKeeper needs Java, and no 'java' is on PATH." >&2
  exit 1
fi

# npm packages, when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
