package dev.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * graft export: a trained model (with its standardize transform) becomes an ONNX file that
 * {@code graft predict FILE.onnx} (ONNX Runtime) runs on raw rows exactly like the model directory;
 * the command checks the file itself and reports the difference; errors are one clean line.
 */
class ExportCommandTest {
    private static final Path PLUGINS = Path.of("target", "test-plugins").toAbsolutePath();
    private static final Path SAMPLES = Path.of("..", "samples", "configs").toAbsolutePath().normalize();

    @TempDir
    static Path models;

    @TempDir
    Path tmp;

    @BeforeAll
    static void train() {
        CliRunner r = CliRunner.run("train", SAMPLES.resolve("digits-mlp.yaml").toString(), "--out", models.resolve("mlp").toString(),
                "--set", "training.epochs=2", "--set", "training.progress=none");
        assertThat(r.exit()).as(r.err()).isZero();
    }

    @Test
    void exportsChecksAndPredictsLikeTheModelDirectory() throws Exception {
        Path file = tmp.resolve("out").resolve("mlp.onnx");
        CliRunner r = CliRunner.run("export", models.resolve("mlp").toString(), "--out", file.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("opset 17").contains("input 'input' [batch, 64]").contains("output 'output' [batch, 10]")
                .contains("predictions of loss softmax-cross-entropy").contains("checked with ONNX Runtime on 8 random inputs");
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        assertThat(j.get("status").asText()).isEqualTo("ok");
        assertThat(j.get("file").asText()).isEqualTo(file.toAbsolutePath().toString());
        assertThat(j.get("bytes").asLong()).isEqualTo(Files.size(file));
        assertThat(j.get("check").get("max_abs_diff").asDouble()).isLessThan(1e-4);
        assertThat(j.get("predictions").asBoolean()).isTrue();

        // raw rows (the digits' pixel values, before standardisation) through both
        StringBuilder csv = new StringBuilder();
        for (int row = 0; row < 3; row++) {
            for (int k = 0; k < 64; k++) {
                csv.append(k == 0 ? "" : ",").append((k * 7 + row * 5) % 17 / 16.0);
            }
            csv.append('\n');
        }
        Path rows = tmp.resolve("rows.csv");
        Files.writeString(rows, csv);
        JsonNode viaOrt = new ObjectMapper().readTree(CliRunner.run("predict", file.toString(), rows.toString(), "--json").lastLine());
        JsonNode viaDir = new ObjectMapper().readTree(CliRunner.run("predict", models.resolve("mlp").toString(), rows.toString(), "--json").lastLine());
        for (int row = 0; row < 3; row++) {
            JsonNode a = viaOrt.get("predictions").get(row).get("output");
            JsonNode b = viaDir.get("predictions").get(row).get("probabilities");
            assertThat(a.size()).isEqualTo(10);
            for (int k = 0; k < 10; k++) {
                assertThat(a.get(k).asDouble()).isCloseTo(b.get(k).asDouble(), org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @Test
    void rawOutputAndAnotherOpset() throws Exception {
        Path file = tmp.resolve("logits.onnx");
        CliRunner r = CliRunner.run("export", models.resolve("mlp").toString(), "--out", file.toString(), "--opset", "13", "--raw-output", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        assertThat(j.get("opset").asInt()).isEqualTo(13);
        assertThat(j.get("predictions").asBoolean()).isFalse();
        assertThat(r.out()).contains("raw output, without the loss's prediction function").contains("checked with ONNX Runtime");
        assertThat(j.get("check").get("max_abs_diff").asDouble()).isLessThan(1e-3);

        CliRunner unchecked = CliRunner.run("export", models.resolve("mlp").toString(), "--out", tmp.resolve("u.onnx").toString(),
                "--opset", "13", "--raw-output", "--no-check", "--json");
        assertThat(unchecked.exit()).as(unchecked.err()).isZero();
        assertThat(unchecked.out()).doesNotContain("checked with");
        assertThat(new ObjectMapper().readTree(unchecked.lastLine()).get("check").isNull()).isTrue();
        assertThat(Files.size(tmp.resolve("u.onnx"))).isEqualTo(Files.size(file));
        onnx.Onnx.ModelProto proto = onnx.Onnx.ModelProto.parseFrom(Files.readAllBytes(file));
        assertThat(proto.getOpsetImport(0).getVersion()).isEqualTo(13);
        assertThat(proto.getGraph().getNodeList()).extracting(onnx.Onnx.NodeProto::getOpType).doesNotContain("Softmax");
    }

    @Test
    void aLayerWithoutExporterIsOneCleanErrorNamingTheNode() throws Exception {
        Path dir = tmp.resolve("custom");
        CliRunner t = CliRunner.run("train", SAMPLES.resolve("digits-scaled-tanh.yaml").toString(), "--plugins", PLUGINS.toString(),
                "--out", dir.toString(), "--set", "training.epochs=1", "--set", "training.progress=none");
        assertThat(t.exit()).as(t.err()).isZero();
        Path file = tmp.resolve("custom.onnx");
        CliRunner r = CliRunner.run("export", dir.toString(), "--plugins", PLUGINS.toString(), "--out", file.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.exit()).isEqualTo(6);
        assertThat(r.err()).contains("1 part has no ONNX exporter").contains("(layer 'scaled-tanh')");
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    void badOpsetAndUnwritablePathAreCleanErrors() throws Exception {
        CliRunner opset = CliRunner.run("export", models.resolve("mlp").toString(), "--out", tmp.resolve("x.onnx").toString(), "--opset", "12");
        assertThat(opset.isCleanError()).as(opset.err()).isTrue();
        assertThat(opset.exit()).isEqualTo(2);
        assertThat(opset.err()).contains("opset 12").contains("13 to 21");

        Path blocker = tmp.resolve("file");
        Files.writeString(blocker, "x");
        CliRunner io = CliRunner.run("export", models.resolve("mlp").toString(), "--out", blocker.resolve("m.onnx").toString());
        assertThat(io.isCleanError()).as(io.err()).isTrue();
        assertThat(io.exit()).isEqualTo(7);
        assertThat(io.err()).contains("cannot write the ONNX model to " + blocker.resolve("m.onnx").toAbsolutePath());

        CliRunner noOut = CliRunner.run("export", models.resolve("mlp").toString());
        assertThat(noOut.exit()).isEqualTo(2);
        assertThat(noOut.err()).contains("--out");

        CliRunner noModel = CliRunner.run("export", tmp.resolve("nothing").toString(), "--out", tmp.resolve("y.onnx").toString());
        assertThat(noModel.isCleanError()).as(noModel.err()).isTrue();
        assertThat(noModel.err()).contains("is not a Graft model directory");
    }
}
