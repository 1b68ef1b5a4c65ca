package dev.graft.plugins.metric;

import dev.graft.api.Shape;
import dev.graft.api.config.NoConfig;
import dev.graft.api.data.Target;
import dev.graft.api.metric.Metric;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The metrics against values worked out by hand. */
class MetricsTest {
    static final Target.Classes THREE = new Target.Classes(List.of("a", "b", "c"));
    static final Target.Regression ONE = new Target.Regression(Shape.of(1));

    /** One-hot-ish score rows whose argmax is the given class. */
    static INDArray scores(int... classes) {
        float[][] rows = new float[classes.length][3];
        for (int i = 0; i < classes.length; i++) {
            rows[i][classes[i]] = 0.7f;
            rows[i][(classes[i] + 1) % 3] = 0.2f;
            rows[i][(classes[i] + 2) % 3] = 0.1f;
        }
        return Nd4j.createFromArray(rows);
    }

    static INDArray labels(float... y) {
        return Nd4j.createFromArray(y);
    }

    static double score(MetricProviderBase provider, INDArray predictions, INDArray labels, Target target) {
        return provider.create(NoConfig.INSTANCE).compute(predictions, labels, target);
    }

    @Test
    void classificationMetricsByHand() {
        // truth:     0 0 1 1 2 2
        // predicted: 0 1 1 1 0 1      (class 2 is never predicted)
        // class 0: tp 1, fp 1, fn 1 -> P 1/2, R 1/2, F1 1/2
        // class 1: tp 2, fp 2, fn 0 -> P 1/2, R 1,   F1 2/3
        // class 2: tp 0, fp 0, fn 2 -> P 0 (zero division), R 0, F1 0
        INDArray p = scores(0, 1, 1, 1, 0, 1);
        INDArray y = labels(0, 0, 1, 1, 2, 2);
        assertThat(score(new AccuracyProvider(), p, y, THREE)).isCloseTo(3.0 / 6, within(1e-12));
        assertThat(score(new PrecisionProvider(), p, y, THREE)).isCloseTo((0.5 + 0.5 + 0) / 3, within(1e-12));
        assertThat(score(new RecallProvider(), p, y, THREE)).isCloseTo((0.5 + 1 + 0) / 3, within(1e-12));
        assertThat(score(new F1MacroProvider(), p, y, THREE)).isCloseTo((0.5 + 2.0 / 3 + 0) / 3, within(1e-12));
    }

    @Test
    void macroAveragesOverClassesInLabelsOrPredictions() {
        // truth 0 0 1, predicted 0 2 1: class 2 appears only among the predictions
        // class 0: P 1, R 1/2; class 1: P 1, R 1; class 2: P 0, R 0 (no true examples)
        INDArray p = scores(0, 2, 1);
        INDArray y = labels(0, 0, 1);
        assertThat(score(new PrecisionProvider(), p, y, THREE)).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(score(new RecallProvider(), p, y, THREE)).isCloseTo(0.5, within(1e-12));
        // F1: class 0 = 2 * 1 * 0.5 / 1.5 = 2/3, class 1 = 1, class 2 = 0
        assertThat(score(new F1MacroProvider(), p, y, THREE)).isCloseTo((2.0 / 3 + 1) / 3, within(1e-12));
        // a class absent from both is not averaged in: truth 0 1, predicted 0 1 -> everything 1
        assertThat(score(new PrecisionProvider(), scores(0, 1), labels(0, 1), THREE)).isEqualTo(1.0);
    }

    @Test
    void singleColumnPredictionsAreThresholdedAtOneHalf() {
        INDArray p = Nd4j.createFromArray(new float[][] {{0.9f}, {0.2f}, {0.6f}, {0.4f}});
        INDArray y = labels(1, 0, 0, 0);
        assertThat(score(new AccuracyProvider(), p, y, new Target.Classes(List.of("no", "yes")))).isEqualTo(0.75);
    }

    @Test
    void regressionMetricsByHand() {
        INDArray p = Nd4j.createFromArray(new float[][] {{1}, {2}, {4}});
        INDArray y = Nd4j.createFromArray(new float[][] {{1.5f}, {2}, {1}});
        // errors -0.5, 0, 3
        assertThat(score(new MseMetricProvider(), p, y, ONE)).isCloseTo((0.25 + 0 + 9) / 3, within(1e-9));
        assertThat(score(new MaeProvider(), p, y, ONE)).isCloseTo((0.5 + 0 + 3) / 3, within(1e-9));
        // labels [n] against predictions [n, 1] are fine too
        assertThat(score(new MaeProvider(), p, labels(1.5f, 2, 1), ONE)).isCloseTo(3.5 / 3, within(1e-9));
    }

    @Test
    void directionAndTargetChecks() {
        Metric accuracy = new AccuracyProvider().create(NoConfig.INSTANCE);
        Metric mse = new MseMetricProvider().create(NoConfig.INSTANCE);
        assertThat(accuracy.higherIsBetter()).isTrue();
        assertThat(mse.higherIsBetter()).isFalse();
        assertThat(new MaeProvider().create(NoConfig.INSTANCE).higherIsBetter()).isFalse();
        assertThat(accuracy.checkTarget(THREE)).isNull();
        assertThat(accuracy.checkTarget(ONE))
                .isEqualTo("accuracy needs class labels, the dataset has regression targets of shape [1]; use mse or mae");
        assertThat(new F1MacroProvider().create(NoConfig.INSTANCE).checkTarget(ONE)).startsWith("f1-macro needs class labels");
        assertThat(mse.checkTarget(ONE)).isNull();
        assertThat(mse.checkTarget(THREE))
                .isEqualTo("mse needs regression targets, the dataset has 3 classes; use accuracy, precision, recall or f1-macro");
    }

    static final Target.Classes FOUR = new Target.Classes(List.of("a", "b", "c", "d"));
    // truth 0 1 2 3 1 2; rank of the true class: 0, 1 (0.4 > 0.3), 2 (0.35, 0.3 > 0.25), 3, 0, 0
    static final INDArray FOUR_SCORES = Nd4j.createFromArray(new double[][] {
            {0.5, 0.2, 0.2, 0.1}, {0.1, 0.3, 0.4, 0.2}, {0.35, 0.3, 0.25, 0.1},
            {0.4, 0.3, 0.2, 0.1}, {0.1, 0.6, 0.2, 0.1}, {0.2, 0.2, 0.5, 0.1}});
    static final INDArray FOUR_LABELS = labels(0, 1, 2, 3, 1, 2);

    static Metric topK(int k) {
        return new TopKAccuracyProvider().create(new TopKAccuracyProvider.Config(k));
    }

    /**
     * scikit-learn 1.2.1 agrees: {@code top_k_accuracy_score(y, s, k=k, labels=[0, 1, 2, 3])} gives 0.5,
     * 0.6666666666666666 and 0.8333333333333334 for k = 1, 2, 3.
     */
    @Test
    void topKAccuracyByHand() {
        assertThat(topK(1).compute(FOUR_SCORES, FOUR_LABELS, FOUR)).isCloseTo(3.0 / 6, within(1e-12));
        assertThat(topK(2).compute(FOUR_SCORES, FOUR_LABELS, FOUR)).isCloseTo(4.0 / 6, within(1e-12));
        assertThat(topK(3).compute(FOUR_SCORES, FOUR_LABELS, FOUR)).isCloseTo(5.0 / 6, within(1e-12));
        // k = 1 is accuracy, ties included (the lower class index wins, as in argmax)
        INDArray tied = Nd4j.createFromArray(new float[][] {{0.4f, 0.4f, 0.2f}, {0.4f, 0.4f, 0.2f}});
        assertThat(topK(1).compute(tied, labels(0, 1), THREE)).isEqualTo(0.5);
        assertThat(score(new AccuracyProvider(), tied, labels(0, 1), THREE)).isEqualTo(0.5);
        assertThat(topK(2).compute(tied, labels(0, 1), THREE)).isEqualTo(1.0);
    }

    @Test
    void topKChecksTheTargetAndTheInputs() {
        assertThat(topK(3).checkTarget(FOUR)).isNull();
        assertThat(topK(3).checkTarget(THREE))
                .isEqualTo("top-k-accuracy with k = 3 needs more than 3 classes, the dataset has 3; set k below 3 or use accuracy");
        assertThat(topK(1).checkTarget(ONE)).isEqualTo("top-k-accuracy needs class labels, the dataset has regression targets"
                + " of shape [1]; use mse or mae");
        assertThat(topK(2).higherIsBetter()).isTrue();
        assertThatThrownBy(() -> topK(3).compute(scores(0, 1), labels(0, 1), THREE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("top-k-accuracy with k = 3 expects predictions of shape [n, classes] with more than 3 classes, got [2, 3]");
        assertThatThrownBy(() -> topK(1).compute(scores(0, 1), labels(0, 5), THREE))
                .hasMessage("top-k-accuracy: label 5 at row 1 is not one of the 3 classes");
        assertThatThrownBy(() -> new TopKAccuracyProvider.Config(0)).hasMessage("k must be a whole number >= 1, got 0");
    }

    /** scikit-learn: f1_score, precision_score and recall_score with average="micro" all give 0.5 here. */
    @Test
    void microAveragesEqualAccuracyForSingleLabels() {
        // argmax 0 2 0 0 1 2 against 0 1 2 3 1 2: 3 right, 3 wrong -> tp 3, fp 3, fn 3
        for (MetricProviderBase p : new MetricProviderBase[] {new F1MicroProvider(), new PrecisionMicroProvider(),
                new RecallMicroProvider()}) {
            assertThat(score(p, FOUR_SCORES, FOUR_LABELS, FOUR)).as(p.id()).isCloseTo(0.5, within(1e-12));
            assertThat(p.create(NoConfig.INSTANCE).checkTarget(ONE)).startsWith(p.id() + " needs class labels");
        }
        // the earlier example: 3 of 6 right
        assertThat(score(new F1MicroProvider(), scores(0, 1, 1, 1, 0, 1), labels(0, 0, 1, 1, 2, 2), THREE)).isEqualTo(0.5);
    }

    /**
     * By hand and with scikit-learn's {@code r2_score} (uniform average): outputs [3, -0.5, 2, 7] against
     * [2.5, 0, 2, 8]: residual 1.5, mean 2.875, total 29.1875 -> 0.9486081370449679; the second output
     * [-0.5, 1, 2, 4] against [0, 1.5, 2.5, 3]: residual 1.75, total 10.6875 -> 0.8362573099415205;
     * mean 0.8924327234932442.
     */
    @Test
    void r2ByHand() {
        INDArray y = Nd4j.createFromArray(new double[][] {{3, -0.5}, {-0.5, 1}, {2, 2}, {7, 4}});
        INDArray p = Nd4j.createFromArray(new double[][] {{2.5, 0}, {0, 1.5}, {2, 2.5}, {8, 3}});
        Target.Regression two = new Target.Regression(Shape.of(2));
        assertThat(score(new R2Provider(), p, y, two)).isCloseTo(0.8924327234932442, within(1e-12));
        assertThat((1 - 1.5 / 29.1875 + 1 - 1.75 / 10.6875) / 2).isCloseTo(0.8924327234932442, within(1e-15));
        // a single output, labels [n] against predictions [n, 1]
        assertThat(score(new R2Provider(), p.getColumn(0).reshape(4, 1), Nd4j.createFromArray(3, -0.5, 2, 7.0), ONE))
                .isCloseTo(0.9486081370449679, within(1e-12));
        // constant labels: 1 when predicted exactly, else 0 (scikit-learn: 0.9375 and 0.4375)
        INDArray constant = Nd4j.createFromArray(new double[][] {{1, 2}, {1, 3}, {1, 4}});
        assertThat(score(new R2Provider(), Nd4j.createFromArray(new double[][] {{1, 2.5}, {1, 3}, {1, 4}}), constant, two))
                .isCloseTo(0.9375, within(1e-12));
        assertThat(score(new R2Provider(), Nd4j.createFromArray(new double[][] {{1.5, 2.5}, {1, 3}, {1, 4}}), constant, two))
                .isCloseTo(0.4375, within(1e-12));
        // predicting the mean scores 0, one example is undefined
        assertThat(score(new R2Provider(), Nd4j.createFromArray(new double[][] {{2}, {2}}), Nd4j.createFromArray(new double[][] {{1}, {3}}), ONE))
                .isEqualTo(0.0);
        assertThat(score(new R2Provider(), Nd4j.createFromArray(new double[][] {{2}}), Nd4j.createFromArray(new double[][] {{1}}), ONE))
                .isNaN();
        Metric r2 = new R2Provider().create(NoConfig.INSTANCE);
        assertThat(r2.higherIsBetter()).isTrue();
        assertThat(r2.checkTarget(ONE)).isNull();
        assertThat(r2.checkTarget(THREE))
                .isEqualTo("r2 needs regression targets, the dataset has 3 classes; use accuracy, precision, recall or f1-macro");
        assertThatThrownBy(() -> r2.compute(scores(0, 1), labels(0, 1), ONE))
                .hasMessage("r2: predictions of shape [2, 3] do not match labels of shape [2]");
    }

    @Test
    void misshapenInputsAreRejected() {
        assertThatThrownBy(() -> score(new AccuracyProvider(), scores(0, 1), labels(0, 1, 2), THREE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("accuracy: 2 predictions but 3 labels");
        assertThatThrownBy(() -> score(new AccuracyProvider(), scores(0, 1), labels(0, 1.5f), THREE))
                .hasMessage("accuracy: label 1.5 at row 1 is not a class index (a whole number >= 0)");
        assertThatThrownBy(() -> score(new MseMetricProvider(), scores(0, 1), labels(0, 1), ONE))
                .hasMessage("mse: predictions of shape [2, 3] do not match labels of shape [2]");
    }
}
