#!/usr/bin/python3
"""The PyTorch reference timed in CPU time: runs ../shared/bench/torch_reference.py's own workloads and
timing loop unchanged, with its clock (time.perf_counter) replaced by the calling thread's CPU clock
(time.thread_time). With --threads 1 all of PyTorch's work runs on that thread, so the figure counts
the work done and not the time spent waiting for a core on a busy machine. Keys are renamed to
train_cpu_ms_per_step_median / infer_cpu_ms_per_batch_median.

usage: /usr/bin/python3 bench/torch_cpu.py [--reference PATH] [torch_reference.py options...]
"""
import importlib.util, json, os, sys, time


def main():
    args = sys.argv[1:]
    ref = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench", "torch_reference.py")
    if "--reference" in args:
        i = args.index("--reference")
        ref = args[i + 1]
        del args[i:i + 2]
    if not os.path.isfile(ref):
        ref = "/work/shared/bench/torch_reference.py"
    spec = importlib.util.spec_from_file_location("torch_reference", ref)
    tr = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tr)
    threads = 1
    if "--threads" in args:
        threads = int(args[args.index("--threads") + 1])
    workloads = ["mlp", "cnn"]
    if "--workload" in args and args[args.index("--workload") + 1] != "all":
        workloads = [args[args.index("--workload") + 1]]
    tr.torch.set_num_threads(threads)
    tr.time.perf_counter = time.thread_time   # the reference's timed() reads this clock
    for w in workloads:
        d = tr.run(w, 128, 60, 15)
        d["train_cpu_ms_per_step_median"] = d.pop("train_ms_per_step_median")
        d["infer_cpu_ms_per_batch_median"] = d.pop("infer_ms_per_batch_median")
        d.pop("train_ms_min"); d.pop("train_ms_max")
        d["clock"] = "thread_time"
        print(json.dumps(d), flush=True)


if __name__ == "__main__":
    main()
