package dev.graft.bench.jmh;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.graft.cli.bench.OnnxBench;
import dev.graft.onnx.ort.OrtEngine;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one call through Graft's ONNX Runtime engine costs beyond ONNX Runtime's own, once the JIT
 * has compiled both paths: the bundled benchmark model ({@code mlp} or {@code cnn}, batch 128, one
 * thread) run with ONNX Runtime's Java API as {@code OrtPeer} runs it ({@code raw}: one input tensor
 * made once, {@code session.run}, the result closed), and through {@link OrtEngine#run} ({@code
 * engine}: the same input as an ND4J array, checked and handed over each call, the output copied into
 * a new ND4J array, closed after the call). Same session options in both. The difference of the two
 * scores is the engine's fixed cost per call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseParallelGC")
public class OrtCallBench {
    @Param({"mlp", "cnn"})
    public String model;

    private OrtEngine engine;
    private Map<String, INDArray> feed;
    private OrtSession session;
    private OnnxTensor tensor;
    private Map<String, OnnxTensor> rawFeed;

    @Setup(Level.Trial)
    public void setup() throws OrtException {
        Path file = OnnxBench.modelFile(model);
        engine = OrtEngine.open(file, OrtEngine.Options.DEFAULT.withIntraOpThreads(1));
        var in = engine.inputs().get(0);
        INDArray x = OnnxBench.input(in, 128, 0);
        feed = Map.of(in.name(), x);
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "graft");
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            so.setInterOpNumThreads(1);
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            session = env.createSession(file.toString(), so);
        }
        tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data().asFloat()), x.shape());
        rawFeed = Map.of(in.name(), tensor);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        tensor.close();
        session.close();
        engine.close();
    }

    @Benchmark
    public Object raw() throws OrtException {
        try (OrtSession.Result r = session.run(rawFeed)) {
            return r.get(0);
        }
    }

    @Benchmark
    public int engine() {
        Map<String, INDArray> out = engine.run(feed);
        out.values().forEach(INDArray::close);
        return out.size();
    }
}
