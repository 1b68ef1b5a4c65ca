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
