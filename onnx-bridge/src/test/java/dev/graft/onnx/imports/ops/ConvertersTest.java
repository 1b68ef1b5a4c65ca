package dev.graft.onnx.imports.ops;

import dev.graft.onnx.UnsupportedOpsException;
import dev.graft.onnx.imports.OnnxImporter;
import dev.graft.onnx.imports.OnnxOpConverter;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.model.ModelIR;
import dev.graft.testkit.ProviderContract;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the converters accept and how they refuse what they cannot express. */
class ConvertersTest {

    static OnnxImporter.Imported importGraph(Onnx.ModelProto m) {
        return OnnxImporter.importModel(m, Models.graft().plugins(), "test.onnx", null);
    }

    static INDArray predict(Onnx.ModelProto m, INDArray x) {
        OnnxImporter.Imported imported = importGraph(m);
        return TrainedModel.of(Models.graft(), imported.ir(), imported.params(), "test.onnx").predict(x);
    }

    static List<String> plugins(Onnx.ModelProto m) {
        return importGraph(m).ir().nodes().stream().map(ModelIR.NodeIR::plugin).toList();
    }

    static INDArray random(long... shape) {
        return Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, shape).subi(0.5);
    }

    // ------------------------------------------------------------------ the services file

    @Test
    void everyConverterFollowsTheProviderContractWithAUniqueId() {
        var found = ProviderContract.checkServices(OnnxOpConverter.class).stream()
                .filter(p -> p.getClass().getPackageName().equals(OpConverter.class.getPackageName())).toList();
        assertThat(found).hasSizeGreaterThanOrEqualTo(50);
        for (var p : found) {
            OnnxOpConverter c = (OnnxOpConverter) p;
            assertThat(c.id()).isEqualTo("onnx-" + c.opType().toLowerCase(java.util.Locale.ROOT));
            assertThat(c.domain()).isEmpty();
            assertThat(c.minOpset()).isBetween(1, 17);
            assertThat(c.maxOpset()).isBetween(c.minOpset(), 17);
        }
        assertThat(Models.graft().plugins().providers(OnnxImporter.KIND)).containsKeys("onnx-gemm", "onnx-conv", "onnx-batchnormalization");
    }

    // ------------------------------------------------------------------ unsupported ops

    @Test
    void everyUnsupportedNodeIsReportedAtOnceWithNameDomainOpTypeAndOpset() {
        assertThatThrownBy(() -> Models.importModel("unsupported_op13"))
                .isInstanceOfSatisfying(UnsupportedOpsException.class, e -> {
                    assertThat(e.ops()).extracting(UnsupportedOpsException.Op::nodeName, UnsupportedOpsException.Op::domain,
                                    UnsupportedOpsException.Op::opType, UnsupportedOpsException.Op::opset)
                            .containsExactly(
                                    org.assertj.core.groups.Tuple.tuple("fused", "com.microsoft", "FusedGemm", 1L),
                                    org.assertj.core.groups.Tuple.tuple("topk", "ai.onnx", "TopK", 13L));
                    assertThat(e.getMessage()).contains("unsupported_op13.onnx", "2 nodes", "FusedGemm", "com.microsoft", "'fused'",
                            "TopK", "'topk'", "13");
                    assertThat(e.code()).isEqualTo(GraftException.Code.MODEL);
                });
    }

    @Test
    void opsOutsideTheirConvertersOpsetRangeAreUnsupported() {
        // HardSwish exists from opset 14, LayerNormalization from 17
        Onnx.ModelProto m = Graphs.of(13, 4)
                .node("HardSwish", "hs", List.of("x"), List.of("h"))
                .node("LayerNormalization", "ln", List.of("h", "g"), List.of("y"))
                .floats("g", new float[] {1, 1, 1, 1}, 4)
                .build();
        assertThatThrownBy(() -> importGraph(m)).isInstanceOfSatisfying(UnsupportedOpsException.class, e ->
                assertThat(e.ops()).extracting(UnsupportedOpsException.Op::opType).containsExactly("HardSwish", "LayerNormalization"));
    }

    // ------------------------------------------------------------------ refusals with reasons

    static void refuses(Onnx.ModelProto m, String... fragments) {
        assertThatThrownBy(() -> importGraph(m)).isInstanceOf(GraftException.class).hasMessageContainingAll(fragments);
    }

    @Test
    void flattenOnlyAtAxisOne() {
        refuses(Graphs.of(13, 2, 3, 4).node("Flatten", "flat2", List.of("x"), List.of("y"), "axis", 2L).build(),
                "node 'flat2'", "axis 2", "mixing the batch");
    }

    @Test
    void transposeMustBringTheBatchBackFirst() {
        // a Transpose may move the batch axis (BatchViewsTest), but the output must have it first again
        refuses(Graphs.of(13, 2, 3).node("Transpose", "t", List.of("x"), List.of("y"), "perm", new long[] {1, 0, 2}).build(),
                "output 'y'", "batch axis is not first", "[2, batch, 3]");
        refuses(Graphs.of(13, 2, 3).node("Transpose", "t", List.of("x"), List.of("y")).build(), "batch axis is not first", "[3, 2, batch]");
    }

    @Test
    void gemmRejectsTransA() {
        refuses(Graphs.of(13, 3).node("Gemm", "g", List.of("x", "B"), List.of("y"), "transA", 1L)
                .floats("B", new float[6], 3, 2).build(), "transA = 1");
    }

    @Test
    void reshapeMustKeepTheBatch() {
        refuses(Graphs.of(13, 6).node("Reshape", "r", List.of("x", "s"), List.of("y")).longs("s", new long[] {2, -1}, 2).build(),
                "node 'r'", "[2, -1]", "would mix the batch");
        refuses(Graphs.of(13, 6).node("Reshape", "r", List.of("x", "s"), List.of("y")).longs("s", new long[] {-1, 4}, 2).build(),
                "cannot reshape [batch, 6] to [-1, 4]");
    }

    @Test
    void concatAndSoftmaxRefuseTheBatchAxis() {
        refuses(Graphs.of(13, 3).node("Concat", "c", List.of("x", "x"), List.of("y"), "axis", 0L).build(), "is the batch axis");
        refuses(Graphs.of(13, 3).node("Softmax", "s", List.of("x"), List.of("y"), "axis", 0L).build(), "is the batch axis");
    }

    @Test
    void dropoutMaskAndTrainingModeBatchNormAreRefused() {
        refuses(Graphs.of(13, 3).node("Dropout", "d", List.of("x"), List.of("y", "mask")).build(), "output 1 (mask)");
        refuses(Graphs.of(15, 2, 3).node("BatchNormalization", "bn", List.of("x", "s", "b", "m", "v"), List.of("y"), "training_mode", 1L)
                .floats("s", new float[] {1, 1}, 2).floats("b", new float[2], 2).floats("m", new float[2], 2).floats("v", new float[] {1, 1}, 2)
                .build(), "training_mode = 1");
    }

    @Test
    void fourDimensionalConvolutionIsRefused() {
        refuses(Graphs.of(13, 1, 3, 3, 3, 3).node("Conv", "c4", List.of("x", "w"), List.of("y")).floats("w", new float[16], 1, 1, 2, 2, 2, 2).build(),
                "1-D, 2-D and 3-D convolutions only");
    }

    @Test
    void arithmeticOnTheBatchSizeIsRefused() {
        // Shape -> Gather(0) -> Add: the batch size would be baked in (Mul and Div by constants are followed: BatchViewsTest)
        refuses(Graphs.of(13, 4)
                .node("Shape", "shape", List.of("x"), List.of("s"))
                .node("Gather", "batch", List.of("s", "zero"), List.of("n"), "axis", 0L)
                .node("Add", "plus", List.of("n", "two"), List.of("n2"))
                .node("Reshape", "r", List.of("x", "n2"), List.of("y"))
                .longs("zero", new long[] {0}).longs("two", new long[] {2}).build(),
                "node 'plus'", "computes with the batch size");
    }

    @Test
    void aConstantWithABatchRowIsRefused() {
        refuses(Graphs.of(13, 3).node("Add", "a", List.of("x", "c"), List.of("y")).floats("c", new float[6], 2, 3).build(),
                "lines up with the batch axis");
    }

    @Test
    void convertersProduceTheNodeInTheMessageAndExitCodeOfAModelError() {
        assertThatThrownBy(() -> importGraph(Graphs.of(13, 2, 3).node("Flatten", "flat0", List.of("x"), List.of("y"), "axis", 0L).build()))
                .isInstanceOfSatisfying(GraftException.class, e -> {
                    assertThat(e.code()).isEqualTo(GraftException.Code.MODEL);
                    assertThat(e.getMessage()).startsWith("test.onnx: node 'flat0' (Flatten, opset 13): axis 0");
                });
    }

    // ------------------------------------------------------------------ what is accepted

    @Test
    void reshapeTargetsThatKeepTheBatch() {
        INDArray x = random(2, 6);
        // 0 copies the batch, -1 infers it from fixed example axes, a number is taken as the batch size of a
        // fixed-batch export when the other entries hold all of an example's values
        List<long[]> targets = List.of(new long[] {0, 2, 3}, new long[] {-1, 2, 3}, new long[] {1, 3, 1, 2}, new long[] {0, 0});
        List<long[]> shapes = List.of(new long[] {2, 2, 3}, new long[] {2, 2, 3}, new long[] {2, 3, 1, 2}, new long[] {2, 6});
        for (int i = 0; i < targets.size(); i++) {
            long[] target = targets.get(i);
            Onnx.ModelProto m = Graphs.of(13, 6).node("Reshape", "r", List.of("x", "s"), List.of("r")).longs("s", target, target.length)
                    .node("Relu", "relu", List.of("r"), List.of("y")).build();
            INDArray y = predict(m, x);
            assertThat(y.shape()).containsExactly(shapes.get(i));
            assertThat(y.reshape(2, 6)).isEqualTo(org.nd4j.linalg.ops.transforms.Transforms.relu(x, true));
        }
    }

    @Test
    void batchSizeFromShapeKeepsTheBatchInAReshapeTarget() {
        // x.view(x.size(0), -1) on [N, 2, 3] at opset 9: Shape, Gather, Unsqueeze (axes attribute), Concat, Reshape
        Onnx.ModelProto m = Graphs.of(9, 2, 3)
                .node("Shape", "shape", List.of("x"), List.of("s"))
                .node("Gather", "batch", List.of("s", "zero"), List.of("n"), "axis", 0L)
                .node("Unsqueeze", "unsq", List.of("n"), List.of("n1"), "axes", new long[] {0})
                .node("Constant", "minus1", List.of(), List.of("m1"), "value_ints", new long[] {-1})
                .node("Concat", "cat", List.of("n1", "m1"), List.of("target"), "axis", 0L)
                .node("Reshape", "r", List.of("x", "target"), List.of("y"))
                .longs("zero", new long[] {0}).build();
        assertThat(plugins(m)).containsExactly("reshape");
        INDArray x = random(4, 2, 3);
        assertThat(predict(m, x)).isEqualTo(x.reshape(4, 6));
    }

    @Test
    void identityDropoutAndCastPassTheValueThrough() {
        Onnx.ModelProto m = Graphs.of(13, 3)
                .node("Dropout", "drop", List.of("x", "ratio"), List.of("d"))
                .node("Identity", "id", List.of("d"), List.of("i"))
                .node("Cast", "cast", List.of("i"), List.of("c"), "to", 1L)
                .node("Sigmoid", "sig", List.of("c"), List.of("y"))
                .floats("ratio", new float[] {0.5f})
                .build();
        assertThat(plugins(m)).containsExactly("sigmoid");
    }

    @Test
    void constantsAreFoldedAtImport() {
        // (Transpose(W) + 1) * 2 computed at import, then used as a Gemm weight
        Onnx.ModelProto m = Graphs.of(13, 2)
                .node("Transpose", "t", List.of("W"), List.of("wt"), "perm", new long[] {1, 0})
                .node("Constant", "one", List.of(), List.of("one"), "value_float", 1f)
                .node("Add", "add1", List.of("wt", "one"), List.of("w1"))
                .node("Mul", "twice", List.of("w1", "two"), List.of("w2"))
                .node("Gemm", "g", List.of("x", "w2"), List.of("y"))
                .floats("W", new float[] {1, 2, 3, 4, 5, 6}, 3, 2)
                .floats("two", new float[] {2}, 1)
                .build();
        assertThat(plugins(m)).containsExactly("dense");
        INDArray w = importGraph(m).params().values().iterator().next();
        assertThat(w.shape()).containsExactly(2, 3);
        assertThat(w.toFloatMatrix()).isEqualTo(new float[][] {{4, 8, 12}, {6, 10, 14}});
    }

    @Test
    void evenKernelsPadAtTheEndForSameUpperAndAtTheStartForSameLower() {
        INDArray ones = Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 1, 3, 3);
        for (String mode : List.of("SAME_UPPER", "SAME_LOWER")) {
            Onnx.ModelProto m = Graphs.of(11, 1, 3, 3).node("Conv", "c", List.of("x", "w"), List.of("y"), "auto_pad", mode)
                    .floats("w", new float[] {1, 1, 1, 1}, 1, 1, 2, 2).build();
            assertThat(plugins(m)).isEqualTo(mode.equals("SAME_UPPER") ? List.of("conv2d") : List.of("onnx-pad", "conv2d"));
            INDArray y = predict(m, ones).reshape(3, 3);
            // the window at the top left covers 4 real values with the padding at the end, 1 with it at the start
            assertThat(y.getFloat(0, 0)).isEqualTo(mode.equals("SAME_UPPER") ? 4f : 1f);
            assertThat(y.getFloat(2, 2)).isEqualTo(mode.equals("SAME_UPPER") ? 1f : 4f);
        }
        // conv1d with uneven explicit pads
        Onnx.ModelProto m = Graphs.of(13, 1, 4).node("Conv", "c", List.of("x", "w"), List.of("y"), "pads", new long[] {2, 0})
                .floats("w", new float[] {1, 1, 1}, 1, 1, 3).build();
        assertThat(plugins(m)).containsExactly("onnx-pad", "conv1d");
        assertThat(predict(m, Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 1, 4)).ravel().toFloatVector()).containsExactly(1, 2, 3, 3);
    }

    @Test
    void gemmWithoutCHasNoBias() {
        Onnx.ModelProto m = Graphs.of(11, 3).node("Gemm", "g", List.of("x", "B"), List.of("y"), "transB", 1L)
                .floats("B", new float[] {1, 0, 0, 0, 1, 0}, 2, 3).build();
        OnnxImporter.Imported imported = importGraph(m);
        assertThat(imported.ir().nodes().get(0).config()).containsEntry("use-bias", false);
        INDArray x = random(5, 3);
        assertThat(predict(m, x)).isEqualTo(x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)));
    }

    @Test
    void padOfZerosVanishesAndOtherPadsBecomeOnnxPad() {
        Onnx.ModelProto none = Graphs.of(11, 1, 3, 3).node("Pad", "p", List.of("x", "pads"), List.of("p"))
                .node("Relu", "r", List.of("p"), List.of("y")).longs("pads", new long[8], 8).build();
        assertThat(plugins(none)).containsExactly("relu");
        Onnx.ModelProto some = Graphs.of(11, 1, 3, 3).node("Pad", "p", List.of("x", "pads", "v"), List.of("y"))
                .longs("pads", new long[] {0, 0, 1, 0, 0, 0, 0, 2}, 8).floats("v", new float[] {-1}).build();
        INDArray y = predict(some, Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 1, 3, 3));
        assertThat(y.shape()).containsExactly(1, 1, 4, 5);
        assertThat(y.sumNumber().doubleValue()).isEqualTo(9 - 11);
    }

    @Test
    void sumOfEqualShapesIsAddAndMaxOfBroadcastShapesIsOnnxNary() {
        Onnx.ModelProto m = Graphs.of(13, 3, 4)
                .node("ReduceMax", "rm", List.of("x"), List.of("m"), "axes", new long[] {-1}, "keepdims", 1L)
                .node("Max", "max", List.of("x", "m"), List.of("mx"))
                .node("Sum", "sum", List.of("x", "mx", "x"), List.of("y"))
                .build();
        assertThat(plugins(m)).containsExactly("onnx-reduce", "onnx-nary", "add");
        INDArray x = random(2, 3, 4);
        INDArray rowMax = x.max(true, 2);
        assertThat(predict(m, x).sub(x.mul(2).add(rowMax.broadcast(2, 3, 4))).amaxNumber().doubleValue()).isLessThan(1e-6);
    }
}
