package dev.graft.cli;

import dev.graft.cli.bench.Measure;
import dev.graft.cli.bench.OnnxBench;
import dev.graft.cli.bench.TrainBench;
import dev.graft.runtime.CpuTuning;
import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time a standard workload as shared/bench/torch_reference.py times PyTorch:",
                "  mlp, cnn     training steps through the trainer (forward, loss,",
                "               backward, SGD update), then inference of one batch",
                "  onnx-native  inference of an ONNX model imported into Graft",
                "               (the bundled mlp or cnn, or --model FILE)",
                "  onnx-ort     the same model with ONNX Runtime through Graft's engine",
                "Synthetic data: uniform [0, 1) 1x28x28 images, 10 random classes.",
                "With --json the last line is one object with the reference's keys,",
                "peak_rss_mb, and the thread's CPU time per step (*_cpu_ms_*)."})
final class BenchCommand implements Callable<Integer> {
    static final List<String> WORKLOADS = List.of("mlp", "cnn", "onnx-native", "onnx-ort");

    @Mixin
    Common common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "WORKLOAD", description = "mlp, cnn, onnx-native or onnx-ort")
    String workload;

    @Option(names = "--batch", paramLabel = "N", description = "examples per batch (default ${DEFAULT-VALUE})")
    int batch = 128;

    @Option(names = "--threads", paramLabel = "N", description = "ND4J/OpenBLAS (or ONNX Runtime intra-op) threads; default -Dgraft.threads, else OMP_NUM_THREADS, else 1")
    Integer threads;

    @Option(names = "--steps", paramLabel = "N", description = "timed steps (default ${DEFAULT-VALUE})")
    int steps = 100;

    @Option(names = "--warmup", paramLabel = "N", description = "untimed steps first, so the JIT compiler has compiled the hot loops (default ${DEFAULT-VALUE})")
    int warmup = 400;

    @Option(names = "--model", paramLabel = "mlp|cnn|FILE", description = "for onnx-*: a bundled model or an .onnx file (default ${DEFAULT-VALUE})")
    String model = "mlp";

    @Override
    public Integer call() {
        if (!WORKLOADS.contains(workload)) {
            throw new GraftException(GraftException.Code.USAGE, "unknown workload '" + workload + "'; known: " + String.join(", ", WORKLOADS));
        }
        if (batch < 1 || steps < 1 || warmup < 0) {
            throw new GraftException(GraftException.Code.USAGE, "--batch and --steps must be at least 1 and --warmup at least 0 (got batch " + batch
                    + ", steps " + steps + ", warmup " + warmup + ")");
        }
        if (threads != null && threads < 1) {
            throw new GraftException(GraftException.Code.USAGE, "--threads must be at least 1, got " + threads);
        }
        int n = threads != null ? threads : CpuTuning.configuredThreads();
        Graft graft = common.graft();
        CpuTuning.setThreads(n);
        Map<String, Object> j = new LinkedHashMap<>();
        PrintStream out = Main.stdout(spec);
        Double train = null;
        Measure.Timing infer;
        String engine;
        if (workload.startsWith("onnx-")) {
            String e = workload.substring(5);
            engine = "graft-" + e;
            infer = OnnxBench.run(e, OnnxBench.modelFile(model), batch, steps, warmup, n);
        } else {
            TrainBench.Result r = TrainBench.run(graft, workload, batch, steps, warmup);
            engine = "graft-" + r.executor();
            train = r.train().wall().median();
            j.put("train_ms_min", round(r.train().wall().min()));
            j.put("train_ms_max", round(r.train().wall().max()));
            j.put("train_cpu_ms_per_step_median", round(r.train().cpu().median()));
            j.put("train_minor_faults_per_step", Math.round(r.minorFaultsPerStep()));
            infer = r.infer();
        }
        java.util.Properties env = org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("engine", engine);
        o.put("workload", workload);
        if (workload.startsWith("onnx-")) {
            o.put("model", model);
        }
        o.put("batch", batch);
        o.put("threads", n);
        o.put("blas", "openblas " + Versions.get("openblas") + ", core type " + CpuTuning.describeCoreType(CpuTuning.environment()));
        o.put("train_ms_per_step_median", train == null ? null : round(train));
        o.putAll(j);
        o.put("infer_ms_per_batch_median", round(infer.wall().median()));
        o.put("infer_cpu_ms_per_batch_median", round(infer.cpu().median()));
        o.put("peak_rss_mb", Math.round(Measure.peakRssMb()));
        o.put("steps", steps);
        o.put("warmup", warmup);
        o.put("omp_threads", env.get("omp.threads"));
        if (train != null) {
            out.printf("%s %s batch %d, %d thread%s: train %.3f ms/step (median of %d), infer %.3f ms/batch, peak RSS %d MB%n", engine, workload, batch, n,
                    n == 1 ? "" : "s", train, steps, infer.wall().median(), Math.round(Measure.peakRssMb()));
        } else {
            out.printf("%s %s (%s) batch %d, %d thread%s: infer %.3f ms/batch (median of %d), peak RSS %d MB%n", engine, workload, model, batch, n,
                    n == 1 ? "" : "s", infer.wall().median(), steps, Math.round(Measure.peakRssMb()));
        }
        if (common.json) {
            out.println(Common.json(o));
        }
        return 0;
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }
}
