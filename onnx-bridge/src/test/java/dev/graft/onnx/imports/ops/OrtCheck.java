package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.OnnxImporter;
import dev.graft.onnx.ort.OrtEngine;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.model.ModelIR;
import onnx.Onnx;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs a graph built in a test through ONNX Runtime and the native import, and compares. */
final class OrtCheck {
    private OrtCheck() {
    }

    /** A seeded uniform(-1, 1) float input of the given full shape. */
    static INDArray input(long seed, long... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = (int) Arrays.stream(shape).reduce(1, Math::multiplyExact);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return Nd4j.createFromArray(v).reshape(shape);
    }

    static float[] values(long seed, int n) {
        return input(seed, n).toFloatVector();
    }

    /**
     * Native import and ONNX Runtime agree on {@code x} (within 1e-4, relative to the output's largest
     * magnitude when that exceeds 1); returns the Graft plugins of the import.
     */
    static List<String> check(Path dir, String name, Onnx.ModelProto model, INDArray x) {
        Path file = dir.resolve(name + ".onnx");
        try {
            Files.write(file, model.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        INDArray expected;
        try (OrtEngine ort = OrtEngine.open(file)) {
            expected = ort.run(Map.of("x", x)).values().iterator().next();
        }
        OnnxImporter.Imported imported = OnnxImporter.importModel(model, Models.graft().plugins(), name + ".onnx", null);
        INDArray y = TrainedModel.of(Models.graft(), imported.ir(), imported.params(), name).predict(x);
        assertThat(y.shape()).as(name + " shape").containsExactly(expected.shape());
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        assertThat(y.sub(expected).amaxNumber().doubleValue()).as(name + ": largest difference from ONNX Runtime").isLessThan(1e-4 * scale);
        return imported.ir().nodes().stream().map(ModelIR.NodeIR::plugin).toList();
    }
}
