#!/usr/bin/env bash
# Brings the system up locally: installs what is missing, builds, and runs in the foreground a
# TLS ZooKeeper, an SSH server standing for this machine and a launcher serving it as static
# nodes (scripts/quickstart.ts). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
# The build also links the packages' commands (npx nodepool …): npm ci cannot before dist/ exists.
npm run --silent build
exec node --import=tsx scripts/quickstart.ts
