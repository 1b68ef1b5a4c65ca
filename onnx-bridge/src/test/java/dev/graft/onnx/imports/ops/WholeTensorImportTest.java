package dev.graft.onnx.imports.ops;

import dev.graft.onnx.InferenceEngine;
import dev.graft.onnx.InferenceEngineFactory;
import dev.graft.onnx.conformance.Comparison;
import dev.graft.onnx.conformance.Tolerance;
import dev.graft.onnx.imports.BatchAxis;
import dev.graft.onnx.imports.ImportOptions;
import dev.graft.onnx.imports.NativeEngineFactory;
import dev.graft.onnx.imports.OnnxImporter;
import dev.graft.onnx.ort.OrtEngine;
import dev.graft.runtime.GraftException;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Native import of whole tensors (batch axis NONE), integer and bool data, several and constant
 * outputs, and opset-6 models, each checked against ONNX Runtime on the same model file.
 */
class WholeTensorImportTest {
    private static final int FLOAT = 1;
    private static final int UINT8 = 2;
    private static final int INT64 = 7;
    private static final int BOOL = 9;

    @TempDir
    Path dir;

    private static InferenceEngine nativeEngine(Path file, BatchAxis axis, Map<String, INDArray> known) {
        return new NativeEngineFactory().open(file, new InferenceEngineFactory.OpenOptions(axis, known));
    }

    /** Runs both engines on the same feed and checks every output's type, shape and values against ONNX Runtime's. */
    private static Map<String, INDArray> sameAsOrt(InferenceEngine engine, Path file, Map<String, INDArray> feed) {
        Map<String, INDArray> mine = engine.run(feed);
        try (OrtEngine ort = OrtEngine.open(file)) {
            Map<String, INDArray> ref = ort.run(feed);
            assertThat(mine.keySet()).containsExactlyElementsOf(ref.keySet());
            ref.forEach((name, r) -> {
                Comparison c = Comparison.of("output '" + name + "'", mine.get(name), r, Tolerance.DEFAULT);
                assertThat(c.matches()).as(c.message()).isTrue();
            });
        }
        return mine;
    }

    private static Map<String, INDArray> feed(Object... kv) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (INDArray) kv[i + 1]);
        }
        return m;
    }

    @Test
    void reducingAxisZeroAndEveryAxisOfAWholeTensor() throws IOException {
        Path file = Graphs.whole(13).input("x", FLOAT, 3, 4)
                .node("ReduceSum", "sum0", List.of("x", "axes"), List.of("s"), "keepdims", 0L)
                .node("ReduceMean", "mean", List.of("x"), List.of("m"), "keepdims", 0L)
                .longs("axes", new long[] {0}, 1)
                .output("s", FLOAT).output("m", FLOAT)
                .write(dir.resolve("reduce.onnx"));
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 4).subi(0.5);
        try (InferenceEngine e = nativeEngine(file, BatchAxis.NONE, Map.of())) {
            assertThat(e.inputs().get(0).dims()).containsExactly(3, 4);
            Map<String, INDArray> y = sameAsOrt(e, file, feed("x", x));
            assertThat(y.get("s").shape()).containsExactly(4);
            assertThat(y.get("m").shape()).isEmpty();
        }
        // with the first dimension as the batch, axis 0 cannot be reduced
        assertThatThrownBy(() -> nativeEngine(file, BatchAxis.FIRST_DIM, Map.of()))
                .isInstanceOf(GraftException.class).hasMessageContainingAll("node 'sum0'", "batch axis");
    }

    @Test
    void autoTakesTheFirstDimensionAsTheBatchOnlyWhenEveryInputSharesIt() {
        Onnx.ModelProto batched = Graphs.whole(13).input("a", FLOAT, 5, 3).input("b", FLOAT, 5, 2)
                .node("Concat", "cat", List.of("a", "b"), List.of("y"), "axis", 1L).output("y", FLOAT).build();
        Onnx.ModelProto vector = Graphs.whole(13).input("a", FLOAT, 5).node("Relu", "r", List.of("a"), List.of("y")).output("y", FLOAT).build();
        Onnx.ModelProto mixed = Graphs.whole(13).input("a", FLOAT, 5, 3).input("b", FLOAT, 3, 3)
                .node("MatMul", "mm", List.of("a", "b"), List.of("y")).output("y", FLOAT).build();
        assertThat(importAuto(batched).batchAxis()).isEqualTo(BatchAxis.FIRST_DIM);
        assertThat(importAuto(batched).ir().input().shape()).containsExactly(3L);
        assertThat(importAuto(vector).batchAxis()).isEqualTo(BatchAxis.NONE);
        assertThat(importAuto(mixed).batchAxis()).isEqualTo(BatchAxis.NONE);
        assertThat(importAuto(mixed).ir().input().shape()).containsExactly(5L, 3L);
    }

    private static OnnxImporter.Imported importAuto(Onnx.ModelProto m) {
        return OnnxImporter.importModel(m, Models.graft().plugins(), "test.onnx", null, ImportOptions.DEFAULT);
    }

    @Test
    void integerAndBoolDataKeepTheirTypesAndIntegerDivisionTruncates() throws IOException {
        Path file = Graphs.whole(13).input("a", INT64, 2, 3).input("b", INT64, 2, 3).input("f", FLOAT, 3)
                .node("Div", "div", List.of("a", "b"), List.of("q"))
                .node("Mul", "mul", List.of("q", "b"), List.of("y"))
                .node("Cast", "cast", List.of("a"), List.of("c"), "to", (long) BOOL)
                .node("Cast", "bytes", List.of("f"), List.of("m"), "to", (long) UINT8)
                .output("y", INT64).output("c", BOOL).output("m", UINT8)
                .write(dir.resolve("ints.onnx"));
        INDArray a = Nd4j.createFromArray(new long[][] {{-7, 7, 5}, {0, -1, 9}});
        INDArray b = Nd4j.createFromArray(new long[][] {{2, 2, -3}, {4, 3, 2}});
        INDArray f = Nd4j.createFromArray(0.5f, 3.9f, 200.2f);
        try (InferenceEngine e = nativeEngine(file, BatchAxis.AUTO, Map.of())) {
            Map<String, INDArray> y = sameAsOrt(e, file, feed("a", a, "b", b, "f", f));
            assertThat(y.get("y").dataType()).isEqualTo(DataType.INT64);
            assertThat(y.get("y").toLongMatrix()).isEqualTo(new long[][] {{-6, 6, 3}, {0, 0, 8}});
            assertThat(y.get("c").dataType()).isEqualTo(DataType.BOOL);
            assertThat(y.get("m").castTo(DataType.INT32).toIntVector()).containsExactly(0, 3, 200);
            assertThat(y.get("m").dataType()).isEqualTo(DataType.UINT8);
        }
    }

    @Test
    void anIntegerInputThatMustBeAConstantIsFoldedFromItsKnownValue() throws IOException {
        Path file = Graphs.whole(13).input("x", FLOAT, 2, 3).input("shape", INT64, 2)
                .node("Reshape", "r", List.of("x", "shape"), List.of("y"))
                .output("y", FLOAT)
                .write(dir.resolve("reshape.onnx"));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3);
        INDArray shape = Nd4j.createFromArray(3L, 2L);
        // not known ahead: a static-shape engine cannot take the target shape from the data
        assertThatThrownBy(() -> nativeEngine(file, BatchAxis.NONE, Map.of())).hasMessageContaining("the target shape ('shape') is computed");
        try (InferenceEngine e = nativeEngine(file, BatchAxis.NONE, Map.of("shape", shape))) {
            assertThat(e.folded()).containsOnlyKeys("shape");
            assertThat(sameAsOrt(e, file, feed("x", x, "shape", shape)).get("y").shape()).containsExactly(3, 2);
            assertThatThrownBy(() -> e.run(feed("x", x, "shape", Nd4j.createFromArray(6L, 1L))))
                    .isInstanceOfSatisfying(GraftException.class, g -> assertThat(g.code()).isEqualTo(GraftException.Code.DATA))
                    .hasMessageContaining("input 'shape' was folded");
        }
    }

    @Test
    void severalOutputsComeBackInGraphOrderWithConstantsAmongThem() throws IOException {
        Path file = Graphs.whole(13).input("x", FLOAT, 2, 3)
                .node("Relu", "relu", List.of("x"), List.of("r"))
                .node("Shape", "shape", List.of("x"), List.of("s"))
                .node("Neg", "neg", List.of("r"), List.of("n"))
                .output("r", FLOAT).output("s", INT64).output("n", FLOAT)
                .write(dir.resolve("outputs.onnx"));
        OnnxImporter.Imported imported = OnnxImporter.importModel(file, Models.graft().plugins(), ImportOptions.of(BatchAxis.NONE));
        assertThat(imported.outputs()).extracting(OnnxImporter.Output::onnxName).containsExactly("r", "s", "n");
        assertThat(imported.outputs().get(1).isConstant()).isTrue();
        assertThat(imported.ir().extraOutputs()).hasSize(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3).subi(0.5);
        try (InferenceEngine e = nativeEngine(file, BatchAxis.NONE, Map.of())) {
            Map<String, INDArray> y = sameAsOrt(e, file, feed("x", x));
            assertThat(y.get("s").toLongVector()).containsExactly(2, 3);
        }
    }

    @Test
    void anOpset6ModelRunsAsOnnxRuntimeRunsIt() throws IOException {
        // Pad's pads attribute, the opset-6 Softmax over the flattened rest, Reshape's shape input (0 copies the first dimension)
        Path file = Graphs.whole(6).input("x", FLOAT, 2, 1, 5, 5)
                .node("Conv", "conv", List.of("x", "w", "b"), List.of("c"), "pads", new long[] {1, 1, 1, 1})
                .node("Relu", "relu", List.of("c"), List.of("r"))
                .node("Pad", "pad", List.of("r"), List.of("p"), "pads", new long[] {0, 0, 0, 1, 0, 0, 1, 0}, "value", -0.5f)
                .node("MaxPool", "pool", List.of("p"), List.of("m"), "kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2})
                .node("Reshape", "flat", List.of("m", "shape"), List.of("f"))
                .node("LeakyRelu", "leaky", List.of("f"), List.of("l"), "alpha", 0.1f)
                .node("Softmax", "sm", List.of("l"), List.of("y"))
                .floats("w", new float[] {1, -1, 0.5f, 0, 2, 0, -0.5f, 1, 0.25f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f}, 2, 1, 3, 3)
                .floats("b", new float[] {0.1f, -0.1f}, 2)
                .longs("shape", new long[] {0, -1}, 2)
                .output("y", FLOAT)
                .write(dir.resolve("opset6.onnx"));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 1, 5, 5).subi(0.5);
        for (BatchAxis axis : List.of(BatchAxis.AUTO, BatchAxis.NONE)) {
            try (InferenceEngine e = nativeEngine(file, axis, Map.of())) {
                assertThat(sameAsOrt(e, file, feed("x", x)).get("y").shape()).containsExactly(2, 18);
            }
        }
    }

    @Test
    void opset6BroadcastAndIsTestMeanWhatTheirModernFormsSay() throws IOException {
        // ONNX Runtime has no opset-6 kernels for these: the opset-6 model imported natively must agree with ONNX Runtime on the
        // same computation written at opset 9 (BatchNormalization without is_test, the Add's constant reshaped to [3, 1, 1])
        float[] w = new float[48 * 5];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i);
        }
        Path legacy = constants(Graphs.whole(6).input("x", FLOAT, 2, 3, 4, 4)
                .node("BatchNormalization", "bn", List.of("x", "scale", "bias", "mean", "var"), List.of("bn"), "is_test", 1L, "epsilon", 1e-3f)
                .node("Add", "add", List.of("bn", "shift"), List.of("a"), "broadcast", 1L, "axis", 1L)
                .node("Relu", "relu", List.of("a"), List.of("r"))
                .node("Flatten", "flat", List.of("r"), List.of("f"))
                .node("Gemm", "fc", List.of("f", "W", "c"), List.of("g"), "broadcast", 1L, "transB", 1L)
                .node("Softmax", "sm", List.of("g"), List.of("y"))
                .floats("shift", new float[] {0.3f, -0.3f, 0}, 3), w).write(dir.resolve("legacy.onnx"));
        Path modern = constants(Graphs.whole(9).input("x", FLOAT, 2, 3, 4, 4)
                .node("BatchNormalization", "bn", List.of("x", "scale", "bias", "mean", "var"), List.of("bn"), "epsilon", 1e-3f)
                .node("Add", "add", List.of("bn", "shift"), List.of("a"))
                .node("Relu", "relu", List.of("a"), List.of("r"))
                .node("Flatten", "flat", List.of("r"), List.of("f"))
                .node("Gemm", "fc", List.of("f", "W", "c"), List.of("g"), "transB", 1L)
                .node("Softmax", "sm", List.of("g"), List.of("y"))
                .floats("shift", new float[] {0.3f, -0.3f, 0}, 3, 1, 1), w).write(dir.resolve("modern.onnx"));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4).subi(0.5);
        INDArray expected;
        try (OrtEngine ort = OrtEngine.open(modern)) {
            expected = ort.run(feed("x", x)).get("y");
        }
        for (BatchAxis axis : List.of(BatchAxis.AUTO, BatchAxis.NONE)) {
            try (InferenceEngine e = nativeEngine(legacy, axis, Map.of())) {
                Comparison c = Comparison.of("y", e.run(feed("x", x)).get("y"), expected, Tolerance.DEFAULT);
                assertThat(c.matches()).as(c.message()).isTrue();
            }
        }
        assertThat(OnnxImporter.importModel(legacy, Models.graft().plugins()).ir().nodes()).extracting(n -> n.plugin())
                .contains("batch-norm", "onnx-binary", "dense");
    }

    /** The constants both forms share, and the output. */
    private static Graphs constants(Graphs g, float[] w) {
        return g.floats("scale", new float[] {1, 0.5f, 2}, 3).floats("bias", new float[] {0, 0.1f, -0.2f}, 3)
                .floats("mean", new float[] {0.1f, 0, -0.1f}, 3).floats("var", new float[] {1, 2, 0.5f}, 3)
                .floats("W", w, 5, 48).floats("c", new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f}, 5)
                .output("y", FLOAT);
    }

    @Test
    void threeDimensionalAndDilatedWindowsAsOnnxRuntime() throws IOException {
        float[] w = new float[3 * 2 * 2 * 2 * 2];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.cos(i);
        }
        Path file = Graphs.whole(13).input("x", FLOAT, 2, 2, 5, 6, 6).input("img", FLOAT, 1, 2, 7, 7)
                .node("Conv", "conv3d", List.of("x", "w", "b"), List.of("c"), "pads", new long[] {1, 0, 1, 0, 1, 1}, "strides", new long[] {1, 2, 1})
                .node("MaxPool", "max3d", List.of("c"), List.of("m"), "kernel_shape", new long[] {2, 2, 2}, "ceil_mode", 1L)
                .node("AveragePool", "avg3d", List.of("c"), List.of("a"), "kernel_shape", new long[] {3, 2, 2}, "pads", new long[] {1, 0, 0, 1, 1, 1})
                .node("MaxPool", "dilated", List.of("img"), List.of("d"), "kernel_shape", new long[] {2, 3}, "dilations", new long[] {2, 2})
                .node("AveragePool", "ceil", List.of("img"), List.of("e"), "kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2},
                        "ceil_mode", 1L)
                .floats("w", w, 3, 2, 2, 2, 2).floats("b", new float[] {0.1f, 0, -0.1f}, 3)
                .output("m", FLOAT).output("a", FLOAT).output("d", FLOAT).output("e", FLOAT)
                .write(dir.resolve("windows.onnx"));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 2, 5, 6, 6).subi(0.5);
        INDArray img = Nd4j.rand(DataType.FLOAT, 1, 2, 7, 7).subi(0.5);
        try (InferenceEngine e = nativeEngine(file, BatchAxis.NONE, Map.of())) {
            sameAsOrt(e, file, feed("x", x, "img", img));
        }
        assertThat(OnnxImporter.importModel(file, Models.graft().plugins(), ImportOptions.of(BatchAxis.NONE)).ir().nodes())
                .extracting(n -> n.plugin()).contains("onnx-conv3d", "onnx-pool", "avg-pool2d");
    }

    @Test
    void knownIntegerInputsThatFeedAConstantThroughOtherOpsAreFoldedFromTheStart() throws IOException {
        // the targets reach GatherElements' indices through an Unsqueeze: the importer folds them when it meets the GatherElements
        Path file = Graphs.whole(13).input("x", FLOAT, 2, 3).input("t", INT64, 2)
                .node("Unsqueeze", "unsq", List.of("t", "one"), List.of("t1"))
                .node("GatherElements", "pick", List.of("x", "t1"), List.of("y"), "axis", 1L)
                .longs("one", new long[] {1}, 1)
                .output("y", FLOAT)
                .write(dir.resolve("pick.onnx"));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3);
        INDArray t = Nd4j.createFromArray(2L, 0L);
        assertThatThrownBy(() -> nativeEngine(file, BatchAxis.NONE, Map.of())).hasMessageContaining("the indices ('t1') is computed");
        try (InferenceEngine e = nativeEngine(file, BatchAxis.NONE, Map.of("t", t))) {
            assertThat(e.folded()).containsOnlyKeys("t");
            Map<String, INDArray> y = sameAsOrt(e, file, feed("x", x, "t", t));
            assertThat(y.get("y").getFloat(0, 0)).isEqualTo(x.getFloat(0, 2));
            assertThat(y.get("y").getFloat(1, 0)).isEqualTo(x.getFloat(1, 0));
        }
    }

    @Test
    void maxPoolIndicesCountEveryPlaneOfTheWholeTensor() throws IOException {
        Path file = Graphs.whole(12).input("x", FLOAT, 2, 3, 5, 4)
                .node("MaxPool", "rows", List.of("x"), List.of("y", "i"), "kernel_shape", new long[] {2, 3}, "pads", new long[] {1, 0, 0, 1},
                        "strides", new long[] {2, 1})
                .node("MaxPool", "columns", List.of("x"), List.of("z", "j"), "kernel_shape", new long[] {3, 2}, "storage_order", 1L)
                .output("y", FLOAT).output("i", INT64).output("z", FLOAT).output("j", INT64)
                .write(dir.resolve("indices.onnx"));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 5, 4);
        try (InferenceEngine e = nativeEngine(file, BatchAxis.NONE, Map.of())) {
            Map<String, INDArray> y = sameAsOrt(e, file, feed("x", x));
            assertThat(y.get("i").dataType()).isEqualTo(DataType.INT64);
        }
        assertThatThrownBy(() -> nativeEngine(file, BatchAxis.FIRST_DIM, Map.of())).hasMessageContaining("output 1 (Indices)");
    }
}
