package dev.graft.onnx.export;

import dev.graft.api.PluginKind;
import dev.graft.runtime.TrainedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static dev.graft.onnx.export.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every built-in layer exporter: a small model with that layer (randomly initialised, trained a few
 * steps where the layer keeps running statistics) is exported, run by ONNX Runtime on random input,
 * and compared with the native {@code predict}. The options of each layer that change the ONNX
 * written (padding, stride, dilation, groups, bias, axes, opset forms) get cases of their own. With
 * the environment variable {@code GRAFT_EXPORT_DUMP_DIR} set, every exported file is kept there for
 * {@code tools/onnx-export/check_exports.py}.
 */
class LayerExportersTest {
    @TempDir
    Path tmp;

    private static Map<String, Object> m(Object... kv) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put((String) kv[i], kv[i + 1]);
        }
        return out;
    }

    private static Arguments c(String label, int opset, Supplier<Fixtures.Spec> spec) {
        return Arguments.of(label, opset, spec);
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        // dense
        all.add(c("dense", 17, () -> spec("dense", 6).node("fc", "dense", m("units", 4))));
        all.add(c("dense without bias", 17, () -> spec("dense", 6).node("fc", "dense", m("units", 3, "use-bias", false))));
        // convolutions
        all.add(c("conv2d valid", 17, () -> spec("conv", 3, 7, 7).node("conv", "conv2d", m("filters", 4, "kernel", 3))));
        all.add(c("conv2d same stride 2", 17, () -> spec("conv", 3, 8, 7)
                .node("conv", "conv2d", m("filters", 5, "kernel", List.of(3, 2), "stride", 2, "padding", "same"))));
        all.add(c("conv2d dilation, explicit padding, no bias", 17, () -> spec("conv", 2, 9, 9)
                .node("conv", "conv2d", m("filters", 3, "kernel", 3, "dilation", List.of(2, 1), "padding", List.of(1, 2), "use-bias", false))));
        all.add(c("conv2d groups 2", 17, () -> spec("conv", 4, 6, 6).node("conv", "conv2d", m("filters", 6, "kernel", 3, "groups", 2))));
        all.add(c("conv2d depthwise", 17, () -> spec("conv", 3, 6, 6)
                .node("conv", "conv2d", m("filters", 6, "kernel", 3, "groups", 3, "padding", "same"))));
        all.add(c("conv1d same, stride, dilation, groups", 17, () -> spec("conv", 4, 11)
                .node("conv", "conv1d", m("filters", 6, "kernel", 3, "stride", 2, "padding", "same", "dilation", 2, "groups", 2))));
        all.add(c("conv1d padding 1", 17, () -> spec("conv", 2, 8).node("conv", "conv1d", m("filters", 3, "kernel", 3, "padding", "1"))));
        // pooling
        all.add(c("max-pool2d", 17, () -> spec("pool", 2, 6, 6).node("pool", "max-pool2d", m("kernel", 2))));
        all.add(c("max-pool2d same stride 2", 17, () -> spec("pool", 2, 7, 5)
                .node("pool", "max-pool2d", m("kernel", 3, "stride", 2, "padding", "same"))));
        all.add(c("max-pool2d padding 1", 17, () -> spec("pool", 2, 6, 6)
                .node("pool", "max-pool2d", m("kernel", 3, "stride", 1, "padding", 1)).values(Fixtures.uniform(-3, -1))));
        all.add(c("avg-pool2d padding counts", 17, () -> spec("pool", 2, 6, 6)
                .node("pool", "avg-pool2d", m("kernel", 3, "stride", 1, "padding", 1))));
        all.add(c("avg-pool2d same", 17, () -> spec("pool", 2, 7, 7).node("pool", "avg-pool2d", m("kernel", List.of(2, 3), "padding", "same"))));
        all.add(c("max-pool1d", 17, () -> spec("pool", 3, 9).node("pool", "max-pool1d", m("kernel", 3, "stride", 2, "padding", "1"))));
        all.add(c("avg-pool1d", 17, () -> spec("pool", 3, 9).node("pool", "avg-pool1d", m("kernel", 2, "padding", "1"))));
        all.add(c("avg-pool1d same", 17, () -> spec("pool", 3, 9).node("pool", "avg-pool1d", m("kernel", 3, "stride", 2, "padding", "same"))));
        all.add(c("global-avg-pool images", 17, () -> spec("gap", 4, 3, 5).node("gap", "global-avg-pool")));
        all.add(c("global-avg-pool sequences", 17, () -> spec("gap", 4, 7).node("gap", "global-avg-pool")));
        // normalisation (trained, so the running statistics are not the initial 0 and 1)
        all.add(c("batch-norm features", 17, () -> spec("bn", 5).values(Fixtures.uniform(1, 4)).node("bn", "batch-norm").train(6)));
        all.add(c("batch-norm images", 17, () -> spec("bn", 3, 4, 4).values(Fixtures.uniform(-2, 5))
                .node("bn", "batch-norm", m("momentum", 0.3, "eps", 1e-3)).train(5)));
        all.add(c("batch-norm sequences, no affine", 17, () -> spec("bn", 3, 6).values(Fixtures.uniform(2, 3))
                .node("fc", "onnx-matmul", m("units", 6)).node("bn", "batch-norm", m("affine", false)).train(5)));
        for (int opset : new int[] {13, 17, 18}) {
            all.add(c("layer-norm", opset, () -> spec("ln", 4, 6).node("fc", "onnx-matmul", m("units", 5)).node("ln", "layer-norm").train(3)));
            all.add(c("layer-norm 2 axes, no affine", opset, () -> spec("ln", 3, 4, 5)
                    .node("ln", "layer-norm", m("axes", 2, "eps", 1e-3, "elementwise-affine", false))));
        }
        // structure
        all.add(c("dropout", 17, () -> spec("drop", 5).node("fc", "dense", m("units", 4)).node("drop", "dropout", m("rate", 0.4))));
        all.add(c("dropout as the output of the input", 17, () -> spec("drop", 5).node("drop", "dropout", m("rate", 0.4))));
        all.add(c("flatten", 17, () -> spec("flat", 2, 3, 4).node("flat", "flatten")));
        all.add(c("flatten of a flat input", 17, () -> spec("flat", 6).node("fc", "dense", m("units", 3)).node("flat", "flatten")));
        all.add(c("reshape", 17, () -> spec("reshape", 12).node("r", "reshape", m("shape", List.of(3, -1))).node("t", "tanh")));
        all.add(c("add", 17, () -> spec("add", 2, 5).node("a", "relu").node("b", "tanh", Map.of(), "input")
                .node("sum", "add", Map.of(), "a", "b", "input")));
        all.add(c("concat axis 0", 17, () -> spec("cat", 2, 5).node("a", "relu").node("cat", "concat", Map.of(), "a", "input")));
        all.add(c("concat axis -1", 17, () -> spec("cat", 2, 5).node("a", "onnx-matmul", m("units", 3))
                .node("cat", "concat", m("axis", -1), "input", "a")));
        all.add(c("embedding", 17, () -> spec("emb", 6).values((shape, rng) -> Fixtures.fill(shape, rng,
                r -> new double[] {0, 1, 2.5, 3, 6, 7, -1, -0.5, 4.4, 5.5, 0.49, 3.6}[r.nextInt(12)]))
                .node("emb", "embedding", m("vocab-size", 7, "dim", 3))));
        all.add(c("lstm sequences", 17, () -> spec("lstm", 5, 3).node("lstm", "lstm", m("units", 4))));
        all.add(c("lstm last step", 17, () -> spec("lstm", 4, 3).node("lstm", "lstm", m("units", 3, "return-sequences", false))));
        all.add(c("lstm one unit", 17, () -> spec("lstm", 4, 2).node("lstm", "lstm", m("units", 1))));
        // activations
        all.add(c("relu", 17, () -> spec("act", 3, 4).node("a", "relu")));
        all.add(c("leaky-relu", 17, () -> spec("act", 7).node("a", "leaky-relu", m("alpha", 0.2))));
        all.add(c("elu", 17, () -> spec("act", 7).node("a", "elu", m("alpha", 0.7))));
        all.add(c("gelu", 17, () -> spec("act", 2, 5).values(Fixtures.uniform(-4, 4)).node("a", "gelu")));
        all.add(c("gelu tanh", 17, () -> spec("act", 2, 5).values(Fixtures.uniform(-4, 4)).node("a", "gelu", m("approximate", "tanh"))));
        all.add(c("silu", 17, () -> spec("act", 9).node("a", "silu")));
        all.add(c("sigmoid", 17, () -> spec("act", 9).node("a", "sigmoid")));
        all.add(c("tanh", 17, () -> spec("act", 9).node("a", "tanh")));
        all.add(c("softmax", 17, () -> spec("act", 3, 5).node("a", "softmax")));
        all.add(c("log-softmax", 17, () -> spec("act", 3, 5).node("a", "log-softmax")));
        // the onnx-* layers of the importer
        for (String op : List.of("add", "sub", "mul", "div", "pow")) {
            all.add(c("onnx-binary " + op + " with a constant", 17, () -> spec("bin", 3, 2, 2).values(Fixtures.uniform(0.5, 1.5))
                    .node("b", "onnx-binary", m("op", op, "constant-shape", List.of(3, 1, 1))).train(2)));
            all.add(c("onnx-binary " + op + " constant first, broadcasting up", 17, () -> spec("bin", 1, 4)
                    .values(Fixtures.uniform(0.5, 1.5)).node("b", "onnx-binary", m("op", op, "constant-shape", List.of(2, 4), "constant-first", true))
                    .train(2)));
            all.add(c("onnx-binary " + op + " of two inputs", 17, () -> spec("bin", 3, 1).values(Fixtures.uniform(0.5, 1.5))
                    .node("s", "sigmoid").node("t", "onnx-transpose", m("perm", List.of(1, 0)), "input")
                    .node("b", "onnx-binary", m("op", op), "s", "t")));
        }
        for (String fn : List.of("sqrt", "exp", "log", "neg", "abs", "reciprocal", "erf", "softplus", "softsign", "hard-sigmoid",
                "hard-swish")) {
            all.add(c("onnx-unary " + fn, 17, () -> spec("un", 2, 6).values(fn.equals("sqrt") || fn.equals("log") || fn.equals("reciprocal")
                    ? Fixtures.uniform(0.2, 3) : Fixtures.uniform(-5, 5)).node("u", "onnx-unary", m("op", fn))));
        }
        all.add(c("onnx-unary hard-swish", 13, () -> spec("un", 12).values(Fixtures.uniform(-5, 5)).node("u", "onnx-unary", m("op", "hard-swish"))));
        all.add(c("onnx-unary hard-sigmoid alpha beta", 17, () -> spec("un", 12).values(Fixtures.uniform(-5, 5))
                .node("u", "onnx-unary", m("op", "hard-sigmoid", "alpha", 0.3, "beta", 0.4))));
        all.add(c("onnx-unary clip", 17, () -> spec("un", 12).node("u", "onnx-unary", m("op", "clip", "min", -0.5, "max", 0.7))));
        all.add(c("onnx-unary clip min only", 17, () -> spec("un", 12).node("u", "onnx-unary", m("op", "clip", "min", -0.5))));
        all.add(c("onnx-unary clip max only", 17, () -> spec("un", 12).node("u", "onnx-unary", m("op", "clip", "max", 0.2))));
        all.add(c("onnx-transpose", 17, () -> spec("tr", 2, 3, 4).node("t", "onnx-transpose", m("perm", List.of(2, 0, 1)))));
        all.add(c("onnx-pad", 17, () -> spec("pad", 2, 3, 3).node("p", "onnx-pad", m("pads", List.of(0, 1, 0, 1, 2, 3), "value", 0.5))));
        all.add(c("onnx-slice", 17, () -> spec("sl", 4, 9).node("s", "onnx-slice", m("axes", List.of(1, 0), "starts", List.of(1, 1),
                "ends", List.of(8, 3), "steps", List.of(3, 1)))));
        all.add(c("onnx-prelu", 17, () -> spec("pr", 3, 2, 2).node("p", "onnx-prelu", m("slope-shape", List.of(3, 1, 1))).train(2)));
        for (String op : List.of("max", "min", "sum", "mean")) {
            all.add(c("onnx-nary " + op, 17, () -> spec("nary", 2, 3).node("a", "tanh").node("b", "onnx-reduce", m("op", "mean", "axes", List.of(1)), "input")
                    .node("n", "onnx-nary", m("op", op), "a", "b", "input")));
        }
        all.add(c("onnx-nary of one input", 17, () -> spec("nary", 5).node("n", "onnx-nary", m("op", "max"))));
        for (String op : List.of("mean", "sum", "max", "min", "sum-square", "l2")) {
            for (int opset : new int[] {13, 18}) {
                all.add(c("onnx-reduce " + op, opset, () -> spec("red", 2, 3, 4).node("r", "onnx-reduce", m("op", op, "axes", List.of(0, 2)))));
            }
            all.add(c("onnx-reduce " + op + " without keepdims", 17, () -> spec("red", 2, 3, 4)
                    .node("r", "onnx-reduce", m("op", op, "axes", List.of(1), "keepdims", false))));
        }
        all.add(c("onnx-matmul units", 17, () -> spec("mm", 3, 4).node("mm", "onnx-matmul", m("units", 5))));
        all.add(c("onnx-matmul units and bias", 17, () -> spec("mm", 2, 3, 4).node("mm", "onnx-matmul", m("units", 2, "use-bias", true)).train(2)));
        all.add(c("onnx-matmul of two inputs", 17, () -> spec("mm", 3, 4).node("t", "onnx-transpose", m("perm", List.of(1, 0)))
                .node("mm", "onnx-matmul", Map.of(), "input", "t")));
        // transposed convolutions
        all.add(c("onnx-conv-transpose 2-D", 17, () -> spec("ct", 3, 4, 5)
                .node("ct", "onnx-conv-transpose", m("filters", 4, "kernel", List.of(3, 3))).train(2)));
        all.add(c("onnx-conv-transpose 2-D stride, pads, output padding, dilation", 17, () -> spec("ct", 2, 4, 3)
                .node("ct", "onnx-conv-transpose", m("filters", 3, "kernel", List.of(3, 2), "stride", List.of(2, 3), "dilation", List.of(1, 2),
                        "pads", List.of(1, 0, 2, 1), "output-padding", List.of(1, 1))).train(2)));
        all.add(c("onnx-conv-transpose 2-D groups 2, no bias", 17, () -> spec("ct", 4, 5, 5)
                .node("ct", "onnx-conv-transpose", m("filters", 6, "kernel", List.of(2, 3), "stride", List.of(2, 1), "groups", 2,
                        "use-bias", false))));
        all.add(c("onnx-conv-transpose 1-D", 13, () -> spec("ct", 3, 7)
                .node("ct", "onnx-conv-transpose", m("filters", 2, "kernel", List.of(3), "stride", List.of(3), "dilation", List.of(2),
                        "pads", List.of(2, 1), "output-padding", List.of(2))).train(2)));
        all.add(c("onnx-conv-transpose 1-D groups 3", 17, () -> spec("ct", 3, 6)
                .node("ct", "onnx-conv-transpose", m("filters", 3, "kernel", List.of(4), "stride", List.of(2), "pads", List.of(1, 1),
                        "groups", 3)).train(2)));
        // expand
        all.add(c("onnx-expand to more axes", 17, () -> spec("ex", 3, 1).node("e", "onnx-expand", m("shape", List.of(2, 3, 4)))));
        all.add(c("onnx-expand same rank", 13, () -> spec("ex", 1, 4).node("e", "onnx-expand", m("shape", List.of(3, 4)))));
        all.add(c("onnx-expand adding a unit axis only", 17, () -> spec("ex", 5).node("e", "onnx-expand", m("shape", List.of(1, 5)))
                .node("t", "tanh")));
        // comparisons (inputs from a few values, so that equal elements occur)
        for (String op : List.of("equal", "less", "greater")) {
            all.add(c("onnx-compare " + op + " of two inputs", 17, () -> spec("cmp", 3, 3).values(Fixtures.choice(-1, 0, 0.5, 2))
                    .node("t", "onnx-transpose", m("perm", List.of(1, 0))).node("cmp", "onnx-compare", m("op", op), "input", "t")));
            all.add(c("onnx-compare " + op + " with a constant", 17, () -> spec("cmp", 2, 3).values(Fixtures.choice(-0.5, 0, 0.5, 1))
                    .node("cmp", "onnx-compare", m("op", op, "constant-shape", List.of(3))).param("cmp.c", new long[] {3}, -0.5, 0, 0.5)));
            all.add(c("onnx-compare " + op + " constant first, broadcasting up", 17, () -> spec("cmp", 1, 3).values(Fixtures.choice(-0.5, 0, 0.5))
                    .node("cmp", "onnx-compare", m("op", op, "constant-shape", List.of(2, 1), "constant-first", true))
                    .param("cmp.c", new long[] {2, 1}, 0, 0.5)));
        }
        // where
        all.add(c("onnx-where of three inputs, the condition any value", 17, () -> spec("wh", 2, 4).values(Fixtures.choice(0, 1.5, -2, 0.25))
                .node("a", "tanh").node("b", "sigmoid", Map.of(), "input").node("w", "onnx-where", Map.of(), "input", "a", "b")));
        all.add(c("onnx-where of a comparison", 17, () -> spec("wh", 2, 4).node("gt", "onnx-compare", m("op", "greater", "constant-shape", List.of(1)))
                .param("gt.c", new long[] {1}, 0.3).node("a", "onnx-unary", m("op", "exp"), "input")
                .node("w", "onnx-where", m("y-shape", List.of(4)), "gt", "a").param("w.y", new long[] {4}, -1, -2, -3, -4)));
        all.add(c("onnx-where fixed 0 / 1 condition and y", 17, () -> spec("wh", 1, 3)
                .node("w", "onnx-where", m("condition-shape", List.of(3), "y-shape", List.of(2, 1)))
                .param("w.condition", new long[] {3}, 1, 0, 1).param("w.y", new long[] {2, 1}, -1, 2)));
        all.add(c("onnx-where fixed blending condition", 17, () -> spec("wh", 2, 3).node("a", "tanh")
                .node("w", "onnx-where", m("condition-shape", List.of(2, 3)), "input", "a")
                .param("w.condition", new long[] {2, 3}, 0.25, 1, 0, -0.5, 0.75, 2)));
        all.add(c("onnx-where fixed x", 13, () -> spec("wh", 3, 2).node("w", "onnx-where", m("x-shape", List.of(1)), "input", "input")
                .param("w.x", new long[] {1}, 5)));
        // resize: nearest in every rounding, linear in every coordinate transformation, by scales, by sizes, and as matrices
        all.add(c("onnx-resize nearest half-pixel", 17, () -> spec("rs", 2, 3, 4).node("r", "onnx-resize",
                m("sizes", List.of(2, 6, 8), "scales", List.of(1, 2, 2)))));
        all.add(c("onnx-resize nearest asymmetric simple, shrinking", 17, () -> spec("rs", 2, 7, 9).node("r", "onnx-resize",
                m("sizes", List.of(2, 3, 4), "scales", List.of(1, 0.5, 0.5), "coordinate-transformation", "asymmetric", "nearest-mode", "simple"))));
        all.add(c("onnx-resize nearest asymmetric simple, growing", 13, () -> spec("rs", 2, 3, 3).node("r", "onnx-resize",
                m("sizes", List.of(2, 7, 9), "scales", List.of(1, 2.5, 3), "coordinate-transformation", "asymmetric", "nearest-mode", "simple"))));
        all.add(c("onnx-resize nearest simple, growing and shrinking", 17, () -> spec("rs", 2, 3, 9).node("r", "onnx-resize",
                m("sizes", List.of(2, 6, 4), "scales", List.of(1, 2, 0.5), "coordinate-transformation", "asymmetric", "nearest-mode", "simple"))));
        all.add(c("onnx-resize nearest align-corners round-prefer-ceil", 17, () -> spec("rs", 3, 5).node("r", "onnx-resize",
                m("sizes", List.of(3, 9), "scales", List.of(1, 1.8), "coordinate-transformation", "align-corners", "nearest-mode", "round-prefer-ceil"))));
        all.add(c("onnx-resize nearest pytorch-half-pixel floor", 18, () -> spec("rs", 2, 5, 4).node("r", "onnx-resize",
                m("sizes", List.of(2, 3, 10), "scales", List.of(1, 0.6, 2.5), "coordinate-transformation", "pytorch-half-pixel",
                        "nearest-mode", "floor"))));
        all.add(c("onnx-resize nearest half-pixel ceil, by sizes", 17, () -> spec("rs", 11, 2).node("r", "onnx-resize",
                m("sizes", List.of(13, 2), "scales", List.of((double) (13f / 11f), 1), "nearest-mode", "ceil"))));
        all.add(c("onnx-resize nearest of the first axis", 17, () -> spec("rs", 2, 3, 2).node("r", "onnx-resize",
                m("sizes", List.of(4, 3, 2), "scales", List.of(2, 1, 1)))));
        all.add(c("onnx-resize linear half-pixel images", 17, () -> spec("rs", 2, 3, 4).node("r", "onnx-resize",
                m("sizes", List.of(2, 5, 7), "scales", List.of(1, (double) (5f / 3f), 1.75), "mode", "linear"))));
        all.add(c("onnx-resize linear half-pixel by sizes", 13, () -> spec("rs", 2, 11, 3).node("r", "onnx-resize",
                m("sizes", List.of(2, 13, 6), "scales", List.of(1, (double) (13f / 11f), 2), "mode", "linear"))));
        all.add(c("onnx-resize linear align-corners vectors", 17, () -> spec("rs", 5).node("r", "onnx-resize",
                m("sizes", List.of(9), "scales", List.of(1.8), "mode", "linear", "coordinate-transformation", "align-corners"))));
        all.add(c("onnx-resize linear pytorch-half-pixel sequences", 17, () -> spec("rs", 3, 6).node("r", "onnx-resize",
                m("sizes", List.of(3, 3), "scales", List.of(1, 0.5), "mode", "linear", "coordinate-transformation", "pytorch-half-pixel"))));
        all.add(c("onnx-resize linear asymmetric sequences, both axes", 17, () -> spec("rs", 3, 4).node("r", "onnx-resize",
                m("sizes", List.of(6, 8), "scales", List.of(2, 2), "mode", "linear", "coordinate-transformation", "asymmetric"))));
        all.add(c("onnx-resize linear of the channels and rows of images", 17, () -> spec("rs", 3, 2, 4).node("r", "onnx-resize",
                m("sizes", List.of(5, 3, 4), "scales", List.of((double) (5f / 3f), 1.5, 1), "mode", "linear",
                        "coordinate-transformation", "align-corners"))));
        all.add(c("onnx-resize linear of the channels and columns of images, as matrices", 17, () -> spec("rs", 3, 2, 4).node("r", "onnx-resize",
                m("sizes", List.of(6, 2, 8), "scales", List.of(2, 1, 2), "mode", "linear"))));
        all.add(c("onnx-resize linear volumes", 17, () -> spec("rs", 2, 2, 3, 3).node("r", "onnx-resize",
                m("sizes", List.of(2, 4, 6, 5), "scales", List.of(1, 2, 2, (double) (5f / 3f)), "mode", "linear"))));
        all.add(c("onnx-resize linear volumes of the channels, as matrices", 17, () -> spec("rs", 2, 2, 3, 3).node("r", "onnx-resize",
                m("sizes", List.of(3, 2, 6, 3), "scales", List.of(1.5, 1, 2, 1), "mode", "linear"))));
        all.add(c("onnx-resize linear of 5 axes, as matrices", 17, () -> spec("rs", 2, 1, 2, 3, 3).node("r", "onnx-resize",
                m("sizes", List.of(2, 1, 4, 6, 3), "scales", List.of(1, 1, 2, 2, 1), "mode", "linear"))));
        all.add(c("onnx-resize sizes and scales that ONNX cannot state, as matrices", 17, () -> spec("rs", 2, 4).node("r", "onnx-resize",
                m("sizes", List.of(2, 8), "scales", List.of(1, 3), "mode", "linear", "coordinate-transformation", "asymmetric"))));
        all.add(c("opset 21", 21, () -> spec("new", 3, 6, 6).node("conv", "conv2d", m("filters", 2, "kernel", 3)).node("ln", "layer-norm")
                .node("r", "onnx-reduce", m("op", "l2", "axes", List.of(2)))));
        return all.stream();
    }

    @ParameterizedTest(name = "{0} (opset {1})")
    @MethodSource("cases")
    void onnxRuntimeAgreesWithNativePredict(String label, int opset, Supplier<Fixtures.Spec> make) {
        Fixtures.Spec spec = make.get();
        TrainedModel model = spec.build(11);
        Path file = tmp.resolve("model.onnx");
        OnnxExport.Result r = OnnxExport.export(model, Fixtures.graft().plugins(), file, OnnxExport.Options.DEFAULT.withOpset(opset));
        assertThat(r.opset()).isEqualTo(opset);
        String dump = System.getenv("GRAFT_EXPORT_DUMP_DIR");
        if (dump != null && !dump.isBlank()) {
            // for tools/onnx-export/check_exports.py (the ONNX checker over every case)
            try {
                java.nio.file.Files.createDirectories(Path.of(dump));
                java.nio.file.Files.copy(file, Path.of(dump, label.replaceAll("[^A-Za-z0-9]+", "_") + "_op" + opset + ".onnx"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        Map<String, INDArray> in = spec.inputs(5, 3);
        INDArray expected = Fixtures.nativePredict(model, in);
        INDArray actual = Fixtures.ort(file, in);
        assertThat(Fixtures.maxDiff(actual, expected)).as(label).isLessThan(1e-4);
        assertThat(expected.amaxNumber().doubleValue()).as(label + ": a non-trivial output").isGreaterThan(1e-3);
    }

    @Test
    void servicesFilesListWellFormedExporters() {
        assertThat(dev.graft.testkit.ProviderContract.checkServices(OnnxLayerExporter.class)).hasSize(51);
        assertThat(dev.graft.testkit.ProviderContract.checkServices(OnnxTransformExporter.class)).extracting(p -> p.id())
                .containsExactly("standardize", "min-max", "one-hot");
        assertThat(dev.graft.testkit.ProviderContract.checkServices(OnnxPredictionExporter.class)).hasSize(6);
    }

    /** Every layer the plugins and this module provide has an exporter, and a case above exercises it. */
    @Test
    void everyLayerHasAnExporterAndATest() {
        var registry = Fixtures.graft().plugins();
        Set<String> layers = new TreeSet<>(registry.providers(PluginKind.LAYER).keySet());
        assertThat(registry.providers(OnnxExport.LAYER_EXPORTERS).keySet()).containsAll(layers);
        Set<String> tested = new TreeSet<>();
        Stream.concat(cases(), MoreLayerExportersTest.cases())
                .forEach(a -> ((Fixtures.Spec) ((Supplier<?>) a.get()[2]).get()).nodes.forEach(n -> tested.add(n.plugin())));
        assertThat(tested).containsAll(layers);
        assertThat(registry.providers(OnnxExport.TRANSFORM_EXPORTERS).keySet())
                .containsAll(registry.providers(PluginKind.TRANSFORM).keySet());
        assertThat(registry.providers(OnnxExport.PREDICTION_EXPORTERS).keySet())
                .containsAll(registry.providers(PluginKind.LOSS).keySet());
    }
}
