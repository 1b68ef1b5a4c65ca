package dev.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A binary task from a CSV with a categorical column: one-hot transform (which widens the input),
 * one-logit binary cross-entropy, then eval and predict on raw rows.
 */
class BinaryAndCategoricalTest {
    @TempDir
    Path tmp;

    @Test
    void trainsEvaluatesAndPredictsFromRawRows() throws Exception {
        StringBuilder csv = new StringBuilder("colour,size,label\n");
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 400; i++) {
            int colour = rng.nextInt(3);
            double size = rng.nextDouble() * 2 - 1;
            int label = (colour == 2 || size > 0.5) ? 1 : 0;
            csv.append(colour).append(',').append(String.format("%.4f", size)).append(',').append(label).append('\n');
        }
        Files.writeString(tmp.resolve("data.csv"), csv);
        Files.writeString(tmp.resolve("bin.yaml"), """
                data:
                  dataset: {type: csv, path: data.csv, label: label}
                  transforms: [{type: one-hot, columns: [0]}]
                model:
                  layers:
                    - {type: dense, units: 16}
                    - tanh
                    - {type: dense, units: 1}
                loss: binary-cross-entropy
                optimizer: {type: adam, lr: 0.02}
                training: {epochs: 30, batch-size: 32, progress: none}
                output: {dir: model}
                """);
        CliRunner r = CliRunner.run("train", tmp.resolve("bin.yaml").toString(), "--out", tmp.resolve("model").toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        assertThat(j.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.9);

        CliRunner s = CliRunner.run("summary", tmp.resolve("model").toString());
        assertThat(s.exit()).as(s.err()).isZero();
        assertThat(s.out()).contains("[4]");

        Files.writeString(tmp.resolve("rows.csv"), "colour,size\n2,-0.9\n0,-0.9\n0,0.9\n");
        CliRunner p = CliRunner.run("predict", tmp.resolve("model").toString(), tmp.resolve("rows.csv").toString(), "--json");
        assertThat(p.exit()).as(p.err()).isZero();
        JsonNode preds = new ObjectMapper().readTree(p.lastLine()).get("predictions");
        assertThat(preds.get(0).get("class").asInt()).isEqualTo(1);
        assertThat(preds.get(1).get("class").asInt()).isEqualTo(0);
        assertThat(preds.get(2).get("class").asInt()).isEqualTo(1);

        Files.writeString(tmp.resolve("bad.yaml"), Files.readString(tmp.resolve("bin.yaml")).replace("units: 1}", "units: 2}"));
        CliRunner bad = CliRunner.run("train", tmp.resolve("bad.yaml").toString());
        assertThat(bad.isCleanError()).as(bad.err()).isTrue();
        assertThat(bad.err()).contains("needs one logit per example, [1]");
    }
}
