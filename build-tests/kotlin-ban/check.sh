#!/usr/bin/env bash
# Proves the Kotlin ban bites: validating a module that depends on kotlin-stdlib must fail with the
# enforcer's message. Also checks that no module of the real build resolves a Kotlin artifact.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
out="$(mvn -B -ntp -f "$HERE/pom.xml" validate 2>&1)"
status=$?
if [ $status -eq 0 ]; then
  echo "kotlin-ban: FAILED: a module depending on kotlin-stdlib built without error" >&2
  exit 1
fi
if ! grep -q "Graft is Kotlin-free" <<<"$out"; then
  echo "kotlin-ban: FAILED: the probe build failed, but not because of the Kotlin ban:" >&2
  tail -n 20 <<<"$out" >&2
  exit 1
fi
echo "kotlin-ban: ok, the enforcer rejected kotlin-stdlib"
tree="$(mktemp)"
mvn -B -ntp -q -f "$ROOT/pom.xml" dependency:tree -DoutputFile="$tree" -DappendOutput=true >/dev/null 2>&1 || { echo "kotlin-ban: dependency:tree failed" >&2; exit 1; }
if grep -qi "org.jetbrains.kotlin" "$tree"; then
  echo "kotlin-ban: FAILED: Kotlin in the resolved tree:" >&2
  grep -i "org.jetbrains.kotlin" "$tree" | sort -u >&2
  exit 1
fi
echo "kotlin-ban: ok, no Kotlin artifact in any module's resolved tree ($(grep -c . "$tree") lines checked)"
rm -f "$tree"
