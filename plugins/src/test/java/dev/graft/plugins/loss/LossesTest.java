package dev.graft.plugins.loss;

import dev.graft.api.Shape;
import dev.graft.api.config.NoConfig;
import dev.graft.api.data.Target;
import dev.graft.api.loss.Loss;
import dev.graft.plugins.loss.SoftmaxCrossEntropyProvider.Labels;
import dev.graft.testkit.GradientCheck;
import dev.graft.testkit.LossContract;
import dev.graft.testkit.ValueGenerator;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The built-in losses: gradients, values against PyTorch 1.13 (float64) or hand computation, target
 * checks and config validation. The PyTorch numbers come from this script:
 * <pre>
 * import torch, torch.nn as nn
 * d = torch.float64
 * x = torch.tensor([[0.5, -1.2, 3.0], [2.0, 0.1, -0.4]], dtype=d)
 * y = torch.tensor([[1.0, 0.3, 0.5], [-1.0, 0.1, 1.6]], dtype=d)
 * nn.L1Loss()(x, y); nn.HuberLoss()(x, y); nn.HuberLoss(delta=0.5)(x, y)
 * z = torch.tensor([[1.0, 2.0, 0.5], [0.2, -1.0, 2.5], [3.0, 0.0, -2.0], [0.1, 0.2, 0.3]], dtype=d)
 * t = torch.tensor([2, 0, 0, 1]); w = torch.tensor([1.0, 2.0, 0.5], dtype=d)
 * nn.CrossEntropyLoss()(z, t); nn.CrossEntropyLoss(label_smoothing=0.1)(z, t)
 * nn.CrossEntropyLoss(weight=w)(z, t); nn.CrossEntropyLoss(weight=w, label_smoothing=0.2)(z, t)
 * b = torch.tensor([[0.8, -2.0], [3.0, 0.1], [-0.5, 1.5]], dtype=d)
 * by = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=d)
 * nn.BCEWithLogitsLoss()(b, by); nn.BCEWithLogitsLoss(pos_weight=torch.tensor(3.0, dtype=d))(b, by)
 * nn.BCEWithLogitsLoss()(torch.tensor([[100.0], [-100.0], [30.0]], dtype=d), torch.tensor([[0.0], [1.0], [1.0]], dtype=d))
 * nn.NLLLoss()(torch.log_softmax(z, 1), t)
 * </pre>
 */
class LossesTest {
    static final Loss MSE = new MseProvider().create(NoConfig.INSTANCE);
    static final Loss CE = new SoftmaxCrossEntropyProvider().create(SoftmaxCrossEntropyProvider.Config.defaults());
    static final Loss MAE = new MaeProvider().create(NoConfig.INSTANCE);
    static final Loss HUBER = huber(1.0);
    static final Loss BCE = bce(1.0);
    static final Loss NLL = new NllProvider().create(NoConfig.INSTANCE);
    static final Target.Classes TWO = new Target.Classes(List.of("no", "yes"));
    static final Target.Classes THREE = new Target.Classes(List.of("a", "b", "c"));
    static final Target.Classes FOUR = new Target.Classes(List.of("a", "b", "c", "d"));

    static final double[][] X = {{0.5, -1.2, 3.0}, {2.0, 0.1, -0.4}};
    static final double[][] Y = {{1.0, 0.3, 0.5}, {-1.0, 0.1, 1.6}};
    static final double[][] Z = {{1.0, 2.0, 0.5}, {0.2, -1.0, 2.5}, {3.0, 0.0, -2.0}, {0.1, 0.2, 0.3}};
    static final double[] T = {2, 0, 0, 1};
    static final double[][] T_ONE_HOT = {{0, 0, 1}, {1, 0, 0}, {1, 0, 0}, {0, 1, 0}};
    static final List<Double> W = List.of(1.0, 2.0, 0.5);

    static Loss huber(double delta) {
        return new HuberProvider().create(new HuberProvider.Config(delta));
    }

    static Loss bce(double posWeight) {
        return new BinaryCrossEntropyProvider().create(new BinaryCrossEntropyProvider.Config(posWeight));
    }

    static Loss ce(Labels labels, double smoothing, List<Double> weights) {
        return new SoftmaxCrossEntropyProvider().create(new SoftmaxCrossEntropyProvider.Config(labels, smoothing, weights));
    }

    /** The loss value, after checkTarget (as Graft calls it) accepted the target. */
    static double value(Loss loss, Target target, INDArray output, INDArray labels) {
        assertThat(loss.checkTarget(target)).isNull();
        SameDiff sd = SameDiff.create();
        SDVariable out = sd.var("out", output);
        SDVariable lab = sd.constant("labels", labels);
        return loss.compute(sd, out, lab).eval().getDouble(0);
    }

    static double value(Loss loss, Target target, double[][] output, double[][] labels) {
        return value(loss, target, Nd4j.createFromArray(output), Nd4j.createFromArray(labels));
    }

    static double value(Loss loss, Target target, double[][] output, double[] labels) {
        return value(loss, target, Nd4j.createFromArray(output), Nd4j.createFromArray(labels));
    }

    static double[] predictions(Loss loss, double[][] output) {
        SameDiff sd = SameDiff.create();
        return loss.predictions(sd, sd.var("out", Nd4j.createFromArray(output))).eval().reshape(-1).toDoubleVector();
    }

    @Test
    void everyBuiltInLossPassesTheLossContract() {
        Target.Regression r3 = new Target.Regression(Shape.of(3));
        Target.Regression r23 = new Target.Regression(Shape.of(2, 3));
        LossContract.check(new MseProvider(), NoConfig.INSTANCE, Shape.of(3), r3);
        LossContract.check(new MseProvider(), NoConfig.INSTANCE, Shape.of(4), FOUR);
        LossContract.check(new MaeProvider(), NoConfig.INSTANCE, Shape.of(2, 3), r23);
        LossContract.check(new HuberProvider(), new HuberProvider.Config(1.0), Shape.of(2, 3), r23,
                c -> c.predictionValues(ValueGenerator.uniform(-3, 3)));
        LossContract.check(new HuberProvider(), new HuberProvider.Config(0.3), Shape.of(3), r3);
        LossContract.check(new SoftmaxCrossEntropyProvider(), SoftmaxCrossEntropyProvider.Config.defaults(), Shape.of(4), FOUR);
        LossContract.check(new SoftmaxCrossEntropyProvider(), new SoftmaxCrossEntropyProvider.Config(Labels.INDEX, 0.1,
                List.of(1.0, 2.0, 0.5, 3.0)), Shape.of(4), FOUR, c -> c.batch(6));
        LossContract.check(new SoftmaxCrossEntropyProvider(), new SoftmaxCrossEntropyProvider.Config(Labels.ONE_HOT, 0.25,
                null), Shape.of(3), THREE);
        LossContract.check(new SoftmaxCrossEntropyProvider(), new SoftmaxCrossEntropyProvider.Config(Labels.INDEX, 0,
                null), Shape.of(2), TWO);
        LossContract.check(new BinaryCrossEntropyProvider(), new BinaryCrossEntropyProvider.Config(1.0), Shape.of(3), r3,
                c -> c.labelValues(rng -> rng.nextInt(2)).predictionValues(ValueGenerator.awayFromZero(0.01, 4)));
        LossContract.check(new BinaryCrossEntropyProvider(), new BinaryCrossEntropyProvider.Config(2.5), Shape.of(1), TWO,
                c -> c.batch(8).predictionValues(ValueGenerator.awayFromZero(0.01, 4)));
        LossContract.check(new NllProvider(), NoConfig.INSTANCE, Shape.of(4), FOUR,
                c -> c.predictionValues(ValueGenerator.uniform(-5, -0.01)));
    }

    @Test
    void gradients() {
        GradientCheck.loss(MSE).output(Shape.of(3)).batch(4).check();
        GradientCheck.loss(MSE).output(Shape.of(2, 3)).check();
        GradientCheck.loss(MSE).output(Shape.of(4)).target(FOUR).check();
        GradientCheck.loss(CE).output(Shape.of(4)).target(FOUR).batch(5).check();
        GradientCheck.loss(CE).output(Shape.of(2)).target(TWO).check();
        GradientCheck.loss(ce(Labels.ONE_HOT, 0.1, List.of(0.5, 1.0, 4.0))).output(Shape.of(3)).target(THREE).batch(5).check();
        GradientCheck.loss(MAE).output(Shape.of(5)).batch(4).check();
        // both branches of huber: errors up to 3 against delta 0.5
        GradientCheck.loss(huber(0.5)).output(Shape.of(5)).batch(4).predictionValues(ValueGenerator.uniform(-2, 2)).check();
        GradientCheck.loss(bce(0.7)).output(Shape.of(2, 2)).labelValues(ValueGenerator.uniform(0, 1))
                .predictionValues(ValueGenerator.awayFromZero(0.01, 3)).check();
        GradientCheck.loss(NLL).output(Shape.of(3)).target(THREE).check();
    }

    @Test
    void crossEntropyGradientsWithLargeLogits() {
        GradientCheck.loss(CE).output(Shape.of(4)).target(FOUR)
                .predictionValues(rng -> 50 * (2 * rng.nextDouble() - 1))
                .check();
        GradientCheck.loss(bce(1.0)).output(Shape.of(4)).labelValues(rng -> rng.nextInt(2))
                .predictionValues(rng -> (rng.nextBoolean() ? 1 : -1) * (30 + 20 * rng.nextDouble()))
                .check();
    }

    @Test
    void mseIsTheMeanOverAllElements() {
        // differences 1, 0, 2, 3 -> squares 1, 0, 4, 9 -> mean 3.5 (a sum would be 14, a per-row mean 7)
        double v = value(MSE, new Target.Regression(Shape.of(2)), new double[][] {{1, 2}, {3, 4}}, new double[][] {{0, 2}, {1, 1}});
        assertThat(v).isCloseTo(3.5, within(1e-12));
    }

    @Test
    void maeAndHuberMatchPyTorch() {
        Target.Regression r = new Target.Regression(Shape.of(3));
        // |d| = 0.5, 1.5, 2.5, 3.0, 0.0, 2.0 -> mean 9.5 / 6
        assertThat(value(MAE, r, X, Y)).isCloseTo(1.5833333333333333, within(1e-12));
        assertThat(value(HUBER, r, X, Y)).isCloseTo(1.1875, within(1e-12));
        assertThat(value(huber(0.5), r, X, Y)).isCloseTo(0.6875, within(1e-12));
        // by hand for delta 1: 0.125, 1.0, 2.0, 2.5, 0, 1.5 -> 7.125 / 6
        assertThat(7.125 / 6).isEqualTo(1.1875);
    }

    @Test
    void crossEntropyIsTheMeanOverTheBatchOfMinusLogSoftmax() {
        double[][] logits = {{1, 2, 3}, {1, 0, -1}};
        double[][] labels = {{0, 0, 1}, {0, 1, 0}};
        double row0 = -(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)));
        double row1 = -(0 - Math.log(Math.exp(1) + Math.exp(0) + Math.exp(-1)));
        double expected = (row0 + row1) / 2; // 0.9076059644443802
        assertThat(value(CE, THREE, logits, labels)).isCloseTo(expected, within(1e-12));
        assertThat(expected).isCloseTo(0.9076059644443802, within(1e-15));
    }

    @Test
    void crossEntropyOptionsMatchPyTorch() {
        for (Labels labels : Labels.values()) {
            String as = labels.toString();
            assertThat(ceValue(ce(labels, 0, null), labels)).as(as).isCloseTo(1.385979539948394, within(1e-12));
            assertThat(ceValue(ce(labels, 0.1, null), labels)).as(as).isCloseTo(1.4268128732817273, within(1e-12));
            assertThat(ceValue(ce(labels, 0, W), labels)).as(as).isCloseTo(1.2585948035486327, within(1e-12));
            assertThat(ceValue(ce(labels, 0.2, W), labels)).as(as).isCloseTo(1.3876715992726472, within(1e-12));
        }
        assertThat(ce(Labels.INDEX, 0, null).labelFormat()).isEqualTo(Loss.LabelFormat.INDEX);
        assertThat(CE.labelFormat()).isEqualTo(Loss.LabelFormat.ONE_HOT);
    }

    static double ceValue(Loss loss, Labels labels) {
        return labels == Labels.INDEX ? value(loss, THREE, Z, T) : value(loss, THREE, Z, T_ONE_HOT);
    }

    @Test
    void uniformClassWeightsChangeNothing() {
        assertThat(ceValue(ce(Labels.ONE_HOT, 0.3, List.of(2.0, 2.0, 2.0)), Labels.ONE_HOT))
                .isCloseTo(ceValue(ce(Labels.ONE_HOT, 0.3, null), Labels.ONE_HOT), within(1e-12));
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        double v = value(CE, TWO, new double[][] {{1000, 0}, {0, 1000}}, new double[][] {{1, 0}, {1, 0}});
        assertThat(v).isCloseTo(500, within(1e-9));
    }

    @Test
    void indexLabelsNeedTheClassCount() {
        Loss index = ce(Labels.INDEX, 0, null);
        SameDiff sd = SameDiff.create();
        assertThatThrownBy(() -> index.compute(sd, sd.var("z", Nd4j.createFromArray(Z)), sd.constant("t", Nd4j.createFromArray(T))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("softmax-cross-entropy with labels: index needs the number of classes: call checkTarget(target)"
                        + " before compute, or give class-weights");
        // class-weights give it
        assertThat(value(ce(Labels.INDEX, 0, W), THREE, Z, T)).isCloseTo(1.2585948035486327, within(1e-12));
    }

    @Test
    void crossEntropyPredictionsAreSoftmaxProbabilities() {
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertThat(predictions(CE, new double[][] {{1, 2, 3}}))
                .containsExactly(new double[] {Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z}, within(1e-12));
        SameDiff sd = SameDiff.create();
        SDVariable raw = sd.var("raw", Nd4j.createFromArray(new double[][] {{1, 2}}));
        assertThat(MSE.predictions(sd, raw)).isSameAs(raw);
    }

    @Test
    void binaryCrossEntropyMatchesPyTorch() {
        double[][] b = {{0.8, -2.0}, {3.0, 0.1}, {-0.5, 1.5}};
        double[][] by = {{1, 0}, {0, 1}, {1, 1}};
        Target.Regression r = new Target.Regression(Shape.of(2));
        assertThat(value(BCE, r, b, by)).isCloseTo(0.8944171584668205, within(1e-12));
        assertThat(value(bce(3.0), r, b, by)).isCloseTo(1.6247463545282228, within(1e-12));
        // huge logits: 100 for a 0 costs 100, -100 for a 1 costs 100, 30 for a 1 costs log(1 + e^-30)
        assertThat(value(BCE, new Target.Regression(Shape.of(1)), new double[][] {{100}, {-100}, {30}},
                new double[][] {{0}, {1}, {1}})).isCloseTo(66.6666666666667, within(1e-9));
        // by hand, one element: x = 0.8, y = 1: -log sigmoid(0.8) = log(1 + e^-0.8)
        assertThat(value(BCE, new Target.Regression(Shape.of(1)), new double[][] {{0.8}}, new double[][] {{1}}))
                .isCloseTo(Math.log(1 + Math.exp(-0.8)), within(1e-15));
    }

    @Test
    void binaryCrossEntropyTakesTwoClassesAsIndicesForOneLogit() {
        assertThat(BCE.labelFormat()).isEqualTo(Loss.LabelFormat.INDEX);
        double[][] logits = {{0.8}, {-2.0}, {3.0}};
        double[] classes = {1, 0, 0};
        double expected = (Math.log(1 + Math.exp(-0.8)) + Math.log(1 + Math.exp(-2.0)) + 3.0 + Math.log(1 + Math.exp(-3.0))) / 3;
        assertThat(value(BCE, TWO, logits, classes)).isCloseTo(expected, within(1e-12));
        assertThat(predictions(BCE, logits)).containsExactly(new double[] {1 / (1 + Math.exp(-0.8)), 1 / (1 + Math.exp(2.0)),
                1 / (1 + Math.exp(-3.0))}, within(1e-12));
    }

    @Test
    void binaryCrossEntropyForClassesRejectsAnOutputPerClass() {
        assertThatThrownBy(() -> value(BCE, TWO, new double[][] {{0.8, 0.1}, {-2.0, 0.3}}, new double[] {1, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("binary-cross-entropy with class labels needs a model output of one logit per example, [1], got [2];"
                        + " end the model with dense units: 1, or use softmax-cross-entropy for one output per class");
    }

    @Test
    void nllMatchesPyTorchAndSoftmaxCrossEntropy() {
        INDArray logP = Nd4j.createFromArray(new double[][] {
                {-1.464368784107945, -0.4643687841079449, -1.964368784107945},
                {-2.42262129207924, -3.62262129207924, -0.12262129207923986},
                {-0.05498523537714723, -3.0549852353771474, -5.054985235377147},
                {-1.201942848229244, -1.101942848229244, -1.001942848229244}});
        assertThat(value(NLL, THREE, logP, Nd4j.createFromArray(T_ONE_HOT))).isCloseTo(1.385979539948394, within(1e-12));
        assertThat(predictions(NLL, new double[][] {{Math.log(0.25), Math.log(0.75)}}))
                .containsExactly(new double[] {0.25, 0.75}, within(1e-12));
    }

    @Test
    void targetChecks() {
        Target.Regression r1 = new Target.Regression(Shape.of(1));
        assertThat(CE.checkTarget(FOUR)).isNull();
        assertThat(CE.checkTarget(r1))
                .isEqualTo("softmax-cross-entropy needs class labels, the dataset has regression targets of shape [1];"
                        + " use mse for regression");
        assertThat(ce(Labels.ONE_HOT, 0, W).checkTarget(FOUR))
                .isEqualTo("softmax-cross-entropy: class-weights has 3 values but the dataset has 4 classes; give one weight per class");
        assertThat(ce(Labels.INDEX, 0, List.of(1.0)).checkTarget(TWO))
                .isEqualTo("softmax-cross-entropy: class-weights has 1 value but the dataset has 2 classes; give one weight per class");
        assertThat(MSE.checkTarget(new Target.Regression(Shape.of(3)))).isNull();
        assertThat(MSE.checkTarget(FOUR)).isNull();
        assertThat(MAE.checkTarget(r1)).isNull();
        assertThat(MAE.checkTarget(FOUR))
                .isEqualTo("mae needs regression targets, the dataset has 4 classes; use softmax-cross-entropy for classes");
        assertThat(HUBER.checkTarget(THREE)).startsWith("huber needs regression targets, the dataset has 3 classes");
        assertThat(BCE.checkTarget(TWO)).isNull();
        assertThat(BCE.checkTarget(new Target.Regression(Shape.of(5)))).isNull();
        assertThat(BCE.checkTarget(THREE)).isEqualTo("binary-cross-entropy fits 2 classes (one output unit) or 0/1 regression"
                + " targets, the dataset has 3 classes; use softmax-cross-entropy");
        assertThat(NLL.checkTarget(FOUR)).isNull();
        assertThat(NLL.checkTarget(r1)).isEqualTo("nll needs class labels, the dataset has regression targets of shape [1];"
                + " use mse for regression");
    }

    @Test
    void configsAreValidated() {
        assertThatThrownBy(() -> new HuberProvider.Config(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delta must be a finite positive number, got 0.0");
        assertThatThrownBy(() -> new BinaryCrossEntropyProvider.Config(-1))
                .hasMessage("pos-weight must be a finite positive number, got -1.0");
        assertThatThrownBy(() -> new SoftmaxCrossEntropyProvider.Config(Labels.ONE_HOT, 1.0, null))
                .hasMessage("label-smoothing must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new SoftmaxCrossEntropyProvider.Config(Labels.ONE_HOT, 0, List.of(1.0, 0.0)))
                .hasMessage("class-weights must be finite positive numbers, got 0.0 for class 1");
        assertThatThrownBy(() -> new SoftmaxCrossEntropyProvider.Config(Labels.ONE_HOT, 0, List.of()))
                .hasMessage("class-weights must list one positive number per class, got an empty list");
        assertThatThrownBy(() -> new SoftmaxCrossEntropyProvider.Config(null, 0, null))
                .hasMessage("labels must be one-hot or index");
    }
}
