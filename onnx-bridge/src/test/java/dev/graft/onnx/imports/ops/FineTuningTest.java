package dev.graft.onnx.imports.ops;

import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.Run;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.base.FineTuning;
import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.train.Evaluation;
import dev.graft.runtime.train.ParamGroups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Fine-tuning an imported ONNX model through the Graft API: the cut, the new head, frozen sets by
 * pattern and by count, the batch-norm policy, per-group learning rates, errors for node names and
 * patterns that match nothing, and what training changes and leaves alone.
 *
 * <p>The base is built here: x [N, 6] -> Gemm fc1 (8) -> BatchNormalization bn -> Relu act -> Gemm fc2 (5)
 * -> Gemm cls (3). The data: 150 rows of 6 features whose class (3) is a fixed linear rule.
 */
class FineTuningTest {
    @TempDir
    Path dir;

    private static final Graft GRAFT = Graft.builder().useEnvironment(false).build();

    static float[] values(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    static byte[] baseModel() {
        float[] var = values(8, 5, 0.4);
        for (int i = 0; i < var.length; i++) {
            var[i] = 1.0f + Math.abs(var[i]);
        }
        return Graphs.of(13, 6)
                .floats("W1", values(48, 1, 0.5), 6, 8).floats("b1", values(8, 2, 0.1), 8)
                .floats("gamma", values(8, 3, 0.2), 8).floats("beta", values(8, 4, 0.2), 8)
                .floats("mean", values(8, 6, 0.3), 8).floats("var", var, 8)
                .floats("W2", values(40, 7, 0.5), 8, 5).floats("b2", values(5, 8, 0.1), 5)
                .floats("W3", values(15, 9, 0.5), 5, 3).floats("b3", values(3, 10, 0.1), 3)
                .node("Gemm", "fc1", List.of("x", "W1", "b1"), List.of("h1"))
                .node("BatchNormalization", "bn", List.of("h1", "gamma", "beta", "mean", "var"), List.of("h2"), "epsilon", 1e-5f)
                .node("Relu", "act", List.of("h2"), List.of("h3"))
                .node("Gemm", "fc2", List.of("h3", "W2", "b2"), List.of("h4"))
                .node("Gemm", "cls", List.of("h4", "W3", "b3"), List.of("y"))
                .build().toByteArray();
    }

    /** Writes the base, the data (with {@code features} columns) and a config; returns the config file. */
    Path setUp(String baseAndHead, int features, String... more) throws IOException {
        Files.write(dir.resolve("base.onnx"), baseModel());
        StringBuilder csv = new StringBuilder();
        for (int j = 0; j < features; j++) {
            csv.append("f").append(j).append(',');
        }
        csv.append("label\n");
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 150; i++) {
            double[] x = new double[features];
            for (int j = 0; j < features; j++) {
                x[j] = r.nextDouble() * 2 - 1;
                csv.append(String.format("%.4f,", x[j]));
            }
            double a = x[0] + x[1];
            double b = x[2] - x[3];
            csv.append(a > 0.3 ? "hi" : b > 0 ? "mid" : "lo").append('\n');
        }
        Files.writeString(dir.resolve("data.csv"), csv);
        Path cfg = dir.resolve("ft.yaml");
        Files.writeString(cfg, """
                data:
                  dataset: {type: csv, path: data.csv, label: label}
                  test-split: 0.2
                %s
                loss: softmax-cross-entropy
                optimizer: {type: adam, lr: 0.05}
                training: {epochs: 3, batch-size: 16, seed: 4, validation-split: 0.1, progress: none, metrics: [accuracy]}
                output: {dir: %s}
                %s
                """.formatted(baseAndHead, dir.resolve("out"), String.join("\n", more)));
        return cfg;
    }

    Run prepare(String baseAndHead, String... overrides) throws IOException {
        Path cfg = setUp(baseAndHead, 6);
        return GRAFT.prepare(GRAFT.experiment(cfg, overrides));
    }

    static final String CUT_AND_HEAD = """
            base: {onnx: base.onnx, cut-at: fc2, freeze: [fc1, bn.gamma]}
            head: {layers: [relu, {type: dense, units: 3, name: out}]}
            """;

    static Map<String, INDArray> copy(Map<String, INDArray> params) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        params.forEach((k, v) -> m.put(k, v.dup()));
        return m;
    }

    @Test
    void theCutKeepsWhatTheCutNodeNeedsAndTheHeadReadsIt() throws IOException {
        Run run = prepare(CUT_AND_HEAD);
        FineTuning ft = run.fineTuning();
        assertThat(ft.cutAt()).isEqualTo("fc2");
        assertThat(ft.kept()).extracting(n -> n.name()).containsExactly("fc1", "bn", "act", "fc2");
        assertThat(ft.dropped()).containsExactly("cls");
        Network net = run.network();
        assertThat(net.ir().nodes()).extracting(n -> n.name()).containsExactly("fc1", "bn", "act", "fc2", "relu1", "out");
        assertThat(net.ir().nodes().get(4).inputs()).as("the head's first node reads the cut node").containsExactly("fc2");
        assertThat(net.ir().output()).isEqualTo("out");
        assertThat(net.shapes().get("fc2").dims()).containsExactly(5);
        assertThat(net.shapes().get("out").dims()).containsExactly(3);
        assertThat(net.paramSpecs()).doesNotContainKeys("cls.W", "cls.b");
        assertThat(net.params().get("out.W").shape()).containsExactly(5, 3);
        // the kept base parameters are the pretrained ones
        INDArray w2 = net.params().get("fc2.W");
        assertThat(flat(w2)).containsExactly(values(40, 7, 0.5));
        assertThat(net.params().get("bn.running_mean").toFloatVector()).containsExactly(values(8, 6, 0.3));
    }

    @Test
    void freezePatternsMatchNodeNamesAndParameterNames() throws IOException {
        Run run = prepare(CUT_AND_HEAD);
        assertThat(run.fineTuning().frozen()).containsExactly("fc1.W", "fc1.b", "bn.gamma");
        ParamGroups g = run.groups();
        assertThat(g.frozen()).containsExactly("fc1.W", "fc1.b", "bn.gamma");
        assertThat(g.updated()).containsExactly("bn.beta", "fc2.W", "fc2.b", "out.W", "out.b");
        assertThat(run.fineTuning().statNodes()).containsExactly("bn");
    }

    @Test
    void freezeAllButLastCountsTheNodesWithTrainableParameters() throws IOException {
        String cfg = """
                base: {onnx: base.onnx, cut-at: fc2, freeze-all-but-last: %d}
                head: {layers: [{type: dense, units: 3}]}
                """;
        assertThat(prepare(cfg.formatted(1)).fineTuning().frozen()).containsExactly("fc1.W", "fc1.b", "bn.gamma", "bn.beta");
        assertThat(prepare(cfg.formatted(2)).fineTuning().frozen()).containsExactly("fc1.W", "fc1.b");
        assertThat(prepare(cfg.formatted(0)).fineTuning().frozen()).containsExactly("fc1.W", "fc1.b", "bn.gamma", "bn.beta", "fc2.W", "fc2.b");
        assertThat(prepare(cfg.formatted(3)).fineTuning().frozen()).isEmpty();
        assertThatThrownBy(() -> prepare(cfg.formatted(4)))
                .isInstanceOf(GraftException.class)
                .hasMessageContaining("base.freeze-all-but-last: 4 is more than the 3 base nodes with trainable parameters kept by the cut at 'fc2'")
                .hasMessageContaining("(fc1, bn, fc2)");
    }

    @Test
    void unknownNamesAndPatternsThatMatchNothingAreConfigErrorsWithNearbyNames() throws IOException {
        GraftException cut = (GraftException) catchIt(() -> prepare("""
                base: {onnx: base.onnx, cut-at: fc_2}
                head: {layers: [{type: dense, units: 3}]}
                """));
        assertThat(cut.code()).isEqualTo(GraftException.Code.CONFIG);
        assertThat(cut.getMessage()).contains("base.cut-at: 'fc_2' is not a node of base.onnx").contains("did you mean 'fc2'")
                .contains("fc1, bn, act, fc2, cls");

        GraftException none = (GraftException) catchIt(() -> prepare("""
                base: {onnx: base.onnx, cut-at: fc2, freeze: ["conv*", fc1, "bn.gama"]}
                head: {layers: [{type: dense, units: 3}]}
                """));
        assertThat(none.code()).isEqualTo(GraftException.Code.CONFIG);
        assertThat(none.problems()).hasSize(2);
        assertThat(none.problems().get(0)).contains("base.freeze[0]: 'conv*' matches no node or parameter of the base kept by the cut at 'fc2'");
        assertThat(none.problems().get(1)).contains("base.freeze[2]: 'bn.gama'").contains("did you mean 'bn.gamma'");

        GraftException dropped = (GraftException) catchIt(() -> prepare("""
                base: {onnx: base.onnx, cut-at: fc2, freeze: ["cls*"]}
                head: {layers: [{type: dense, units: 3}]}
                """));
        assertThat(dropped.getMessage()).contains("base.freeze[0]: 'cls*' matches only nodes that base.cut-at 'fc2' drops (cls)");
    }

    @Test
    void theBaseFileTheDataShapeAndHeadNamesAreChecked() throws IOException {
        assertThat(catchIt(() -> prepare("base: {onnx: nowhere.onnx}")).getMessage())
                .contains("base.onnx: no such file: " + dir.resolve("nowhere.onnx")).contains("relative paths start at the config file's directory");
        GraftException clash = (GraftException) catchIt(() -> prepare("""
                base: {onnx: base.onnx, cut-at: fc2}
                head: {layers: [{type: dense, units: 3, name: fc1}]}
                """));
        assertThat(clash.code()).isEqualTo(GraftException.Code.CONFIG);
        assertThat(clash.getMessage()).contains("head.layers[0].name: 'fc1' is also the name of a node of the base (base.onnx)");
        Path cfg = setUp("base: {onnx: base.onnx}", 5);
        GraftException shape = (GraftException) catchIt(() -> GRAFT.prepare(GRAFT.experiment(cfg)));
        assertThat(shape.code()).isEqualTo(GraftException.Code.CONFIG);
        assertThat(shape.getMessage()).contains("base.onnx: base.onnx takes examples of shape [6], but the data gives [5]");
        Files.writeString(dir.resolve("broken.onnx"), "not a model");
        GraftException broken = (GraftException) catchIt(() -> prepare("base: {onnx: broken.onnx}"));
        assertThat(broken.getMessage()).startsWith("base.onnx: ").contains("broken.onnx");
        Files.write(dir.resolve("odd.onnx"), Graphs.of(13, 6).node("Hardmax2", "odd_node", List.of("x"), List.of("y")).build().toByteArray());
        GraftException odd = (GraftException) catchIt(() -> prepare("base: {onnx: odd.onnx}"));
        assertThat(odd.getMessage()).startsWith("base.onnx: odd.onnx uses 1 node no op converter handles").contains("odd_node").contains("Hardmax2");
    }

    @Test
    void trainingLeavesFrozenParametersAndFrozenStatisticsAloneAndMovesTheRest() throws IOException {
        Run run = prepare(CUT_AND_HEAD);
        assertThat(run.fineTuning().inferenceNodes()).containsExactly("bn");
        Map<String, INDArray> before = copy(run.network().params());
        TrainedModel model = run.fit();
        Map<String, INDArray> after = run.network().params();
        for (String p : List.of("fc1.W", "fc1.b", "bn.gamma", "bn.running_mean", "bn.running_var")) {
            assertThat(flat(after.get(p))).as(p + " is frozen").containsExactly(flat(before.get(p)));
        }
        for (String p : List.of("bn.beta", "fc2.W", "fc2.b", "out.W", "out.b")) {
            assertThat(flat(after.get(p))).as(p + " trains").isNotEqualTo(flat(before.get(p)));
        }
        assertThat(model.history()).hasSize(3);
    }

    @Test
    void batchNormUpdateChangesTheRunningStatistics() throws IOException {
        Run run = prepare(CUT_AND_HEAD, "base.batch-norm=update");
        assertThat(run.fineTuning().inferenceNodes()).isEmpty();
        Map<String, INDArray> before = copy(run.network().params());
        run.fit();
        for (String p : List.of("bn.running_mean", "bn.running_var")) {
            assertThat(flat(run.network().params().get(p))).as(p).isNotEqualTo(flat(before.get(p)));
        }
        assertThat(flat(run.network().params().get("fc1.W"))).containsExactly(flat(before.get("fc1.W")));
    }

    @Test
    void frozenBatchNormNormalisesWithItsRunningStatisticsWhileTraining() throws IOException {
        // with no dropout, the training graph's loss equals the inference graph's exactly when batch norm
        // uses its running statistics in both
        for (String policy : List.of("frozen", "update")) {
            Run run = prepare(CUT_AND_HEAD, "base.batch-norm=" + policy);
            Network net = run.network();
            var train = run.splits().train();
            INDArray x = train.features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 16));
            INDArray y = net.lossLabels(train.labels().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 16)));
            double trainLoss = net.gradients(x, y, run.groups().updated()).loss();
            double inferLoss = net.score(x, y, 16).loss();
            if (policy.equals("frozen")) {
                assertThat(trainLoss).isCloseTo(inferLoss, org.assertj.core.data.Offset.offset(1e-5));
            } else {
                assertThat(Math.abs(trainLoss - inferLoss)).as("batch statistics differ from the running ones").isGreaterThan(1e-3);
            }
        }
    }

    @Test
    void theBaseLearningRateGoesToItsTrainableParametersUnlessAConfiguredGroupClaimsThem() throws IOException {
        Path cfg = setUp("""
                base: {onnx: base.onnx, cut-at: fc2, freeze: [fc1], lr: 0.001}
                head: {layers: [{type: dense, units: 3, name: out}]}
                """, 6);
        Experiment exp = GRAFT.experiment(cfg, "optimizer.groups.0.params=fc2.b", "optimizer.groups.0.lr=0.02");
        ParamGroups g = GRAFT.prepare(exp).groups();
        assertThat(g.groupOf("fc1.W").frozen()).isTrue();
        assertThat(g.groupOf("fc1.W").name()).isEqualTo(FineTuning.FROZEN_GROUP);
        assertThat(g.groupOf("fc2.W").lr()).isEqualTo(0.001);
        assertThat(g.groupOf("fc2.W").name()).isEqualTo(FineTuning.BASE_GROUP);
        assertThat(g.groupOf("bn.gamma").lr()).isEqualTo(0.001);
        assertThat(g.groupOf("fc2.b").lr()).as("a configured group wins over base.lr").isEqualTo(0.02);
        assertThat(g.groupOf("out.W").name()).isEqualTo(ParamGroups.DEFAULT);
        GraftException bad = (GraftException) catchIt(() -> GRAFT.prepare(GRAFT.experiment(cfg, "optimizer.groups.0.params=nope*")));
        assertThat(bad.getMessage()).contains("optimizer.groups[0].params: 'nope*' matches no parameter");
    }

    @Test
    void beforeTrainingTheModelAndTheBaseAsItIsAreScored() throws IOException {
        Run run = prepare(CUT_AND_HEAD);
        Evaluation before = run.evaluateTest();
        assertThat(before.examples()).isEqualTo(run.splits().test().size()).isGreaterThan(20);
        Run.BaseAsIs asIs = run.evaluateBaseAsIs();
        assertThat(asIs.skipped()).isNull();
        // the whole base (with its own 3 outputs) scored by hand gives the same accuracy
        TrainedModel whole = TrainedModel.of(GRAFT, run.fineTuning().base().ir(), run.fineTuning().base().params(), "base.onnx");
        int[] predicted = dev.graft.runtime.train.Metrics.classesOf(whole.network().predict(run.splits().test().features(), 64));
        int[] labels = run.splits().test().labels().toIntVector();
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            right += predicted[i] == labels[i] ? 1 : 0;
        }
        assertThat(asIs.evaluation().metrics().get("accuracy")).isCloseTo((double) right / labels.length, org.assertj.core.data.Offset.offset(1e-9));
        TrainedModel trained = run.fit();
        assertThat(trained.testEvaluation().loss()).isLessThan(before.loss());

        Run headless = prepare("base: {onnx: base.onnx}");
        assertThat(headless.evaluateBaseAsIs()).as("the base is the model: nothing separate to score").isNull();
        Run onTop = prepare("""
                base: {onnx: base.onnx}
                head: {layers: [{type: dense, units: 3}]}
                """);
        assertThat(onTop.evaluateBaseAsIs().evaluation().examples()).isEqualTo(run.splits().test().size());
        GraftException noHead = (GraftException) catchIt(() -> prepare("base: {onnx: base.onnx, cut-at: fc2}"));
        assertThat(noHead.code()).isEqualTo(GraftException.Code.CONFIG);
        assertThat(noHead.getMessage()).contains("output node 'fc2'").contains("[5]").contains("3 classes")
                .contains("add head layers after the cut that produce it");
    }

    @Test
    void theJavaBuilderDescribesTheSameExperiment() throws IOException {
        Path cfg = setUp(CUT_AND_HEAD, 6);
        Experiment fromFile = GRAFT.experiment(cfg);
        Experiment built = dev.graft.runtime.ExperimentBuilder.create("ft")
                .baseDir(dir)
                .dataset("csv", Map.of("path", "data.csv", "label", "label"))
                .data("test-split", 0.2)
                .base("base.onnx", Map.of("cut-at", "fc2", "freeze", List.of("fc1", "bn.gamma")))
                .layer("relu").layer("dense", Map.of("units", 3, "name", "out"))
                .loss("softmax-cross-entropy")
                .optimizer("adam", Map.of("lr", 0.05))
                .training(Map.of("epochs", 3, "batch-size", 16, "seed", 4, "validation-split", 0.1, "progress", "none", "metrics", List.of("accuracy")))
                .outputDir(dir.resolve("out"))
                .build();
        assertThat(built.base()).isEqualTo(fromFile.base());
        assertThat(built.nodes()).isEqualTo(fromFile.nodes());
        Run a = GRAFT.prepare(built);
        Run b = GRAFT.prepare(fromFile);
        assertThat(a.network().ir()).isEqualTo(b.network().ir());
        assertThat(a.groups().frozen()).isEqualTo(b.groups().frozen());
    }

    @Test
    void aFineTunedModelSavesAndLoadsLikeAnyOther() throws IOException {
        Run run = prepare(CUT_AND_HEAD);
        TrainedModel m = run.fit();
        m.save(dir.resolve("saved"));
        TrainedModel loaded = GRAFT.load(dir.resolve("saved"));
        INDArray x = run.splits().test().features();
        assertThat(loaded.predict(x).toFloatMatrix()).isDeepEqualTo(m.predict(x).toFloatMatrix());
        assertThat(loaded.network().inferenceNodes()).isEmpty();
    }

    static float[] flat(INDArray a) {
        return a.dup().reshape(-1).toFloatVector();
    }

    private static Throwable catchIt(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(c);
        assertThat(t).isInstanceOf(GraftException.class);
        return t;
    }
}
