#!/usr/bin/env bash
# npm run bench -- <name> [options]: runs packages/*/bench/<name>.ts from source.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-}
if [ -z "$name" ]; then
  echo "usage: npm run bench -- <name> [options]" >&2
  echo "benchmarks: $(ls packages/*/bench/*.ts 2>/dev/null | xargs -n1 basename | sed 's/\.ts$//' | sort -u | tr '\n' ' ')" >&2
  exit 2
fi
shift
bash scripts/ensure-tools.sh
# Benchmarks run the built commands, as operators do.
npm run build --silent >/dev/null
matches=(packages/*/bench/"$name".ts)
if [ ! -f "${matches[0]}" ]; then
  echo "no benchmark named '$name'" >&2
  exit 2
fi
exec node --import=tsx --conditions=source "${matches[0]}" "$@"
