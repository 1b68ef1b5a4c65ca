package dev.graft.runtime.engine;

import dev.graft.runtime.GraftException;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GraphPlanTest {

    /** x [n, 5] . W [5, 3] + b, relu, mean: a dense layer and a loss, with its gradient function. */
    private static SameDiff dense() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 5);
        SDVariable w = sd.var("W", Nd4j.rand(DataType.FLOAT, 5, 3).subi(0.5));
        SDVariable b = sd.var("b", Nd4j.rand(DataType.FLOAT, 3).subi(0.5));
        sd.nn().relu(x.mmul(w).add(b), 0).mean().rename("loss");
        sd.setLossVariables("loss");
        sd.createGradFunction();
        return sd;
    }

    private static List<String> gradOutputs(SameDiff sd) {
        return List.of("loss", sd.getVariable("W").getGradient().name(), sd.getVariable("b").getGradient().name());
    }

    private static void assertClose(INDArray got, INDArray want) {
        assertClose(got, want, "");
    }

    private static void assertClose(INDArray got, INDArray want, String what) {
        assertThat(got.shape()).as(what).containsExactly(want.shape());
        assertThat(got.sub(want).amaxNumber().doubleValue()).as(what).isLessThan(1e-6);
    }

    @Test
    void givesSameDiffsGradientsOnEveryRunAndReadsTheLiveParameters() {
        SameDiff sd = dense();
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 5).subi(0.5);
        Map<String, INDArray> want = sd.calculateGradients(Map.of("x", x), "W", "b");
        SameDiff grad = sd.getFunction("grad");
        try (GraphPlan plan = new GraphPlan(grad, Map.of("x", x), gradOutputs(sd))) {
            assertClose(plan.outputs().get(gradOutputs(sd).get(1)), want.get("W"));
            assertClose(plan.outputs().get(gradOutputs(sd).get(2)), want.get("b"));
            // an optimizer changes the parameters in place; the next run must see it
            sd.getArrForVarName("W").muli(-2);
            Map<String, INDArray> again = sd.calculateGradients(Map.of("x", x), "W", "b");
            Map<String, INDArray> got = plan.run(Map.of("x", x));
            assertClose(got.get(gradOutputs(sd).get(1)), again.get("W"));
            assertClose(got.get(gradOutputs(sd).get(2)), again.get("b"));
            assertThat(plan.fits(Map.of("x", x))).isTrue();
            assertThat(plan.fits(Map.of("x", Nd4j.rand(DataType.FLOAT, 3, 5)))).isFalse();
        }
    }

    /** Two convolutions (both padded), relu between, mean: the second needs its input's gradient. */
    private static SameDiff convolutions() {
        SameDiff sd = SameDiff.create();
        Nd4j.getRandom().setSeed(7);
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 2, 7, 6);
        // the first convolution suits DirectConv (18 taps, rows of 3, 5 outputs)
        SDVariable w1 = sd.var("W1", Nd4j.rand(DataType.FLOAT, 3, 3, 2, 5).subi(0.5));
        SDVariable b1 = sd.var("b1", Nd4j.rand(DataType.FLOAT, 5).subi(0.5));
        SDVariable w2 = sd.var("W2", Nd4j.rand(DataType.FLOAT, 2, 3, 5, 4).subi(0.5));
        SDVariable b2 = sd.var("b2", Nd4j.rand(DataType.FLOAT, 4).subi(0.5));
        var padded = org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig.builder()
                .kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1).dataFormat("NCHW").build();
        // padded in height only (the transposed convolution that gives its input's gradient crops the padding)
        var plain = org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig.builder()
                .kH(2).kW(3).sH(1).sW(1).pH(1).pW(0).dH(1).dW(1).dataFormat("NCHW").build();
        SDVariable h = sd.nn().relu(sd.cnn().conv2d(x, w1, b1, padded), 0);
        sd.cnn().conv2d(h, w2, b2, plain).mul(sd.constant(Nd4j.rand(DataType.FLOAT, 1, 4, 8, 4))).mean().rename("loss");
        sd.setLossVariables("loss");
        sd.createGradFunction();
        return sd;
    }

    @Test
    void convolutionsGiveSameDiffsGradientsWithEitherImplementation() {
        SameDiff sd = convolutions();
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 2, 7, 6).subi(0.5);
        String[] params = {"W1", "b1", "W2", "b2"};
        Map<String, INDArray> want = sd.calculateGradients(Map.of("x", x), params);
        List<String> outs = java.util.Arrays.stream(params).map(p -> sd.getVariable(p).getGradient().name()).toList();
        String before = System.getProperty(ConvKernels.PROPERTY);
        int threads = dev.graft.runtime.CpuTuning.appliedThreads();
        try {
            for (int t : new int[] {1, 2}) {
                // with two threads Graft's kernels split the batch (3 examples) in two parts
                dev.graft.runtime.CpuTuning.setThreads(t);
                for (String choice : new String[] {"graft", "nd4j", "auto"}) {
                    // {direct kernel, oneDNN}: with oneDNN off the first layer's weight gradient runs on DirectConv
                    for (boolean[] setting : new boolean[][] {{true, true}, {false, true}, {true, false}}) {
                        System.setProperty(ConvKernels.PROPERTY, choice);
                        System.setProperty(ConvKernels.DIRECT_PROPERTY, String.valueOf(setting[0]));
                        System.setProperty(OneDnn.PROPERTY, String.valueOf(setting[1]));
                        try (GraphPlan plan = new GraphPlan(sd.getFunction("grad"), Map.of("x", x), outs)) {
                            for (int run = 0; run < 2; run++) {
                                Map<String, INDArray> got = run == 0 ? plan.outputs() : plan.run(Map.of("x", x));
                                for (int i = 0; i < params.length; i++) {
                                    assertClose(got.get(outs.get(i)), want.get(params[i]));
                                }
                            }
                        }
                    }
                }
            }
            System.clearProperty(ConvKernels.DIRECT_PROPERTY);
            System.clearProperty(OneDnn.PROPERTY);
            System.setProperty(ConvKernels.PROPERTY, "fast");
            assertThatThrownBy(() -> new GraphPlan(sd.getFunction("grad"), Map.of("x", x), outs))
                    .isInstanceOf(GraftException.class).hasMessageContaining("graft.plan.conv='fast'").hasMessageContaining("'graft' or 'nd4j'");
        } finally {
            System.clearProperty(ConvKernels.DIRECT_PROPERTY);
            System.clearProperty(OneDnn.PROPERTY);
            dev.graft.runtime.CpuTuning.setThreads(Math.max(1, threads));
            if (before == null) {
                System.clearProperty(ConvKernels.PROPERTY);
            } else {
                System.setProperty(ConvKernels.PROPERTY, before);
            }
        }
    }

    private static org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig maxPool(int k, int s, int p) {
        return org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig.builder().kH(k).kW(k).sH(s).sW(s).pH(p).pW(p).dH(1).dW(1)
                .type(org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D.Pooling2DType.MAX)
                .paddingMode(org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode.VALID).isNHWC(false).build();
    }

    @Test
    void maxPoolingAndTheReluGradientBeforeItGiveSameDiffsGradients() {
        // conv, ReLU, 2x2 pooling (the branch-free path, odd size: one row and column left out), conv, ReLU,
        // 3x3 pooling with stride 2 and padding (overlapping windows); inputs on a coarse grid make ties
        SameDiff sd = SameDiff.create();
        Nd4j.getRandom().setSeed(5);
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 1, 9, 11);
        SDVariable w1 = sd.var("W1", Nd4j.rand(DataType.FLOAT, 3, 3, 1, 4).subi(0.5).muli(4).castTo(DataType.INT).castTo(DataType.FLOAT).divi(4));
        SDVariable b1 = sd.var("b1", Nd4j.rand(DataType.FLOAT, 4).subi(0.5));
        SDVariable w2 = sd.var("W2", Nd4j.rand(DataType.FLOAT, 2, 2, 4, 3).subi(0.5));
        var conv1 = org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig.builder()
                .kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1).dataFormat("NCHW").build();
        var conv2 = org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig.builder()
                .kH(2).kW(2).sH(1).sW(1).pH(0).pW(0).dH(1).dW(1).dataFormat("NCHW").build();
        SDVariable h = sd.cnn().maxPooling2d(sd.nn().relu(sd.cnn().conv2d(x, w1, b1, conv1), 0), maxPool(2, 2, 0));
        SDVariable h2 = sd.cnn().maxPooling2d(sd.nn().relu(sd.cnn().conv2d(h, w2, conv2), 0), maxPool(3, 2, 1));
        h2.mul(sd.constant(Nd4j.rand(DataType.FLOAT, 1, 3, 2, 2))).mean().rename("loss");
        sd.setLossVariables("loss");
        sd.createGradFunction();
        INDArray xv = Nd4j.rand(DataType.FLOAT, 3, 1, 9, 11).subi(0.5).muli(4).castTo(DataType.INT).castTo(DataType.FLOAT).divi(4);
        String[] params = {"W1", "b1", "W2"};
        List<String> outs = java.util.Arrays.stream(params).map(p -> sd.getVariable(p).getGradient().name()).toList();
        int threads = dev.graft.runtime.CpuTuning.appliedThreads();
        try {
            for (int t : new int[] {1, 2}) {
                dev.graft.runtime.CpuTuning.setThreads(t);
                for (String pool : new String[] {"graft", "nd4j"}) {
                    System.setProperty(PoolKernels.PROPERTY, pool);
                    try (GraphPlan plan = new GraphPlan(sd.getFunction("grad"), Map.of("x", xv), outs)) {
                        for (int run = 0; run < 3; run++) {
                            // new data each run: the noted maxima must follow it
                            INDArray in = run == 0 ? xv : xv.mul(run == 1 ? -1 : 2);
                            Map<String, INDArray> want = sd.calculateGradients(Map.of("x", in), params);
                            Map<String, INDArray> got = run == 0 ? plan.outputs() : plan.run(Map.of("x", in));
                            for (int i = 0; i < params.length; i++) {
                                assertClose(got.get(outs.get(i)), want.get(params[i]), params[i] + ", " + t + " threads, pool " + pool + ", run " + run);
                            }
                        }
                    }
                }
            }
            // the first pooling's input gradient asked for as an output too: the ReLU gradient is then not its only
            // reader, so the pooling's gradient step must still fill it (as ND4J's op does)
            String poolGradient = sd.getFunction("grad").getOps().values().stream()
                    .filter(o -> o.getOp() instanceof org.nd4j.linalg.api.ops.DynamicCustomOp c && c.opName().equals("maxpool2d_bp") && c.iArgs()[0] == 2)
                    .map(o -> o.getOutputsOfOp().get(0))
                    .findFirst().orElseThrow();
            List<String> withPoolGradient = new java.util.ArrayList<>(outs);
            withPoolGradient.add(poolGradient);
            Map<String, INDArray> byNd4j;
            System.setProperty(PoolKernels.PROPERTY, "nd4j");
            try (GraphPlan plan = new GraphPlan(sd.getFunction("grad"), Map.of("x", xv), withPoolGradient)) {
                byNd4j = Map.of(poolGradient, plan.run(Map.of("x", xv.mul(2))).get(poolGradient).dup());
            }
            System.setProperty(PoolKernels.PROPERTY, "graft");
            try (GraphPlan plan = new GraphPlan(sd.getFunction("grad"), Map.of("x", xv), withPoolGradient)) {
                plan.run(Map.of("x", xv.mul(-1)));
                assertClose(plan.run(Map.of("x", xv.mul(2))).get(poolGradient), byNd4j.get(poolGradient), "the pooling's input gradient as an output");
            }
            System.setProperty(PoolKernels.PROPERTY, "fast");
            assertThatThrownBy(() -> new GraphPlan(sd.getFunction("grad"), Map.of("x", xv), outs))
                    .isInstanceOf(GraftException.class).hasMessageContaining("graft.plan.pool='fast'").hasMessageContaining("'graft' (the default) or 'nd4j'");
        } finally {
            System.clearProperty(PoolKernels.PROPERTY);
            dev.graft.runtime.CpuTuning.setThreads(Math.max(1, threads));
        }
    }

    @Test
    void aLargeReluGradientSplitOverTwoThreadsGivesSameDiffsValues() {
        SameDiff sd = SameDiff.create();
        Nd4j.getRandom().setSeed(3);
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 40_000);
        SDVariable s = sd.var("s", Nd4j.rand(DataType.FLOAT, 40_000).subi(0.5));
        sd.nn().relu(x.mul(s), 0).mul(sd.constant(Nd4j.rand(DataType.FLOAT, 1, 40_000))).mean().rename("loss");
        sd.setLossVariables("loss");
        sd.createGradFunction();
        INDArray xv = Nd4j.rand(DataType.FLOAT, 4, 40_000).subi(0.5);
        INDArray want = sd.calculateGradients(Map.of("x", xv), "s").get("s");
        int threads = dev.graft.runtime.CpuTuning.appliedThreads();
        try {
            dev.graft.runtime.CpuTuning.setThreads(2);
            List<String> outs = List.of(sd.getVariable("s").getGradient().name());
            try (GraphPlan plan = new GraphPlan(sd.getFunction("grad"), Map.of("x", xv), outs)) {
                assertClose(plan.outputs().get(outs.get(0)), want);
                assertClose(plan.run(Map.of("x", xv)).get(outs.get(0)), want);
            }
        } finally {
            dev.graft.runtime.CpuTuning.setThreads(Math.max(1, threads));
        }
    }

    @Test
    void largeProductsOnOneThreadRunOnOneDnnAndGiveSameDiffsValues() {
        org.junit.jupiter.api.Assumptions.assumeTrue(OneDnn.enabled(), "ND4J's oneDNN build");
        SameDiff sd = SameDiff.create();
        Nd4j.getRandom().setSeed(11);
        // 64 x 784 x 256: 12.8 million multiply-adds forward, as many for the weight gradient; 64 x 256 x 8 stays on OpenBLAS
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 784);
        SDVariable w = sd.var("W", Nd4j.rand(DataType.FLOAT, 784, 256).subi(0.5).divi(10));
        SDVariable w2 = sd.var("W2", Nd4j.rand(DataType.FLOAT, 256, 8).subi(0.5));
        sd.nn().relu(x.mmul(w), 0).mmul(w2).mul(sd.constant(Nd4j.rand(DataType.FLOAT, 1, 8))).sum().rename("loss");
        sd.setLossVariables("loss");
        sd.createGradFunction();
        INDArray xv = Nd4j.rand(DataType.FLOAT, 64, 784);
        Map<String, INDArray> want = sd.calculateGradients(Map.of("x", xv), "W", "W2");
        List<String> outs = List.of(sd.getVariable("W").getGradient().name(), sd.getVariable("W2").getGradient().name());
        int threads = dev.graft.runtime.CpuTuning.appliedThreads();
        try {
            dev.graft.runtime.CpuTuning.setThreads(1);
            try (GraphPlan plan = new GraphPlan(sd.getFunction("grad"), Map.of("x", xv), outs)) {
                Map<String, INDArray> got = plan.run(Map.of("x", xv));
                assertRelativelyClose(got.get(outs.get(0)), want.get("W"), "W");
                assertRelativelyClose(got.get(outs.get(1)), want.get("W2"), "W2");
                // two runs, the forward product and the weight gradient each time (the input's gradient is not needed)
                assertThat(plan.oneDnnProducts()).isEqualTo(4);
            }
            // on two threads the same plan keeps to OpenBLAS
            dev.graft.runtime.CpuTuning.setThreads(2);
            try (GraphPlan plan = new GraphPlan(sd.getFunction("grad"), Map.of("x", xv), outs)) {
                assertRelativelyClose(plan.run(Map.of("x", xv)).get(outs.get(0)), want.get("W"), "W, two threads");
                assertThat(plan.oneDnnProducts()).isZero();
                // unless it runs as one part of a split step
                assertRelativelyClose(Parallel.alone(() -> plan.run(Map.of("x", xv))).get(outs.get(0)), want.get("W"), "W, one part");
                assertThat(plan.oneDnnProducts()).isEqualTo(2);
            }
        } finally {
            dev.graft.runtime.CpuTuning.setThreads(Math.max(1, threads));
        }
    }

    /** Within 1e-5 of the largest value: a 784-term float sum's rounding depends on the kernel's order. */
    private static void assertRelativelyClose(INDArray got, INDArray want, String what) {
        assertThat(got.shape()).as(what).containsExactly(want.shape());
        double scale = want.amaxNumber().doubleValue();
        assertThat(scale).as(what).isGreaterThan(0);
        assertThat(got.sub(want).amaxNumber().doubleValue()).as(what).isLessThan(1e-5 * scale);
    }

    @Test
    void softmaxCrossEntropyAndBiasGradientsMatchSameDiffsOwnOps() {
        for (boolean soft : new boolean[] {false, true}) {
            SameDiff sd = SameDiff.create();
            Nd4j.getRandom().setSeed(11);
            SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 6);
            SDVariable y = sd.placeHolder("y", DataType.FLOAT, -1, 4);
            SDVariable w = sd.var("W", Nd4j.rand(DataType.FLOAT, 6, 4).subi(0.5).muli(4));
            SDVariable b = sd.var("b", Nd4j.rand(DataType.FLOAT, 4).subi(0.5));
            SDVariable logits = x.mmul(w).add(b);
            sd.loss().softmaxCrossEntropy("loss", y, logits, null, org.nd4j.autodiff.loss.LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);
            sd.setLossVariables("loss");
            sd.createGradFunction();
            INDArray xv = Nd4j.rand(DataType.FLOAT, 5, 6).subi(0.5).muli(3);
            INDArray yv = soft ? Nd4j.rand(DataType.FLOAT, 5, 4) : Nd4j.zeros(DataType.FLOAT, 5, 4);
            if (!soft) {
                for (int i = 0; i < 5; i++) {
                    yv.putScalar(i, i % 4, 1f);
                }
            }
            Map<String, INDArray> feed = Map.of("x", xv, "y", yv);
            INDArray wantLoss = sd.output(feed, "loss").get("loss");
            Map<String, INDArray> want = sd.calculateGradients(feed, "W", "b");
            List<String> outs = List.of("loss", sd.getVariable("W").getGradient().name(), sd.getVariable("b").getGradient().name());
            try (GraphPlan plan = new GraphPlan(sd.getFunction("grad"), feed, outs)) {
                for (int run = 0; run < 2; run++) {
                    Map<String, INDArray> got = run == 0 ? plan.outputs() : plan.run(feed);
                    assertThat(got.get("loss").getDouble(0)).isCloseTo(wantLoss.getDouble(0), org.assertj.core.data.Offset.offset(1e-5));
                    assertClose(got.get(outs.get(1)), want.get("W"));
                    assertClose(got.get(outs.get(2)), want.get("b"));
                }
            }
        }
    }

    @Test
    void shapesAreWorkedOutOnceButValuesComputedFromTheDataOnEveryRun() {
        SameDiff sd = SameDiff.create();
        Nd4j.getRandom().setSeed(5);
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 2, 3);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 1, 2, 3).subi(0.5));
        // a flatten (its gradient reshapes by the shape of x: fixed for a plan) ...
        SDVariable flat = x.mul(w).reshape(sd.concat(0, sd.sizeAt(x, 0).castTo(DataType.LONG).reshape(1), sd.constant(Nd4j.createFromArray(6L))));
        // ... and a row picked by an index computed from the data (argmax: must be recomputed on every run)
        SDVariable table = sd.constant("table", Nd4j.rand(DataType.FLOAT, 6, 4));
        SDVariable picked = sd.gather(table, sd.argmax(flat, 1), 0);
        flat.sum(1).reshape(-1, 1).mul(picked).mean().rename("loss");
        sd.setLossVariables("loss");
        sd.createGradFunction();
        List<String> outs = List.of("loss", sd.getVariable("w").getGradient().name());
        INDArray x1 = Nd4j.rand(DataType.FLOAT, 4, 2, 3).subi(0.5);
        try (GraphPlan plan = new GraphPlan(sd.getFunction("grad"), Map.of("x", x1), outs)) {
            for (int run = 0; run < 3; run++) {
                INDArray xv = run == 0 ? x1 : Nd4j.rand(DataType.FLOAT, 4, 2, 3).subi(0.5);
                Map<String, INDArray> got = run == 0 ? plan.outputs() : plan.run(Map.of("x", xv));
                assertThat(got).as("run %d", run).isNotNull();
                assertThat(got.get("loss").getDouble(0)).as("run %d", run)
                        .isCloseTo(sd.output(Map.of("x", xv), "loss").get("loss").getDouble(0), org.assertj.core.data.Offset.offset(1e-5));
                assertClose(got.get(outs.get(1)), sd.calculateGradients(Map.of("x", xv), "w").get("w"));
            }
        }
    }

    @Test
    void theCacheBuildsOnePlanPerBatchShape() {
        SameDiff sd = dense();
        GraphPlan.Cache cache = new GraphPlan.Cache("test");
        for (int n : new int[] {4, 2, 4}) {
            INDArray x = Nd4j.rand(DataType.FLOAT, n, 5);
            INDArray want = sd.calculateGradients(Map.of("x", x), "W").get("W");
            Map<String, INDArray> got = cache.run(sd.getFunction("grad"), Map.of("x", x), gradOutputs(sd));
            assertThat(got).isNotNull();
            assertClose(got.get(gradOutputs(sd).get(1)), want);
        }
        cache.close();
    }

    @Test
    void aGraphWithARandomOpIsNotPlannedAndTheCacheSaysSo() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
        x.add(sd.random().normal(0, 1, DataType.FLOAT, 2, 3)).rename("y");
        assertThat(GraphPlan.unsupported(sd, List.of("y"))).contains("op '");
        assertThat(new GraphPlan.Cache("test").run(sd, Map.of("x", Nd4j.rand(DataType.FLOAT, 2, 3)), List.of("y"))).isNull();
    }

    @Test
    void anUnknownExecutorIsAConfigError() {
        String old = System.getProperty(GraphPlan.EXECUTOR_PROPERTY);
        try {
            System.setProperty(GraphPlan.EXECUTOR_PROPERTY, "fast");
            assertThatThrownBy(GraphPlan::enabled).isInstanceOf(GraftException.class).hasMessageContaining("'fast'")
                    .hasMessageContaining("plan").hasMessageContaining("samediff");
            System.setProperty(GraphPlan.EXECUTOR_PROPERTY, "samediff");
            assertThat(GraphPlan.enabled()).isFalse();
        } finally {
            if (old == null) {
                System.clearProperty(GraphPlan.EXECUTOR_PROPERTY);
            } else {
                System.setProperty(GraphPlan.EXECUTOR_PROPERTY, old);
            }
        }
    }

    /** Permutes of small weights (rank 4 and 2) and of their gradients, planned, against SameDiff. */
    @Test
    void smallPermutesGiveSameDiffsValuesAndGradients() {
        SameDiff sd = SameDiff.create();
        Nd4j.getRandom().setSeed(13);
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 30);
        // [2, 3, 5] laid out as [5, 2, 3] then flattened: the weights of a [30 -> 6] product read in another order
        SDVariable w = sd.var("W", Nd4j.rand(DataType.FLOAT, 6, 3, 2, 5).subi(0.5));
        SDVariable v = sd.var("V", Nd4j.rand(DataType.FLOAT, 4, 6).subi(0.5));
        SDVariable wp = sd.permute(w, 3, 1, 0, 2).reshape(30, 6);
        SDVariable vp = sd.permute(v, 1, 0);
        sd.nn().relu(x.mmul(wp), 0).mmul(vp).mul(sd.constant(Nd4j.rand(DataType.FLOAT, 1, 4))).mean().rename("loss");
        sd.setLossVariables("loss");
        sd.createGradFunction();
        INDArray xv = Nd4j.rand(DataType.FLOAT, 3, 30).subi(0.5);
        Map<String, INDArray> want = sd.calculateGradients(Map.of("x", xv), "W", "V");
        List<String> outs = List.of(sd.getVariable("W").getGradient().name(), sd.getVariable("V").getGradient().name());
        try (GraphPlan plan = new GraphPlan(sd.getFunction("grad"), Map.of("x", xv), outs)) {
            for (int run = 0; run < 2; run++) {
                Map<String, INDArray> got = run == 0 ? plan.outputs() : plan.run(Map.of("x", xv));
                assertClose(got.get(outs.get(0)), want.get("W"), "W, run " + run);
                assertClose(got.get(outs.get(1)), want.get("V"), "V, run " + run);
            }
        }
    }
}
