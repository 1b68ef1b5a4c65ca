package dev.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** graft import --check / --out, then summary and predict on the imported model, and both engines on the .onnx file. */
class ImportCommandTest {
    private static final Path MLP = Path.of("..", "onnx-bridge", "src", "test", "resources", "models", "mlp_op13.onnx").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void importsSummarisesAndPredictsLikeOnnxRuntime() throws Exception {
        CliRunner check = CliRunner.run("import", MLP.toString(), "--check", "--json");
        assertThat(check.exit()).as(check.err()).isZero();
        assertThat(new ObjectMapper().readTree(check.lastLine()).get("complete").asBoolean()).isTrue();

        Path out = tmp.resolve("imported");
        CliRunner imp = CliRunner.run("import", MLP.toString(), "--out", out.toString(), "--json");
        assertThat(imp.exit()).as(imp.err()).isZero();

        CliRunner summary = CliRunner.run("summary", out.toString());
        assertThat(summary.exit()).as(summary.err()).isZero();
        assertThat(summary.out()).contains("dense").contains("loss none");

        StringBuilder row = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            row.append(i == 0 ? "" : ",").append(0.1 * (i - 3));
        }
        Path csv = tmp.resolve("rows.csv");
        Files.writeString(csv, row + "\n" + row + "\n");
        JsonNode ort = new ObjectMapper().readTree(CliRunner.run("predict", MLP.toString(), csv.toString(), "--json").lastLine());
        CliRunner nat = CliRunner.run("predict", MLP.toString(), csv.toString(), "--engine", "native", "--json");
        assertThat(nat.exit()).as(nat.err()).isZero();
        JsonNode native1 = new ObjectMapper().readTree(nat.lastLine());
        CliRunner dir = CliRunner.run("predict", out.toString(), csv.toString(), "--json");
        assertThat(dir.exit()).as(dir.err()).isZero();
        String outName = outputField(ort.get("predictions").get(0));
        JsonNode a = ort.get("predictions").get(0).get(outName);
        JsonNode b = native1.get("predictions").get(0).get(outName);
        JsonNode c = new ObjectMapper().readTree(dir.lastLine()).get("predictions").get(0).get("prediction");
        assertThat(a.size()).isEqualTo(4);
        for (int k = 0; k < 4; k++) {
            assertThat(b.get(k).asDouble()).isCloseTo(a.get(k).asDouble(), org.assertj.core.data.Offset.offset(1e-4));
            assertThat(c.get(k).asDouble()).isCloseTo(a.get(k).asDouble(), org.assertj.core.data.Offset.offset(1e-4));
        }

        Files.writeString(csv, "1,2,3\n");
        CliRunner bad = CliRunner.run("predict", MLP.toString(), csv.toString(), "--engine", "native");
        assertThat(bad.isCleanError()).as(bad.err()).isTrue();
        assertThat(bad.err()).contains("line 1 has 3 values").contains("8");
    }

    private static String outputField(JsonNode n) {
        var it = n.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!f.equals("row")) {
                return f;
            }
        }
        throw new AssertionError("no output field in " + n);
    }
}
