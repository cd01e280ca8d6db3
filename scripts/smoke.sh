#!/usr/bin/env bash
# npm run smoke -- <name> [options]: runs packages/*/smoke/<name>.ts from source. Smoke runs
# use real outside tools (a real disk-image-create, say) and take minutes: never part of npm test.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-}
if [ -z "$name" ]; then
  echo "usage: npm run smoke -- <name> [options]" >&2
  echo "smoke runs: $(ls packages/*/smoke/*.ts 2>/dev/null | xargs -n1 basename | sed 's/\.ts$//' | sort -u | tr '\n' ' ')" >&2
  exit 2
fi
shift
bash scripts/ensure-tools.sh
# Smoke runs use the built commands, as operators do.
npm run build --silent >/dev/null
matches=(packages/*/smoke/"$name".ts)
if [ ! -f "${matches[0]}" ]; then
  echo "no smoke run named '$name'" >&2
  exit 2
fi
exec node --import=tsx --conditions=source "${matches[0]}" "$@"
