package dev.graft.plugins.layers;

import dev.graft.api.Shape;
import dev.graft.api.init.InitSpec;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.ParamRole;
import dev.graft.api.layer.ParamSpec;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.testkit.LayerRunner;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static dev.graft.plugins.layers.LayerContractsTest.m;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Shapes, parameters and validation of the convolution and pooling layers (values: PyTorchReferenceTest). */
class ConvolutionLayersTest {

    static Layer conv2d(Map<String, Object> config) {
        return new Conv2dProvider().create(RecordBinder.bind(Conv2dProvider.Config.class, config, "", "conv2d"));
    }

    static Layer conv1d(Map<String, Object> config) {
        return new Conv1dProvider().create(RecordBinder.bind(Conv1dProvider.Config.class, config, "", "conv1d"));
    }

    static Shape out(Layer layer, Shape in) {
        return layer.outputShape(List.of(in));
    }

    @Test
    void conv2dOutputShapes() {
        assertThat(out(conv2d(m("filters", 8, "kernel", 3)), Shape.of(3, 28, 28))).isEqualTo(Shape.of(8, 26, 26));
        assertThat(out(conv2d(m("filters", 8, "kernel", 3, "padding", 1)), Shape.of(3, 28, 28))).isEqualTo(Shape.of(8, 28, 28));
        assertThat(out(conv2d(m("filters", 8, "kernel", List.of(3, 5), "stride", 2, "padding", List.of(1, 2))),
                Shape.of(1, 9, 10))).isEqualTo(Shape.of(8, 5, 5));
        assertThat(out(conv2d(m("filters", 2, "kernel", 3, "dilation", 2)), Shape.of(1, 7, 8))).isEqualTo(Shape.of(2, 3, 4));
    }

    @Test
    void sameKeepsTheSizeAtStrideOneAndCeilsAtLargerStrides() {
        Shape in = Shape.of(2, 7, 6);
        for (int k : new int[] {1, 2, 3, 4, 5}) {
            assertThat(out(conv2d(m("filters", 3, "kernel", k, "padding", "same")), in)).isEqualTo(Shape.of(3, 7, 6));
            assertThat(out(conv2d(m("filters", 3, "kernel", k, "padding", "same", "dilation", 2)), in)).isEqualTo(Shape.of(3, 7, 6));
        }
        assertThat(out(conv2d(m("filters", 3, "kernel", 3, "padding", "same", "stride", 2)), in)).isEqualTo(Shape.of(3, 4, 3));
        assertThat(out(conv2d(m("filters", 3, "kernel", 2, "padding", "same", "stride", 3)), in)).isEqualTo(Shape.of(3, 3, 2));
        assertThat(out(conv2d(m("filters", 3, "kernel", 9, "padding", "same", "stride", List.of(4, 1))), in))
                .isEqualTo(Shape.of(3, 2, 6));
        assertThat(out(conv1d(m("filters", 3, "kernel", 4, "padding", "same", "stride", 2)), Shape.of(2, 9)))
                .isEqualTo(Shape.of(3, 5));
    }

    @Test
    void sameAtStrideTwoPadsTheOddElementAtTheEnd() {
        // a 1 x 1 input channel of ones, a 2 x 2 kernel of ones, stride 2 on a 3 x 3 input: out 2 x 2, padding
        // 1 in total per axis, at the bottom / right: the last row and column of windows see zeros
        Layer layer = conv2d(m("filters", 1, "kernel", 2, "stride", 2, "padding", "same", "use-bias", false));
        INDArray y = LayerRunner.of(layer).param("W", Nd4j.ones(DataType.DOUBLE, 1, 1, 2, 2))
                .run(Nd4j.ones(DataType.DOUBLE, 1, 1, 3, 3)).output();
        assertThat(y.reshape(4).toDoubleVector()).containsExactly(4, 2, 2, 1);
    }

    @Test
    void conv2dParametersUseThePyTorchLayout() {
        Layer layer = conv2d(m("filters", 6, "kernel", List.of(3, 2), "groups", 2));
        List<ParamSpec> params = layer.params(List.of(Shape.of(4, 8, 8)));
        assertThat(params).extracting(ParamSpec::name).containsExactly("W", "b");
        ParamSpec w = params.get(0);
        assertThat(w.shape()).containsExactly(6, 2, 3, 2);
        assertThat(w.role()).isEqualTo(ParamRole.WEIGHT);
        assertThat(w.init()).isEqualTo(InitSpec.of("he-uniform"));
        assertThat(w.fan().in()).isEqualTo(2 * 3 * 2);
        assertThat(w.fan().out()).isEqualTo(3 * 3 * 2);
        assertThat(params.get(1).shape()).containsExactly(6);
        assertThat(params.get(1).role()).isEqualTo(ParamRole.BIAS);
        assertThat(params.get(1).init()).isEqualTo(InitSpec.of("zeros"));

        Layer custom = conv2d(m("filters", 2, "kernel", 1, "use-bias", false, "weight-init", m("type", "normal", "std", 0.02)));
        List<ParamSpec> one = custom.params(List.of(Shape.of(3, 4, 4)));
        assertThat(one).hasSize(1);
        assertThat(one.get(0).init()).isEqualTo(new InitSpec("normal", Map.of("std", 0.02)));
        assertThat(conv1d(m("filters", 4, "kernel", 5, "groups", 2)).params(List.of(Shape.of(6, 10))).get(0).shape())
                .containsExactly(4, 3, 5);
    }

    @Test
    void conv2dRejectsInputsItCannotConvolve() {
        assertThatThrownBy(() -> out(conv2d(m("filters", 4, "kernel", 5)), Shape.of(1, 3, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("conv2d: kernel [5, 5] is larger than the padded input [3, 3]");
        assertThatThrownBy(() -> out(conv2d(m("filters", 4, "kernel", 3, "dilation", 2, "padding", 1)), Shape.of(1, 2, 6)))
                .hasMessage("conv2d: kernel [3, 3] with dilation [2, 2] spans [5, 5], which is larger than the padded input [4, 8]");
        assertThatThrownBy(() -> out(conv2d(m("filters", 4, "kernel", 3)), Shape.of(784)))
                .hasMessage("conv2d expects [channels, height, width], got [784]");
        assertThatThrownBy(() -> out(conv2d(m("filters", 4, "kernel", 3, "groups", 2)), Shape.of(3, 8, 8)))
                .hasMessage("conv2d: groups (2) must divide the input channels (3) of input [3, 8, 8]");
        assertThatThrownBy(() -> out(conv1d(m("filters", 4, "kernel", 3)), Shape.of(3, 8, 8)))
                .hasMessage("conv1d expects [channels, length], got [3, 8, 8]");
        assertThatThrownBy(() -> out(conv1d(m("filters", 4, "kernel", 9, "padding", 2)), Shape.of(3, 4)))
                .hasMessage("conv1d: kernel [9] is larger than the padded input [8]");
    }

    /** The message the runtime shows for a bad config value: the key path, the problem, what was given. */
    static String configError(Class<? extends Record> type, Map<String, Object> values) {
        try {
            RecordBinder.bind(type, values, "model.layers[1]", "layer");
        } catch (GraftException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error for " + values);
    }

    @Test
    void conv2dConfigsAreValidatedWithTheKeyAndWhatIsAllowed() {
        assertThat(configError(Conv2dProvider.Config.class, m("filters", 0, "kernel", 3)))
                .contains("filters must be a positive integer, got 0");
        assertThat(configError(Conv2dProvider.Config.class, m("filters", 2, "kernel", List.of(3, 0))))
                .contains("kernel must be a positive integer or a pair [h, w] of them, got [3, 0]");
        assertThat(configError(Conv2dProvider.Config.class, m("filters", 2, "kernel", List.of(3, 3, 3))))
                .contains("kernel must be a positive integer or a pair [h, w] of them, got [3, 3, 3]");
        assertThat(configError(Conv2dProvider.Config.class, m("filters", 2, "kernel", 3, "stride", -1)))
                .contains("stride must be a positive integer or a pair [h, w] of them, got -1");
        assertThat(configError(Conv2dProvider.Config.class, m("filters", 2, "kernel", 3, "dilation", 0)))
                .contains("dilation must be a positive integer or a pair [h, w] of them, got 0");
        assertThat(configError(Conv2dProvider.Config.class, m("filters", 2, "kernel", 3, "padding", "full")))
                .contains("padding must be 'valid', 'same', a non-negative integer or a pair [ph, pw] of them, got full");
        assertThat(configError(Conv2dProvider.Config.class, m("filters", 2, "kernel", 3, "padding", List.of(1, -1))))
                .contains("padding must be 'valid', 'same', a non-negative integer or a pair [ph, pw] of them, got [1, -1]");
        assertThat(configError(Conv2dProvider.Config.class, m("filters", 6, "kernel", 3, "groups", 4)))
                .contains("groups (4) must divide filters (6)");
        assertThat(configError(Conv2dProvider.Config.class, m("filters", 6, "kernel", 3, "groups", 0)))
                .contains("groups must be a positive integer, got 0");
        assertThat(configError(Conv1dProvider.Config.class, m("filters", 2, "kernel", 0)))
                .contains("kernel must be a positive integer, got 0");
        assertThat(configError(Conv1dProvider.Config.class, m("filters", 2, "kernel", 3, "padding", "-2")))
                .contains("padding must be 'valid', 'same' or a non-negative integer, got -2");
        // words are case-insensitive and stored in lower case
        assertThat(RecordBinder.bind(Conv2dProvider.Config.class, m("filters", 2, "kernel", 3, "padding", "SAME"), "", "x")
                .padding()).containsExactly("same");
        assertThat(Conv2dProvider.Config.of(4, 3)).isEqualTo(
                RecordBinder.bind(Conv2dProvider.Config.class, m("filters", 4, "kernel", 3), "", "x"));
        assertThat(Conv1dProvider.Config.of(4, 3)).isEqualTo(
                RecordBinder.bind(Conv1dProvider.Config.class, m("filters", 4, "kernel", 3), "", "x"));
    }

    static Layer pool(String id, Map<String, Object> config) {
        var provider = LayerContractsTest.providers().get(id);
        return create(provider, config);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Layer create(dev.graft.api.layer.LayerProvider provider, Map<String, Object> config) {
        return provider.create(RecordBinder.bind(provider.configType(), config, "", provider.id()));
    }

    @Test
    void poolingShapesAndTheDefaultStride() {
        assertThat(out(pool("max-pool2d", m("kernel", 2)), Shape.of(3, 28, 28))).isEqualTo(Shape.of(3, 14, 14));
        assertThat(out(pool("max-pool2d", m("kernel", 2)), Shape.of(3, 7, 7))).isEqualTo(Shape.of(3, 3, 3));
        assertThat(out(pool("avg-pool2d", m("kernel", 3, "stride", 1, "padding", 1)), Shape.of(3, 7, 5)))
                .isEqualTo(Shape.of(3, 7, 5));
        assertThat(out(pool("avg-pool2d", m("kernel", List.of(2, 4), "padding", "same")), Shape.of(1, 5, 9)))
                .isEqualTo(Shape.of(1, 3, 3));
        assertThat(out(pool("max-pool1d", m("kernel", 3)), Shape.of(4, 10))).isEqualTo(Shape.of(4, 3));
        assertThat(out(pool("avg-pool1d", m("kernel", 3, "stride", 2, "padding", "same")), Shape.of(4, 10)))
                .isEqualTo(Shape.of(4, 5));
        assertThat(pool("max-pool2d", m("kernel", 2)).params(List.of(Shape.of(1, 4, 4)))).isEmpty();
    }

    @Test
    void averagePoolingCountsThePaddingAsZeros() {
        INDArray ones = Nd4j.ones(DataType.DOUBLE, 1, 1, 3, 3);
        INDArray y = LayerRunner.of(pool("avg-pool2d", m("kernel", 3, "stride", 1, "padding", 1))).run(ones).output();
        assertThat(y.reshape(9).toDoubleVector()).containsExactly(new double[] {
                4 / 9.0, 6 / 9.0, 4 / 9.0, 6 / 9.0, 1, 6 / 9.0, 4 / 9.0, 6 / 9.0, 4 / 9.0}, within(1e-12));
        // max pooling never picks the padding, even for negative inputs
        INDArray negative = ones.neg();
        INDArray m = LayerRunner.of(pool("max-pool2d", m("kernel", 3, "stride", 1, "padding", 1))).run(negative).output();
        assertThat(m.reshape(9).toDoubleVector()).containsOnly(-1);
        INDArray same = LayerRunner.of(pool("max-pool1d", m("kernel", 2, "padding", "same"))).run(Nd4j.ones(DataType.DOUBLE, 1, 1, 3).neg())
                .output();
        assertThat(same.reshape(2).toDoubleVector()).containsExactly(-1, -1);
    }

    @Test
    void poolingIsValidated() {
        assertThatThrownBy(() -> out(pool("max-pool2d", m("kernel", 4)), Shape.of(1, 3, 8)))
                .hasMessage("max-pool2d: kernel [4, 4] is larger than the padded input [3, 8]");
        assertThatThrownBy(() -> out(pool("avg-pool1d", m("kernel", 2)), Shape.of(8)))
                .hasMessage("avg-pool1d expects [channels, length], got [8]");
        assertThatThrownBy(() -> out(pool("avg-pool2d", m("kernel", 2)), Shape.of(3, 8)))
                .hasMessage("avg-pool2d expects [channels, height, width], got [3, 8]");
        assertThat(configError(MaxPool2dProvider.Config.class, m("kernel", 3, "padding", 2)))
                .contains("padding [2, 2] must be at most half the kernel [3, 3], so that every window overlaps the input");
        assertThat(configError(AvgPool1dProvider.Config.class, m("kernel", 2, "padding", 2)))
                .contains("padding 2 must be at most half the kernel 2");
        assertThat(configError(AvgPool2dProvider.Config.class, m("kernel", 2, "stride", 0)))
                .contains("stride must be a positive integer or a pair [h, w] of them, got 0");
        assertThat(configError(MaxPool1dProvider.Config.class, m("kernel", 0))).contains("kernel must be a positive integer, got 0");
        assertThat(MaxPool2dProvider.Config.of(2)).isEqualTo(RecordBinder.bind(MaxPool2dProvider.Config.class, m("kernel", 2), "", "x"));
        assertThat(AvgPool1dProvider.Config.of(2)).isEqualTo(RecordBinder.bind(AvgPool1dProvider.Config.class, m("kernel", 2), "", "x"));
    }

    @Test
    void globalAveragePooling() {
        Layer gap = pool("global-avg-pool", m());
        assertThat(out(gap, Shape.of(8, 7, 7))).isEqualTo(Shape.of(8));
        assertThat(out(gap, Shape.of(8, 5))).isEqualTo(Shape.of(8));
        INDArray x = Nd4j.arange(24).castTo(DataType.DOUBLE).reshape(2, 3, 4);
        assertThat(LayerRunner.of(gap).run(x).output().toDoubleMatrix())
                .isEqualTo(new double[][] {{1.5, 5.5, 9.5}, {13.5, 17.5, 21.5}});
        assertThatThrownBy(() -> out(gap, Shape.of(8)))
                .hasMessage("global-avg-pool expects [channels, ...spatial axes], such as [channels, height, width], got [8]");
    }
}
