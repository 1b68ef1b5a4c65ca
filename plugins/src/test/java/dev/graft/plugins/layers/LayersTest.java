package dev.graft.plugins.layers;

import dev.graft.api.Mode;
import dev.graft.api.Shape;
import dev.graft.api.config.NoConfig;
import dev.graft.api.init.InitSpec;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.ParamRole;
import dev.graft.api.layer.ParamSpec;
import dev.graft.testkit.GradientCheck;
import dev.graft.testkit.LayerRunner;
import dev.graft.testkit.ValueGenerator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Every built-in layer: gradients (float64 finite differences), shapes, what it computes, config validation. */
class LayersTest {

    static Layer dense(int units, boolean bias) {
        return new DenseProvider().create(new DenseProvider.Config(units, bias, InitSpec.of("xavier-uniform"), InitSpec.of("zeros")));
    }

    static Layer noConfig(ActivationProvider p) {
        return p.create(NoConfig.INSTANCE);
    }

    @Test
    void denseGradients() {
        GradientCheck.layer(dense(4, true)).inputs(Shape.of(5)).batch(3).check();
        GradientCheck.layer(dense(3, false)).inputs(Shape.of(2)).batch(2).mode(Mode.INFER).check();
    }

    @Test
    void denseDeclaresItsParameters() {
        List<ParamSpec> params = dense(4, true).params(List.of(Shape.of(5)));
        assertThat(params).hasSize(2);
        assertThat(params.get(0).name()).isEqualTo("W");
        assertThat(params.get(0).role()).isEqualTo(ParamRole.WEIGHT);
        assertThat(params.get(0).shape()).containsExactly(5, 4);
        assertThat(params.get(0).fan().in()).isEqualTo(5);
        assertThat(params.get(0).fan().out()).isEqualTo(4);
        assertThat(params.get(0).init().id()).isEqualTo("xavier-uniform");
        assertThat(params.get(1).name()).isEqualTo("b");
        assertThat(params.get(1).role()).isEqualTo(ParamRole.BIAS);
        assertThat(params.get(1).shape()).containsExactly(4);
        assertThat(params.get(1).init().id()).isEqualTo("zeros");
        assertThat(dense(4, false).params(List.of(Shape.of(5)))).extracting(ParamSpec::name).containsExactly("W");
    }

    @Test
    void denseComputesXwPlusB() {
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}});
        LayerRunner.Output out = LayerRunner.of(dense(3, true))
                .param("W", Nd4j.createFromArray(new double[][] {{1, 0, 2}, {0, 1, 3}}))
                .param("b", Nd4j.createFromArray(0.5, -0.5, 0.0))
                .run(x);
        assertThat(out.output().toDoubleMatrix()).isEqualTo(new double[][] {{1.5, 1.5, 8}, {3.5, 3.5, 18}});
    }

    @Test
    void denseRejectsImagesWithAHint() {
        assertThatThrownBy(() -> dense(10, true).outputShape(List.of(Shape.of(1, 28, 28))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense expects a flat input of rank 1, got [1, 28, 28]; add a flatten node before it");
    }

    @Test
    void denseConfigIsValidated() {
        assertThatThrownBy(() -> new DenseProvider.Config(0, true, InitSpec.of("xavier-uniform"), InitSpec.of("zeros")))
                .hasMessage("units must be a positive integer, got 0");
        assertThatThrownBy(() -> new DenseProvider.Config(3, true, InitSpec.of("Xavier"), InitSpec.of("zeros")))
                .hasMessageContaining("weight-init must be an initializer id in lower-kebab-case");
        assertThatThrownBy(() -> new DenseProvider.Config(3, true, InitSpec.of("zeros"), null))
                .hasMessage("bias-init must name an initializer, such as xavier-uniform or {type: normal, std: 0.02}");
    }

    @Test
    void denseTakesInitializersWithOptions() {
        DenseProvider.Config c = new DenseProvider.Config(2, true, new InitSpec("normal", java.util.Map.of("std", 0.02)),
                InitSpec.of("zeros"));
        List<ParamSpec> params = new DenseProvider().create(c).params(List.of(Shape.of(3)));
        assertThat(params.get(0).init()).isEqualTo(new InitSpec("normal", java.util.Map.of("std", 0.02)));
        assertThat(DenseProvider.Config.of(2)).isEqualTo(new DenseProvider.Config(2, true, InitSpec.of("xavier-uniform"),
                InitSpec.of("zeros")));
    }

    @Test
    void activationGradients() {
        ValueGenerator awayFromKink = ValueGenerator.awayFromZero(0.1, 1);
        GradientCheck.layer(noConfig(new ReluProvider())).inputs(Shape.of(7)).inputValues(awayFromKink).check();
        GradientCheck.layer(noConfig(new SigmoidProvider())).inputs(Shape.of(2, 3)).check();
        GradientCheck.layer(noConfig(new TanhProvider())).inputs(Shape.of(6)).check();
        GradientCheck.layer(noConfig(new SoftmaxProvider())).inputs(Shape.of(5)).check();
        GradientCheck.layer(noConfig(new SoftmaxProvider())).inputs(Shape.of(2, 3, 4)).check();
        Layer leaky = new LeakyReluProvider().create(new LeakyReluProvider.Config(0.2));
        GradientCheck.layer(leaky).inputs(Shape.of(8)).inputValues(awayFromKink).check();
    }

    @Test
    void activationsComputeTheirFunctions() {
        INDArray x = Nd4j.createFromArray(new double[][] {{-2, 0.5, 3}});
        assertThat(LayerRunner.of(noConfig(new ReluProvider())).run(x).output().toDoubleVector())
                .containsExactly(0, 0.5, 3);
        assertThat(LayerRunner.of(new LeakyReluProvider().create(new LeakyReluProvider.Config(0.1))).run(x).output()
                .toDoubleVector()).containsExactly(new double[] {-0.2, 0.5, 3}, within(1e-12));
        assertThat(LayerRunner.of(noConfig(new SigmoidProvider())).run(x).output().getDouble(0, 0))
                .isCloseTo(1 / (1 + Math.exp(2)), within(1e-12));
        assertThat(LayerRunner.of(noConfig(new TanhProvider())).run(x).output().getDouble(0, 2))
                .isCloseTo(Math.tanh(3), within(1e-12));
        double[] softmax = LayerRunner.of(noConfig(new SoftmaxProvider())).run(x).output().toDoubleVector();
        double z = Math.exp(-2) + Math.exp(0.5) + Math.exp(3);
        assertThat(softmax).containsExactly(new double[] {Math.exp(-2) / z, Math.exp(0.5) / z, Math.exp(3) / z}, within(1e-12));
    }

    @Test
    void softmaxNormalisesTheLastAxis() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 4);
        INDArray y = LayerRunner.of(noConfig(new SoftmaxProvider())).run(x).output();
        double[] sums = y.sum(2).reshape(6).toDoubleVector();
        assertThat(sums).containsExactly(new double[] {1, 1, 1, 1, 1, 1}, within(1e-12));
    }

    @Test
    void leakyReluAlphaMustBeNonNegative() {
        assertThatThrownBy(() -> new LeakyReluProvider.Config(-0.1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("alpha must be a finite number >= 0, got -0.1");
    }

    @Test
    void dropoutGradientsInBothModes() {
        Layer dropout = new DropoutProvider().create(new DropoutProvider.Config(0.3));
        GradientCheck.layer(dropout).inputs(Shape.of(10)).batch(4).mode(Mode.TRAIN).check();
        GradientCheck.layer(dropout).inputs(Shape.of(2, 5)).mode(Mode.INFER).check();
    }

    @Test
    void dropoutScalesTheKeptElementsInTrainingAndIsTheIdentityInInference() {
        Layer dropout = new DropoutProvider().create(new DropoutProvider.Config(0.25));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 50, 40).addi(1);
        LayerRunner.Output train = LayerRunner.of(dropout).mode(Mode.TRAIN).run(x);
        INDArray mask = train.masks().get("mask");
        assertThat(mask.shape()).containsExactly(50, 40);
        assertThat(mask.meanNumber().doubleValue()).isCloseTo(0.75, within(0.03));
        assertThat(train.output().equalsWithEps(x.mul(mask).div(0.75), 1e-12)).isTrue();

        assertThat(LayerRunner.of(dropout).mode(Mode.INFER).run(x).output()).isEqualTo(x);
        Layer none = new DropoutProvider().create(new DropoutProvider.Config(0));
        LayerRunner.Output zeroRate = LayerRunner.of(none).mode(Mode.TRAIN).run(x);
        assertThat(zeroRate.output()).isEqualTo(x);
        assertThat(zeroRate.masks()).isEmpty();
    }

    @Test
    void dropoutRateMustBeBelowOne() {
        assertThatThrownBy(() -> new DropoutProvider.Config(1.0))
                .hasMessage("rate must be in [0, 1) (0 keeps everything), got 1.0");
        assertThatThrownBy(() -> new DropoutProvider.Config(-0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void flattenGradientsAndShapes() {
        Layer flatten = new FlattenProvider().create(NoConfig.INSTANCE);
        assertThat(flatten.outputShape(List.of(Shape.of(1, 28, 28)))).isEqualTo(Shape.of(784));
        assertThat(flatten.outputShape(List.of(Shape.of(5)))).isEqualTo(Shape.of(5));
        GradientCheck.layer(flatten).inputs(Shape.of(2, 3, 2)).check();
        GradientCheck.layer(flatten).inputs(Shape.of(4)).check();
        INDArray x = Nd4j.arange(24).castTo(DataType.DOUBLE).reshape(2, 3, 4);
        assertThat(LayerRunner.of(flatten).run(x).output()).isEqualTo(x.reshape(2, 12));
    }

    @Test
    void flattenThenDenseOnImages() {
        Layer flatten = new FlattenProvider().create(NoConfig.INSTANCE);
        Shape flat = flatten.outputShape(List.of(Shape.of(1, 4, 4)));
        GradientCheck.layer(dense(3, true)).inputs(flat).check();
    }
}
