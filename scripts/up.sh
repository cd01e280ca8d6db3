#!/usr/bin/env bash
# Brings the system up locally: installs what is missing, builds the packages that changed, and
# runs in the foreground a TLS ZooKeeper, an SSH server standing for this machine, the simulated
# cloud and a launcher (scripts/quickstart.ts). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
# Only what changed since the last build is rebuilt, a line per package (scripts/build.ts); it
# also links the packages' commands (npx nodepool …), which npm ci cannot before dist/ exists.
npm run --silent build
exec node --import=tsx scripts/quickstart.ts
