package dev.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.runtime.GraftException;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample plugin's ONNX op converter (ONNX Runtime's com.microsoft.QuickGelu onto its own quick-gelu
 * layer), reaching the CLI only as a jar on the plugin path: without it {@code graft import --check}
 * reports QuickGelu unsupported, with
 * {@code --plugins} every node has a converter, and the imported model predicts what ONNX Runtime
 * computes from the .onnx file.
 */
class CustomOnnxConverterSampleTest {
    private static final Path PLUGINS = Path.of("target", "test-plugins").toAbsolutePath();

    @TempDir
    Path tmp;

    /** x [N, 5] -> QuickGelu -> MatMul + Add (a dense layer) -> QuickGelu(alpha 1.25) -> y [N, 3], QuickGelu of com.microsoft. */
    static Path model(Path dir) throws Exception {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(5));
        Onnx.TensorProto.Builder w = Onnx.TensorProto.newBuilder().setName("w").setDataType(1).addDims(5).addDims(3);
        for (int i = 0; i < 15; i++) {
            w.addFloatData((float) Math.sin(0.7 * i + 0.3));
        }
        Onnx.TensorProto.Builder b = Onnx.TensorProto.newBuilder().setName("b").setDataType(1).addDims(3).addFloatData(0.1f)
                .addFloatData(-0.2f).addFloatData(0.3f);
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName("quick_gelu_mlp")
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("x").setType(Onnx.TypeProto.newBuilder()
                        .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))))
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y"))
                .addInitializer(w).addInitializer(b)
                .addNode(Onnx.NodeProto.newBuilder().setOpType("QuickGelu").setDomain("com.microsoft").setName("act1").addInput("x").addOutput("h"))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("MatMul").setName("fc").addInput("h").addInput("w").addOutput("m"))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Add").setName("bias").addInput("m").addInput("b").addOutput("z"))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("QuickGelu").setDomain("com.microsoft").setName("act2").addInput("z").addOutput("y")
                        .addAttribute(Onnx.AttributeProto.newBuilder().setName("alpha").setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(1.25f)))
                .build();
        Onnx.ModelProto m = Onnx.ModelProto.newBuilder().setIrVersion(7).setGraph(g)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1)).build();
        Path file = dir.resolve("quick_gelu_mlp.onnx");
        Files.write(file, m.toByteArray());
        return file;
    }

    @Test
    void theSampleConverterIsNotOnTheTestClassPath() {
        try {
            Class.forName("com.example.graft.QuickGeluConverter");
            throw new AssertionError("the sample converter must not be on the test class path");
        } catch (ClassNotFoundException expected) {
            // good
        }
    }

    @Test
    void withoutThePluginQuickGeluIsUnsupported() throws Exception {
        Path file = model(tmp);
        CliRunner r = CliRunner.run("import", file.toString(), "--check", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(GraftException.Code.MODEL.exitCode());
        assertThat(r.out()).containsPattern("com\\.microsoft\\.QuickGelu\\s+2\\s+UNSUPPORTED").contains("unsupported node 'act1'", "unsupported node 'act2'")
                .contains("2 nodes have no converter");
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        assertThat(j.get("complete").asBoolean()).isFalse();
        assertThat(j.get("unsupported")).extracting(u -> u.get("op_type").asText()).containsExactly("QuickGelu", "QuickGelu");
        CliRunner imp = CliRunner.run("import", file.toString(), "--out", tmp.resolve("m").toString());
        assertThat(imp.isCleanError()).as(imp.err()).isTrue();
        assertThat(imp.err()).contains("QuickGelu").contains("no op converter handles");
    }

    @Test
    void withThePluginQuickGeluImportsAndPredictsLikeOnnxRuntime() throws Exception {
        Path file = model(tmp);
        CliRunner check = CliRunner.run("import", file.toString(), "--check", "--json", "--plugins", PLUGINS.toString());
        assertThat(check.exit()).as(check.err()).isZero();
        assertThat(check.out()).containsPattern("com\\.microsoft\\.QuickGelu\\s+2\\s+ok").contains("every node has a converter");
        assertThat(new ObjectMapper().readTree(check.lastLine()).get("complete").asBoolean()).isTrue();

        CliRunner list = CliRunner.run("plugins", "--json", "--plugins", PLUGINS.toString());
        assertThat(list.lastLine()).contains("\"id\":\"onnx-ms-quick-gelu\"").contains("\"id\":\"quick-gelu\"");

        Path out = tmp.resolve("imported");
        CliRunner imp = CliRunner.run("import", file.toString(), "--out", out.toString(), "--plugins", PLUGINS.toString(), "--json");
        assertThat(imp.exit()).as(imp.err()).isZero();
        assertThat(Files.readString(out.resolve("model.json"))).contains("\"quick-gelu\"");

        Path csv = tmp.resolve("rows.csv");
        Files.writeString(csv, "-2,-0.5,0,0.5,2\n1.5,-1,0.25,-3,0.75\n");
        CliRunner byOrt = CliRunner.run("predict", file.toString(), csv.toString(), "--json");
        assertThat(byOrt.exit()).as(byOrt.err()).isZero();
        CliRunner byGraft = CliRunner.run("predict", out.toString(), csv.toString(), "--plugins", PLUGINS.toString(), "--json");
        assertThat(byGraft.exit()).as(byGraft.err()).isZero();
        JsonNode a = new ObjectMapper().readTree(byOrt.lastLine()).get("predictions");
        JsonNode b = new ObjectMapper().readTree(byGraft.lastLine()).get("predictions");
        assertThat(b.size()).isEqualTo(2);
        for (int row = 0; row < 2; row++) {
            JsonNode ortRow = a.get(row).get("y");
            JsonNode graftRow = b.get(row).get("prediction");
            assertThat(graftRow.size()).isEqualTo(3);
            for (int k = 0; k < 3; k++) {
                assertThat(graftRow.get(k).asDouble()).isCloseTo(ortRow.get(k).asDouble(), org.assertj.core.data.Offset.offset(1e-5));
            }
        }
        // the saved model needs the plugin to load
        CliRunner without = CliRunner.run("predict", out.toString(), csv.toString());
        assertThat(without.isCleanError()).as(without.err()).isTrue();
        assertThat(without.err()).contains("quick-gelu");
    }
}
