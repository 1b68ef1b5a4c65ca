#!/usr/bin/env bash
# Runs Graft's benchmarks and their peers back to back, several rounds, and prints medians and the
# ratios against the speed targets (docs/performance.md).
#
#   bench/compare.sh [--rounds N] [--no-build] [--no-startup] [--leak] [--out FILE]
#
# Each round, in this order: for mlp, then cnn, PyTorch (../shared/bench/torch_reference.py, 1 and 2
# threads; the better is the peer) and right after it graft bench (1 and 2 threads; the better is
# ours); PyTorch in CPU time; the DL4J peer (1 and 2 threads); graft bench
# onnx-ort and onnx-native and raw ONNX Runtime on the bundled mlp and cnn models, the ND4J GEMM probe
# and numpy's (each python found, OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset for numpy alone). Ratios
# are taken within a round (side by side), then the median over rounds is reported. The same ratios
# are also given in CPU time of the working thread (1 thread; bench/torch_cpu.py for PyTorch), which
# a busy machine disturbs much less than wall-clock time.
# --leak adds the 20,000-step RSS check (slow); the start-up probe runs unless --no-startup.
# Builds with `mvn -q -o -DskipTests package` from the repository root (never install).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=3; BUILD=1; STARTUP=1; LEAK=0
OUTFILE="$HERE/bench/target/compare-$(date +%Y%m%d-%H%M%S).txt"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --no-startup) STARTUP=0; shift ;;
    --leak) LEAK=1; shift ;;
    --out) OUTFILE="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
TORCH_REF="${GRAFT_TORCH_REFERENCE:-$HERE/../shared/bench/torch_reference.py}"
[ -f "$TORCH_REF" ] || TORCH_REF="/work/shared/bench/torch_reference.py"
[ -f "$TORCH_REF" ] || { echo "compare.sh: torch_reference.py not found (set GRAFT_TORCH_REFERENCE)" >&2; exit 2; }

if [ "$BUILD" = 1 ]; then
  echo "compare.sh: building (mvn -q -o -DskipTests package)..." >&2
  (cd "$HERE" && mvn -q -o -B -DskipTests package) >&2
fi
CLI_CP="$HERE/cli/target/graft-cli-0.1.0-SNAPSHOT.jar:$HERE/cli/target/lib/*"
BENCH_CP="$HERE/bench/target/graft-bench-0.1.0-SNAPSHOT.jar:$HERE/bench/target/lib/*"
# the launcher's BLAS default on a fresh machine, for every JVM here (numpy runs without it and picks
# its own kernel): SkylakeX on AVX-512 CPUs, even when this shell's environment pins another core type
# (the launcher keeps a value set by the user; a comparison of best settings must not inherit it).
# GRAFT_BENCH_CORETYPE overrides.
if [ -n "${GRAFT_BENCH_CORETYPE:-}" ]; then export OPENBLAS_CORETYPE="$GRAFT_BENCH_CORETYPE"
elif grep -qw avx512f /proc/cpuinfo 2>/dev/null; then export OPENBLAS_CORETYPE=SkylakeX; fi
echo "compare.sh: the JVMs run with OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}" >&2
# the launcher's allocator settings (./graft; NativeAllocator sets the same in-process when unset)
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}" MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-268435456}" \
  MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-67108864}"
# the launcher's OpenMP wait policy (./graft: idle OpenMP workers sleep instead of spinning), for Graft's
# runs only: the peers keep their own defaults
GRAFT_OMP_WAIT="${OMP_WAIT_POLICY:-PASSIVE}"
# the launcher's JVM options (./graft): parallel collector, 16 MB young generation
JAVA=(java -XX:+UseParallelGC -Xmn16m)
mkdir -p "$(dirname "$OUTFILE")"
: >"$OUTFILE"

# record TAG ROUND COMMAND...: runs the command, keeps its JSON lines tagged
record() {
  local tag="$1" round="$2"; shift 2
  local lines
  if ! lines="$("$@" 2>/dev/null | grep '^{' )"; then
    echo "compare.sh: '$tag' printed no result (command: $*)" >&2
    return 0
  fi
  while IFS= read -r l; do printf '%s\t%s\t%s\n' "$tag" "$round" "$l" >>"$OUTFILE"; done <<<"$lines"
}

PYTHONS=()
for py in /usr/bin/python3 "$(command -v python3 || true)"; do
  [ -n "$py" ] && [ -x "$py" ] || continue
  real="$(readlink -f "$py")"
  "$py" -c 'import numpy' 2>/dev/null || continue
  case " ${PYTHONS[*]:-} " in *" $real "*) ;; *) PYTHONS+=("$real") ;; esac
done

echo "compare.sh: $ROUNDS rounds; load average now: $(cut -d' ' -f1-3 /proc/loadavg); results in $OUTFILE" >&2
for r in $(seq 1 "$ROUNDS"); do
  echo "compare.sh: round $r/$ROUNDS" >&2
  # each workload's PyTorch and Graft runs back to back (this machine's speed drifts over minutes)
  for w in mlp cnn; do
    for t in 1 2; do
      record "torch-t$t" "$r" /usr/bin/python3 "$TORCH_REF" --workload "$w" --threads "$t"
    done
    for t in 1 2; do
      record "graft-$w-t$t" "$r" env OMP_NUM_THREADS="$t" OMP_WAIT_POLICY="$GRAFT_OMP_WAIT" "${JAVA[@]}" -cp "$CLI_CP" dev.graft.cli.Main bench "$w" --threads "$t" --json
    done
  done
  record "torch-cpu" "$r" /usr/bin/python3 "$HERE/bench/torch_cpu.py" --reference "$TORCH_REF" --threads 1
  for t in 1 2; do
    record "dl4j-t$t" "$r" env OMP_NUM_THREADS="$t" "${JAVA[@]}" -cp "$BENCH_CP" dev.graft.bench.Dl4jPeer all
  done
  for m in mlp cnn; do
    record "ort-raw-$m" "$r" env OMP_NUM_THREADS=1 "${JAVA[@]}" -cp "$BENCH_CP" dev.graft.bench.OrtPeer "$m" 128 1
    record "graft-onnx-ort-$m" "$r" env OMP_NUM_THREADS=1 "${JAVA[@]}" -cp "$CLI_CP" dev.graft.cli.Main bench onnx-ort --model "$m" --threads 1 --json
    record "graft-onnx-native-$m" "$r" env OMP_NUM_THREADS=1 "${JAVA[@]}" -cp "$CLI_CP" dev.graft.cli.Main bench onnx-native --model "$m" --threads 1 --json
  done
  record "gemm-nd4j" "$r" env OMP_NUM_THREADS=1 "${JAVA[@]}" -cp "$BENCH_CP" dev.graft.bench.GemmProbe 2048 2048 2048 10
  for py in "${PYTHONS[@]}"; do
    record "gemm-numpy" "$r" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" "$HERE/bench/gemm_numpy.py" --threads 1
  done
done
if [ "$STARTUP" = 1 ]; then
  echo "compare.sh: start-up probe" >&2
  record "startup" 0 "$HERE/bench/startup.sh" 5
fi
if [ "$LEAK" = 1 ]; then
  echo "compare.sh: RSS leak check (20,000 mlp steps; takes a while)" >&2
  record "leak" 0 env OMP_NUM_THREADS=1 "${JAVA[@]}" -cp "$BENCH_CP" dev.graft.bench.LeakCheck 20000 500
fi
echo "compare.sh: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
/usr/bin/python3 "$HERE/bench/compare_report.py" "$OUTFILE"
