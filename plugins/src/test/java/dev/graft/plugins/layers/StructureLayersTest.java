package dev.graft.plugins.layers;

import dev.graft.api.Shape;
import dev.graft.api.config.NoConfig;
import dev.graft.api.layer.Layer;
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

/** add, concat, reshape and the new activations. */
class StructureLayersTest {

    static final Layer ADD = new AddProvider().create(NoConfig.INSTANCE);

    static Layer concat(int axis) {
        return new ConcatProvider().create(new ConcatProvider.Config(axis));
    }

    static Layer reshape(Integer... shape) {
        return new ReshapeProvider().create(new ReshapeProvider.Config(List.of(shape)));
    }

    @Test
    void addSumsInputsOfOneShape() {
        assertThat(ADD.arity()).isEqualTo(Layer.VARIADIC);
        assertThat(ADD.outputShape(List.of(Shape.of(3, 2), Shape.of(3, 2)))).isEqualTo(Shape.of(3, 2));
        INDArray a = Nd4j.createFromArray(new double[][] {{1, 2}});
        INDArray b = Nd4j.createFromArray(new double[][] {{10, 20}});
        assertThat(LayerRunner.of(ADD).run(a, b, b).output().toDoubleVector()).containsExactly(21, 42);
        assertThatThrownBy(() -> ADD.outputShape(List.of(Shape.of(3))))
                .hasMessage("add needs at least 2 inputs, got 1");
        assertThatThrownBy(() -> ADD.outputShape(List.of(Shape.of(3), Shape.of(3), Shape.of(1, 3))))
                .hasMessage("add needs inputs of the same shape, got [3], [3], [1, 3]");
    }

    @Test
    void concatJoinsAlongTheChosenAxis() {
        assertThat(concat(0).outputShape(List.of(Shape.of(2, 5, 5), Shape.of(3, 5, 5)))).isEqualTo(Shape.of(5, 5, 5));
        assertThat(concat(-1).outputShape(List.of(Shape.of(4, 2), Shape.of(4, 3)))).isEqualTo(Shape.of(4, 5));
        assertThat(concat(1).outputShape(List.of(Shape.of(4, 2), Shape.of(4, 3), Shape.of(4, 1)))).isEqualTo(Shape.of(4, 6));
        INDArray a = Nd4j.createFromArray(new double[][] {{1, 2}});
        INDArray b = Nd4j.createFromArray(new double[][] {{3}});
        assertThat(LayerRunner.of(concat(0)).run(a, b).output().toDoubleVector()).containsExactly(1, 2, 3);
        assertThatThrownBy(() -> concat(0).outputShape(List.of(Shape.of(2, 3), Shape.of(2, 4))))
                .hasMessage("concat along axis 0 needs the other axes to match, got [2, 3], [2, 4]");
        assertThatThrownBy(() -> concat(0).outputShape(List.of(Shape.of(2, 3), Shape.of(6))))
                .hasMessage("concat needs inputs of the same rank, got [2, 3], [6]");
        assertThatThrownBy(() -> concat(2).outputShape(List.of(Shape.of(2, 3), Shape.of(2, 3))))
                .hasMessage("concat axis 2 is out of range for inputs of rank 2 (allowed: -2 to 1), got [2, 3], [2, 3]");
        assertThatThrownBy(() -> concat(0).outputShape(List.of(Shape.of(2))))
                .hasMessage("concat needs at least 2 inputs, got 1");
    }

    @Test
    void reshapeKeepsTheValuesInRowMajorOrder() {
        assertThat(reshape(1, 28, 28).outputShape(List.of(Shape.of(784)))).isEqualTo(Shape.of(1, 28, 28));
        assertThat(reshape(4, -1).outputShape(List.of(Shape.of(2, 6)))).isEqualTo(Shape.of(4, 3));
        INDArray x = Nd4j.arange(12).castTo(DataType.DOUBLE).reshape(2, 6);
        assertThat(LayerRunner.of(reshape(3, -1)).run(x).output()).isEqualTo(x.reshape(2, 3, 2));
        assertThatThrownBy(() -> reshape(4, 2).outputShape(List.of(Shape.of(2, 3))))
                .hasMessage("cannot reshape [2, 3] (6 values) to [4, 2] (8 values)");
        assertThatThrownBy(() -> reshape(4, -1).outputShape(List.of(Shape.of(2, 3))))
                .hasMessage("cannot reshape [2, 3] (6 values) to [4, -1]: 6 is not a multiple of 4");
        assertThat(configError(ReshapeProvider.Config.class, m("shape", List.of(-1, 2, -1))))
                .contains("shape may contain at most one -1, got [-1, 2, -1]");
        assertThat(configError(ReshapeProvider.Config.class, m("shape", List.of(0, 3))))
                .contains("shape entries must be positive or -1, got [0, 3]");
        assertThat(configError(ReshapeProvider.Config.class, m("shape", List.of())))
                .contains("shape must be a non-empty list of sizes such as [1, 28, 28], got []");
    }

    static double[] apply(Layer layer, double... x) {
        return LayerRunner.of(layer).run(Nd4j.createFromArray(new double[][] {x})).output().toDoubleVector();
    }

    @Test
    void activations() {
        double[] x = {-2, -0.5, 0, 0.5, 3};
        double[] elu = apply(new EluProvider().create(new EluProvider.Config(0.5)), x);
        double[] silu = apply(new SiluProvider().create(NoConfig.INSTANCE), x);
        double[] gelu = apply(new GeluProvider().create(new GeluProvider.Config(GeluProvider.Approximate.NONE)), x);
        double[] geluTanh = apply(new GeluProvider().create(new GeluProvider.Config(GeluProvider.Approximate.TANH)), x);
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            assertThat(elu[i]).isCloseTo(v > 0 ? v : 0.5 * (Math.exp(v) - 1), within(1e-12));
            assertThat(silu[i]).isCloseTo(v / (1 + Math.exp(-v)), within(1e-12));
            assertThat(geluTanh[i]).isCloseTo(0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))),
                    within(1e-12));
            // the exact GELU and its tanh approximation differ by less than 1e-3
            assertThat(gelu[i]).isCloseTo(geluTanh[i], within(1e-3));
        }
        // Phi(1) = 0.8413447460685429
        assertThat(apply(new GeluProvider().create(new GeluProvider.Config(GeluProvider.Approximate.NONE)), 1)[0])
                .isCloseTo(0.8413447460685429, within(1e-12));
        // elu stays finite for large inputs
        assertThat(apply(new EluProvider().create(new EluProvider.Config(1)), 1000)[0]).isEqualTo(1000);
        assertThat(configError(EluProvider.Config.class, m("alpha", -1))).contains("alpha must be a finite number >= 0, got -1.0");
        assertThat(configError(GeluProvider.Config.class, m("approximate", "sigmoid")))
                .contains("'sigmoid' is not allowed").contains("(allowed: none, tanh)");
    }

    @Test
    void logSoftmaxIsStableAndNormalisesTheLastAxis() {
        Layer logSoftmax = new LogSoftmaxProvider().create(NoConfig.INSTANCE);
        double[] y = apply(logSoftmax, 1000, 0, -1000);
        assertThat(y).containsExactly(new double[] {0, -1000, -2000}, within(1e-9));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 4).muli(20);
        INDArray out = LayerRunner.of(logSoftmax).run(x).output();
        double[] sums = org.nd4j.linalg.ops.transforms.Transforms.exp(out).sum(2).reshape(6).toDoubleVector();
        assertThat(sums).containsExactly(new double[] {1, 1, 1, 1, 1, 1}, within(1e-12));
    }
}
