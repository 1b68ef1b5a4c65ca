#!/usr/bin/env bash
# Runs Graft's whole test suite on a fresh Debian 12 machine with JDK 17 and Maven.
# Installs the Debian packages the tests read (when run as root), builds every module,
# runs every test, and proves the Kotlin ban bites.
set -euo pipefail
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
cd "$HERE"

PACKAGES="dataset-fashion-mnist libonnx-testdata fontconfig fonts-dejavu-core"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing Debian packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "test.sh: these Debian packages are needed by the tests:$missing (run as root, or: sudo apt-get install$missing)" >&2
    exit 2
  fi
fi

echo "test.sh: building and testing every module"
mvn -B -ntp install

echo "test.sh: checking that the Kotlin ban fails a build that adds Kotlin"
bash build-tests/kotlin-ban/check.sh
echo "test.sh: all tests passed"
