package dev.graft.onnx.layers;

import dev.graft.api.Shape;
import dev.graft.api.init.InitSpec;
import dev.graft.api.layer.LayerProvider;
import dev.graft.testkit.LayerContract;
import dev.graft.testkit.LayerRunner;
import dev.graft.testkit.ProviderContract;
import dev.graft.testkit.ValueGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract (gradients, round-trips, float32, batch of one) of every onnx-* layer. */
class OnnxLayersTest {

    @Test
    void servicesFileListsWellFormedProviders() {
        assertThat(ProviderContract.checkServices(LayerProvider.class))
                .extracting(p -> p.id())
                .contains("onnx-binary", "onnx-unary", "onnx-transpose", "onnx-pad", "onnx-prelu", "onnx-nary", "onnx-reduce", "onnx-matmul", "onnx-slice",
                        "onnx-reshape", "onnx-constant", "onnx-reverse", "onnx-pool", "onnx-conv2d", "onnx-conv3d", "onnx-fold-batch",
                        "onnx-unfold-batch", "onnx-cumsum", "onnx-arg", "onnx-select");
    }

    @ParameterizedTest
    @EnumSource(BinaryProvider.Op.class)
    void binaryWithAConstant(BinaryProvider.Op op) {
        BinaryProvider p = new BinaryProvider();
        var check = LayerContract.of(p, new BinaryProvider.Config(op, List.of(3L, 1L, 1L), false, true)).inputs(Shape.of(3, 2, 2));
        if (op == BinaryProvider.Op.DIV || op == BinaryProvider.Op.POW) {
            check.paramValues(ValueGenerator.awayFromZero(0.5, 1.5)).inputValues(ValueGenerator.awayFromZero(0.5, 1.5));
        }
        if (op == BinaryProvider.Op.POW) {
            check.inputValues(ValueGenerator.uniform(0.5, 1.5)).paramValues(ValueGenerator.uniform(0.5, 2));
        }
        check.check();
    }

    @ParameterizedTest
    @EnumSource(BinaryProvider.Op.class)
    void binaryWithAOneElementConstant(BinaryProvider.Op op) {
        LayerContract.of(new BinaryProvider(), new BinaryProvider.Config(op, List.of(1L), false, true)).inputs(Shape.of(8))
                .inputValues(ValueGenerator.uniform(0.5, 1.5)).paramValues(ValueGenerator.uniform(0.5, 1.5)).check();
        LayerContract.of(new BinaryProvider(), new BinaryProvider.Config(op, List.of(1L), true, true)).inputs(Shape.of(2, 3))
                .inputValues(ValueGenerator.uniform(0.5, 1.5)).paramValues(ValueGenerator.uniform(0.5, 1.5)).check();
    }

    @ParameterizedTest
    @EnumSource(BinaryProvider.Op.class)
    void binaryWithTheConstantFirstAndBroadcastingUp(BinaryProvider.Op op) {
        var check = LayerContract.of(new BinaryProvider(), new BinaryProvider.Config(op, List.of(2L, 4L), true, true))
                .inputs(Shape.of(1, 4));
        if (op == BinaryProvider.Op.DIV || op == BinaryProvider.Op.POW) {
            check.inputValues(ValueGenerator.uniform(0.5, 1.5)).paramValues(ValueGenerator.uniform(0.5, 1.5));
        }
        check.check();
    }

    @ParameterizedTest
    @EnumSource(BinaryProvider.Op.class)
    void binaryOfTwoInputs(BinaryProvider.Op op) {
        var check = LayerContract.of(new BinaryProvider(), new BinaryProvider.Config(op, null, false, true))
                .inputs(Shape.of(3, 1), Shape.of(1, 4));
        if (op == BinaryProvider.Op.DIV || op == BinaryProvider.Op.POW) {
            check.inputValues(ValueGenerator.uniform(0.5, 1.5));
        }
        check.check();
    }

    @Test
    void binaryComputesOnnxBroadcasting() {
        var layer = new BinaryProvider().create(new BinaryProvider.Config(BinaryProvider.Op.SUB, List.of(2L), true, true));
        INDArray x = Nd4j.createFromArray(new double[][][] {{{1}, {2}}});   // [1, 2, 1]
        INDArray y = LayerRunner.of(layer).param("c", Nd4j.createFromArray(10.0, 20.0)).run(x).output();
        assertThat(y.shape()).containsExactly(1, 2, 2);
        assertThat(y.ravel().toDoubleVector()).containsExactly(9, 19, 8, 18);
    }

    @Test
    void binaryRejectsShapesThatDoNotBroadcast() {
        var layer = new BinaryProvider().create(new BinaryProvider.Config(BinaryProvider.Op.ADD, List.of(3L), false, true));
        assertThatThrownBy(() -> layer.outputShape(List.of(Shape.of(2, 4))))
                .hasMessageContaining("do not broadcast");
    }

    @ParameterizedTest
    @EnumSource(UnaryProvider.Op.class)
    void unary(UnaryProvider.Op op) {
        UnaryProvider.Config config = op == UnaryProvider.Op.CLIP
                ? new UnaryProvider.Config(op, 0.2, 0.5, -0.4, 0.3)
                : new UnaryProvider.Config(op, 0.3, 0.4, null, null);
        var check = LayerContract.of(new UnaryProvider(), config).inputs(Shape.of(2, 5));
        switch (op) {
            case SQRT, LOG, RECIPROCAL -> check.inputValues(ValueGenerator.uniform(0.5, 2));
            case ABS, SOFTSIGN, NOT_ZERO, SIGN, SELU, CELU -> check.inputValues(ValueGenerator.awayFromZero(0.1, 1));
            case TRUNC, FLOOR, CEIL, ROUND -> check.inputValues(ValueGenerator.uniform(1.1, 1.4));
            case ASIN, ACOS, ATANH -> check.inputValues(ValueGenerator.uniform(-0.8, 0.8));
            case ACOSH -> check.inputValues(ValueGenerator.uniform(1.2, 3));
            // away from the thresholds (alpha 0.3)
            case THRESHOLDED_RELU -> check.inputValues(ValueGenerator.awayFromZero(0.5, 1));
            case SHRINK -> check.inputValues(ValueGenerator.awayFromZero(0.4, 1));
            case CLIP -> check.inputValues(ValueGenerator.uniform(-0.35, 0.25));
            case HARD_SIGMOID -> check.inputValues(ValueGenerator.uniform(-1, 0.3));
            case HARD_SWISH -> check.inputValues(ValueGenerator.uniform(-2.9, 2.9));
            default -> { }
        }
        check.check();
    }

    @Test
    void unaryValues() {
        INDArray x = Nd4j.createFromArray(-4.0, -1.0, 0.0, 2.0, 5.0).reshape(1, 5);
        assertThat(run(UnaryProvider.Config.of(UnaryProvider.Op.HARD_SWISH), x)).containsExactly(new double[] {0, -1.0 / 3, 0, 2 * (2 / 6.0 + 0.5), 5}, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(run(new UnaryProvider.Config(UnaryProvider.Op.CLIP, 0.2, 0.5, -1.5, null), x)).containsExactly(-1.5, -1, 0, 2, 5);
        assertThat(run(UnaryProvider.Config.of(UnaryProvider.Op.SOFTPLUS), x)[4]).isCloseTo(Math.log1p(Math.exp(5)), org.assertj.core.data.Offset.offset(1e-12));
    }

    private static double[] run(UnaryProvider.Config c, INDArray x) {
        return LayerRunner.of(new UnaryProvider().create(c)).run(x).output().toDoubleVector();
    }

    @Test
    void transpose() {
        LayerContract.check(new TransposeProvider(), new TransposeProvider.Config(List.of(2, 0, 1)), Shape.of(2, 3, 4));
        var layer = new TransposeProvider().create(new TransposeProvider.Config(List.of(1, 0)));
        INDArray x = Nd4j.createFromArray(new double[][][] {{{1, 2, 3}, {4, 5, 6}}});
        assertThat(LayerRunner.of(layer).run(x).output()).isEqualTo(x.permute(0, 2, 1));
    }

    @Test
    void pad() {
        LayerContract.check(new PadProvider(), new PadProvider.Config(List.of(0, 1, 2, 0, 0, 1), -0.5), Shape.of(2, 3, 2));
        var layer = new PadProvider().create(new PadProvider.Config(List.of(1, 0), 7));
        INDArray y = LayerRunner.of(layer).run(Nd4j.createFromArray(new double[][] {{1, 2}})).output();
        assertThat(y.toDoubleVector()).containsExactly(7, 1, 2);
    }

    @Test
    void prelu() {
        LayerContract.of(new PReluProvider(), new PReluProvider.Config(List.of(3L, 1L, 1L)))
                .inputs(Shape.of(3, 2, 2)).inputValues(ValueGenerator.awayFromZero(0.1, 1)).check();
        LayerContract.of(new PReluProvider(), new PReluProvider.Config(List.of(1L)))
                .inputs(Shape.of(5)).inputValues(ValueGenerator.awayFromZero(0.1, 1)).check();
        assertThatThrownBy(() -> new PReluProvider().create(new PReluProvider.Config(List.of(3L, 4L))).outputShape(List.of(Shape.of(4))))
                .hasMessageContaining("must broadcast to the input");
    }

    @ParameterizedTest
    @EnumSource(NaryProvider.Op.class)
    void nary(NaryProvider.Op op) {
        LayerContract.check(new NaryProvider(), new NaryProvider.Config(op), Shape.of(2, 3), Shape.of(2, 3), Shape.of(2, 3));
        LayerContract.check(new NaryProvider(), new NaryProvider.Config(op), Shape.of(3, 1), Shape.of(1, 4));
        LayerContract.check(new NaryProvider(), new NaryProvider.Config(op), Shape.of(4));
    }

    @ParameterizedTest
    @EnumSource(ReduceProvider.Op.class)
    void reduce(ReduceProvider.Op op) {
        var check = LayerContract.of(new ReduceProvider(), new ReduceProvider.Config(op, List.of(0, 2), true)).inputs(Shape.of(2, 3, 4));
        var last = LayerContract.of(new ReduceProvider(), new ReduceProvider.Config(op, List.of(1), false)).inputs(Shape.of(3, 4));
        for (var c : List.of(check, last)) {
            switch (op) {
                case L2, L1 -> c.inputValues(ValueGenerator.awayFromZero(0.2, 1));
                case LOG_SUM -> c.inputValues(ValueGenerator.uniform(0.5, 1.5));
                default -> { }
            }
            c.check();
        }
    }

    @Test
    void reduceValues() {
        INDArray x = Nd4j.createFromArray(new double[][] {{1, -2, 3}});
        assertThat(reduce(ReduceProvider.Op.L1, x)).isCloseTo(6, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(reduce(ReduceProvider.Op.PROD, x)).isCloseTo(-6, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(reduce(ReduceProvider.Op.LOG_SUM, x)).isCloseTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-12));
        // far beyond exp's range: the maximum is taken out first
        INDArray big = Nd4j.createFromArray(new double[][] {{1000, 1000}});
        assertThat(reduce(ReduceProvider.Op.LOG_SUM_EXP, big)).isCloseTo(1000 + Math.log(2), org.assertj.core.data.Offset.offset(1e-9));
    }

    private static double reduce(ReduceProvider.Op op, INDArray x) {
        var layer = new ReduceProvider().create(new ReduceProvider.Config(op, List.of(0), false));
        return LayerRunner.of(layer).run(x).output().getDouble(0);
    }

    @Test
    void reduceShapes() {
        var layer = new ReduceProvider().create(new ReduceProvider.Config(ReduceProvider.Op.MEAN, List.of(2, 1), false));
        assertThat(layer.outputShape(List.of(Shape.of(2, 3, 4)))).isEqualTo(Shape.of(2));
        var all = new ReduceProvider().create(new ReduceProvider.Config(ReduceProvider.Op.MEAN, List.of(0), false));
        assertThat(all.outputShape(List.of(Shape.of(4)))).isEqualTo(Shape.of());
        INDArray rows = Nd4j.createFromArray(new double[][] {{1, 2, 3, 6}, {0, 0, 2, 2}});
        assertThat(LayerRunner.of(all).run(rows).output().toDoubleVector()).containsExactly(3, 1);
        INDArray x = Nd4j.createFromArray(new double[][][] {{{1, 2}, {3, 4}}});
        var max = new ReduceProvider().create(new ReduceProvider.Config(ReduceProvider.Op.MAX, List.of(0), true));
        assertThat(LayerRunner.of(max).run(x).output().ravel().toDoubleVector()).containsExactly(3, 4);
    }

    @Test
    void slice() {
        LayerContract.check(new SliceProvider(), new SliceProvider.Config(List.of(1), List.of(1L), List.of(3L), null), Shape.of(2, 4));
        LayerContract.check(new SliceProvider(), new SliceProvider.Config(List.of(0, 2), List.of(0L, 1L), List.of(1L, 5L), List.of(1L, 2L)),
                Shape.of(3, 2, 5));
        var layer = new SliceProvider().create(new SliceProvider.Config(List.of(0), List.of(1L), List.of(6L), List.of(2L)));
        assertThat(layer.outputShape(List.of(Shape.of(6)))).isEqualTo(Shape.of(3));
        INDArray y = LayerRunner.of(layer).run(Nd4j.createFromArray(new double[][] {{0, 1, 2, 3, 4, 5}})).output();
        assertThat(y.ravel().toDoubleVector()).containsExactly(1, 3, 5);
        assertThatThrownBy(() -> layer.outputShape(List.of(Shape.of(4)))).hasMessageContaining("beyond axis 0");
    }

    @Test
    void matmul() {
        LayerContract.check(new MatMulProvider(), new MatMulProvider.Config(3, true, InitSpec.of("xavier-uniform")), Shape.of(2, 4, 5));
        LayerContract.check(new MatMulProvider(), new MatMulProvider.Config(3, false, InitSpec.of("xavier-uniform")), Shape.of(5));
        LayerContract.check(new MatMulProvider(), new MatMulProvider.Config(null, false, InitSpec.of("xavier-uniform")),
                Shape.of(2, 3, 4), Shape.of(2, 4, 5));
        assertThatThrownBy(() -> new MatMulProvider().create(new MatMulProvider.Config(null, false, InitSpec.of("xavier-uniform")))
                .outputShape(List.of(Shape.of(3, 4), Shape.of(5, 2)))).hasMessageContaining("cannot multiply");
    }

    @Test
    void roundingAndPiecewiseValues() {
        INDArray x = Nd4j.createFromArray(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6, -0.4).reshape(1, 8);
        assertThat(run(UnaryProvider.Config.of(UnaryProvider.Op.ROUND), x)).containsExactly(-2, -2, 0, 0, 2, 2, 3, 0);
        INDArray y = Nd4j.createFromArray(-1.0, -0.2, 0.0, 0.2, 1.0).reshape(1, 5);
        assertThat(run(new UnaryProvider.Config(UnaryProvider.Op.SHRINK, 0.5, 0.1, null, null), y)).containsExactly(
                new double[] {-0.9, 0, 0, 0, 0.9}, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(run(new UnaryProvider.Config(UnaryProvider.Op.THRESHOLDED_RELU, 0.1, 0, null, null), y)).containsExactly(
                new double[] {0, 0, 0, 0.2, 1}, org.assertj.core.data.Offset.offset(0.0));
        assertThat(run(UnaryProvider.Config.of(UnaryProvider.Op.NOT), Nd4j.createFromArray(0.0, 1.0).reshape(1, 2))).containsExactly(1, 0);
        double[] selu = run(new UnaryProvider.Config(UnaryProvider.Op.SELU, 1.5, 2, null, null), y);
        assertThat(selu[0]).isCloseTo(2 * 1.5 * (Math.exp(-1) - 1), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(selu[4]).isCloseTo(2, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void cumsum() {
        for (boolean exclusive : new boolean[] {false, true}) {
            for (boolean reverse : new boolean[] {false, true}) {
                LayerContract.check(new CumSumProvider(), new CumSumProvider.Config(1, exclusive, reverse), Shape.of(2, 4));
            }
        }
        var layer = new CumSumProvider().create(new CumSumProvider.Config(0, false, false));
        assertThat(LayerRunner.of(layer).run(Nd4j.createFromArray(new double[][] {{1, 2, 3}})).output().toDoubleVector()).containsExactly(1, 3, 6);
        var exclusive = new CumSumProvider().create(new CumSumProvider.Config(0, true, true));
        assertThat(LayerRunner.of(exclusive).run(Nd4j.createFromArray(new double[][] {{1, 2, 3}})).output().toDoubleVector())
                .containsExactly(5, 3, 0);
    }

    @Test
    void truncAndNotZeroValues() {
        INDArray x = Nd4j.createFromArray(-2.5, -0.5, 0.0, 0.7, 3.0).reshape(1, 5);
        assertThat(run(UnaryProvider.Config.of(UnaryProvider.Op.TRUNC), x)).containsExactly(-2, -0.0, 0, 0, 3);
        assertThat(run(UnaryProvider.Config.of(UnaryProvider.Op.NOT_ZERO), x)).containsExactly(1, 1, 0, 1, 1);
    }

    @Test
    void reshapeToAScalarAndBack() {
        LayerContract.check(new ReshapeProvider(), new ReshapeProvider.Config(List.of()), Shape.of(1, 1));
        LayerContract.check(new ReshapeProvider(), new ReshapeProvider.Config(List.of(3L, 2L)), Shape.of(6));
        assertThatThrownBy(() -> new ReshapeProvider().create(new ReshapeProvider.Config(List.of(4L))).outputShape(List.of(Shape.of(6))))
                .hasMessageContaining("cannot reshape");
    }

    @Test
    void constantRepeatsItsValueForEveryExample() {
        LayerContract.check(new ConstantProvider(), new ConstantProvider.Config(List.of(2L, 3L), true), Shape.of(4));
        var layer = new ConstantProvider().create(new ConstantProvider.Config(List.of(2L), false));
        INDArray x = Nd4j.createFromArray(new double[][] {{Double.NaN}, {1}, {2}});
        INDArray y = LayerRunner.of(layer).param("value", Nd4j.createFromArray(5.0, 6.0)).run(x).output();
        assertThat(y.toDoubleMatrix()).isEqualTo(new double[][] {{5, 6}, {5, 6}, {5, 6}});
    }

    @Test
    void reverse() {
        LayerContract.check(new ReverseProvider(), new ReverseProvider.Config(List.of(0, 2)), Shape.of(2, 3, 4));
        var layer = new ReverseProvider().create(new ReverseProvider.Config(List.of(1)));
        INDArray x = Nd4j.createFromArray(new double[][][] {{{1, 2, 3}, {4, 5, 6}}});
        assertThat(LayerRunner.of(layer).run(x).output()).isEqualTo(Nd4j.createFromArray(new double[][][] {{{3, 2, 1}, {6, 5, 4}}}));
    }

    @ParameterizedTest
    @EnumSource(PoolProvider.Op.class)
    void poolOverThreeAxesWithDilationsAndPadding(PoolProvider.Op op) {
        var check = LayerContract.of(new PoolProvider(), new PoolProvider.Config(op, List.of(2, 2, 2), List.of(1, 2, 1), List.of(1, 1, 2),
                List.of(1L, 0L, 0L, 0L, 1L, 1L))).inputs(Shape.of(2, 3, 4, 5));
        if (op != PoolProvider.Op.AVG) {
            // distinct values, so that no two elements of a window tie
            check.inputValues(ValueGenerator.awayFromZero(0.1, 1));
        }
        check.check();
        var layer = new PoolProvider().create(new PoolProvider.Config(op, List.of(2), List.of(1), List.of(2), List.of(0L, 0L)));
        INDArray x = Nd4j.createFromArray(new double[][][] {{{1, 5, 2, 4}}});
        double[] want = switch (op) {
            case MAX -> new double[] {2, 5};
            case AVG -> new double[] {1.5, 4.5};
            case ARGMAX -> new double[] {2, 1};
        };
        assertThat(LayerRunner.of(layer).run(x).output().ravel().toDoubleVector()).containsExactly(want);
    }

    @Test
    void conv3dAndAConvolutionByAWeightInput() {
        LayerContract.check(new Conv3dProvider(), new Conv3dProvider.Config(4, List.of(2, 2, 2), List.of(1, 2, 1), List.of(1, 1, 2),
                List.of(1, 0, 1), 2, true, InitSpec.of("xavier-uniform")), Shape.of(2, 3, 4, 5));
        // the weight and bias come as inputs in a batch of one
        LayerContract.of(new Conv2dProvider(), new Conv2dProvider.Config(List.of(1, 2), List.of(1, 1), List.of(1L, 0L)))
                .inputs(Shape.of(2, 4, 5), Shape.of(3, 2, 2, 2), Shape.of(3)).batch(1).check();
    }

    @Test
    void foldAndUnfoldMoveTheFirstAxisIntoTheBatchAndBack() {
        var fold = new FoldBatchProvider().create(dev.graft.api.config.NoConfig.INSTANCE);
        var unfold = new UnfoldBatchProvider().create(new UnfoldBatchProvider.Config(3));
        assertThat(fold.outputShape(List.of(Shape.of(3, 2, 4)))).isEqualTo(Shape.of(2, 4));
        assertThat(unfold.outputShape(List.of(Shape.of(2, 4)))).isEqualTo(Shape.of(3, 2, 4));
        // the pair inside a network: every row of the batch of 2 becomes 3 rows for the layer between, then comes back
        var ir = new dev.graft.runtime.model.ModelIR(dev.graft.runtime.model.ModelIR.FORMAT,
                new dev.graft.runtime.model.ModelIR.InputIR("input", List.of(3L, 2L, 4L)),
                List.of(new dev.graft.runtime.model.ModelIR.NodeIR("fold", "onnx-fold-batch", "1.0.0", java.util.Map.of(), List.of("input")),
                        new dev.graft.runtime.model.ModelIR.NodeIR("sum", "onnx-reduce", "1.0.0",
                                java.util.Map.of("op", "sum", "axes", List.of(1), "keepdims", true), List.of("fold")),
                        new dev.graft.runtime.model.ModelIR.NodeIR("unfold", "onnx-unfold-batch", "1.0.0", java.util.Map.of("n", 3), List.of("sum"))),
                "unfold", null, null, List.of());
        var net = new dev.graft.runtime.engine.Network(ir, dev.graft.runtime.Graft.builder().useEnvironment(false).build().plugins(),
                java.util.Map.of());
        net.initialize(0);
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3, 2, 4);
        INDArray y = net.predict(x, 8);
        assertThat(y.shape()).containsExactly(2, 3, 2, 1);
        assertThat(y.sub(x.sum(true, 3)).amaxNumber().doubleValue()).isLessThan(1e-5);
    }

    @ParameterizedTest
    @EnumSource(ArgProvider.Op.class)
    void argmaxAndArgmin(ArgProvider.Op op) {
        LayerContract.of(new ArgProvider(), new ArgProvider.Config(op, 1, true, false)).inputs(Shape.of(2, 4, 3)).check();
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 5, 5, 0, 0}});
        var first = new ArgProvider().create(new ArgProvider.Config(op, 0, false, false));
        var last = new ArgProvider().create(new ArgProvider.Config(op, 0, false, true));
        double[] want = op == ArgProvider.Op.MAX ? new double[] {1, 2} : new double[] {3, 4};
        assertThat(LayerRunner.of(first).run(x).output().getDouble(0)).isEqualTo(want[0]);
        assertThat(LayerRunner.of(last).run(x).output().getDouble(0)).isEqualTo(want[1]);
    }

    @Test
    void selectMovesAndAddsElements() {
        // output [3]: out[0] = x[2], out[1] = x[0] + x[1], out[2] = 0
        var config = new SelectProvider.Config(List.of(2L, 0L, 1L), List.of(0L, 1L, 1L), List.of(3L));
        LayerContract.check(new SelectProvider(), config, Shape.of(2, 2));
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 2, 3, 4}});
        assertThat(LayerRunner.of(new SelectProvider().create(config)).run(x).output().toDoubleVector()).containsExactly(3, 3, 0);
        assertThatThrownBy(() -> new SelectProvider.Config(List.of(0L), List.of(5L), List.of(3L))).hasMessageContaining("out of range");
    }
}
