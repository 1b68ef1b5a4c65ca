package dev.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.runtime.Graft;
import dev.graft.runtime.Run;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.config.ConfigFiles;
import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.config.ExperimentParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Checkpoints and resuming, regularisation, clipping, frozen groups, summary and tune, end to end on the digits. */
class TrainingFeaturesTest {
    @TempDir
    Path tmp;

    private static final Graft GRAFT = Graft.create();

    private String config(String extra) {
        return """
                data: {dataset: digits, transforms: [standardize]}
                model:
                  layers:
                    - {type: dense, units: 24, name: fc1}
                    - relu
                    - {type: dropout, rate: 0.2}
                    - {type: dense, units: 10, name: out}
                loss: softmax-cross-entropy
                optimizer: {type: adam, lr: 0.01}
                training: {epochs: 4, batch-size: 64, seed: 5, progress: none, checkpoint: {every: 1, best: true}}
                output: {dir: %s}
                """.formatted(tmp.resolve("out")) + extra;
    }

    private Experiment exp(String text, String... overrides) {
        return ExperimentParser.parse(ConfigFiles.read(new StringReader(text), ConfigFiles.Format.YAML, List.of(overrides), "test"), tmp, "t");
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> p) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        p.forEach((k, v) -> m.put(k, v.dup()));
        return m;
    }

    @Test
    void aResumedRunEndsExactlyWhereAnUninterruptedRunEnds() {
        String text = config("").replace("optimizer: {type: adam, lr: 0.01}",
                "optimizer: {type: adam, lr: 0.01, schedule: {type: reduce-on-plateau, patience: 1, factor: 0.5}}")
                .replace("- relu\n", "- relu\n    - {type: batch-norm, name: bn}\n");
        Run straight = GRAFT.prepare(exp(text));
        TrainedModel a = straight.fit();
        Map<String, INDArray> expected = copy(a.network().params());
        assertThat(Files.isDirectory(straight.checkpointDir().resolve("epoch-0004"))).isTrue();
        assertThat(Files.isDirectory(straight.checkpointDir().resolve("epoch-0001"))).as("only the last 3 are kept").isFalse();
        assertThat(Files.isDirectory(straight.checkpointDir().resolve("best"))).isTrue();

        Run again = GRAFT.prepare(exp(text));
        TrainedModel b = again.resume(again.checkpointDir().resolve("epoch-0002"));
        assertThat(b.history()).hasSize(4);
        assertThat(b.history().get(3).trainLoss()).isEqualTo(a.history().get(3).trainLoss());
        expected.forEach((k, v) -> assertThat(b.network().params().get(k).equals(v)).as(k).isTrue());
    }

    @Test
    void l2ShrinksWeightsAndFrozenGroupsNeverChange() {
        String groups = "optimizer: {type: sgd, lr: 0.1, groups: [{params: [out.*], frozen: true, l2: 10.0}]}\n";
        String text = config("").replace("optimizer: {type: adam, lr: 0.01}\n", groups);
        Run plain = GRAFT.prepare(exp(text, "training.epochs=2"));
        Map<String, INDArray> before = copy(plain.network().params());
        plain.fit();
        assertThat(plain.network().params().get("out.W").equals(before.get("out.W"))).isTrue();
        assertThat(plain.network().params().get("out.b").equals(before.get("out.b"))).isTrue();
        double plainNorm = plain.network().params().get("fc1.W").norm2Number().doubleValue();

        Run l2 = GRAFT.prepare(exp(text.replace("{type: dense, units: 24, name: fc1}", "{type: dense, units: 24, name: fc1, l2: 0.05}"),
                "training.epochs=2"));
        l2.fit();
        assertThat(l2.network().params().get("out.W").equals(before.get("out.W"))).isTrue();
        assertThat(l2.network().params().get("fc1.W").norm2Number().doubleValue()).isLessThan(plainNorm * 0.8);
    }

    @Test
    void clipNormBoundsEveryStep() {
        String text = config("").replace("optimizer: {type: adam, lr: 0.01}", "optimizer: {type: sgd, lr: 1.0}");
        Run run = GRAFT.prepare(exp(text, "training.epochs=1", "training.clip-norm=0.000001", "model.layers.2.rate=0.0"));
        Map<String, INDArray> before = copy(run.network().params());
        run.fit();
        double sq = 0;
        for (String k : before.keySet()) {
            double d = run.network().params().get(k).sub(before.get(k)).norm2Number().doubleValue();
            sq += d * d;
        }
        long steps = (long) Math.ceil(run.splits().train().size() / 64.0);
        assertThat(Math.sqrt(sq)).isLessThanOrEqualTo(steps * 1.0e-6 * 1.001).isGreaterThan(0);
    }

    @Test
    void clipValueBoundsEveryElementOfEveryStep() {
        String text = config("").replace("optimizer: {type: adam, lr: 0.01}", "optimizer: {type: sgd, lr: 1.0}");
        Run run = GRAFT.prepare(exp(text, "training.epochs=1", "training.clip-value=0.0001", "model.layers.2.rate=0.0"));
        Map<String, INDArray> before = copy(run.network().params());
        run.fit();
        long steps = (long) Math.ceil(run.splits().train().size() / 64.0);
        for (String k : before.keySet()) {
            double maxChange = org.nd4j.linalg.ops.transforms.Transforms.abs(run.network().params().get(k).sub(before.get(k))).maxNumber().doubleValue();
            assertThat(maxChange).as(k).isLessThanOrEqualTo(steps * 1.0e-4 * 1.001);
        }
    }

    @Test
    void l1OnAGroupDrivesWeightsTowardZero() {
        String text = config("").replace("optimizer: {type: adam, lr: 0.01}",
                "optimizer: {type: sgd, lr: 0.05, groups: [{params: [fc1.W], l1: 0.01}]}");
        Run plain = GRAFT.prepare(exp(text.replace("l1: 0.01", "l1: 0.0"), "training.epochs=3"));
        plain.fit();
        Run l1 = GRAFT.prepare(exp(text, "training.epochs=3"));
        l1.fit();
        double plainL1 = org.nd4j.linalg.ops.transforms.Transforms.abs(plain.network().params().get("fc1.W")).sumNumber().doubleValue();
        double withL1 = org.nd4j.linalg.ops.transforms.Transforms.abs(l1.network().params().get("fc1.W")).sumNumber().doubleValue();
        assertThat(withL1).isLessThan(plainL1 * 0.9);
    }

    @Test
    void summaryShowsShapesCountsAndFrozenNodes() throws Exception {
        Path cfg = tmp.resolve("s.yaml");
        Files.writeString(cfg, config("").replace("optimizer: {type: adam, lr: 0.01}", "optimizer: {type: adam, lr: 0.01, groups: [{params: [fc1.*], frozen: true}]}"));
        CliRunner r = CliRunner.run("summary", cfg.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("fc1").contains("frozen").contains("[24]").contains("1,560");
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        assertThat(j.get("total_params").asLong()).isEqualTo(64 * 24 + 24 + 24 * 10 + 10);
        assertThat(j.get("trainable_params").asLong()).isEqualTo(24 * 10 + 10);
    }

    @Test
    void tuneRanksTrialsAndWritesTheBestConfig() throws Exception {
        Path cfg = tmp.resolve("t.yaml");
        Files.writeString(cfg, config("""
                tune:
                  method: grid
                  monitor: val-accuracy
                  params:
                    optimizer.lr: [0.0001, 0.01]
                """).replace("epochs: 4", "epochs: 2"));
        CliRunner r = CliRunner.run("tune", cfg.toString(), "--out", tmp.resolve("tune").toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        assertThat(j.get("trials")).hasSize(2);
        assertThat(j.get("best").get("params").get("optimizer.lr").asText()).isEqualTo("0.01");
        assertThat(j.get("trials").get(0).get("score").asDouble()).isGreaterThan(j.get("trials").get(1).get("score").asDouble());
        String best = Files.readString(tmp.resolve("tune").resolve("best.yaml"));
        assertThat(best).contains("0.01").doesNotContain("tune:");
        Experiment e = GRAFT.experiment(tmp.resolve("tune").resolve("best.yaml"));
        assertThat(e.optimizer().options().get("lr").toString()).isEqualTo("0.01");
    }

    @Test
    void badGraphsAreRejectedNamingTheNodeAndKey() throws Exception {
        String cnn = """
                data: {dataset: {type: digits, layout: image}}
                model:
                  layers:
                    - {type: conv2d, filters: 4, kernel: 3, padding: same, name: conv}
                    - {type: conv2d, filters: 4, kernel: 3, name: narrow}
                    - {type: add, inputs: [conv, narrow], name: sum}
                    - flatten
                    - {type: dense, units: 10}
                loss: softmax-cross-entropy
                optimizer: {type: adam, lr: 0.01, schedule: {type: cosin}}
                training: {epochs: 1, progress: none}
                """;
        Path cfg = tmp.resolve("g.yaml");
        Files.writeString(cfg, cnn);
        CliRunner r = CliRunner.run("train", cfg.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("optimizer.schedule").contains("unknown schedule 'cosin'").contains("did you mean 'cosine'");

        Files.writeString(cfg, cnn.replace("{type: cosin}", "{type: cosine}"));
        r = CliRunner.run("train", cfg.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("node 'sum'").contains("[4, 8, 8]").contains("[4, 6, 6]");

        Files.writeString(cfg, cnn.replace("{type: cosin}", "{type: cosine}").replace("kernel: 3, name: narrow", "kernel: 12, name: narrow"));
        r = CliRunner.run("train", cfg.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("node 'narrow'").contains("model.layers[1]").contains("kernel");
    }

    @Test
    void badNewOptionsAreRejectedBeforeTraining() throws Exception {
        Path cfg = tmp.resolve("b.yaml");
        Files.writeString(cfg, config(""));
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"training.early-stopping.patience=0", "patience must be a positive integer"});
        cases.add(new String[] {"model.layers.2.rate=-0.5", "rate"});
        cases.add(new String[] {"training.clip-norm=-1", "clip-norm must be >= 0"});
        cases.add(new String[] {"model.layers.0.l2=-1", "model.layers[0].l2: must be >= 0"});
        cases.add(new String[] {"training.checkpoint.every=-2", "every must be >= 0"});
        for (String[] c : cases) {
            CliRunner r = CliRunner.run("train", cfg.toString(), "--set", c[0]);
            assertThat(r.isCleanError()).as(c[0] + ": " + r.err()).isTrue();
            assertThat(r.err()).as(c[0]).contains(c[1]);
            assertThat(r.err()).doesNotContain("epoch 1");
        }
    }
}
