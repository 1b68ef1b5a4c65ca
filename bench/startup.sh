#!/usr/bin/env bash
# Start-up probe: time from process start (JVM start counted) to the end of the first training step
# of `graft train` on a small config (the embedded digits MLP, one epoch), run N times (default 5).
# Runs the CLI jar as the launcher does (same JVM options and BLAS defaults), without building.
#   bench/startup.sh [N]
# Needs a packaged CLI: mvn -q -o -DskipTests package (from the repository root).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-5}"
CP="$HERE/cli/target/graft-cli-0.1.0-SNAPSHOT.jar:$HERE/cli/target/lib/*"
[ -f "$HERE/cli/target/graft-cli-0.1.0-SNAPSHOT.jar" ] || { echo "startup.sh: build first (mvn -q -o -DskipTests package)" >&2; exit 2; }
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512f /proc/cpuinfo 2>/dev/null; then export OPENBLAS_CORETYPE=SkylakeX; fi
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
times=()
for i in $(seq 1 "$N"); do
  line="$(java ${GRAFT_JAVA_OPTS:-} -XX:+UseParallelGC -cp "$CP" dev.graft.cli.Main train "$HERE/samples/configs/digits-mlp.yaml" --timing \
      --set training.epochs=1 --set training.progress=none --out "$OUT/model" 2>&1 >/dev/null | grep '^timing:' || true)"
  ms="$(sed -E 's/.*done ([0-9]+) ms after the process.*/\1/' <<<"$line")"
  [ -n "$ms" ] || { echo "startup.sh: no timing line from graft train" >&2; exit 1; }
  echo "run $i: $line" >&2
  times+=("$ms")
done
median="$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
printf '{"check": "startup", "config": "samples/configs/digits-mlp.yaml", "runs": %d, "first_step_ms": [%s], "first_step_ms_median": %s}\n' \
  "$N" "$(IFS=,; echo "${times[*]}")" "$median"
