package dev.graft.onnx.export;

import dev.graft.onnx.UnsupportedOpsException;
import dev.graft.onnx.imports.OnnxImporter;
import dev.graft.runtime.TrainedModel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static dev.graft.onnx.export.Fixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The exporters of the {@code onnx-*} layers of whole-tensor import and the later converters
 * ({@code onnx-reshape}, {@code onnx-fold-batch} / {@code onnx-unfold-batch}, {@code onnx-constant},
 * {@code onnx-reverse}, {@code onnx-conv2d}, {@code onnx-conv3d}, {@code onnx-pool},
 * {@code onnx-cumsum}, {@code onnx-arg}, {@code onnx-select}) and the newer functions of
 * {@code onnx-unary} and {@code onnx-reduce}, as {@link LayerExportersTest} does for the others: ONNX
 * Runtime on the export agrees with the native {@code predict} within 1e-4, and the export imported
 * again predicts the same within 1e-5 where the importer converts its ops.
 * {@link LayerExportersTest#everyLayerHasAnExporterAndATest()} counts these cases too.
 */
class MoreLayerExportersTest {
    @TempDir
    Path tmp;

    private static Map<String, Object> m(Object... kv) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put((String) kv[i], kv[i + 1]);
        }
        return out;
    }

    /** A case predicted on 5 examples. */
    private static Arguments c(String label, int opset, Supplier<Fixtures.Spec> spec) {
        return Arguments.of(label, opset, spec, 5);
    }

    /** A case predicted on {@code batch} examples ({@code onnx-conv2d} takes its weight in a batch of one). */
    private static Arguments c(String label, int opset, int batch, Supplier<Fixtures.Spec> spec) {
        return Arguments.of(label, opset, spec, batch);
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        // shapes and the batch
        all.add(c("onnx-reshape", 17, () -> spec("rs", 2, 6).node("r", "onnx-reshape", m("shape", List.of(3, 2, 2))).node("t", "tanh")));
        all.add(c("onnx-reshape to a scalar", 13, () -> spec("rs", 1, 1).node("r", "onnx-reshape", m("shape", List.of()))));
        all.add(c("onnx-fold-batch and onnx-unfold-batch around conv2d", 17, () -> spec("fold", 3, 2, 5, 5)
                .node("fold", "onnx-fold-batch").node("conv", "conv2d", m("filters", 2, "kernel", 3))
                .node("unfold", "onnx-unfold-batch", m("n", 3))));
        all.add(c("onnx-fold-batch and onnx-unfold-batch around batch-norm", 17, () -> spec("fold", 4, 3).values(Fixtures.uniform(1, 3))
                .node("fold", "onnx-fold-batch").node("bn", "batch-norm").node("unfold", "onnx-unfold-batch", m("n", 4)).train(3)));
        all.add(c("onnx-constant", 17, () -> spec("const", 4).node("k", "onnx-constant", m("shape", List.of(2, 3)))
                .param("k.value", new long[] {2, 3}, 1, -2, 3, 0.5, 0, -0.25)));
        all.add(c("onnx-constant, the input's NaN unused", 17, () -> spec("const", 2, 2).values(Fixtures.choice(Double.NaN, 1))
                .node("k", "onnx-constant", m("shape", List.of(1), "trainable", false)).param("k.value", new long[] {1}, 0.75)));
        all.add(c("onnx-reverse", 17, () -> spec("rev", 3, 4, 5).node("r", "onnx-reverse", m("axes", List.of(0, 2)))));
        all.add(c("onnx-reverse one axis", 13, () -> spec("rev", 6, 2).node("r", "onnx-reverse", m("axes", List.of(0)))));
        // convolutions and pooling
        all.add(c("onnx-conv2d weight and bias as inputs", 17, 1, () -> spec("conv", 3, 7, 6).extraInput("w", 4, 3, 3, 2).extraInput("b", 4)
                .node("conv", "onnx-conv2d", m("stride", List.of(2, 1), "dilation", List.of(1, 2), "padding", List.of(1, 0)), "input", "w", "b")));
        all.add(c("onnx-conv2d without bias", 17, 1, () -> spec("conv", 2, 5, 5).extraInput("w", 3, 2, 2, 2)
                .node("conv", "onnx-conv2d", m("stride", List.of(1, 1), "dilation", List.of(1, 1), "padding", List.of(0, 1)), "input", "w")));
        all.add(c("onnx-conv3d", 17, () -> spec("conv", 2, 4, 5, 5).node("conv", "onnx-conv3d", m("filters", 3, "kernel", List.of(2, 3, 3),
                "stride", List.of(1, 2, 1), "dilation", List.of(2, 1, 1), "padding", List.of(1, 0, 1))).train(2)));
        all.add(c("onnx-conv3d groups 2, no bias", 17, () -> spec("conv", 4, 3, 4, 4).node("conv", "onnx-conv3d", m("filters", 2,
                "kernel", List.of(1, 2, 2), "stride", List.of(1, 1, 1), "dilation", List.of(1, 1, 1), "padding", List.of(0, 0, 0),
                "groups", 2, "use-bias", false))));
        all.add(c("onnx-pool max 1-D", 17, () -> spec("pool", 2, 9).node("p", "onnx-pool", m("op", "max", "kernel", List.of(3),
                "strides", List.of(2), "dilations", List.of(1), "pads", List.of(1, 0)))));
        all.add(c("onnx-pool max 2-D dilated, padded", 17, () -> spec("pool", 2, 7, 8).values(Fixtures.uniform(-3, -1))
                .node("p", "onnx-pool", m("op", "max", "kernel", List.of(2, 3), "strides", List.of(1, 2), "dilations", List.of(2, 1),
                        "pads", List.of(1, 1, 0, 2)))));
        all.add(c("onnx-pool max 3-D", 17, () -> spec("pool", 2, 4, 5, 5).node("p", "onnx-pool", m("op", "max", "kernel", List.of(2, 2, 3),
                "strides", List.of(2, 1, 2), "dilations", List.of(1, 2, 1), "pads", List.of(0, 1, 1, 1, 0, 1)))));
        all.add(c("onnx-pool avg 2-D padded", 17, () -> spec("pool", 3, 6, 6).node("p", "onnx-pool", m("op", "avg", "kernel", List.of(3, 3),
                "strides", List.of(2, 1), "dilations", List.of(1, 1), "pads", List.of(1, 0, 1, 2)))));
        all.add(c("onnx-pool avg 3-D", 17, () -> spec("pool", 2, 4, 4, 5).node("p", "onnx-pool", m("op", "avg", "kernel", List.of(2, 2, 2),
                "strides", List.of(2, 2, 1), "dilations", List.of(1, 1, 1), "pads", List.of(0, 0, 1, 0, 0, 0)))));
        all.add(c("onnx-pool argmax 2-D dilated, padded", 17, () -> spec("pool", 2, 7, 8).values(Fixtures.uniform(-3, -1))
                .node("p", "onnx-pool", m("op", "argmax", "kernel", List.of(2, 3), "strides", List.of(1, 2), "dilations", List.of(2, 1),
                        "pads", List.of(1, 1, 0, 2)))));
        all.add(c("onnx-pool argmax 2-D column-major, ties", 17, () -> spec("pool", 3, 6, 5).values(Fixtures.choice(0, 1, 2))
                .node("p", "onnx-pool", m("op", "argmax", "kernel", List.of(3, 2), "strides", List.of(1, 1), "dilations", List.of(1, 1),
                        "pads", List.of(0, 0, 0, 0), "column-major", true))));
        all.add(c("onnx-pool argmax 1-D", 13, () -> spec("pool", 2, 9).node("p", "onnx-pool", m("op", "argmax", "kernel", List.of(3),
                "strides", List.of(2), "dilations", List.of(1), "pads", List.of(1, 1)))));
        all.add(c("onnx-pool argmax 3-D, row- and column-major", 17, () -> spec("pool", 2, 3, 4, 5)
                .node("row", "onnx-pool", m("op", "argmax", "kernel", List.of(2, 2, 2), "strides", List.of(1, 2, 2), "dilations", List.of(1, 1, 1),
                        "pads", List.of(0, 1, 0, 0, 0, 1)))
                .node("col", "onnx-pool", m("op", "argmax", "kernel", List.of(2, 2, 2), "strides", List.of(1, 2, 2), "dilations", List.of(1, 1, 1),
                        "pads", List.of(0, 1, 0, 0, 0, 1), "column-major", true), "input")
                .node("both", "concat", Map.of(), "row", "col")));
        for (int opset : new int[] {17, 19}) {
            all.add(c("onnx-pool avg 2-D dilated, padded", opset, () -> spec("pool", 2, 7, 7).node("p", "onnx-pool", m("op", "avg",
                    "kernel", List.of(3, 2), "strides", List.of(1, 2), "dilations", List.of(2, 3), "pads", List.of(1, 0, 2, 1)))));
        }
        // running sums, arg extremes, selections
        for (boolean exclusive : new boolean[] {false, true}) {
            for (boolean reverse : new boolean[] {false, true}) {
                all.add(c("onnx-cumsum" + (exclusive ? " exclusive" : "") + (reverse ? " reverse" : ""), 17, () -> spec("cs", 3, 5)
                        .node("s", "onnx-cumsum", m("axis", 1, "exclusive", exclusive, "reverse", reverse))));
            }
        }
        all.add(c("onnx-cumsum of the first axis", 13, () -> spec("cs", 4, 3, 2).node("s", "onnx-cumsum", m("axis", 0))));
        for (String op : List.of("max", "min")) {
            all.add(c("onnx-arg " + op, 17, () -> spec("arg", 3, 5).node("a", "onnx-arg", m("op", op, "axis", 1))));
            all.add(c("onnx-arg " + op + " without keepdims", 17, () -> spec("arg", 4, 3, 2).node("a", "onnx-arg", m("op", op, "axis", 0,
                    "keepdims", false))));
            all.add(c("onnx-arg " + op + " of ties, first and last index", 17, () -> spec("arg", 3, 6).values(Fixtures.choice(-1, 0, 1))
                    .node("first", "onnx-arg", m("op", op, "axis", 1)).node("last", "onnx-arg", m("op", op, "axis", 1, "select-last-index", true),
                            "input").node("both", "concat", m("axis", -1), "first", "last")));
        }
        all.add(c("onnx-select as a gather", 17, () -> spec("sel", 2, 3).node("s", "onnx-select", m("sources", List.of(5, 0, 3, 3),
                "targets", List.of(0, 1, 2, 3), "shape", List.of(2, 2)))));
        all.add(c("onnx-select with targets no pair names", 17, () -> spec("sel", 2, 3).node("s", "onnx-select", m("sources", List.of(1, 4),
                "targets", List.of(0, 3), "shape", List.of(2, 2)))));
        all.add(c("onnx-select adding up", 13, () -> spec("sel", 2, 3).node("s", "onnx-select", m("sources", List.of(0, 1, 2, 2),
                "targets", List.of(0, 0, 1, 1), "shape", List.of(3)))));
        all.add(c("onnx-select to a scalar", 17, () -> spec("sel", 2, 2).node("s", "onnx-select", m("sources", List.of(3),
                "targets", List.of(0), "shape", List.of()))));
        // the newer functions of onnx-unary and reductions of onnx-reduce
        Fixtures.Values wide = Fixtures.uniform(-3, 3);
        Map<String, Fixtures.Values> domains = Map.of("asin", Fixtures.uniform(-0.95, 0.95), "acos", Fixtures.uniform(-0.95, 0.95),
                "atanh", Fixtures.uniform(-0.95, 0.95), "acosh", Fixtures.uniform(1.05, 4), "tan", Fixtures.uniform(-1.4, 1.4),
                "round", Fixtures.choice(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.3, -0.7, 2.51), "not", Fixtures.choice(0, 1),
                "not-zero", Fixtures.choice(-2, 0, 0.5, 3), "trunc", Fixtures.uniform(-4, 4));
        for (String fn : List.of("trunc", "not-zero", "floor", "ceil", "round", "sign", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
                "cosh", "asinh", "acosh", "atanh", "selu", "celu", "thresholded-relu", "shrink", "not")) {
            all.add(c("onnx-unary " + fn, 17, () -> spec("un", 2, 6).values(domains.getOrDefault(fn, wide)).node("u", "onnx-unary", m("op", fn))));
        }
        all.add(c("onnx-unary selu alpha gamma", 17, () -> spec("un", 12).values(wide)
                .node("u", "onnx-unary", m("op", "selu", "alpha", 1.6732632423543772, "beta", 1.0507009873554805))));
        all.add(c("onnx-unary celu alpha", 17, () -> spec("un", 12).values(wide).node("u", "onnx-unary", m("op", "celu", "alpha", 1.5))));
        all.add(c("onnx-unary thresholded-relu alpha", 17, () -> spec("un", 12).values(wide)
                .node("u", "onnx-unary", m("op", "thresholded-relu", "alpha", 1.0))));
        all.add(c("onnx-unary shrink lambd bias", 17, () -> spec("un", 12).values(wide)
                .node("u", "onnx-unary", m("op", "shrink", "alpha", 1.2, "beta", 0.3))));
        for (String op : List.of("l1", "log-sum", "log-sum-exp", "prod")) {
            Fixtures.Values v = op.equals("log-sum") ? Fixtures.uniform(0.2, 2) : Fixtures.uniform(-2, 2);
            for (int opset : new int[] {13, 18}) {
                all.add(c("onnx-reduce " + op, opset, () -> spec("red", 2, 3, 4).values(v).node("r", "onnx-reduce", m("op", op, "axes", List.of(0, 2)))));
            }
            all.add(c("onnx-reduce " + op + " of every axis to a scalar", 17, () -> spec("red", 2, 3).values(v)
                    .node("r", "onnx-reduce", m("op", op, "axes", List.of(0, 1), "keepdims", false))));
        }
        return all.stream();
    }

    /**
     * Cases the importer rejects, with what its message says: examples reshaped to scalars import as
     * {@code reshape}, which needs a non-empty shape; a batch folded or a weight squeezed out of its
     * batch of one cannot be imported with the batch as the first axis (these layers come from graphs
     * imported whole); a constant expanded to the batch size is not imported, nor MaxPool's indices
     * (they count the batch). The round trip checks that the import fails this way (with one of the
     * messages separated by {@code |}), then skips.
     */
    private static final Map<String, String> IMPORT_REJECTS = Map.ofEntries(
            Map.entry("onnx-constant", "depends on the batch size"),
            Map.entry("onnx-constant, the input's NaN unused", "depends on the batch size"),
            Map.entry("onnx-reshape to a scalar", "shape must be a non-empty list"),
            Map.entry("onnx-select to a scalar", "shape must be a non-empty list"),
            Map.entry("onnx-fold-batch and onnx-unfold-batch around conv2d", "does not keep the batch axis|its batch axis is not first"),
            Map.entry("onnx-fold-batch and onnx-unfold-batch around batch-norm", "does not keep the batch axis|its batch axis is not first"),
            Map.entry("onnx-conv2d weight and bias as inputs", "remove the batch axis"),
            Map.entry("onnx-conv2d without bias", "remove the batch axis"),
            Map.entry("onnx-pool argmax 2-D dilated, padded", "whose values count the batch|no op converter handles"),
            Map.entry("onnx-pool argmax 2-D column-major, ties", "whose values count the batch|no op converter handles"),
            Map.entry("onnx-pool argmax 1-D", "whose values count the batch|no op converter handles"),
            Map.entry("onnx-pool argmax 3-D, row- and column-major", "whose values count the batch|no op converter handles"));

    @ParameterizedTest(name = "{0} (opset {1})")
    @MethodSource("cases")
    void onnxRuntimeAgreesWithNativePredict(String label, int opset, Supplier<Fixtures.Spec> make, int batch) {
        Fixtures.Spec spec = make.get();
        TrainedModel model = spec.build(11);
        Path file = tmp.resolve("model.onnx");
        OnnxExport.Result r = OnnxExport.export(model, Fixtures.graft().plugins(), file, OnnxExport.Options.DEFAULT.withOpset(opset));
        assertThat(r.opset()).isEqualTo(opset);
        String dump = System.getenv("GRAFT_EXPORT_DUMP_DIR");
        if (dump != null && !dump.isBlank()) {
            try {
                java.nio.file.Files.createDirectories(Path.of(dump));
                java.nio.file.Files.copy(file, Path.of(dump, "more_" + label.replaceAll("[^A-Za-z0-9]+", "_") + "_op" + opset + ".onnx"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        Map<String, INDArray> in = spec.inputs(batch, 3);
        INDArray expected = Fixtures.nativePredict(model, in);
        INDArray actual = Fixtures.ort(file, in);
        assertThat(Fixtures.maxDiff(actual, expected)).as(label).isLessThan(1e-4);
        assertThat(expected.amaxNumber().doubleValue()).as(label + ": a non-trivial output").isGreaterThan(1e-3);
    }

    /** The export imported again predicts the same, where the importer converts every op written. */
    @ParameterizedTest(name = "{0} (opset {1})")
    @MethodSource("cases")
    void roundTripsWhereTheImporterHasTheOps(String label, int opset, Supplier<Fixtures.Spec> make, int batch) {
        Fixtures.Spec spec = make.get();
        TrainedModel m = spec.build(11);
        Path file = tmp.resolve("case.onnx");
        OnnxExport.export(m, Fixtures.graft().plugins(), file, OnnxExport.Options.DEFAULT.withOpset(Math.min(opset, 17)));
        String rejected = IMPORT_REJECTS.get(label);
        if (rejected != null) {
            Throwable thrown = catchThrowable(() -> OnnxImporter.importModel(file, Fixtures.graft().plugins()));
            assertThat(thrown).as(label + ": native import was expected to reject it").isInstanceOf(dev.graft.runtime.GraftException.class);
            assertThat(thrown.getMessage()).as(label).containsAnyOf(rejected.split("\\|"));
            Assumptions.abort("native import rejects it: " + thrown.getMessage());
        }
        OnnxImporter.Imported imported;
        try {
            imported = OnnxImporter.importModel(file, Fixtures.graft().plugins());
        } catch (UnsupportedOpsException e) {
            Assumptions.abort("the importer has no converter for " + e.ops());
            return;
        }
        TrainedModel back = TrainedModel.of(Fixtures.graft(), imported.ir(), imported.params(), label);
        Map<String, INDArray> in = spec.inputs(batch, 3);
        assertThat(Fixtures.maxDiff(Fixtures.nativePredict(back, in), Fixtures.nativePredict(m, in))).as(label).isLessThan(1e-5);
    }
}
