package dev.graft.onnx.export;

import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.engine.Network;
import dev.graft.testkit.PluginJars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What goes wrong, and the plugin route out of it: a layer (and a loss) from a third-party jar with no
 * exporter is reported, every such part in one message, before anything is written; the same jar with
 * an exporter exports; bad targets and opsets give one clear error and never leave or clobber files.
 */
class ExportErrorsTest {
    @TempDir
    static Path jars;

    @TempDir
    Path tmp;

    private static final String LAYER = """
            package p;
            import dev.graft.api.GraftApi;
            import dev.graft.api.Shape;
            import dev.graft.api.config.NoConfig;
            import dev.graft.api.layer.*;
            import org.nd4j.autodiff.samediff.SDVariable;
            import java.util.List;
            public final class DoubleIt implements LayerProvider<NoConfig> {
                public String id() { return "double-it"; }
                public String version() { return "1.0.0"; }
                public String apiVersion() { return GraftApi.VERSION; }
                public Class<NoConfig> configType() { return NoConfig.class; }
                public String description() { return "multiplies by two"; }
                public Layer create(NoConfig c) {
                    return new Layer() {
                        public Shape outputShape(List<Shape> in) { return in.get(0); }
                        public List<ParamSpec> params(List<Shape> in) { return List.of(); }
                        public SDVariable forward(LayerContext ctx, List<SDVariable> in) { return in.get(0).mul(2.0); }
                    };
                }
            }
            """;

    private static final String LOSS = """
            package p;
            import dev.graft.api.GraftApi;
            import dev.graft.api.config.NoConfig;
            import dev.graft.api.data.Target;
            import dev.graft.api.loss.*;
            import org.nd4j.autodiff.samediff.*;
            public final class CubeLoss implements LossProvider<NoConfig> {
                public String id() { return "cube-loss"; }
                public String version() { return "1.0.0"; }
                public String apiVersion() { return GraftApi.VERSION; }
                public Class<NoConfig> configType() { return NoConfig.class; }
                public String description() { return "a loss whose predictions are cubes"; }
                public Loss create(NoConfig c) {
                    return new Loss() {
                        public SDVariable compute(SameDiff sd, SDVariable out, SDVariable labels) {
                            SDVariable d = out.sub(labels);
                            return d.mul(d).mean();
                        }
                        public SDVariable predictions(SameDiff sd, SDVariable out) { return out.mul(out).mul(out); }
                        public String checkTarget(Target t) { return null; }
                    };
                }
            }
            """;

    private static final String EXPORTER = """
            package p;
            import dev.graft.api.GraftApi;
            import dev.graft.onnx.export.OnnxLayerExporter;
            public final class DoubleItExporter implements OnnxLayerExporter {
                public String id() { return "double-it"; }
                public String version() { return "1.0.0"; }
                public String apiVersion() { return GraftApi.VERSION; }
                public String description() { return "exports double-it as Mul by 2"; }
                public String export(Context ctx) { return ctx.op("Mul").input(ctx.input(), ctx.scalar("two", 2)).output(); }
            }
            """;

    private static Graft withJar(String name, Map<String, String> sources, Map<String, String> services) {
        Path jar = PluginJars.build(jars.resolve(name + ".jar"), sources, services);
        return Graft.builder().useEnvironment(false).pluginPath(List.of(jar)).build();
    }

    private static Fixtures.Spec model() {
        return Fixtures.spec("custom", 4).node("twice", "double-it").node("fc", "dense", Map.of("units", 3)).node("again", "double-it");
    }

    private List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void layersAndALossWithoutExporterAreAllListedAndNothingIsWritten() throws Exception {
        Graft g = withJar("no-exporter", Map.of("p.DoubleIt", LAYER, "p.CubeLoss", LOSS),
                Map.of("dev.graft.api.layer.LayerProvider", "p.DoubleIt", "dev.graft.api.loss.LossProvider", "p.CubeLoss"));
        TrainedModel m = model().loss("cube-loss", Map.of()).build(1, g);
        Path out = tmp.resolve("model.onnx");
        Files.writeString(out, "an older export");
        assertThatThrownBy(() -> OnnxExport.export(m, g.plugins(), out, OnnxExport.Options.DEFAULT))
                .isInstanceOfSatisfying(GraftException.class, e -> {
                    assertThat(e.code()).isEqualTo(GraftException.Code.MODEL);
                    assertThat(e.problems()).containsExactly("node 'twice' (layer 'double-it')", "node 'again' (layer 'double-it')",
                            "the prediction function of loss 'cube-loss' (no plugin of kind onnx-export-loss; export the raw output instead)");
                    assertThat(e.getMessage()).startsWith("cannot export the model to ONNX: 3 parts have no ONNX exporter")
                            .contains("plugins of kind onnx-export");
                });
        // the raw output needs no prediction function: only the layers remain
        assertThatThrownBy(() -> OnnxExport.export(m, g.plugins(), out, OnnxExport.Options.DEFAULT.withRawOutput(true)))
                .isInstanceOfSatisfying(GraftException.class, e -> assertThat(e.problems()).hasSize(2));
        assertThat(Files.readString(out)).isEqualTo("an older export");
        assertThat(files()).containsExactly("model.onnx");
    }

    @Test
    void aJarThatAddsALayerCanAddItsExporter() {
        Graft g = withJar("with-exporter", Map.of("p.DoubleIt", LAYER, "p.DoubleItExporter", EXPORTER),
                Map.of("dev.graft.api.layer.LayerProvider", "p.DoubleIt", "dev.graft.onnx.export.OnnxLayerExporter", "p.DoubleItExporter"));
        assertThat(g.plugins().providers(OnnxExport.LAYER_EXPORTERS)).containsKey("double-it");
        Fixtures.Spec spec = model();
        TrainedModel m = spec.build(2, g);
        Path out = tmp.resolve("custom.onnx");
        OnnxExport.export(m, g.plugins(), out, OnnxExport.Options.DEFAULT);
        Map<String, INDArray> in = spec.inputs(4, 1);
        INDArray expected = m.predict(in.get(Network.INPUT));
        assertThat(Fixtures.maxDiff(Fixtures.ort(out, in), expected)).isLessThan(1e-5);
        assertThat(expected.amaxNumber().doubleValue()).isGreaterThan(0.01);
    }

    @Test
    void aWrongExporterIsCaughtByTheCheckBeforeTheFileTakesItsPlace() throws Exception {
        Graft g = withJar("wrong-exporter", Map.of("p.DoubleIt", LAYER, "p.DoubleItExporter", EXPORTER.replace("scalar(\"two\", 2)",
                        "scalar(\"three\", 3)")),
                Map.of("dev.graft.api.layer.LayerProvider", "p.DoubleIt", "dev.graft.onnx.export.OnnxLayerExporter", "p.DoubleItExporter"));
        TrainedModel m = model().build(2, g);
        Path out = tmp.resolve("custom.onnx");
        Files.writeString(out, "an older export");
        assertThatThrownBy(() -> OnnxExport.exportChecked(m, g.plugins(), out, OnnxExport.Options.DEFAULT, 4, 1e-4, 1e-4))
                .isInstanceOfSatisfying(GraftException.class, e -> assertThat(e.code()).isEqualTo(GraftException.Code.MODEL))
                .hasMessageContaining("disagrees with the native model").hasMessageContaining(out + " was not written");
        assertThat(Files.readString(out)).isEqualTo("an older export");
        assertThat(files()).containsExactly("custom.onnx");
        // the plain export writes what the exporter says; the check is what catches it
        OnnxExport.Result r = OnnxExport.export(m, g.plugins(), out, OnnxExport.Options.DEFAULT);
        assertThat(r.check()).isNull();
        assertThat(OnnxExport.check(m, out, g.plugins(), OnnxExport.Options.DEFAULT, 4, 1).maxAbsDiff()).isGreaterThan(0.01);
    }

    @Test
    void aCheckedExportReportsTheCheck() {
        TrainedModel m = Fixtures.spec("mlp", 3).node("fc", "dense", Map.of("units", 2)).node("a", "gelu").build(1);
        OnnxExport.Result r = OnnxExport.exportChecked(m, Fixtures.graft().plugins(), tmp.resolve("m.onnx"), OnnxExport.Options.DEFAULT, 5,
                1e-4, 1e-4);
        assertThat(r.check().examples()).isEqualTo(5);
        assertThat(r.check().maxAbsDiff()).isLessThan(1e-5);
        assertThat(r.check().maxAbs()).isGreaterThan(1e-3);
    }

    @Test
    void aPathUnderAFileIsAnIoErrorAndLeavesNothing() throws Exception {
        TrainedModel m = Fixtures.spec("mlp", 3).node("fc", "dense", Map.of("units", 2)).build(1);
        Path file = tmp.resolve("not-a-dir");
        Files.writeString(file, "x");
        Path out = file.resolve("model.onnx");
        assertThatThrownBy(() -> OnnxExport.export(m, Fixtures.graft().plugins(), out, OnnxExport.Options.DEFAULT))
                .isInstanceOfSatisfying(GraftException.class, e -> {
                    assertThat(e.code()).isEqualTo(GraftException.Code.IO);
                    assertThat(e.getMessage()).startsWith("cannot write the ONNX model to " + out.toAbsolutePath())
                            .contains("cannot create the directory " + file.toAbsolutePath());
                });
        assertThat(files()).containsExactly("not-a-dir");
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void aDirectoryIsNotAFile() throws Exception {
        TrainedModel m = Fixtures.spec("mlp", 3).node("fc", "dense", Map.of("units", 2)).build(1);
        Path dir = Files.createDirectory(tmp.resolve("out.onnx"));
        assertThatThrownBy(() -> OnnxExport.export(m, Fixtures.graft().plugins(), dir, OnnxExport.Options.DEFAULT))
                .isInstanceOf(GraftException.class)
                .hasMessage("cannot write the ONNX model to " + dir.toAbsolutePath() + ": it is a directory; give a file name such as model.onnx");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void anExistingFileIsReplacedWhole() throws Exception {
        TrainedModel m = Fixtures.spec("mlp", 3).node("fc", "dense", Map.of("units", 2)).build(1);
        Path out = tmp.resolve("sub").resolve("m.onnx");
        Files.createDirectories(out.getParent());
        Files.writeString(out, "old");
        OnnxExport.Result r = OnnxExport.export(m, Fixtures.graft().plugins(), out, OnnxExport.Options.DEFAULT);
        assertThat(Files.size(out)).isEqualTo(r.bytes()).isGreaterThan(10);
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("m.onnx");
        }
    }

    @Test
    void opsetsOutsideThirteenToTwentyOneAreRefused() {
        for (int opset : new int[] {12, 9, 22}) {
            assertThatThrownBy(() -> OnnxExport.Options.DEFAULT.withOpset(opset))
                    .isInstanceOfSatisfying(GraftException.class, e -> assertThat(e.code()).isEqualTo(GraftException.Code.USAGE))
                    .hasMessage("cannot export to ONNX opset " + opset + ": Graft writes opsets 13 to 21 (default 17)");
        }
    }

    @Test
    void aModelWithTransformsNeedsItsFittedState() {
        TrainedModel m = Fixtures.spec("mlp", 3).node("fc", "dense", Map.of("units", 2)).build(1);
        var ir = m.network().ir();
        var withTransform = new dev.graft.runtime.model.ModelIR(ir.format(), ir.input(), ir.nodes(), ir.output(), ir.loss(), ir.target(),
                List.of(new dev.graft.runtime.model.ModelIR.PluginIR("standardize", "1.0.0", Map.of())));
        assertThatThrownBy(() -> OnnxExport.export(withTransform, m.network().params(), Fixtures.graft().plugins(), tmp.resolve("x.onnx"),
                OnnxExport.Options.DEFAULT, "mlp"))
                .isInstanceOf(GraftException.class)
                .hasMessageContaining("mlp has 1 feature transform(s)").hasMessageContaining("export the TrainedModel");
    }
}
