#!/usr/bin/env bash
# Install the Debian packages the test suite needs when they are missing. As root this installs
# them with apt-get; otherwise it fails loudly, naming what is missing: in CI nothing is skipped.
set -euo pipefail

# command that must exist -> Debian package that provides it
declare -A NEEDED=(
  [java]=default-jre-headless
  [rapper]=raptor2-utils
  [node]=nodejs
  [dot]=graphviz
  [chromium]=chromium
  [virtuoso-t]=virtuoso-opensource
  [isql-vt]=virtuoso-opensource
  # the binary and modules only: the full apache2 package would start a service on port 80
  [apache2]=apache2-bin
)

missing=()
for command in "${!NEEDED[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${NEEDED[$command]}")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "error: missing Debian packages: ${missing[*]} (run 'sudo apt-get install ${missing[*]}')" >&2
  exit 2
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
for command in "${!NEEDED[@]}"; do
  command -v "$command" >/dev/null 2>&1 || {
    echo "error: '$command' still missing after installing ${NEEDED[$command]}" >&2
    exit 2
  }
done
