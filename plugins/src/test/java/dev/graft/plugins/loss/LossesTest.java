package dev.graft.plugins.loss;

import dev.graft.api.Shape;
import dev.graft.api.config.NoConfig;
import dev.graft.api.data.Target;
import dev.graft.api.loss.Loss;
import dev.graft.testkit.GradientCheck;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The built-in losses: gradients, reductions against hand-computed values, target checks. */
class LossesTest {
    static final Loss MSE = new MseProvider().create(NoConfig.INSTANCE);
    static final Loss CE = new SoftmaxCrossEntropyProvider().create(NoConfig.INSTANCE);
    static final Target.Classes FOUR = new Target.Classes(List.of("a", "b", "c", "d"));

    static double value(Loss loss, double[][] output, double[][] labels) {
        SameDiff sd = SameDiff.create();
        SDVariable out = sd.var("out", Nd4j.createFromArray(output));
        SDVariable lab = sd.constant("labels", Nd4j.createFromArray(labels));
        return loss.compute(sd, out, lab).eval().getDouble(0);
    }

    @Test
    void gradients() {
        GradientCheck.loss(MSE).output(Shape.of(3)).batch(4).check();
        GradientCheck.loss(MSE).output(Shape.of(2, 3)).check();
        GradientCheck.loss(MSE).output(Shape.of(4)).target(FOUR).check();
        GradientCheck.loss(CE).output(Shape.of(4)).target(FOUR).batch(5).check();
        GradientCheck.loss(CE).output(Shape.of(2)).target(new Target.Classes(List.of("no", "yes"))).check();
    }

    @Test
    void crossEntropyGradientsWithLargeLogits() {
        GradientCheck.loss(CE).output(Shape.of(4)).target(FOUR)
                .predictionValues(rng -> 50 * (2 * rng.nextDouble() - 1))
                .check();
    }

    @Test
    void mseIsTheMeanOverAllElements() {
        // differences 1, 0, 2, 3 -> squares 1, 0, 4, 9 -> mean 3.5 (a sum would be 14, a per-row mean 7)
        double v = value(MSE, new double[][] {{1, 2}, {3, 4}}, new double[][] {{0, 2}, {1, 1}});
        assertThat(v).isCloseTo(3.5, within(1e-12));
    }

    @Test
    void crossEntropyIsTheMeanOverTheBatchOfMinusLogSoftmax() {
        double[][] logits = {{1, 2, 3}, {1, 0, -1}};
        double[][] labels = {{0, 0, 1}, {0, 1, 0}};
        double row0 = -(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)));
        double row1 = -(0 - Math.log(Math.exp(1) + Math.exp(0) + Math.exp(-1)));
        double expected = (row0 + row1) / 2; // 0.9076059644443802
        assertThat(value(CE, logits, labels)).isCloseTo(expected, within(1e-12));
        assertThat(expected).isCloseTo(0.9076059644443802, within(1e-15));
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        double v = value(CE, new double[][] {{1000, 0}, {0, 1000}}, new double[][] {{1, 0}, {1, 0}});
        assertThat(v).isCloseTo(500, within(1e-9));
    }

    @Test
    void crossEntropyPredictionsAreSoftmaxProbabilities() {
        SameDiff sd = SameDiff.create();
        INDArray p = CE.predictions(sd, sd.var("out", Nd4j.createFromArray(new double[][] {{1, 2, 3}}))).eval();
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertThat(p.toDoubleVector()).containsExactly(new double[] {Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z},
                within(1e-12));
        SDVariable raw = sd.var("raw", Nd4j.createFromArray(new double[][] {{1, 2}}));
        assertThat(MSE.predictions(sd, raw)).isSameAs(raw);
    }

    @Test
    void targetChecks() {
        assertThat(CE.checkTarget(FOUR)).isNull();
        assertThat(CE.checkTarget(new Target.Regression(Shape.of(1))))
                .isEqualTo("softmax-cross-entropy needs class labels, the dataset has regression targets of shape [1];"
                        + " use mse for regression");
        assertThat(MSE.checkTarget(new Target.Regression(Shape.of(3)))).isNull();
        assertThat(MSE.checkTarget(FOUR)).isNull();
    }
}
