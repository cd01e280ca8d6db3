#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, type-checks, builds every
# package, then runs each package's ava tests against real local servers (every package even
# after a failure, then a summary of the failed tests: scripts/test-packages.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
npm run --silent typecheck
npm run --silent build
npm run --silent test:packages
