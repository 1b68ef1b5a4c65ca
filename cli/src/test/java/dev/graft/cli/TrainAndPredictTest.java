package dev.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.api.data.Examples;
import dev.graft.runtime.Graft;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.config.Experiment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** End to end: train from a config, metrics as JSON, save, load, identical predictions, eval, predict. */
class TrainAndPredictTest {
    @TempDir
    Path tmp;

    private static final Path SAMPLES = Path.of("..", "samples", "configs").toAbsolutePath().normalize();

    @Test
    void trainsTheDigitsSampleSavesLoadsAndPredictsIdentically() throws Exception {
        Path out = tmp.resolve("model");
        CliRunner r = CliRunner.run("train", SAMPLES.resolve("digits-mlp.yaml").toString(), "--out", out.toString(),
                "--set", "training.epochs=15", "--set", "training.progress=none", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        assertThat(j.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.9);
        assertThat(j.get("metrics").has("f1_macro")).isTrue();
        assertThat(Files.exists(out.resolve("model.json"))).isTrue();
        assertThat(j.get("report").asText()).endsWith("report.html");
        assertThat(Files.readString(out.resolve("report").resolve("report.html"))).contains("data:image/png;base64").contains("accuracy");
        assertThat(Files.exists(out.resolve("report").resolve("confusion.png"))).isTrue();
        assertThat(Files.readString(out.resolve("model.json"))).contains("\"plugin\" : \"dense\"").doesNotContain("dev.graft.plugins");

        Graft graft = Graft.create();
        Experiment exp = graft.experiment(SAMPLES.resolve("digits-mlp.yaml"));
        Examples test = graft.split(exp).splits().test();
        TrainedModel a = graft.load(out);
        TrainedModel b = graft.load(out);
        INDArray pa = a.predict(test.features());
        INDArray pb = b.predict(test.features());
        assertThat(pa.equals(pb)).isTrue();
        assertThat(a.evaluate(test).metrics().get("accuracy")).isEqualTo(j.get("metrics").get("accuracy").asDouble(), org.assertj.core.data.Offset.offset(1e-6));

        CliRunner e = CliRunner.run("eval", out.toString(), "--json");
        assertThat(e.exit()).as(e.err()).isZero();
        assertThat(new ObjectMapper().readTree(e.lastLine()).get("metrics").get("accuracy").asDouble())
                .isEqualTo(j.get("metrics").get("accuracy").asDouble(), org.assertj.core.data.Offset.offset(1e-6));

        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            double[] row = test.features().getRow(i).toDoubleVector();
            for (int k = 0; k < row.length; k++) {
                csv.append(k == 0 ? "" : ",").append(row[k]);
            }
            csv.append('\n');
        }
        Path input = tmp.resolve("rows.csv");
        Files.writeString(input, csv);
        CliRunner p = CliRunner.run("predict", out.toString(), input.toString(), "--json");
        assertThat(p.exit()).as(p.err()).isZero();
        JsonNode preds = new ObjectMapper().readTree(p.lastLine()).get("predictions");
        int[] classes = a.predictClasses(test.features());
        for (int i = 0; i < 3; i++) {
            assertThat(preds.get(i).get("class").asInt()).isEqualTo(classes[i]);
        }

        Files.writeString(input, "1,2,three\n");
        CliRunner bad = CliRunner.run("predict", out.toString(), input.toString());
        assertThat(bad.isCleanError()).as(bad.err()).isTrue();
        assertThat(bad.err()).contains("line 1").contains("64");
    }

    @Test
    void propertiesAndYamlDescribeTheSameKindOfExperiment() {
        Graft graft = Graft.create();
        Experiment p = graft.experiment(SAMPLES.resolve("digits-mlp.properties"), "training.epochs=3");
        assertThat(p.nodes()).extracting(n -> n.name()).containsExactly("fc1", "relu1", "out");
        assertThat(p.training().epochs()).isEqualTo(3);
        assertThat(p.outputDir().toString()).isEqualTo("runs/digits-mlp-sgd");
        assertThat(p.optimizer().options()).containsEntry("momentum", "0.9");
    }

    @Test
    void aCorruptModelDirectoryIsAClearError() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(dir.resolve("model.json"), "{\"format\": \"graft-model/1\", \"nodes\": [");
        CliRunner r = CliRunner.run("eval", dir.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("model.json");
    }
}
