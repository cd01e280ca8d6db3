#!/usr/bin/env bash
# Runs every package's tests, one package at a time in lerna's topological order, and fails at
# the end if any failed, naming each failed test as "package › file › title". Unlike `lerna run`,
# one failing package never hides the results of the packages after it.
set -uo pipefail
cd "$(dirname "$0")/.."

# ava colours its output on a terminal only; ours goes through tee, so ask for colour explicitly.
if [[ -t 1 ]]; then export FORCE_COLOR=1; fi

strip_colours() { sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g'; }

# "name<TAB>directory" of each package with a test script, dependencies first.
if ! listing=$(npx lerna ls --toposort --all --json --loglevel=silent); then
  echo "test-packages: lerna could not list the packages" >&2
  exit 1
fi
mapfile -t packages < <(node -e '
  const fs = require("node:fs");
  for (const { name, location } of JSON.parse(fs.readFileSync(0, "utf8"))) {
    const manifest = JSON.parse(fs.readFileSync(`${location}/package.json`, "utf8"));
    if (manifest.scripts?.test) console.log(`${name}\t${location}`);
  }' <<<"$listing")
if [[ ${#packages[@]} -eq 0 ]]; then
  echo "test-packages: no package has a test script" >&2
  exit 1
fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
failed_tests=()
failed_packages=()
timings=()
started=$SECONDS

for entry in "${packages[@]}"; do
  name=${entry%%$'\t'*}
  dir=${entry#*$'\t'}
  short=${name#@nodepool/}
  log="$logs/$short.log"
  echo "━━ $name"
  package_started=$SECONDS
  (cd "$dir" && npm test --silent) 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  seconds=$((SECONDS - package_started))
  if [[ $status -eq 0 ]]; then
    timings+=("  $short: passed in ${seconds} s")
    continue
  fi
  timings+=("  $short: FAILED in ${seconds} s")
  failed_packages+=("$short")
  # ava marks a failed test "✘ [fail]: file › title" (other failures "✘ …"), the tests still
  # running when it timed out "◌ file › title", and names files that crashed or hung.
  found=0
  while IFS= read -r line; do
    failed_tests+=("$short › $line")
    found=1
  done < <(strip_colours <"$log" |
    sed -n -E \
      -e 's/^[[:space:]]*✘[[:space:]]+(\[fail\]:[[:space:]]+)?//p' \
      -e 's/^[[:space:]]*◌[[:space:]]+(.*)$/\1 (still running when ava timed out)/p' \
      -e 's/^[[:space:]]*Failed to exit when running (.*)$/\1 did not exit (something it started is still running)/p' \
      -e 's/^[[:space:]]*(Uncaught exception|Unhandled rejection) in (.*)$/\2: \1/p' |
    awk '!seen[$0]++')
  if [[ $found -eq 0 ]]; then failed_tests+=("$short › (npm test exited with $status; see its output above)"); fi
done

echo
echo "━━ Test summary: ${#packages[@]} packages in $((SECONDS - started)) s"
printf '%s\n' "${timings[@]}"
if [[ ${#failed_packages[@]} -eq 0 ]]; then
  echo "All packages passed."
  exit 0
fi
echo
echo "${#failed_packages[@]} of ${#packages[@]} packages failed (${failed_packages[*]}). Failed tests:"
printf '  %s\n' "${failed_tests[@]}"
exit 1
