package dev.graft.plugins.layers;

import dev.graft.api.Mode;
import dev.graft.api.Shape;
import dev.graft.api.init.InitSpec;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.ParamRole;
import dev.graft.api.layer.ParamSpec;
import dev.graft.testkit.LayerRunner;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static dev.graft.plugins.layers.ConvolutionLayersTest.configError;
import static dev.graft.plugins.layers.LayerContractsTest.m;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Batch and layer normalisation against numbers computed by hand (and PyTorch in PyTorchReferenceTest). */
class NormalizationLayersTest {
    static final double EPS = 1e-5;

    static Layer batchNorm(double momentum, boolean affine) {
        return new BatchNormProvider().create(new BatchNormProvider.Config(momentum, EPS, affine));
    }

    static final INDArray X = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 6}, {5, 10}});
    static final INDArray GAMMA = Nd4j.createFromArray(2.0, 0.5);
    static final INDArray BETA = Nd4j.createFromArray(1.0, -1.0);

    @Test
    void batchNormDeclaresTrainableScaleAndShiftAndNonTrainableStatistics() {
        List<ParamSpec> params = batchNorm(0.1, true).params(List.of(Shape.of(3, 4, 4)));
        assertThat(params).extracting(ParamSpec::name).containsExactly("gamma", "beta", "running_mean", "running_var");
        assertThat(params).extracting(ParamSpec::role)
                .containsExactly(ParamRole.GAMMA, ParamRole.BETA, ParamRole.RUNNING_STAT, ParamRole.RUNNING_STAT);
        assertThat(params).extracting(ParamSpec::trainable).containsExactly(true, true, false, false);
        assertThat(params).extracting(p -> p.init().id()).containsExactly("ones", "zeros", "zeros", "ones");
        assertThat(params).allSatisfy(p -> assertThat(p.shape()).containsExactly(3));
        assertThat(batchNorm(0.1, false).params(List.of(Shape.of(5)))).extracting(ParamSpec::name)
                .containsExactly("running_mean", "running_var");
    }

    @Test
    void batchNormTrainsOnBatchStatisticsAndUpdatesTheRunningOnes() {
        // feature 0: mean 3, biased variance 8/3, unbiased 4; feature 1: mean 6, biased 32/3, unbiased 16
        LayerRunner.Output step = LayerRunner.of(batchNorm(0.1, true)).mode(Mode.TRAIN)
                .param("gamma", GAMMA).param("beta", BETA)
                .param("running_mean", Nd4j.zeros(DataType.DOUBLE, 2)).param("running_var", Nd4j.ones(DataType.DOUBLE, 2))
                .run(X);
        double s0 = Math.sqrt(8.0 / 3 + EPS);
        double s1 = Math.sqrt(32.0 / 3 + EPS);
        double[][] expected = {
                {-2 / s0 * 2 + 1, -4 / s1 * 0.5 - 1},
                {1, -1},
                {2 / s0 * 2 + 1, 4 / s1 * 0.5 - 1}};
        assertClose(step.output().toDoubleMatrix(), expected);
        // PyTorch: running = (1 - momentum) * running + momentum * batch statistic, unbiased variance
        assertThat(step.stateUpdates().get("running_mean").toDoubleVector()).containsExactly(new double[] {0.3, 0.6}, within(1e-12));
        assertThat(step.stateUpdates().get("running_var").toDoubleVector()).containsExactly(new double[] {1.3, 2.5}, within(1e-12));
    }

    @Test
    void batchNormInfersWithTheRunningStatistics() {
        LayerRunner.Output out = LayerRunner.of(batchNorm(0.1, true)).mode(Mode.INFER)
                .param("gamma", GAMMA).param("beta", BETA)
                .param("running_mean", Nd4j.createFromArray(1.0, 2.0)).param("running_var", Nd4j.createFromArray(4.0, 9.0))
                .run(X);
        double s0 = Math.sqrt(4 + EPS);
        double s1 = Math.sqrt(9 + EPS);
        double[][] expected = new double[3][2];
        for (int i = 0; i < 3; i++) {
            expected[i][0] = (X.getDouble(i, 0) - 1) / s0 * 2 + 1;
            expected[i][1] = (X.getDouble(i, 1) - 2) / s1 * 0.5 - 1;
        }
        assertClose(out.output().toDoubleMatrix(), expected);
        assertThat(out.stateUpdates()).isEmpty();
    }

    @Test
    void batchNormOnImagesUsesEveryPixelOfAChannel() {
        // one channel, 2 x 2 pixels, batch 2: the values 1..8, n = 8, mean 4.5, squared deviations 42
        INDArray x = Nd4j.arange(1, 9).castTo(DataType.DOUBLE).reshape(2, 1, 2, 2);
        LayerRunner.Output step = LayerRunner.of(batchNorm(0.1, false)).mode(Mode.TRAIN)
                .param("running_mean", Nd4j.zeros(DataType.DOUBLE, 1)).param("running_var", Nd4j.ones(DataType.DOUBLE, 1))
                .run(x);
        double sd = Math.sqrt(42.0 / 8 + EPS);
        assertThat(step.output().getDouble(0, 0, 0, 0)).isCloseTo((1 - 4.5) / sd, within(1e-12));
        assertThat(step.output().getDouble(1, 0, 1, 1)).isCloseTo((8 - 4.5) / sd, within(1e-12));
        assertThat(step.stateUpdates().get("running_mean").getDouble(0)).isCloseTo(0.45, within(1e-12));
        assertThat(step.stateUpdates().get("running_var").getDouble(0)).isCloseTo(0.9 + 0.1 * 6, within(1e-12));
    }

    @Test
    void aSingleValuePerChannelDoesNotMakeTheRunningVarianceNaN() {
        LayerRunner.Output step = LayerRunner.of(batchNorm(0.5, true)).mode(Mode.TRAIN)
                .param("gamma", GAMMA).param("beta", BETA)
                .param("running_mean", Nd4j.zeros(DataType.DOUBLE, 2)).param("running_var", Nd4j.ones(DataType.DOUBLE, 2))
                .run(Nd4j.createFromArray(new double[][] {{7, -3}}));
        assertThat(step.output().toDoubleVector()).containsExactly(1, -1);
        assertThat(step.stateUpdates().get("running_mean").toDoubleVector()).containsExactly(3.5, -1.5);
        assertThat(step.stateUpdates().get("running_var").toDoubleVector()).containsExactly(0.5, 0.5);
    }

    @Test
    void batchNormConfigIsValidated() {
        assertThat(configError(BatchNormProvider.Config.class, m("momentum", 1.5)))
                .contains("momentum must be in [0, 1], got 1.5");
        assertThat(configError(BatchNormProvider.Config.class, m("eps", 0)))
                .contains("eps must be a finite positive number, got 0.0");
        assertThatThrownBy(() -> batchNorm(0.1, true).outputShape(List.of(Shape.of())))
                .hasMessage("batch-norm expects [features], [channels, length] or [channels, height, width], got []");
    }

    static Layer layerNorm(int axes, boolean affine) {
        return new LayerNormProvider().create(new LayerNormProvider.Config(axes, EPS, affine));
    }

    @Test
    void layerNormNormalisesEachExampleOverItsLastAxes() {
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 2, 3, 6}, {0, 0, 0, 4}});
        INDArray y = LayerRunner.of(layerNorm(1, false)).run(x).output();
        double s0 = Math.sqrt(3.5 + EPS);
        double s1 = Math.sqrt(3 + EPS);
        assertClose(y.toDoubleMatrix(), new double[][] {{-2 / s0, -1 / s0, 0, 3 / s0}, {-1 / s1, -1 / s1, -1 / s1, 3 / s1}});
        // the same in both modes
        assertThat(LayerRunner.of(layerNorm(1, false)).mode(Mode.TRAIN).run(x).output()).isEqualTo(y);

        INDArray gamma = Nd4j.createFromArray(1.0, 2.0, 3.0, 4.0);
        INDArray beta = Nd4j.createFromArray(0.0, 0.0, 0.0, 1.0);
        INDArray affine = LayerRunner.of(layerNorm(1, true)).param("gamma", gamma).param("beta", beta).run(x).output();
        assertThat(affine.getDouble(0, 3)).isCloseTo(3 / s0 * 4 + 1, within(1e-12));
    }

    @Test
    void layerNormParametersAreShapedLikeTheNormalisedAxes() {
        List<ParamSpec> params = layerNorm(2, true).params(List.of(Shape.of(5, 3, 4)));
        assertThat(params).extracting(ParamSpec::name).containsExactly("gamma", "beta");
        assertThat(params).extracting(ParamSpec::role).containsExactly(ParamRole.GAMMA, ParamRole.BETA);
        assertThat(params).extracting(ParamSpec::init).containsExactly(InitSpec.of("ones"), InitSpec.of("zeros"));
        assertThat(params).allSatisfy(p -> assertThat(p.shape()).containsExactly(3, 4));
        assertThat(layerNorm(1, false).params(List.of(Shape.of(5)))).isEmpty();
        assertThatThrownBy(() -> layerNorm(3, true).outputShape(List.of(Shape.of(4, 5))))
                .hasMessage("layer-norm over the last 3 axes needs an input of rank 3 or more, got [4, 5]");
        assertThat(configError(LayerNormProvider.Config.class, m("axes", 0)))
                .contains("axes must be a positive integer (the number of trailing axes), got 0");
    }

    static void assertClose(double[][] actual, double[][] expected) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).containsExactly(expected[i], within(1e-12));
        }
    }
}
