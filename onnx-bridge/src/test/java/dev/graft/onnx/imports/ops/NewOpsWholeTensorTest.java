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
import dev.graft.runtime.model.ModelIR;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Expand, Equal / Less / Greater, Where, Split, ConvTranspose, Resize and the batch-moving Transpose
 * and Reshape on whole tensors (batch axis NONE): every axis is an example axis, operands of different
 * ranks broadcast as ONNX says, comparisons come back as bools, and nothing is taken for a moved batch.
 * Each model is checked against ONNX Runtime on the same file.
 */
class NewOpsWholeTensorTest {
    private static final int FLOAT = 1;
    private static final int INT64 = 7;
    private static final int BOOL = 9;

    @TempDir
    Path dir;

    private static InferenceEngine nativeEngine(Path file, BatchAxis axis) {
        return nativeEngine(file, axis, Map.of());
    }

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

    private static List<String> plugins(Path file, BatchAxis axis) {
        OnnxImporter.Imported imported = OnnxImporter.importModel(file, Models.graft().plugins(), ImportOptions.of(axis));
        return imported.ir().nodes().stream().map(ModelIR.NodeIR::plugin).toList();
    }

    private static Map<String, INDArray> feed(Object... kv) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (INDArray) kv[i + 1]);
        }
        return m;
    }

    @Test
    void expandComparisonsAndWhereBroadcastOperandsOfDifferentRanks() throws IOException {
        Path file = Graphs.whole(13).input("x", FLOAT, 3, 1).input("v", FLOAT, 4)
                .node("Expand", "grow", List.of("x", "shape"), List.of("e"))
                .node("Less", "less", List.of("v", "x"), List.of("c"))
                .node("Where", "pick", List.of("c", "x", "v"), List.of("w"))
                .node("Greater", "gt", List.of("e", "limit"), List.of("g"))
                .node("Equal", "eq", List.of("x", "v"), List.of("q"))
                .longs("shape", new long[] {2, 3, 4}, 3)
                .floats("limit", new float[] {-0.5f, 0, 0.25f, 0.5f}, 1, 1, 4)
                .output("e", FLOAT).output("c", BOOL).output("w", FLOAT).output("g", BOOL).output("q", BOOL)
                .write(dir.resolve("broadcast.onnx"));
        INDArray x = OrtCheck.input(1, 3, 1);
        INDArray v = OrtCheck.input(2, 4);
        v.putScalar(1, x.getFloat(2, 0));   // one pair equal, so that Equal has a true
        try (InferenceEngine e = nativeEngine(file, BatchAxis.AUTO)) {
            Map<String, INDArray> y = sameAsOrt(e, file, feed("x", x, "v", v));
            assertThat(y.get("e").shape()).containsExactly(2, 3, 4);
            assertThat(y.get("w").shape()).containsExactly(3, 4);
            for (String bool : List.of("c", "g", "q")) {
                assertThat(y.get(bool).dataType()).as(bool).isEqualTo(DataType.BOOL);
            }
            assertThat(y.get("q").castTo(DataType.INT32).sumNumber().intValue()).isEqualTo(1);
        }
        assertThat(plugins(file, BatchAxis.NONE)).contains("onnx-expand", "onnx-compare", "onnx-where");
    }

    @Test
    void splitTransposeAndReshapeOfAxisZeroAreOrdinaryOps() throws IOException {
        Path file = Graphs.whole(13).input("x", FLOAT, 4, 3, 2)
                .node("Split", "split", List.of("x", "sizes"), List.of("s0", "s1"), "axis", 0L)
                .node("Transpose", "t", List.of("x"), List.of("t"), "perm", new long[] {1, 0, 2})
                .node("Reshape", "r", List.of("t", "target"), List.of("r"))
                .node("MatMul", "mm", List.of("r", "w"), List.of("m"))
                .node("Softmax", "sm", List.of("m"), List.of("p"), "axis", 0L)
                .longs("sizes", new long[] {1, 3}, 2)
                .longs("target", new long[] {3, 8}, 2)
                .floats("w", OrtCheck.values(3, 16), 8, 2)
                .output("s0", FLOAT).output("s1", FLOAT).output("t", FLOAT).output("p", FLOAT)
                .write(dir.resolve("axis0.onnx"));
        INDArray x = OrtCheck.input(4, 4, 3, 2);
        try (InferenceEngine e = nativeEngine(file, BatchAxis.NONE)) {
            Map<String, INDArray> y = sameAsOrt(e, file, feed("x", x));
            assertThat(y.get("s1").shape()).containsExactly(3, 3, 2);
            assertThat(y.get("t").shape()).containsExactly(3, 4, 2);
            assertThat(y.get("p").shape()).containsExactly(3, 2);
        }
        assertThat(plugins(file, BatchAxis.NONE)).contains("onnx-slice", "onnx-transpose", "reshape");

        // with the first dimension as the batch the same Transpose moves the batch: a graph output cannot be such a value
        Path moved = Graphs.whole(13).input("x", FLOAT, 4, 3, 2)
                .node("Transpose", "t", List.of("x"), List.of("t"), "perm", new long[] {1, 0, 2})
                .output("t", FLOAT)
                .write(dir.resolve("moved.onnx"));
        try (InferenceEngine e = nativeEngine(moved, BatchAxis.NONE)) {
            sameAsOrt(e, moved, feed("x", x));
        }
        assertThatThrownBy(() -> nativeEngine(moved, BatchAxis.FIRST_DIM)).isInstanceOf(GraftException.class)
                .hasMessageContainingAll("output 't'", "batch axis is not first");
    }

    @Test
    void convTransposeAndResizeFoldTheOnnxBatch() throws IOException {
        Path file = Graphs.whole(13).input("x", FLOAT, 2, 2, 3, 3)
                .node("ConvTranspose", "up", List.of("x", "w", "b"), List.of("c"), "strides", new long[] {2, 2}, "pads", new long[] {0, 1, 1, 0})
                .node("Resize", "size", List.of("c", "", "", "sizes"), List.of("y"), "mode", "linear")
                .node("Resize", "scale", List.of("x", "", "scales"), List.of("z"), "mode", "nearest",
                        "coordinate_transformation_mode", "asymmetric", "nearest_mode", "floor")
                .floats("w", OrtCheck.values(5, 24), 2, 3, 2, 2).floats("b", OrtCheck.values(6, 3), 3)
                .longs("sizes", new long[] {2, 3, 9, 4}, 4)
                .floats("scales", new float[] {1, 1, 2, 1.5f}, 4)
                .output("c", FLOAT).output("y", FLOAT).output("z", FLOAT)
                .write(dir.resolve("up.onnx"));
        INDArray x = OrtCheck.input(7, 2, 2, 3, 3);
        try (InferenceEngine e = nativeEngine(file, BatchAxis.NONE)) {
            Map<String, INDArray> y = sameAsOrt(e, file, feed("x", x));
            assertThat(y.get("c").shape()).containsExactly(2, 3, 5, 5);
            assertThat(y.get("y").shape()).containsExactly(2, 3, 9, 4);
            assertThat(y.get("z").shape()).containsExactly(2, 2, 6, 4);
        }
        assertThat(plugins(file, BatchAxis.NONE)).contains("onnx-fold-batch", "onnx-conv-transpose", "onnx-unfold-batch", "onnx-resize");
    }

    @Test
    void comparisonsAndWhereOfLabelsKnownAheadFoldIntoConstantsThatReductionsFold() throws IOException {
        // the weights of an expanded loss with ignore_index: computed from the integer labels, which are known ahead and
        // folded from the start because Gather needs a value computed from them as indices; Equal, Where and ReduceSum
        // of them are then constants
        Path file = Graphs.whole(13).input("x", FLOAT, 3, 4).input("t", INT64, 3)
                .node("Equal", "ignored", List.of("t", "ignore"), List.of("m"))
                .node("Where", "weights", List.of("m", "zero", "one"), List.of("w"))
                .node("ReduceSum", "count", List.of("w"), List.of("n"), "keepdims", 0L)
                .node("Identity", "labels", List.of("t"), List.of("ti"))
                .node("Gather", "picked", List.of("x", "ti"), List.of("g"), "axis", 1L)
                .node("ReduceSum", "rows", List.of("g", "axis1"), List.of("r"), "keepdims", 0L)
                .node("Mul", "weighted", List.of("r", "w"), List.of("p"))
                .node("Div", "mean", List.of("p", "n"), List.of("y"))
                .node("ReduceSum", "total", List.of("p"), List.of("s"), "keepdims", 0L)
                .node("Div", "average", List.of("s", "n"), List.of("a"))
                .longs("ignore", new long[] {1}).longs("axis1", new long[] {1}, 1)
                .floats("zero", new float[] {0}).floats("one", new float[] {1})
                .output("y", FLOAT).output("n", FLOAT).output("a", FLOAT)
                .write(dir.resolve("weights.onnx"));
        INDArray x = OrtCheck.input(8, 3, 4);
        INDArray t = org.nd4j.linalg.factory.Nd4j.createFromArray(0L, 1L, 2L);
        try (InferenceEngine e = nativeEngine(file, BatchAxis.NONE, Map.of("t", t))) {
            assertThat(e.folded()).containsOnlyKeys("t");
            Map<String, INDArray> y = sameAsOrt(e, file, feed("x", x, "t", t));
            assertThat(y.get("n").getDouble(0)).isEqualTo(2.0);
            assertThat(y.get("a").shape()).isEmpty();
        }
        OnnxImporter.Imported imported = OnnxImporter.importModel(file, Models.graft().plugins(),
                new ImportOptions(BatchAxis.NONE, Map.of("t", t)));
        assertThat(imported.outputs().get(1).isConstant()).isTrue();
    }
}
