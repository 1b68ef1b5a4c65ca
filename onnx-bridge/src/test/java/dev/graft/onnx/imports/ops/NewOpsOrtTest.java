package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.OnnxImporter;
import dev.graft.runtime.GraftException;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ConvTranspose, Split, Expand, Equal / Less / Greater, Where, Resize and Upsample on small graphs
 * built in code: the native import's predictions equal ONNX Runtime's on the same model file for
 * random inputs (within 1e-4), and the import uses the layers it should (nothing silently folded
 * away, nothing left to a fallback). The refusals name what is not supported.
 */
class NewOpsOrtTest {
    @TempDir
    Path tmp;

    static INDArray input(long seed, long... shape) {
        return OrtCheck.input(seed, shape);
    }

    static float[] values(long seed, int n) {
        return OrtCheck.values(seed, n);
    }

    List<String> check(String name, Onnx.ModelProto model, INDArray x) {
        return OrtCheck.check(tmp, name, model, x);
    }

    static OnnxImporter.Imported importGraph(Onnx.ModelProto m) {
        return OnnxImporter.importModel(m, Models.graft().plugins(), "test.onnx", null);
    }

    // ------------------------------------------------------------------ ConvTranspose

    @Test
    void convTransposeWithStridePaddingOutputPaddingAndBias() {
        Onnx.ModelProto m = Graphs.of(13, 2, 5, 5)
                .node("ConvTranspose", "up", List.of("x", "w", "b"), List.of("y"), "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1},
                        "output_padding", new long[] {1, 1})
                .floats("w", values(1, 54), 2, 3, 3, 3).floats("b", values(2, 3), 3).build();
        assertThat(check("deconv_stride", m, input(3, 4, 2, 5, 5))).containsExactly("onnx-conv-transpose");
    }

    @Test
    void convTransposeGroupedDilatedAsymmetricPads() {
        Onnx.ModelProto m = Graphs.of(11, 4, 4, 5)
                .node("ConvTranspose", "up", List.of("x", "w"), List.of("y"), "strides", new long[] {1, 2}, "dilations", new long[] {2, 1},
                        "pads", new long[] {0, 1, 2, 0}, "group", 2L, "kernel_shape", new long[] {3, 2})
                .floats("w", values(4, 24), 4, 1, 3, 2).build();
        check("deconv_grouped", m, input(5, 3, 4, 4, 5));
    }

    @Test
    void convTranspose1dAtOpset9() {
        Onnx.ModelProto m = Graphs.of(9, 2, 6)
                .node("ConvTranspose", "up", List.of("x", "w", "b"), List.of("y"), "strides", new long[] {3}, "pads", new long[] {1, 2})
                .floats("w", values(6, 16), 2, 2, 4).floats("b", values(7, 2), 2).build();
        check("deconv_1d", m, input(8, 3, 2, 6));
    }

    @Test
    void convTransposeAutoPadAndOutputShape() {
        // kernel 3, stride 2 on 4: the full result has 9 elements, SAME wants 8: one element of padding, odd
        for (String autoPad : List.of("SAME_UPPER", "SAME_LOWER", "VALID")) {
            Onnx.ModelProto m = Graphs.of(13, 2, 4, 4)
                    .node("ConvTranspose", "up", List.of("x", "w"), List.of("y"), "strides", new long[] {2, 2}, "auto_pad", autoPad)
                    .floats("w", values(9, 36), 2, 2, 3, 3).build();
            check("deconv_" + autoPad, m, input(10, 2, 2, 4, 4));
        }
        // output_shape [8, 7]: total padding 1 and 2, split with the odd element at the beginning
        Onnx.ModelProto m = Graphs.of(7, 2, 4, 4)
                .node("ConvTranspose", "up", List.of("x", "w"), List.of("y"), "strides", new long[] {2, 2}, "output_shape", new long[] {8, 7})
                .floats("w", values(9, 36), 2, 2, 3, 3).build();
        check("deconv_output_shape", m, input(11, 2, 2, 4, 4));
    }

    @Test
    void convTransposeRefusals() {
        Onnx.ModelProto m = Graphs.of(13, 2, 4, 4, 4)
                .node("ConvTranspose", "up3d", List.of("x", "w"), List.of("y"))
                .floats("w", values(9, 16), 2, 1, 2, 2, 2).build();
        assertThatThrownBy(() -> importGraph(m)).isInstanceOf(GraftException.class).hasMessageContaining("up3d")
                .hasMessageContaining("1-D and 2-D");
        Onnx.ModelProto big = Graphs.of(13, 2, 4, 4)
                .node("ConvTranspose", "up", List.of("x", "w"), List.of("y"), "output_shape", new long[] {9, 9})
                .floats("w", values(9, 36), 2, 2, 3, 3).build();
        assertThatThrownBy(() -> importGraph(big)).hasMessageContaining("output size 9").hasMessageContaining("larger than");
    }

    // ------------------------------------------------------------------ Split

    @Test
    void splitAttributeFormWithSizes() {
        Onnx.ModelProto m = Graphs.of(11, 4, 3)
                .node("Split", "split", List.of("x"), List.of("a", "b"), "axis", 1L, "split", new long[] {1, 3})
                .node("Concat", "cat", List.of("b", "a"), List.of("y"), "axis", 1L).build();
        assertThat(check("split_attr", m, input(12, 3, 4, 3))).containsExactly("onnx-slice", "onnx-slice", "concat");
    }

    @Test
    void splitInputFormAndEqualParts() {
        Onnx.ModelProto m = Graphs.of(13, 3, 5)
                .node("Split", "split", List.of("x", "sizes"), List.of("a", "b", "c"), "axis", -1L)
                .node("Concat", "cat", List.of("c", "a", "b"), List.of("y"), "axis", -1L)
                .longs("sizes", new long[] {2, 2, 1}, 3).build();
        check("split_input", m, input(13, 2, 3, 5));
        Onnx.ModelProto equal = Graphs.of(13, 2, 6)
                .node("Split", "split", List.of("x"), List.of("a", "b", "c"), "axis", 2L)
                .node("Mul", "mul", List.of("a", "c"), List.of("ac"))
                .node("Add", "add", List.of("ac", "b"), List.of("y")).build();
        assertThat(check("split_equal", equal, input(14, 2, 2, 6))).startsWith("onnx-slice", "onnx-slice", "onnx-slice");
        // a part that is the whole axis is the input itself
        Onnx.ModelProto whole = Graphs.of(11, 2, 3)
                .node("Split", "split", List.of("x"), List.of("a"), "axis", 1L)
                .node("Relu", "relu", List.of("a"), List.of("y")).build();
        assertThat(check("split_whole", whole, input(15, 2, 2, 3))).containsExactly("relu");
    }

    @Test
    void splitOfAConstantIsFolded() {
        Onnx.ModelProto ordered = Graphs.of(13, 4)
                .node("Split", "split", List.of("c", "sizes"), List.of("c0", "c1"))
                .node("Concat", "cat", List.of("c0", "c0"), List.of("c0b"), "axis", 0L)
                .node("Mul", "mul", List.of("x", "c1"), List.of("m"))
                .node("Add", "add", List.of("m", "c0b"), List.of("y"))
                .floats("c", values(16, 6), 6).longs("sizes", new long[] {2, 4}, 2).build();
        assertThat(check("split_const", ordered, input(17, 3, 4))).containsExactly("onnx-binary", "onnx-binary");
    }

    @Test
    void splitRefusals() {
        Onnx.ModelProto batch = Graphs.of(13, 4)
                .node("Split", "split_batch", List.of("x"), List.of("a", "y"), "axis", 0L).build();
        assertThatThrownBy(() -> importGraph(batch)).hasMessageContaining("split_batch").hasMessageContaining("batch axis");
        Onnx.ModelProto sizes = Graphs.of(11, 5)
                .node("Split", "split", List.of("x"), List.of("a", "y"), "axis", 1L, "split", new long[] {2, 2}).build();
        assertThatThrownBy(() -> importGraph(sizes)).hasMessageContaining("adding up to 5");
    }

    // ------------------------------------------------------------------ Expand

    @Test
    void expandWithAConstantShape() {
        Onnx.ModelProto m = Graphs.of(13, 3, 1)
                .node("Expand", "expand", List.of("x", "shape"), List.of("e"))
                .node("Mul", "mul", List.of("e", "w"), List.of("y"))
                .longs("shape", new long[] {1, 3, 4}, 3).floats("w", values(18, 12), 3, 4).build();
        assertThat(check("expand", m, input(19, 2, 3, 1))).containsExactly("onnx-expand", "onnx-binary");
    }

    @Test
    void expandToAShapeFromShapeKeepsTheBatch() {
        // target [batch, 2, 4] built from Shape(x)[0:1] and a constant; the input grows on a new axis and its last
        Onnx.ModelProto m = Graphs.of(13, 1)
                .node("Shape", "shape", List.of("x"), List.of("s"))
                .node("Slice", "first", List.of("s", "zero", "one"), List.of("n"))
                .node("Concat", "target", List.of("n", "rest"), List.of("t"), "axis", 0L)
                .node("Unsqueeze", "unsq", List.of("x", "axis1"), List.of("u"))
                .node("Expand", "expand", List.of("u", "t"), List.of("y"))
                .longs("zero", new long[] {0}, 1).longs("one", new long[] {1}, 1).longs("rest", new long[] {2, 4}, 2)
                .longs("axis1", new long[] {1}, 1).build();
        check("expand_batch", m, input(20, 3, 1));
    }

    @Test
    void expandOfAConstantIsFolded() {
        Onnx.ModelProto m = Graphs.of(13, 3, 4)
                .node("Expand", "expand", List.of("c", "shape"), List.of("e"))
                .node("Add", "add", List.of("x", "e"), List.of("y"))
                .floats("c", values(21, 4), 1, 4).longs("shape", new long[] {3, 1}, 2).build();
        assertThat(check("expand_const", m, input(22, 2, 3, 4))).containsExactly("onnx-binary");
    }

    // ------------------------------------------------------------------ Equal, Less, Greater, Where

    @Test
    void whereOfAComputedCondition() {
        // relu(x) == 0 exactly where x <= 0: there 2x, elsewhere x * x
        Onnx.ModelProto m = Graphs.of(13, 2, 5)
                .node("Relu", "relu", List.of("x"), List.of("r"))
                .node("Equal", "eq", List.of("r", "zero"), List.of("c"))
                .node("Add", "twice", List.of("x", "x"), List.of("a"))
                .node("Mul", "square", List.of("x", "x"), List.of("b"))
                .node("Where", "where", List.of("c", "a", "b"), List.of("y"))
                .floats("zero", new float[] {0}).build();
        assertThat(check("where_computed", m, input(23, 3, 2, 5))).contains("onnx-compare", "onnx-where");
    }

    @Test
    void whereWithAConstantCausalMaskAndMinusInfinity() {
        // scores.masked_fill(~causal, -inf).softmax(-1): the fill value stays infinite
        long[] tri = {1, 0, 0, 1, 1, 0, 1, 1, 1};
        Onnx.ModelProto m = Graphs.of(13, 3, 3)
                .node("Equal", "causal", List.of("tri", "one"), List.of("mask"))
                .node("Where", "fill", List.of("mask", "x", "minf"), List.of("s"))
                .node("Softmax", "softmax", List.of("s"), List.of("y"), "axis", -1L)
                .longs("tri", tri, 3, 3).longs("one", new long[] {1}).floats("minf", new float[] {Float.NEGATIVE_INFINITY}).build();
        assertThat(check("where_causal", m, input(24, 2, 3, 3))).containsExactly("onnx-where", "softmax");
        OnnxImporter.Imported imported = importGraph(m);
        assertThat(imported.params().values().stream().anyMatch(a -> a.isInfinite().any())).isTrue();
    }

    @Test
    void whereOfAComputedConditionWithAnInfiniteConstant() {
        // x > 0.5 ? -inf : x, then softmax; every row of this input keeps a value <= 0.5
        Onnx.ModelProto m = Graphs.of(13, 4)
                .node("Greater", "gt", List.of("x", "half"), List.of("c"))
                .node("Where", "fill", List.of("c", "minf", "x"), List.of("s"))
                .node("Softmax", "softmax", List.of("s"), List.of("y"), "axis", -1L)
                .floats("half", new float[] {0.5f}).floats("minf", new float[] {Float.NEGATIVE_INFINITY}).build();
        INDArray x = Nd4j.createFromArray(new float[][] {{0.9f, 0.1f, -0.3f, 0.7f}, {0.2f, 0.6f, 0.6f, 0.8f}, {-1, -2, -3, 0.4f}});
        check("where_computed_inf", m, x);
    }

    @Test
    void comparisonsCastToFloat() {
        Onnx.ModelProto m = Graphs.of(13, 6)
                .node("Less", "lt", List.of("x", "lo"), List.of("l"))
                .node("Greater", "gt", List.of("hi", "x"), List.of("g"))
                .node("Cast", "cl", List.of("l"), List.of("lf"), "to", 1L)
                .node("Cast", "cg", List.of("g"), List.of("gf"), "to", 1L)
                .node("Add", "add", List.of("lf", "gf"), List.of("y"))
                .floats("lo", new float[] {-0.2f}).floats("hi", values(25, 6), 6).build();
        check("comparisons", m, input(26, 4, 6));
    }

    @Test
    void equalAndWhereOnConstantsFoldIntoAShape() {
        // the Expand target of PyTorch's expand(-1, 3, 4): where(shape == -1, [1, 3, 1], shape)
        Onnx.ModelProto m = Graphs.of(13, 3, 1)
                .node("Equal", "eq", List.of("shape", "minus1"), List.of("c"))
                .node("Where", "where", List.of("c", "ones", "shape"), List.of("t"))
                .node("Expand", "expand", List.of("x", "t"), List.of("y"))
                .longs("shape", new long[] {1, -1, 4}, 3).longs("minus1", new long[] {-1}).longs("ones", new long[] {1, 3, 1}, 3).build();
        assertThat(check("where_const", m, input(27, 2, 3, 1))).containsExactly("onnx-expand");
    }

    // ------------------------------------------------------------------ Resize, Upsample

    static Graphs resize(int opset, long[] shape, String mode, String coordinates, String rounding, boolean sizes, float... factors) {
        Graphs g = Graphs.of(opset, shape);
        String[] attrs = coordinates == null ? new String[0] : new String[] {"coordinate_transformation_mode", coordinates};
        // opsets 11 and 12 need roi and scales as inputs, empty when unused
        List<String> in = opset < 11 ? List.of("x", "scales") : sizes ? (opset < 13 ? List.of("x", "roi", "none", "sizes") : List.of("x", "", "", "sizes"))
                : List.of("x", "", "scales");
        Object[] a = new Object[2 + attrs.length + (rounding == null ? 0 : 2)];
        a[0] = "mode";
        a[1] = mode;
        int k = 2;
        for (String s : attrs) {
            a[k++] = s;
        }
        if (rounding != null) {
            a[k++] = "nearest_mode";
            a[k] = rounding;
        }
        g.node("Resize", "resize", in, List.of("y"), a);
        if (!sizes) {
            g.floats("scales", factors, factors.length);
        } else if (opset < 13) {
            g.floats("roi", new float[0], 0).floats("none", new float[0], 0);
        }
        return g;
    }

    @Test
    void resizeNearestAsPyTorchExportsIt() {
        Onnx.ModelProto m = resize(13, new long[] {2, 3, 4}, "nearest", "asymmetric", "floor", false, 1, 1, 2, 2).build();
        assertThat(check("resize_nearest", m, input(28, 2, 2, 3, 4))).containsExactly("onnx-resize");
        Onnx.ModelProto odd = resize(13, new long[] {2, 3, 4}, "nearest", "asymmetric", "floor", false, 1, 1, 2.5f, 1.5f).build();
        check("resize_nearest_odd", odd, input(29, 2, 2, 3, 4));
    }

    @Test
    void resizeLinearPyTorchHalfPixelUpAndDown() {
        Onnx.ModelProto up = resize(13, new long[] {2, 3, 4}, "linear", "pytorch_half_pixel", null, false, 1, 1, 2, 1.5f).build();
        check("resize_bilinear", up, input(30, 2, 2, 3, 4));
        Onnx.ModelProto down = resize(13, new long[] {2, 6, 8}, "linear", "half_pixel", null, false, 1, 1, 0.5f, 0.75f).build();
        check("resize_bilinear_down", down, input(31, 2, 2, 6, 8));
        Onnx.ModelProto line = resize(13, new long[] {3, 5}, "linear", "pytorch_half_pixel", null, false, 1, 1, 1.6f).build();
        check("resize_linear_1d", line, input(32, 2, 3, 5));
    }

    @Test
    void resizeWithSizesFromShapeAlignCornersAndRoundPreferCeil() {
        for (String[] mc : new String[][] {{"linear", "align_corners", null}, {"nearest", "half_pixel", "round_prefer_ceil"},
                {"nearest", "align_corners", "round_prefer_floor"}, {"nearest", "pytorch_half_pixel", "ceil"}}) {
            Graphs g = resize(11, new long[] {2, 3, 4}, mc[0], mc[1], mc[2], true);
            // sizes = [batch, channels] from Shape + [7, 6]
            g.node("Shape", "shape", List.of("x"), List.of("s"))
                    .node("Slice", "head", List.of("s", "zero", "two"), List.of("nc"))
                    .node("Concat", "sizes", List.of("nc", "hw"), List.of("sizes"), "axis", 0L)
                    .longs("zero", new long[] {0}, 1).longs("two", new long[] {2}, 1).longs("hw", new long[] {7, 6}, 2);
            Onnx.ModelProto built = g.build();
            // the Resize node must come after the nodes computing its sizes
            Onnx.GraphProto.Builder gb = built.getGraph().toBuilder();
            Onnx.NodeProto first = gb.getNode(0);
            gb.removeNode(0).addNode(first);
            check("resize_sizes_" + mc[0] + "_" + mc[1], built.toBuilder().setGraph(gb).build(), input(33, 2, 2, 3, 4));
        }
    }

    @Test
    void resizeOpset10AndUpsample() {
        check("resize10_up", resize(10, new long[] {2, 3, 4}, "nearest", null, null, false, 1, 1, 2, 3).build(), input(34, 2, 2, 3, 4));
        check("resize10_down", resize(10, new long[] {2, 6, 6}, "nearest", null, null, false, 1, 1, 0.5f, 0.6f).build(), input(35, 2, 2, 6, 6));
        check("resize10_linear", resize(10, new long[] {2, 3, 4}, "linear", null, null, false, 1, 1, 2, 1.5f).build(), input(36, 2, 2, 3, 4));
        Onnx.ModelProto up9 = Graphs.of(9, 2, 3, 4)
                .node("Upsample", "up", List.of("x", "scales"), List.of("y"), "mode", "nearest")
                .floats("scales", new float[] {1, 1, 2, 2}, 4).build();
        assertThat(check("upsample9", up9, input(37, 2, 2, 3, 4))).containsExactly("onnx-resize");
        Onnx.ModelProto up7 = Graphs.of(7, 2, 3, 4)
                .node("Upsample", "up", List.of("x"), List.of("y"), "mode", "linear", "scales", new float[] {1, 1, 2, 2}).build();
        check("upsample7", up7, input(38, 2, 2, 3, 4));
    }

    @Test
    void resizeRefusals() {
        Onnx.ModelProto cubic = resize(13, new long[] {2, 3, 4}, "cubic", null, null, false, 1, 1, 2, 2).build();
        assertThatThrownBy(() -> importGraph(cubic)).hasMessageContaining("resize").hasMessageContaining("mode 'cubic'")
                .hasMessageContaining("nearest and linear");
        Onnx.ModelProto crop = resize(13, new long[] {2, 3, 4}, "linear", "tf_crop_and_resize", null, false, 1, 1, 2, 2).build();
        assertThatThrownBy(() -> importGraph(crop)).hasMessageContaining("'tf_crop_and_resize'")
                .hasMessageContaining("asymmetric, half_pixel, pytorch_half_pixel and align_corners");
        Onnx.ModelProto batch = resize(13, new long[] {2, 3, 4}, "nearest", null, null, false, 2, 1, 1, 1).build();
        assertThatThrownBy(() -> importGraph(batch)).hasMessageContaining("batch axis");
    }
}
