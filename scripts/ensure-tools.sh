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
# Debian's kubectl (package kubernetes-client), run by the tests against the fake Kubernetes API.
# When another package owns /usr/bin/kubectl (google-cloud-sdk's `kubectl`), installing would
# conflict: Debian's package is unpacked into .nodepool-ts/tools/kubernetes-client/ instead
# (packages/driver-k8s/test/helpers/debian-kubectl.ts finds it in either place).
kubectl_dir=.nodepool-ts/tools/kubernetes-client
if ! dpkg-query -W -f='${Status}' kubernetes-client 2>/dev/null | grep -q 'install ok installed' \
  && [ ! -x "$kubectl_dir/usr/bin/kubectl" ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  kubectl_owner=$(dpkg-query -S /usr/bin/kubectl 2>/dev/null | cut -d: -f1 || true)
  if [ -z "$kubectl_owner" ] || [ "$kubectl_owner" = kubernetes-client ]; then
    echo "Installing Debian packages: kubernetes-client"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null
  else
    echo "Unpacking Debian's kubernetes-client into $kubectl_dir (/usr/bin/kubectl belongs to $kubectl_owner)"
    download=$(mktemp -d)
    # apt downloads as its own user, which must be able to write here.
    chmod 0777 "$download"
    (cd "$download" && apt-get download -qq kubernetes-client 2>/dev/null) \
      || { $sudo apt-get update -qq && (cd "$download" && apt-get download -qq kubernetes-client 2>/dev/null); }
    mkdir -p "$kubectl_dir"
    dpkg -x "$download"/kubernetes-client_*.deb "$kubectl_dir"
    rm -rf "$download"
  fi
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
