package dev.graft.onnx.layers;

import dev.graft.api.Shape;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerProvider;
import dev.graft.testkit.LayerContract;
import dev.graft.testkit.LayerRunner;
import dev.graft.testkit.ProviderContract;
import dev.graft.testkit.ValueGenerator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract (float64 gradient checks, round-trips, float32, batch of one) of the layers behind
 * ConvTranspose, Expand, Equal / Less / Greater, Where and Resize, and their values on small cases
 * worked out by hand. The importer's ONNX Runtime cross-checks cover the ONNX semantics.
 */
class MoreOnnxLayersTest {

    @Test
    void servicesFileListsTheNewLayers() {
        assertThat(ProviderContract.checkServices(LayerProvider.class)).extracting(p -> p.id())
                .contains("onnx-conv-transpose", "onnx-expand", "onnx-compare", "onnx-where", "onnx-resize");
    }

    // ------------------------------------------------------------------ onnx-conv-transpose

    static ConvTransposeProvider.Config deconv(int filters, List<Integer> kernel, List<Integer> stride, List<Integer> dilation,
                                               List<Integer> pads, List<Integer> outputPadding, int groups, boolean bias) {
        return new ConvTransposeProvider.Config(filters, kernel, stride, dilation, pads, outputPadding, groups, bias);
    }

    @Test
    void convTranspose2dWithStridePaddingAndOutputPadding() {
        LayerContract.check(new ConvTransposeProvider(), deconv(3, List.of(3, 3), List.of(2, 2), null, List.of(1, 1, 1, 1),
                List.of(1, 1), 1, true), Shape.of(2, 4, 3));
    }

    @Test
    void convTranspose2dGroupedDilatedAsymmetricWithoutBias() {
        LayerContract.check(new ConvTransposeProvider(), deconv(4, List.of(3, 2), List.of(1, 2), List.of(2, 1), List.of(0, 1, 2, 0),
                null, 2, false), Shape.of(4, 3, 4));
    }

    @Test
    void convTranspose1d() {
        LayerContract.check(new ConvTransposeProvider(), deconv(2, List.of(4), List.of(3), null, List.of(1, 2), List.of(2), 1, true),
                Shape.of(3, 5));
    }

    @Test
    void convTransposeScattersTheKernel() {
        // one input channel, one output channel, kernel [1, 2], stride 2: each input element writes a copy of the kernel
        Layer layer = new ConvTransposeProvider().create(deconv(1, List.of(1, 2), List.of(1, 2), null, null, null, 1, false));
        INDArray x = Nd4j.createFromArray(new double[] {1, 2, 3}).reshape(1, 1, 1, 3);
        INDArray w = Nd4j.createFromArray(new double[] {10, 1}).reshape(1, 1, 1, 2);
        INDArray y = LayerRunner.of(layer).param("W", w).run(x).output();
        assertThat(y.shape()).containsExactly(1, 1, 1, 6);
        assertThat(y.ravel().toDoubleVector()).containsExactly(10, 1, 20, 2, 30, 3);
        // pads crop, output padding adds a zero at the end
        layer = new ConvTransposeProvider().create(deconv(1, List.of(1, 2), List.of(1, 2), null, List.of(0, 1, 0, 0), List.of(0, 1), 1, false));
        y = LayerRunner.of(layer).param("W", w).run(x).output();
        assertThat(y.ravel().toDoubleVector()).containsExactly(1, 20, 2, 30, 3, 0);
    }

    @Test
    void convTransposeRejectsWhatItCannotCompute() {
        assertThatThrownBy(() -> deconv(2, List.of(3, 3), List.of(2, 2), null, null, List.of(2, 0), 1, true))
                .hasMessageContaining("output-padding");
        assertThatThrownBy(() -> deconv(3, List.of(3), null, null, null, null, 2, true)).hasMessageContaining("groups");
        Layer layer = new ConvTransposeProvider().create(deconv(2, List.of(3, 3), null, null, List.of(2, 2, 2, 2), null, 1, true));
        assertThatThrownBy(() -> layer.outputShape(List.of(Shape.of(1, 1, 1)))).hasMessageContaining("leave no output");
        assertThatThrownBy(() -> layer.outputShape(List.of(Shape.of(1, 4)))).hasMessageContaining("2-D kernel");
    }

    // ------------------------------------------------------------------ onnx-expand

    @Test
    void expand() {
        LayerContract.check(new ExpandProvider(), new ExpandProvider.Config(List.of(2L, 3L, 4L)), Shape.of(3, 1));
        Layer layer = new ExpandProvider().create(new ExpandProvider.Config(List.of(2L, 3L)));
        INDArray y = LayerRunner.of(layer).run(Nd4j.createFromArray(new double[] {1, 2, 3}).reshape(1, 3)).output();
        assertThat(y.shape()).containsExactly(1, 2, 3);
        assertThat(y.ravel().toDoubleVector()).containsExactly(1, 2, 3, 1, 2, 3);
        assertThatThrownBy(() -> layer.outputShape(List.of(Shape.of(2)))).hasMessageContaining("does not broadcast");
    }

    // ------------------------------------------------------------------ onnx-compare

    @Test
    void compare() {
        // a comparison is piecewise constant: no gradient to check (a Where reading it is checked in the import tests);
        // its values, data type and config round-trip are checked here
        CompareProvider provider = new CompareProvider();
        ProviderContract.check(provider);
        Layer less = provider.create(new CompareProvider.Config(CompareProvider.Op.LESS, List.of(1L), true));
        INDArray y = LayerRunner.of(less).param("c", Nd4j.createFromArray(new double[] {2})).run(Nd4j.createFromArray(new double[][] {{1, 2, 3}})).output();
        assertThat(y.toDoubleVector()).containsExactly(0, 0, 1);   // 2 < x
        Layer greater = provider.create(new CompareProvider.Config(CompareProvider.Op.GREATER, List.of(3L), false));
        y = LayerRunner.of(greater).param("c", Nd4j.createFromArray(new float[] {0, 5, 1})).run(Nd4j.createFromArray(new float[][] {{1, 2, 3}, {-1, 9, 1}})).output();
        assertThat(y.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(y.ravel().toDoubleVector()).containsExactly(1, 0, 1, 0, 1, 0);
        Layer eq = provider.create(new CompareProvider.Config(CompareProvider.Op.EQUAL, null, false));
        y = LayerRunner.of(eq).run(Nd4j.createFromArray(new double[][][] {{{1}, {2}}}), Nd4j.createFromArray(new double[][][] {{{1, 2, 3}}})).output();
        assertThat(y.shape()).containsExactly(1, 2, 3);
        assertThat(y.ravel().toDoubleVector()).containsExactly(1, 0, 0, 0, 1, 0);
        assertThatThrownBy(() -> eq.outputShape(List.of(Shape.of(2), Shape.of(2, 2)))).hasMessageContaining("same rank");
    }

    // ------------------------------------------------------------------ onnx-where

    @Test
    void whereOfThreeInputs() {
        LayerContract.of(new WhereProvider(), new WhereProvider.Config(null, null, null)).inputs(Shape.of(2, 3), Shape.of(2, 3), Shape.of(1, 3))
                .inputValues(ValueGenerator.awayFromZero(0.1, 1)).check();
    }

    @Test
    void whereWithFixedOperands() {
        LayerContract.of(new WhereProvider(), new WhereProvider.Config(List.of(2L, 3L), null, List.of(1L))).inputs(Shape.of(2, 3))
                .paramValues("condition", rng -> rng.nextBoolean() ? 1 : 0).check();
        LayerContract.of(new WhereProvider(), new WhereProvider.Config(null, List.of(3L), null)).inputs(Shape.of(2, 3), Shape.of(2, 3))
                .inputValues(ValueGenerator.awayFromZero(0.1, 1)).check();
    }

    @Test
    void whereSelects() {
        Layer layer = new WhereProvider().create(new WhereProvider.Config(null, null, List.of(1L)));
        INDArray c = Nd4j.createFromArray(new double[][] {{0, 2, 0, -1}});
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 2, 3, 4}});
        INDArray y = LayerRunner.of(layer).param("y", Nd4j.createFromArray(new double[] {-7})).run(c, x).output();
        assertThat(y.toDoubleVector()).containsExactly(-7, 2, -7, 4);
    }

    // ------------------------------------------------------------------ onnx-resize

    static ResizeProvider.Config resize(List<Long> sizes, List<Double> scales, String mode, String coordinates, String rounding) {
        return new ResizeProvider.Config(sizes, scales, ResizeProvider.Mode.valueOf(mode), ResizeProvider.Coordinates.valueOf(coordinates),
                ResizeProvider.Rounding.valueOf(rounding));
    }

    @Test
    void resizeContracts() {
        LayerContract.check(new ResizeProvider(), resize(List.of(2L, 6L, 5L), List.of(1.0, 2.0, 1.25), "LINEAR", "PYTORCH_HALF_PIXEL", "ROUND_PREFER_FLOOR"),
                Shape.of(2, 3, 4));
        LayerContract.check(new ResizeProvider(), resize(List.of(2L, 2L, 7L), List.of(1.0, 2.0 / 3, 1.75), "LINEAR", "ALIGN_CORNERS", "ROUND_PREFER_FLOOR"),
                Shape.of(2, 3, 4));
        LayerContract.check(new ResizeProvider(), resize(List.of(2L, 6L, 8L), List.of(1.0, 2.0, 2.0), "NEAREST", "ASYMMETRIC", "FLOOR"),
                Shape.of(2, 3, 4));
        LayerContract.check(new ResizeProvider(), resize(List.of(3L, 5L), List.of(1.5, 0.5), "NEAREST", "HALF_PIXEL", "ROUND_PREFER_CEIL"),
                Shape.of(2, 10));
    }

    @Test
    void resizeMatrices() {
        // linear, half pixel, doubling 2 -> 4: coordinates -0.25, 0.25, 0.75, 1.25 clamped to [0, 1]
        double[][] m = ResizeProvider.matrix(ResizeProvider.Mode.LINEAR, ResizeProvider.Coordinates.HALF_PIXEL,
                ResizeProvider.Rounding.ROUND_PREFER_FLOOR, 2, 4, 2);
        assertThat(m).isDeepEqualTo(new double[][] {{1, 0}, {0.75, 0.25}, {0.25, 0.75}, {0, 1}});
        // align corners, 3 -> 5: 0, 0.5, 1, 1.5, 2
        m = ResizeProvider.matrix(ResizeProvider.Mode.LINEAR, ResizeProvider.Coordinates.ALIGN_CORNERS,
                ResizeProvider.Rounding.ROUND_PREFER_FLOOR, 3, 5, 5.0 / 3);
        assertThat(m).isDeepEqualTo(new double[][] {{1, 0, 0}, {0.5, 0.5, 0}, {0, 1, 0}, {0, 0.5, 0.5}, {0, 0, 1}});
        // nearest, asymmetric, 2 -> 5 (scale 2.5): 0, 0.4, 0.8, 1.2, 1.6 floored
        m = ResizeProvider.matrix(ResizeProvider.Mode.NEAREST, ResizeProvider.Coordinates.ASYMMETRIC, ResizeProvider.Rounding.FLOOR, 2, 5, 2.5);
        assertThat(m).isDeepEqualTo(new double[][] {{1, 0}, {1, 0}, {1, 0}, {0, 1}, {0, 1}});
        // round_prefer_floor on ties: half pixel 4 -> 2 gives 0.5 and 2.5, rounded down to 0 and 2
        m = ResizeProvider.matrix(ResizeProvider.Mode.NEAREST, ResizeProvider.Coordinates.HALF_PIXEL,
                ResizeProvider.Rounding.ROUND_PREFER_FLOOR, 4, 2, 0.5);
        assertThat(m).isDeepEqualTo(new double[][] {{1, 0, 0, 0}, {0, 0, 1, 0}});
        m = ResizeProvider.matrix(ResizeProvider.Mode.NEAREST, ResizeProvider.Coordinates.HALF_PIXEL,
                ResizeProvider.Rounding.ROUND_PREFER_CEIL, 4, 2, 0.5);
        assertThat(m).isDeepEqualTo(new double[][] {{0, 1, 0, 0}, {0, 0, 0, 1}});
    }

    @Test
    void resizeDoublesAnImage() {
        Layer layer = new ResizeProvider().create(resize(List.of(1L, 4L, 4L), List.of(1.0, 2.0, 2.0), "NEAREST", "ASYMMETRIC", "FLOOR"));
        INDArray x = Nd4j.createFromArray(new double[] {1, 2, 3, 4}).reshape(1, 1, 2, 2);
        INDArray y = LayerRunner.of(layer).run(x).output();
        assertThat(y.ravel().toDoubleVector()).containsExactly(1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
        assertThat(y.dataType()).isEqualTo(DataType.DOUBLE);
    }
}
