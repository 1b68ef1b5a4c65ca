package dev.graft.cli.bench;

import dev.graft.onnx.InferenceEngine;
import dev.graft.onnx.InferenceEngineFactory;
import dev.graft.onnx.ort.OrtEngine;
import dev.graft.onnx.ort.OrtEngineFactory;
import dev.graft.runtime.GraftException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times inference of an ONNX model through one of Graft's inference engines ({@code native}: imported
 * into Graft and run on ND4J; {@code ort}: ONNX Runtime through Graft's engine, writing into output
 * arrays kept from call to call with {@code runInto}, the serving path; {@code -Dgraft.bench.fresh-outputs=true}
 * times {@code run}, new output arrays per call, instead): one batch of uniform [0, 1) images per
 * call, warm-up and timed calls as the PyTorch reference times inference.
 */
public final class OnnxBench {
    /** Models shipped for the benchmark (exported from the PyTorch reference by {@code bench/export_onnx.py}). */
    public static final List<String> BUNDLED = List.of("mlp", "cnn");

    /** System property: {@code true} times the ORT engine's {@code run} (new output arrays per call) instead of {@code runInto}. */
    public static final String FRESH_OUTPUTS = "graft.bench.fresh-outputs";

    private OnnxBench() {
    }

    /**
     * The model file: a bundled model by name (copied out of the jar into a temporary file) or a path
     * to an {@code .onnx} file.
     */
    public static Path modelFile(String model) {
        if (BUNDLED.contains(model)) {
            try (InputStream in = OnnxBench.class.getResourceAsStream(model + ".onnx")) {
                if (in == null) {
                    throw new IllegalStateException("bundled benchmark model " + model + ".onnx is missing from the jar");
                }
                Path tmp = Files.createTempFile("graft-bench-" + model, ".onnx");
                tmp.toFile().deleteOnExit();
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return tmp;
            } catch (IOException e) {
                throw new GraftException(GraftException.Code.IO, "cannot write the benchmark model to a temporary file: " + e.getMessage());
            }
        }
        Path p = Path.of(model);
        if (!p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx") || !Files.isRegularFile(p)) {
            throw new GraftException(GraftException.Code.USAGE, "--model must be one of " + BUNDLED + " or an existing .onnx file, got '" + model + "'");
        }
        return p;
    }

    /** An input batch for a model whose one input is {@code [N, ...static dims]}. */
    public static INDArray input(InferenceEngine.IoSpec in, int batch, long seed) {
        long[] dims = in.dims();
        if (dims == null || dims.length < 1) {
            throw new GraftException(GraftException.Code.USAGE, "input '" + in.name() + "' has no batch dimension; the benchmark feeds batches");
        }
        long[] shape = dims.clone();
        shape[0] = batch;
        for (int i = 1; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new GraftException(GraftException.Code.USAGE, "input '" + in.name() + "' dimension " + i + " is not static; the benchmark cannot size it");
            }
        }
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, shape);
    }

    private static void release(INDArray a) {
        if (a.closeable()) {
            a.close();
        }
    }

    /**
     * Time per inference batch through the named engine ({@code native}, or {@code ort} with
     * {@code threads} intra-op threads).
     */
    public static Measure.Timing run(String engine, Path model, int batch, int steps, int warmup, int threads) {
        InferenceEngine opened;
        if (engine.equals(OrtEngineFactory.NAME)) {
            opened = OrtEngine.open(model, OrtEngine.Options.DEFAULT.withIntraOpThreads(threads));
        } else {
            opened = InferenceEngineFactory.find(engine, OnnxBench.class.getClassLoader())
                    .orElseThrow(() -> new GraftException(GraftException.Code.PLUGIN, "the " + engine + " inference engine is not on the class path"))
                    .open(model);
        }
        try (InferenceEngine e = opened) {
            if (e.inputs().size() != 1) {
                throw new GraftException(GraftException.Code.USAGE, model + " takes " + e.inputs().size() + " inputs; the benchmark feeds one");
            }
            InferenceEngine.IoSpec in = e.inputs().get(0);
            Map<String, INDArray> feed = Map.of(in.name(), input(in, batch, 0));
            if (e instanceof OrtEngine && Boolean.getBoolean(FRESH_OUTPUTS)) {
                // run's outputs are new arrays of the caller's: freed after each call, as the raw ONNX Runtime peer closes
                // its Result and PyTorch frees its tensors, instead of piling up until a garbage collection frees them
                return Measure.timedWithCpu(() -> e.run(feed).values().forEach(OnnxBench::release), warmup, steps);
            }
            if (e instanceof OrtEngine) {
                // the serving path: output arrays made once (shaped by a first call), written in place every call
                Map<String, INDArray> into = new java.util.LinkedHashMap<>();
                e.run(feed).forEach((name, a) -> into.put(name, Nd4j.create(a.dataType(), a.shape(), 'c')));
                return Measure.timedWithCpu(() -> e.runInto(feed, into), warmup, steps);
            }
            return Measure.timedWithCpu(() -> e.run(feed), warmup, steps);
        }
    }
}
