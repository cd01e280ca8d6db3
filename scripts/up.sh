#!/usr/bin/env bash
# Brings the system up locally: installs what is missing, builds, and starts a ZooKeeper
# server on loopback in the foreground (Ctrl-C stops it). Extra arguments go to
# nodepool-local-zookeeper (--tls, --port N, --data-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
npm run --silent build
exec node packages/testkit/dist/bin/local-zookeeper.js "$@"
