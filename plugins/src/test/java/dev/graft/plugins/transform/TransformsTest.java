package dev.graft.plugins.transform;

import dev.graft.api.config.NoConfig;
import dev.graft.api.data.Transform;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** standardize and min-max: statistics, constant features, any rank, save/restore. */
class TransformsTest {
    static final Transform STANDARDIZE = new StandardizeProvider().create(NoConfig.INSTANCE);
    static final Transform MIN_MAX = new MinMaxProvider().create(NoConfig.INSTANCE);

    // three rows, features: varying, constant, varying
    static final INDArray TRAIN = Nd4j.createFromArray(new float[][] {{1, 5, 10}, {2, 5, 20}, {3, 5, 60}});

    @Test
    void standardizeByHand() {
        Transform.Fitted f = STANDARDIZE.fit(TRAIN);
        // feature 0: mean 2, population std sqrt(2/3); feature 2: mean 30, std sqrt((400 + 100 + 900) / 3)
        double s0 = Math.sqrt(2.0 / 3);
        double s2 = Math.sqrt(1400.0 / 3);
        INDArray out = f.apply(TRAIN);
        assertThat(out.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(out.getDouble(0, 0)).isCloseTo(-1 / s0, within(1e-6));
        assertThat(out.getDouble(2, 2)).isCloseTo(30 / s2, within(1e-6));
        assertThat(out.getColumn(1).toDoubleVector()).containsOnly(0.0);
        assertThat(f.state().get("mean").toDoubleVector()).containsExactly(new double[] {2, 5, 30}, within(1e-12));
        assertThat(f.state().get("std").toDoubleVector()).containsExactly(new double[] {s0, 1, s2}, within(1e-12));
        // unseen data with the constant feature moved: x - mean, no blow-up
        assertThat(f.apply(Nd4j.createFromArray(new float[][] {{2, 7, 30}})).toDoubleVector())
                .containsExactly(new double[] {0, 2, 0}, within(1e-6));
    }

    @Test
    void minMaxByHand() {
        Transform.Fitted f = MIN_MAX.fit(TRAIN);
        INDArray out = f.apply(TRAIN);
        assertThat(out.getColumn(0).toDoubleVector()).containsExactly(new double[] {0, 0.5, 1}, within(1e-6));
        assertThat(out.getColumn(1).toDoubleVector()).containsOnly(0.0);
        assertThat(out.getColumn(2).toDoubleVector()).containsExactly(new double[] {0, 0.2, 1}, within(1e-6));
        assertThat(f.state().keySet()).containsExactly("min", "range");
    }

    @Test
    void imagesAreTransformedPerPixelAndKeepTheirShape() {
        INDArray images = Nd4j.rand(DataType.FLOAT, 20, 1, 4, 4).muli(255);
        INDArray before = images.dup();
        INDArray out = STANDARDIZE.fit(images).apply(images);
        assertThat(out.shape()).containsExactly(20, 1, 4, 4);
        assertThat(images).isEqualTo(before);
        INDArray perPixelMean = out.reshape(20, 16).mean(0);
        assertThat(perPixelMean.toDoubleVector()).containsExactly(new double[16], within(1e-5));
        INDArray scaled = MIN_MAX.fit(images).apply(images);
        assertThat(scaled.minNumber().doubleValue()).isCloseTo(0, within(1e-6));
        assertThat(scaled.maxNumber().doubleValue()).isCloseTo(1, within(1e-6));
    }

    @Test
    void restoreGivesTheSameTransform() {
        for (Transform t : new Transform[] {STANDARDIZE, MIN_MAX}) {
            Transform.Fitted fitted = t.fit(TRAIN);
            Transform.Fitted restored = t.restore(fitted.state());
            INDArray x = Nd4j.createFromArray(new float[][] {{0, 1, 2}, {4, 5, 6}});
            assertThat(restored.apply(x)).isEqualTo(fitted.apply(x));
        }
    }

    @Test
    void badStateAndMismatchedFeaturesAreRejected() {
        assertThatThrownBy(() -> STANDARDIZE.restore(Map.of("mean", Nd4j.zeros(3))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("standardize state must have exactly the keys 'mean' and 'std', got [mean]");
        assertThatThrownBy(() -> MIN_MAX.restore(Map.of("min", Nd4j.zeros(3), "range", Nd4j.zeros(2))))
                .hasMessage("min-max state 'min' has 3 values but 'range' has 2");
        assertThatThrownBy(() -> MIN_MAX.restore(Map.of("min", Nd4j.zeros(2), "range", Nd4j.zeros(2))))
                .hasMessage("min-max state 'range' must hold finite positive values, found 0.0");
        assertThatThrownBy(() -> STANDARDIZE.fit(TRAIN).apply(Nd4j.zeros(DataType.FLOAT, 2, 4)))
                .hasMessage("standardize was fitted on examples of 3 values, got examples of shape [4] (4 values)");
    }
}
