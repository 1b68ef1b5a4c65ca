#!/usr/bin/python3
"""Summarises a compare.sh results file: medians per engine and the target ratios, PASS/MISS.

Input lines: TAG <tab> ROUND <tab> JSON (one result each). Ratios are computed within a round
(side by side) and their median over rounds is reported with the range.
usage: compare_report.py RESULTS.txt
"""
import json, statistics, sys
from collections import defaultdict


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t", 2)
            if len(parts) == 3:
                try:
                    rows.append((parts[0], int(parts[1]), json.loads(parts[2])))
                except ValueError:
                    pass
    return rows


def main(path):
    rows = load(path)
    by_round = defaultdict(dict)   # round -> figure name -> value
    best_threads = defaultdict(list)
    for tag, rnd, d in rows:
        fig = by_round[rnd]

        def keep_min(name, value, threads=None):
            if value is None:
                return
            if name not in fig or value < fig[name]:
                fig[name] = value
                if threads is not None:
                    fig[name + "@threads"] = threads

        if tag == "torch-cpu":
            w = d["workload"]
            fig["cpu torch " + w + " train"] = d["train_cpu_ms_per_step_median"]
            fig["cpu torch " + w + " infer"] = d["infer_cpu_ms_per_batch_median"]
            continue
        if tag.endswith("-t1") and "train_cpu_ms_per_step_median" in d:
            side = "graft" if tag.startswith("graft-") else "dl4j"
            fig["cpu %s %s train" % (side, d["workload"])] = d["train_cpu_ms_per_step_median"]
            fig["cpu %s %s infer" % (side, d["workload"])] = d["infer_cpu_ms_per_batch_median"]
        if tag.startswith("ort-raw-") and "infer_cpu_ms_per_batch_median" in d:
            fig["cpu ort raw %s infer" % d["model"]] = d["infer_cpu_ms_per_batch_median"]
        if tag.startswith("graft-onnx-") and "infer_cpu_ms_per_batch_median" in d:
            fig["cpu graft onnx-%s %s infer" % (tag.split("-")[2], d.get("model"))] = d["infer_cpu_ms_per_batch_median"]
        if tag.startswith("torch-"):
            w = d["workload"]
            keep_min("torch " + w + " train", d["train_ms_per_step_median"], d.get("threads"))
            keep_min("torch " + w + " infer", d["infer_ms_per_batch_median"], d.get("threads"))
        elif tag.startswith("graft-onnx-"):
            engine = tag.split("-")[2]
            keep_min("graft onnx-%s %s infer" % (engine, d.get("model")), d["infer_ms_per_batch_median"])
        elif tag.startswith("graft-"):
            w = d["workload"]
            keep_min("graft " + w + " train", d["train_ms_per_step_median"], d.get("threads"))
            keep_min("graft " + w + " infer", d["infer_ms_per_batch_median"], d.get("threads"))
            keep_min("graft " + w + " peak RSS MB", d.get("peak_rss_mb"))
        elif tag.startswith("dl4j-"):
            w = d["workload"]
            keep_min("dl4j " + w + " train", d["train_ms_per_step_median"], d.get("threads"))
            keep_min("dl4j " + w + " infer", d["infer_ms_per_batch_median"], d.get("threads"))
        elif tag.startswith("ort-raw-"):
            keep_min("ort raw %s infer" % d["model"], d["infer_ms_per_batch_median"])
        elif tag == "gemm-nd4j":
            fig["gemm nd4j GFLOP/s"] = d["gflops_median"]
            if "gflops_graft_plan" in d:
                fig["gemm graft GFLOP/s"] = d["gflops_graft_plan"]
            if "gflops_direct_sgemm" in d:
                fig["gemm nd4j's openblas direct GFLOP/s"] = d["gflops_direct_sgemm"]
        elif tag == "gemm-numpy":
            if d["gflops_median"] > fig.get("gemm numpy GFLOP/s", 0):
                fig["gemm numpy GFLOP/s"] = d["gflops_median"]
                fig["gemm numpy engine"] = "%s (%s %s, %s)" % (d["engine"], d.get("blas"), d.get("blas_version", ""), d.get("kernel", "?"))
        elif tag == "startup":
            fig["startup first step ms"] = d["first_step_ms_median"]
        elif tag == "leak":
            fig["rss last/first"] = d["last_over_first"]
            fig["rss max/first"] = d["max_over_first"]
            fig["rss first/last/max MB"] = "%.0f / %.0f / %.0f at steps %d..%d%s" % (
                d["rss_first_mb"], d["rss_last_mb"], d["rss_max_mb"], d["first_step"], d["steps"],
                ", stopped early at the %.0f MB guard" % d["max_rss_mb"] if d.get("stopped_early") else "")

    rounds = sorted(r for r in by_round if r > 0)
    print("\nmedians over %d round(s) (ms per step or batch; the better of 1 and 2 threads where both ran)" % len(rounds))
    names = sorted({k for r in rounds for k in by_round[r] if not k.endswith("@threads") and k != "gemm numpy engine"})
    for n in names:
        vals = [by_round[r][n] for r in rounds if n in by_round[r]]
        thr = sorted({by_round[r].get(n + "@threads") for r in rounds if n + "@threads" in by_round[r]})
        print("  %-32s %10.3f   rounds: %s%s" % (n, statistics.median(vals), ", ".join("%.3f" % v for v in vals),
                                                 ("   threads " + "/".join(map(str, thr))) if thr else ""))
    eng = [by_round[r].get("gemm numpy engine") for r in rounds if "gemm numpy engine" in by_round[r]]
    if eng:
        print("  numpy peer: " + eng[-1])

    def ratio(num, den):
        out = []
        for r in rounds:
            f = by_round[r]
            if num in f and den in f and f[den]:
                out.append(f[num] / f[den])
        return out

    targets = [
        ("MLP train step, Graft / PyTorch", ratio("graft mlp train", "torch mlp train"), "<=", 0.5),
        ("CNN train step, Graft / PyTorch", ratio("graft cnn train", "torch cnn train"), "<=", 0.7),
        ("MLP train step, Graft / DL4J", ratio("graft mlp train", "dl4j mlp train"), "<=", 0.8),
        ("CNN train step, Graft / DL4J", ratio("graft cnn train", "dl4j cnn train"), "<=", 0.8),
        ("MLP inference via Graft's ORT / raw ORT", ratio("graft onnx-ort mlp infer", "ort raw mlp infer"), "<=", 1.05),
        ("CNN inference via Graft's ORT / raw ORT", ratio("graft onnx-ort cnn infer", "ort raw cnn infer"), "<=", 1.05),
        ("MLP native inference / raw ORT", ratio("graft onnx-native mlp infer", "ort raw mlp infer"), "<=", 2.0),
        ("CNN native inference / raw ORT", ratio("graft onnx-native cnn infer", "ort raw cnn infer"), "<=", 2.0),
        ("GEMM 2048^3 GFLOP/s, Graft (planned matmul) / numpy (1 thread)", ratio("gemm graft GFLOP/s", "gemm numpy GFLOP/s"), ">=", 0.8),
        ("  (info: ND4J mmul / numpy)", ratio("gemm nd4j GFLOP/s", "gemm numpy GFLOP/s"), ">=", 0.8),
        ("  (info: ND4J's OpenBLAS sgemm called directly / numpy)", ratio("gemm nd4j's openblas direct GFLOP/s", "gemm numpy GFLOP/s"), ">=", 0.8),
    ]
    cpu_targets = [
        ("MLP train step, Graft / PyTorch", ratio("cpu graft mlp train", "cpu torch mlp train"), "<=", 0.5),
        ("CNN train step, Graft / PyTorch", ratio("cpu graft cnn train", "cpu torch cnn train"), "<=", 0.7),
        ("MLP train step, Graft / DL4J", ratio("cpu graft mlp train", "cpu dl4j mlp train"), "<=", 0.8),
        ("CNN train step, Graft / DL4J", ratio("cpu graft cnn train", "cpu dl4j cnn train"), "<=", 0.8),
        ("MLP inference via Graft's ORT / raw ORT", ratio("cpu graft onnx-ort mlp infer", "cpu ort raw mlp infer"), "<=", 1.05),
        ("CNN inference via Graft's ORT / raw ORT", ratio("cpu graft onnx-ort cnn infer", "cpu ort raw cnn infer"), "<=", 1.05),
        ("MLP native inference / raw ORT", ratio("cpu graft onnx-native mlp infer", "cpu ort raw mlp infer"), "<=", 2.0),
        ("CNN native inference / raw ORT", ratio("cpu graft onnx-native cnn infer", "cpu ort raw cnn infer"), "<=", 2.0),
    ]
    for title, rows_ in (("targets, wall-clock time (ratio per round, median over rounds)", targets),
                         ("the same in CPU time of the working thread, 1 thread each (ratio per round, median over rounds)", cpu_targets)):
        table(title, rows_)
    tail(by_round)


def table(title, targets):
    print("\n" + title)
    print("  %-46s %8s  %-7s %s" % ("what", "median", "target", "result   (rounds)"))
    for name, vals, op, goal in targets:
        if not vals:
            print("  %-46s %8s  %s %-5s %s" % (name, "n/a", op, goal, "not measured"))
            continue
        m = statistics.median(vals)
        ok = m <= goal if op == "<=" else m >= goal
        print("  %-46s %8.3f  %s %-5s %s   (%s)" % (name, m, op, goal, "PASS" if ok else "MISS", ", ".join("%.3f" % v for v in vals)))


def tail(by_round):
    extra = by_round.get(0, {})
    if "startup first step ms" in extra:
        v = extra["startup first step ms"]
        print("  %-46s %8.0f  <= %-5s %s" % ("start of graft train to first step (ms)", v, 3000, "PASS" if v <= 3000 else "MISS"))
    else:
        print("  %-46s %8s  <= 3000  not measured (bench/startup.sh)" % ("start of graft train to first step (ms)", "n/a"))
    if "rss last/first" in extra:
        v = max(extra["rss last/first"], extra["rss max/first"])
        print("  %-46s %8.3f  <= 1.05  %s   (first/last/max MB %s)" % ("RSS over 20,000 mlp steps, max/first", v,
                                                                       "PASS" if v <= 1.05 else "MISS", extra["rss first/last/max MB"]))
    else:
        print("  %-46s %8s  <= 1.05  not measured (compare.sh --leak)" % ("RSS over 20,000 mlp steps", "n/a"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: compare_report.py RESULTS.txt")
    main(sys.argv[1])
