package dev.graft.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.graft.cli.bench.Measure;
import dev.graft.cli.bench.OnnxBench;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The raw ONNX Runtime peer: the bundled benchmark model run with ONNX Runtime's own Java API (one
 * session, the input tensor made once, each call {@code session.run} and closing the result), with
 * the same session options (threads, logging; ONNX Runtime's defaults otherwise), batch and timing as
 * {@code graft bench onnx-ort}. The ratio of the two is what
 * Graft's engine adds. Prints one JSON line.
 *
 * <p>{@code java -cp ... dev.graft.bench.OrtPeer [mlp|cnn|FILE.onnx] [batch] [threads] [steps] [warmup]}
 */
public final class OrtPeer {
    private OrtPeer() {
    }

    public static void main(String[] args) throws OrtException {
        String model = args.length > 0 ? args[0] : "mlp";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        // the same protocol as graft bench: a JVM is timed after the JIT compiler has done its work
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 150;
        Path file = OnnxBench.modelFile(model);
        // the session options OrtEngine uses; everything else (all graph optimisations, sequential execution, memory
        // arena and patterns) is ONNX Runtime's default in both
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "graft");
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            try (OrtSession session = env.createSession(file.toString(), so)) {
                String input = session.getInputNames().iterator().next();
                float[] v = new float[batch * 28 * 28];
                SplittableRandom rng = new SplittableRandom(0);
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) rng.nextDouble();
                }
                try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(v), new long[] {batch, 1, 28, 28})) {
                    Map<String, OnnxTensor> feed = Map.of(input, x);
                    Measure.Timing s = Measure.timedWithCpu(() -> {
                        try (OrtSession.Result r = session.run(feed)) {
                            r.get(0);
                        } catch (OrtException e) {
                            throw new IllegalStateException(e);
                        }
                    }, warmup, steps);
                    System.out.printf("{\"engine\": \"onnxruntime-java-%s\", \"workload\": \"ort-raw\", \"model\": \"%s\", \"batch\": %d, \"threads\": %d, "
                                    + "\"train_ms_per_step_median\": null, \"infer_ms_per_batch_median\": %.3f, \"infer_ms_min\": %.3f, "
                                    + "\"infer_cpu_ms_per_batch_median\": %.3f, \"peak_rss_mb\": %d}%n",
                            env.getVersion(), model, batch, threads, s.wall().median(), s.wall().min(), s.cpu().median(), Math.round(Measure.peakRssMb()));
                }
            }
        }
    }
}
