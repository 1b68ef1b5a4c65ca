#!/usr/bin/env python3
"""numpy float32 GEMM throughput (GFLOP/s), the peer figure for the Java GEMM probe (GemmProbe).

Prints one JSON line: numpy and BLAS versions, the kernel (core type) and thread count that
threadpoolctl reports, and the median/best GFLOP/s of C = A @ B for M x K times K x N.
Thread count: --threads (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS, set before numpy loads).

usage: python3 gemm_numpy.py [--m 2048] [--n 2048] [--k 2048] [--repeats 10] [--threads 1]
Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (env -u ... -u ...) so a current OpenBLAS
picks its own kernel; compare.sh does.
"""
import argparse, json, os, statistics, sys, time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--m", type=int, default=2048)
    p.add_argument("--n", type=int, default=2048)
    p.add_argument("--k", type=int, default=2048)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    # the BLAS reads these when it loads: set them before numpy is imported
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(a.threads)
    import numpy as np
    info = {}
    try:
        import threadpoolctl
        blas = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
        if blas:
            info = {"blas": blas[0].get("internal_api"), "blas_version": blas[0].get("version"),
                    "kernel": blas[0].get("architecture"), "blas_threads": blas[0].get("num_threads"),
                    "blas_file": blas[0].get("filepath")}
    except ImportError:
        info = {"blas": "unknown (no threadpoolctl)"}
    rng = np.random.default_rng(0)
    A = rng.uniform(-1, 1, (a.m, a.k)).astype(np.float32)
    B = rng.uniform(-1, 1, (a.k, a.n)).astype(np.float32)
    C = np.empty((a.m, a.n), dtype=np.float32)
    for _ in range(3):
        np.matmul(A, B, out=C)
    times = []
    for _ in range(a.repeats):
        t = time.perf_counter()
        np.matmul(A, B, out=C)
        times.append((time.perf_counter() - t) * 1e3)
    flop = 2.0 * a.m * a.n * a.k
    med = statistics.median(times)
    out = {"engine": "numpy-" + np.__version__, "python": sys.executable, "m": a.m, "n": a.n, "k": a.k,
           "threads": a.threads, **info, "ms_median": round(med, 3),
           "gflops_median": round(flop / (med * 1e6), 1), "gflops_best": round(flop / (min(times) * 1e6), 1)}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
