package dev.graft.onnx.imports.ops;

import dev.graft.api.Mode;
import dev.graft.api.Shape;
import dev.graft.api.layer.ParamSpec;
import dev.graft.onnx.imports.OnnxImporter;
import dev.graft.testkit.GradientCheck;
import dev.graft.testkit.ValueGenerator;
import onnx.Onnx;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gradients through imported graphs: the whole imported IR, built as one float64 graph from its
 * layers ({@link ImportedGraphLayer}), passes the testkit's central finite-difference check with its
 * imported parameter values: every trainable parameter and the input, up to 12 sampled elements per
 * array (6 for the transformer), relative error at most 1e-5. Elements whose numeric and analytic gradients are both below 1e-5
 * are not compared: the round-off of a whole graph's objective makes the central difference noisy by
 * about 1e-10 (measured), which is more than a relative 1e-5 of so small a value. Covered: Conv + BatchNormalization + Relu + Gemm (in training
 * mode, with batch statistics, and in inference mode), PyTorch's TransformerEncoderLayer at opsets 14
 * and 17 (attention through values whose batch axis is not first, Erf-GELU, layer norm decomposed or
 * not), the paddle-style CNN (Upsample), and a graph of ConvTranspose, Resize, Split, Expand and a Where
 * on a computed Equal.
 */
class ImportedGradientCheckTest {

    /** Values in the order an array's elements are drawn, so the check starts from the imported parameters. */
    static ValueGenerator replay(INDArray a) {
        double[] v = a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c').reshape(a.length()).toDoubleVector();
        int[] next = {0};
        return rng -> v[next[0]++ % v.length];
    }

    static GradientCheck.Result check(OnnxImporter.Imported imported, Mode mode) {
        return check(imported, mode, 12);
    }

    /** As {@link #check(OnnxImporter.Imported, Mode)}, comparing up to {@code perArray} elements of each array. */
    static GradientCheck.Result check(OnnxImporter.Imported imported, Mode mode, int perArray) {
        ImportedGraphLayer layer = new ImportedGraphLayer(imported.ir(), Models.graft().plugins());
        Shape in = Shape.of(imported.ir().input().shape().stream().mapToLong(Long::longValue).toArray());
        List<ParamSpec> specs = layer.params(List.of(in));
        GradientCheck.LayerCheck check = GradientCheck.layer(layer).inputs(in).batch(3).mode(mode).minAbsoluteError(1e-5).maxPerArray(perArray);
        int trainable = 0;
        for (ParamSpec p : specs) {
            INDArray value = imported.params().get(layer.paramName(p.name()));
            assertThat(value).as(p.name() + " = " + layer.paramName(p.name())).isNotNull();
            check.paramValues(p.name(), replay(value));
            trainable += p.trainable() ? 1 : 0;
        }
        GradientCheck.Result r = check.check();
        // every trainable array and the input were compared
        assertThat(r.elementsChecked()).isGreaterThan(trainable);
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv_bn_gemm_op13", "transformer_op14", "transformer_op17", "paddle_op9"})
    void gradientsOfImportedModelsMatchFiniteDifferences(String name) {
        // each evaluation of the transformer's float64 graph takes SameDiff tens of milliseconds: fewer samples there
        GradientCheck.Result r = check(Models.importModel(name), Mode.TRAIN, name.startsWith("transformer") ? 6 : 12);
        assertThat(r.maxRelativeError()).as(name).isLessThanOrEqualTo(GradientCheck.DEFAULT_MAX_RELATIVE_ERROR);
    }

    @Test
    void batchNormInInferenceModeToo() {
        check(Models.importModel("conv_bn_gemm_op13"), Mode.INFER);
    }

    @Test
    void gradientsThroughTheNewConverters() {
        // ConvTranspose -> Resize (linear) -> Split -> Where(Equal(relu(a), 0), a * 2, b) -> Expand -> Add
        Onnx.ModelProto m = Graphs.of(13, 2, 3, 3)
                .node("ConvTranspose", "up", List.of("x", "w", "b"), List.of("u"), "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1},
                        "output_padding", new long[] {1, 1})
                .node("Resize", "resize", List.of("u", "", "scales"), List.of("r"), "mode", "linear", "coordinate_transformation_mode",
                        "pytorch_half_pixel")
                .node("Split", "split", List.of("r"), List.of("a", "c"), "axis", 1L)
                .node("Relu", "relu", List.of("a"), List.of("ra"))
                .node("Equal", "eq", List.of("ra", "zero"), List.of("cond"))
                .node("Mul", "twice", List.of("a", "two"), List.of("a2"))
                .node("Where", "where", List.of("cond", "a2", "c"), List.of("s"))
                .node("ReduceMean", "mean", List.of("s"), List.of("m"), "axes", new long[] {2}, "keepdims", 1L)
                .node("Expand", "expand", List.of("m", "shape"), List.of("e"))
                .node("Add", "add", List.of("e", "s"), List.of("y"))
                .floats("w", OrtCheck.values(40, 36), 2, 2, 3, 3).floats("b", OrtCheck.values(41, 2), 2)
                .floats("scales", new float[] {1, 1, 1.5f, 1}, 4).floats("zero", new float[] {0}).floats("two", new float[] {2})
                .longs("shape", new long[] {1, 1, 9, 6}, 4).build();
        OnnxImporter.Imported imported = OnnxImporter.importModel(m, Models.graft().plugins(), "new_ops.onnx", null);
        assertThat(imported.ir().nodes().stream().map(n -> n.plugin()))
                .contains("onnx-conv-transpose", "onnx-resize", "onnx-slice", "onnx-compare", "onnx-where", "onnx-expand");
        check(imported, Mode.TRAIN);
    }
}
