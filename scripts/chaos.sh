#!/usr/bin/env bash
# npm run chaos -- [--quick] [--only NAME[,NAME…]] [--keep-logs]: packages/chaos, on the built
# commands. The runner gets a process group of its own (setsid); every launcher and simulated
# cloud it starts stays in it, and whatever is left of the group when the runner ends (normally,
# by Ctrl-C, by a crash or SIGKILL) is killed here. ZooKeeper servers die with the runner through
# testkit's watchdogs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
npm run build --silent >/dev/null

setsid node --import=tsx --conditions=source packages/chaos/src/main.ts "$@" &
runner=$!
cleanup() {
  kill -TERM -- "-$runner" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 -- "-$runner" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL -- "-$runner" 2>/dev/null || true
}
trap cleanup EXIT
# Ctrl-C reaches this shell (the runner is in another session): pass it on as SIGTERM.
trap 'kill -TERM "$runner" 2>/dev/null || true' INT TERM HUP
status=0
while :; do
  wait "$runner" && status=0 || status=$?
  # A trapped signal interrupts wait with a status above 128; the runner may still be stopping.
  kill -0 "$runner" 2>/dev/null || break
done
exit "$status"
