package dev.graft.runtime.engine;

import dev.graft.runtime.CpuTuning;
import dev.graft.runtime.GraftException;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ConvReluPoolTest {

    /** Values on a grid of quarters, so that windows have ties. */
    private static INDArray coarse(long... shape) {
        return Nd4j.rand(DataType.FLOAT, shape).subi(0.5).muli(8).castTo(DataType.INT).castTo(DataType.FLOAT).divi(4);
    }

    /** Equal as values: NaN equals NaN, +0 equals -0 (the fused step pools an all-negative window to +0). */
    private static void assertSameValues(float[] got, float[] want, String what) {
        assertThat(got).as(what).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) {
            boolean same = Float.isNaN(want[i]) ? Float.isNaN(got[i]) : got[i] == want[i];
            assertThat(same).as("%s at %d: %s against %s", what, i, got[i], want[i]).isTrue();
        }
    }

    /** Runs {@code body} with Graft's thread count at 1, then at 2, and restores the count it found. */
    private static void onOneAndTwoThreads(java.util.function.IntConsumer body) {
        int threads = CpuTuning.appliedThreads();
        try {
            for (int t : new int[] {1, 2}) {
                CpuTuning.setThreads(t);
                body.accept(t);
            }
        } finally {
            CpuTuning.setThreads(Math.max(1, threads));
        }
    }

    @Test
    void theFusedStepGivesTheThreeStepsPooledValuesAndMaxima() {
        Nd4j.getRandom().setSeed(11);
        // {iC, iH, iW, k, pad, oC, bias}: outputs 12x10, 8x8 and 6x4
        int[][] cases = {{1, 12, 10, 5, 2, 6, 1}, {3, 9, 9, 4, 1, 5, 0}, {2, 8, 6, 3, 0, 16, 1}};
        onOneAndTwoThreads(t -> {
            for (int[] c : cases) {
                int n = 6;
                INDArray x = coarse(n, c[0], c[1], c[2]);
                // special values in examples 1 to 4: NaN, +inf, -inf and -0 inputs
                x.putScalar(new long[] {1, 0, 2, 3}, Float.NaN);
                x.putScalar(new long[] {2, 0, 1, 1}, Float.POSITIVE_INFINITY);
                x.putScalar(new long[] {3, c[0] - 1, 4, 2}, Float.NEGATIVE_INFINITY);
                x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(4)).assign(-0f);
                INDArray w = coarse(c[3], c[3], c[0], c[5]);
                INDArray b = c[6] == 1 ? coarse(c[5]) : null;
                long[] convArgs = {c[3], c[3], 1, 1, c[4], c[4], 1, 1, 0, 0, 0};
                ConvKernels.Geometry g = ConvKernels.geometry(convArgs, x, w);
                long[] shape = {n, c[5], g.oH(), g.oW()};
                long[] pooledShape = {n, c[5], g.oH() / 2, g.oW() / 2};
                long[] poolArgs = {2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 0};
                List<Object> keep = new ArrayList<>();

                // the three steps: Graft's convolution, ND4J's ReLU, Graft's pooling
                INDArray z = Nd4j.create(DataType.FLOAT, shape);
                INDArray r = Nd4j.create(DataType.FLOAT, shape);
                INDArray p = Nd4j.create(DataType.FLOAT, pooledShape);
                Map<INDArray, PoolKernels.Argmax> pools = new IdentityHashMap<>();
                ConvKernels.forward(convArgs, x, w, b, z, new IdentityHashMap<>(), keep).exec();
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear(z, r, 0.0));
                PoolKernels.forward(poolArgs, r, p, pools, keep).exec();
                PoolKernels.Argmax want = pools.get(r);

                // the fused step
                INDArray r2 = Nd4j.create(DataType.FLOAT, shape);
                INDArray p2 = Nd4j.create(DataType.FLOAT, pooledShape);
                Map<INDArray, PoolKernels.Argmax> fusedPools = new IdentityHashMap<>();
                PoolKernels.forward(poolArgs, r2, p2, fusedPools, keep);
                PoolKernels.Argmax got = fusedPools.get(r2);
                ConvReluPool.Slot slot = new ConvReluPool.Slot();
                slot.x = x;
                slot.w = w;
                slot.b = b;
                slot.conv = g;
                assertThat(ConvReluPool.suits(g, got.g)).isTrue();
                GraphPlan.Kernel fused = ConvReluPool.kernel(slot, new ConvKernels.Input(x), got, p2, keep);
                for (int run = 0; run < 2; run++) {
                    got.fresh = false;
                    assertThat(fused.exec()).isTrue();
                    String what = java.util.Arrays.toString(c) + ", " + t + " threads, run " + run;
                    assertThat(got.fresh).as(what).isTrue();
                    assertThat(got.index).as("maxima, " + what).containsExactly(want.index);
                    assertSameValues(got.out, want.out, "noted values, " + what);
                    assertSameValues(p2.data().asFloat(), p.data().asFloat(), "pooled output, " + what);
                }
            }
        });
    }

    /**
     * x [n, 1, 8, 8] -> conv 5x5 pad 2 (4 channels) -> ReLU -> 2x2 pooling -> conv 3x3 (3 channels) -> ReLU
     * -> weighted mean, the first convolution's output named {@code z}: the first three fuse (with an even size).
     */
    private static SameDiff network(int size) {
        SameDiff sd = SameDiff.create();
        Nd4j.getRandom().setSeed(7);
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 1, size, size);
        SDVariable w1 = sd.var("W1", coarse(5, 5, 1, 4));
        SDVariable b1 = sd.var("b1", coarse(4));
        SDVariable w2 = sd.var("W2", Nd4j.rand(DataType.FLOAT, 3, 3, 4, 3).subi(0.5));
        Conv2DConfig c1 = Conv2DConfig.builder().kH(5).kW(5).sH(1).sW(1).pH(2).pW(2).dH(1).dW(1).dataFormat("NCHW").build();
        Conv2DConfig c2 = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(0).pW(0).dH(1).dW(1).dataFormat("NCHW").build();
        SDVariable z = sd.cnn().conv2d(x, w1, b1, c1).rename("z");
        SDVariable h = sd.cnn().maxPooling2d(sd.nn().relu(z, 0), org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig.builder()
                .kH(2).kW(2).sH(2).sW(2).pH(0).pW(0).dH(1).dW(1).type(org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D.Pooling2DType.MAX)
                .paddingMode(org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode.VALID).isNHWC(false).build());
        SDVariable h2 = sd.nn().relu(sd.cnn().conv2d(h, w2, c2), 0);
        long side = size / 2 - 2;
        h2.mul(sd.constant(Nd4j.rand(DataType.FLOAT, 1, 3, side, side))).mean().rename("loss");
        sd.setLossVariables("loss");
        sd.createGradFunction();
        return sd;
    }

    /** The gradient plan of {@code sd} with {@code -Dgraft.plan.fuse=off}: the three steps apart. */
    private static GraphPlan unfused(SameDiff sd, INDArray x, List<String> outs) {
        System.setProperty(ConvReluPool.PROPERTY, "off");
        try {
            return new GraphPlan(sd.getFunction("grad"), Map.of("x", x), outs);
        } finally {
            System.clearProperty(ConvReluPool.PROPERTY);
        }
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @Test
    void aTrainingPlanFusesTheFirstLayerAndKeepsSameDiffsGradients() {
        SameDiff sd = network(8);
        INDArray x = coarse(5, 1, 8, 8);
        String[] params = {"W1", "b1", "W2"};
        List<String> outs = java.util.Arrays.stream(params).map(p -> sd.getVariable(p).getGradient().name()).toList();
        onOneAndTwoThreads(t -> {
            try (GraphPlan apart = unfused(sd, x, outs); GraphPlan fused = new GraphPlan(sd.getFunction("grad"), Map.of("x", x), outs)) {
                assertThat(fused.fusedSteps()).as("fused steps").isEqualTo(1);
                assertThat(fused.sparseGradientSteps()).as("weight gradients from the maxima").isEqualTo(1);
                assertThat(apart.fusedSteps()).as("fused steps with " + ConvReluPool.PROPERTY + "=off").isZero();
                assertThat(apart.sparseGradientSteps()).isZero();
                for (int run = 0; run < 3; run++) {
                    // new data each run (signs flipped: other maxima, other ReLU zeros)
                    INDArray in = run == 0 ? x : x.mul(run == 1 ? -1 : 2);
                    Map<String, INDArray> want = sd.calculateGradients(Map.of("x", in), params);
                    Map<String, INDArray> got = run == 0 ? fused.outputs() : fused.run(Map.of("x", in));
                    Map<String, INDArray> three = run == 0 ? apart.outputs() : apart.run(Map.of("x", in));
                    for (int i = 0; i < params.length; i++) {
                        String what = params[i] + ", " + t + " threads, run " + run;
                        assertThat(maxDifference(got.get(outs.get(i)), want.get(params[i]))).as(what + " against SameDiff").isLessThan(1e-6);
                        if (i < 2) {
                            // the first layer's gradients: the same terms as the three steps' dense product, summed in another order
                            assertThat(maxDifference(got.get(outs.get(i)), three.get(outs.get(i)))).as(what + " against the three steps").isLessThan(1e-6);
                        } else {
                            // the same sums in the same order: equal to the three steps' exactly
                            assertThat(maxDifference(got.get(outs.get(i)), three.get(outs.get(i)))).as(what + " against the three steps").isZero();
                        }
                    }
                }
            }
        });
    }

    @Test
    void aRunWithANonFiniteExampleTakesTheDenseWeightGradientAndTheNextFiniteRunTheSparseOneAgain() {
        SameDiff sd = network(8);
        INDArray x = coarse(4, 1, 8, 8);
        String[] params = {"W1", "b1"};
        List<String> outs = java.util.Arrays.stream(params).map(p -> sd.getVariable(p).getGradient().name()).toList();
        INDArray bad = x.dup();
        bad.putScalar(new long[] {2, 0, 3, 4}, Float.NaN);
        onOneAndTwoThreads(t -> {
            try (GraphPlan apart = unfused(sd, x, outs); GraphPlan fused = new GraphPlan(sd.getFunction("grad"), Map.of("x", x), outs)) {
                assertThat(fused.sparseGradientSteps()).isEqualTo(1);
                for (INDArray in : List.of(bad, x.mul(-1), bad.mul(2), x)) {
                    Map<String, INDArray> got = fused.run(Map.of("x", in));
                    Map<String, INDArray> three = apart.run(Map.of("x", in));
                    boolean finite = !in.isNaN().any();
                    for (String o : outs) {
                        String what = o + ", " + t + " threads, " + (finite ? "finite" : "with a NaN");
                        if (finite) {
                            // the ReLU gradient skipped while the sparse sums ran, then wrote again: both agree
                            assertThat(maxDifference(got.get(o), three.get(o))).as(what).isLessThan(1e-6);
                        } else {
                            // the dense product, as the three steps run it: NaN where they have NaN
                            assertSameValues(got.get(o).data().asFloat(), three.get(o).data().asFloat(), what);
                        }
                    }
                }
            }
        });
    }

    @Test
    void anInferencePlanFusesTooAndGivesSameDiffsOutput() {
        SameDiff sd = network(8);
        INDArray x = coarse(6, 1, 8, 8);
        onOneAndTwoThreads(t -> {
            try (GraphPlan plan = new GraphPlan(sd, Map.of("x", x), List.of("loss"))) {
                assertThat(plan.fusedSteps()).as("fused steps, no gradient").isEqualTo(1);
                for (INDArray in : List.of(x, x.mul(-1), x.mul(3))) {
                    double want = sd.output(Map.of("x", in), "loss").get("loss").getDouble(0);
                    assertThat(plan.run(Map.of("x", in)).get("loss").getDouble(0)).as("loss, %d threads", t).isCloseTo(want, within(1e-6));
                }
            }
        });
    }

    @Test
    void nothingFusesWhenTheConvolutionsOutputIsAskedForOrTheShapesDoNotSuit() {
        SameDiff sd = network(8);
        INDArray x = coarse(3, 1, 8, 8);
        List<String> outs = new ArrayList<>(List.of(sd.getVariable("W1").getGradient().name(), "z"));
        try (GraphPlan plan = new GraphPlan(sd.getFunction("grad"), Map.of("x", x), outs)) {
            assertThat(plan.fusedSteps()).isZero();
            assertThat(maxDifference(plan.run(Map.of("x", x.mul(-1))).get("z"), sd.output(Map.of("x", x.mul(-1)), "z").get("z"))).isLessThan(1e-6);
        }
        // 9x9: an odd output, whose last row and column the pooling leaves out
        SameDiff odd = network(9);
        INDArray x9 = coarse(3, 1, 9, 9);
        List<String> grads = List.of(odd.getVariable("W1").getGradient().name());
        try (GraphPlan plan = new GraphPlan(odd.getFunction("grad"), Map.of("x", x9), grads)) {
            assertThat(plan.fusedSteps()).isZero();
            assertThat(maxDifference(plan.outputs().get(grads.get(0)), odd.calculateGradients(Map.of("x", x9), "W1").get("W1"))).isLessThan(1e-6);
        }
        // ND4J's pooling: no maxima noted for the fused step to share
        System.setProperty(PoolKernels.PROPERTY, "nd4j");
        try (GraphPlan plan = new GraphPlan(sd.getFunction("grad"), Map.of("x", x), List.of(outs.get(0)))) {
            assertThat(plan.fusedSteps()).isZero();
        } finally {
            System.clearProperty(PoolKernels.PROPERTY);
        }
    }

    @Test
    void anUnknownSettingIsAConfigError() {
        SameDiff sd = network(8);
        INDArray x = coarse(2, 1, 8, 8);
        System.setProperty(ConvReluPool.PROPERTY, "yes");
        try {
            assertThatThrownBy(() -> new GraphPlan(sd.getFunction("grad"), Map.of("x", x), List.of("loss")))
                    .isInstanceOf(GraftException.class).hasMessageContaining("graft.plan.fuse='yes'").hasMessageContaining("'on' (the default) or 'off'");
        } finally {
            System.clearProperty(ConvReluPool.PROPERTY);
        }
    }
}
