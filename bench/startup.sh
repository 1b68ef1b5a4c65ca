#!/usr/bin/env bash
# Start-up probe: time from process start (JVM start counted) to the end of the first training step
# of `graft train` on a small config (samples/configs/digits-mlp.yaml, one epoch), run N times (default 5).
# Runs the launcher itself (./graft, with GRAFT_NO_BUILD=1 so that it never builds): the same JVM options,
# BLAS defaults and class-data archive a user gets, and the launcher's own time counted (it execs java,
# so the process is the same). One untimed run comes first: it writes the class-data archive when there
# is none for these jars (as a user's first training run does) and brings the jars into the page cache.
#   bench/startup.sh [N]
# Needs a packaged CLI: mvn -q -o -DskipTests package (from the repository root).
# GRAFT_JAVA_OPTS, GRAFT_CDS=off and the other launcher variables pass through.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-5}"
[ -f "$HERE/cli/target/graft-cli-0.1.0-SNAPSHOT.jar" ] || { echo "startup.sh: build first (mvn -q -o -DskipTests package)" >&2; exit 2; }
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
run() {
  GRAFT_NO_BUILD=1 "$HERE/graft" train "$HERE/samples/configs/digits-mlp.yaml" --timing \
      --set training.epochs=1 --set training.progress=none --out "$OUT/model" </dev/null 2>&1 >/dev/null
}
run >"$OUT/first.txt" || { echo "startup.sh: graft train failed:" >&2; cat "$OUT/first.txt" >&2; exit 1; }
times=()
for i in $(seq 1 "$N"); do
  line="$(run | grep '^timing:' || true)"
  ms="$(sed -E 's/.*done ([0-9]+) ms after the process.*/\1/' <<<"$line")"
  [ -n "$ms" ] || { echo "startup.sh: no timing line from graft train" >&2; exit 1; }
  echo "run $i: $line" >&2
  times+=("$ms")
done
median="$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
printf '{"check": "startup", "config": "samples/configs/digits-mlp.yaml", "runs": %d, "first_step_ms": [%s], "first_step_ms_median": %s}\n' \
  "$N" "$(IFS=,; echo "${times[*]}")" "$median"
