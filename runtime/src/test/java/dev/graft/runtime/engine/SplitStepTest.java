package dev.graft.runtime.engine;

import dev.graft.runtime.CpuTuning;
import dev.graft.runtime.GraftException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SplitStepTest {
    private int threads;

    @BeforeEach
    void twoThreads() {
        threads = CpuTuning.appliedThreads();
        CpuTuning.setThreads(2);
    }

    @AfterEach
    void restore() {
        System.clearProperty(SplitStep.PROPERTY);
        CpuTuning.setThreads(Math.max(1, threads));
    }

    /** x [n, 6] . W [6, 4] + b, then {@code head}, with its gradient function. */
    private static SameDiff graph(Function<SDVariable, SDVariable> head) {
        SameDiff sd = SameDiff.create();
        Nd4j.getRandom().setSeed(13);
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 6);
        SDVariable w = sd.var("W", Nd4j.rand(DataType.FLOAT, 6, 4).subi(0.5));
        SDVariable b = sd.var("b", Nd4j.rand(DataType.FLOAT, 4).subi(0.5));
        head.apply(sd.nn().relu(x.mmul(w).add(b), 0)).rename("loss");
        sd.setLossVariables("loss");
        sd.createGradFunction();
        return sd;
    }

    private static List<String> names(SameDiff sd) {
        return List.of("loss", sd.getVariable("W").getGradient().name(), sd.getVariable("b").getGradient().name());
    }

    private static void assertClose(INDArray got, INDArray want, String what) {
        assertThat(got.shape()).as(what).containsExactly(want.shape());
        assertThat(got.castTo(DataType.DOUBLE).sub(want.castTo(DataType.DOUBLE)).amaxNumber().doubleValue()).as(what).isLessThan(1e-5);
    }

    /** Runs the check, the warm-up and the timed blocks each way (then one more step) on batches of 37 examples (parts of 18 and 19), each against SameDiff. */
    private record Steps(SplitStep split, int splitSteps) {
    }

    private static Steps steps(SameDiff sd) {
        return steps(sd, false);
    }

    /**
     * {@link #steps(SameDiff)}; with {@code lazy}, the batch array starts as NaN and its rows are
     * written by the {@link Network.RowFill} the step is given (each part its own on a split step).
     */
    private static Steps steps(SameDiff sd, boolean lazy) {
        SplitStep split = new SplitStep();
        split.jitClock = () -> 0; // a quiet JIT: the trials start after the warm-up steps
        int later = SplitStep.WHOLE_VOTES - 1;
        return steps(sd, lazy, split, 1 + SplitStep.WARMUP + 2 * SplitStep.BLOCK * ((SplitStep.TRIALS + later * SplitStep.CONFIRM) / (SplitStep.BLOCK - SplitStep.SETTLE))
                + later * SplitStep.PAUSE + SplitStep.QUIET_STEPS + 1);
    }

    private static Steps steps(SameDiff sd, boolean lazy, SplitStep split, int count) {
        int splitSteps = 0;
        GraphPlan.Cache whole = new GraphPlan.Cache("training");
        List<String> names = names(sd);
        SameDiff fn = sd.getFunction("grad");
        for (int step = 0; step < count; step++) {
            INDArray src = Nd4j.rand(DataType.FLOAT, 37, 6).subi(0.5);
            Map<String, INDArray> want = sd.calculateGradients(Map.of("x", src), "W", "b");
            double loss = sd.output(Map.of("x", src), "loss").get("loss").getDouble(0);
            INDArray x = lazy ? Nd4j.valueArrayOf(new long[] {37, 6}, Float.NaN, DataType.FLOAT) : src;
            Map<String, INDArray> feed = Map.of("x", x);
            List<int[]> filled = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Network.RowFill fill = !lazy ? null : (a, b) -> {
                x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(a, b)).assign(src.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(a, b)));
                filled.add(new int[] {a, b});
            };
            int parts = split.parts(37, true);
            Map<String, INDArray> got = parts > 1 ? split.run(fn, feed, 37, parts, names, () -> whole.run(fn, feed, names), fill) : null;
            if (got == null) {
                if (fill != null) {
                    fill.rows(0, 37);
                }
                got = whole.run(fn, feed, names);
            }
            if (lazy) {
                // every row written, by as many calls as the step had parts
                filled.sort(java.util.Comparator.comparingInt(r -> r[0]));
                int next = 0;
                for (int[] r : filled) {
                    assertThat(r[0]).as("rows filled on step " + step + ": from").isLessThanOrEqualTo(next);
                    next = Math.max(next, r[1]);
                }
                assertThat(next).as("rows filled on step " + step).isEqualTo(37);
                if (split.lastSplit()) {
                    assertThat(filled).as("fills on split step " + step).hasSize(2);
                }
            }
            assertThat(got.get("loss").getDouble(0)).as("loss, step " + step).isCloseTo(loss, org.assertj.core.data.Offset.offset(1e-5));
            assertClose(got.get(names.get(1)), want.get("W"), "W, step " + step + (split.lastSplit() ? " (split)" : ""));
            assertClose(got.get(names.get(2)), want.get("b"), "b, step " + step + (split.lastSplit() ? " (split)" : ""));
            splitSteps += split.lastSplit() ? 1 : 0;
        }
        whole.close();
        return new Steps(split, splitSteps);
    }

    @Test
    void aMeanLossSplitsIntoPartsAveragedByTheirSizes() {
        Steps run = steps(graph(SDVariable::mean));
        SplitStep split = run.split();
        // checked on the first step, then timed both ways (every other step split), and a choice was made
        assertThat(run.splitSteps()).isGreaterThanOrEqualTo(SplitStep.TRIALS);
        assertThat(split.parts(37, true) > 1).isEqualTo(split.chosen());
        // whole batches only after WHOLE_VOTES trials in a row gave them, with a pause of whole steps before each later one
        assertThat(split.trialsDone()).isEqualTo(split.chosen() ? split.trialsDone() : SplitStep.WHOLE_VOTES).isBetween(1, SplitStep.WHOLE_VOTES);
        assertThat(split.pauseSteps()).isEqualTo((split.trialsDone() - 1) * SplitStep.PAUSE);
        assertThat(split.parts(37, false)).as("state updates are never split").isEqualTo(1);
        assertThat(split.parts(31, true)).as("parts of at least 16 examples").isEqualTo(1);
    }

    @Test
    void timingWaitsForAQuietJit() {
        SameDiff sd = graph(SDVariable::mean);
        int trialSteps = 2 * SplitStep.BLOCK * (SplitStep.TRIALS / (SplitStep.BLOCK - SplitStep.SETTLE));
        // compiling all the time: no trial
        SplitStep busy = new SplitStep();
        long[] compiled = {0};
        boolean[] compiling = {true};
        busy.jitClock = () -> compiling[0] ? (compiled[0] += 1000) : compiled[0];
        int waiting = SplitStep.WARMUP + trialSteps + 20;
        Steps before = steps(sd, false, busy, 1 + waiting);
        assertThat(busy.trialsDone()).as("trials while the JIT compiles").isZero();
        // meanwhile blocks of split and whole steps alternate, so that both ways' code is compiled before the trials
        assertThat(before.splitSteps()).as("split steps among %d untimed ones", waiting).isBetween(waiting / 2 - SplitStep.BLOCK, waiting / 2 + SplitStep.BLOCK);
        // quiet from now on: the trials follow
        compiling[0] = false;
        steps(sd, false, busy, 2 * SplitStep.QUIET_STEPS + trialSteps + 1);
        assertThat(busy.trialsDone()).as("trials once the JIT is quiet").isEqualTo(1);
    }

    @Test
    void aTrialForWholeBatchesWhileTheJitIsBusyIsRunAgainNotCounted() {
        SameDiff sd = graph(SDVariable::mean);
        SplitStep split = new SplitStep();
        long[] compiled = {0};
        boolean[] busy = {false};
        split.jitClock = () -> busy[0] ? (compiled[0] += 1000) : compiled[0];
        // quiet through the warm-up, so the timing starts; then the JIT compiles through every trial
        steps(sd, false, split, 1 + SplitStep.WARMUP + SplitStep.QUIET_STEPS + 1);
        busy[0] = true;
        steps(sd, false, split, 700);
        org.junit.jupiter.api.Assumptions.assumeFalse(split.chosen(), "this tiny graph's whole batches were faster (one thread's hand-off costs more than half its step)");
        assertThat(split.retriedTrials()).isEqualTo(SplitStep.JIT_RETRIES);
        assertThat(split.trialsDone()).isEqualTo(SplitStep.JIT_RETRIES + SplitStep.WHOLE_VOTES);
        assertThat(split.parts(37, true)).isEqualTo(1);
    }

    @Test
    void eachPartWritesItsOwnRowsWhenGivenARowFill() {
        Steps run = steps(graph(SDVariable::mean), true);
        assertThat(run.splitSteps()).isGreaterThanOrEqualTo(SplitStep.TRIALS);
    }

    @Test
    void aSummedLossSplitsIntoPartsThatAddUp() {
        Steps run = steps(graph(SDVariable::sum));
        assertThat(run.splitSteps()).isGreaterThanOrEqualTo(SplitStep.TRIALS);
        assertThat(run.split().parts(37, true) > 1).isEqualTo(run.split().chosen());
    }

    @Test
    void aGraphThatMixesExamplesIsNotSplitAfterTheFirstStep() {
        // each example is centred on the batch's mean: a part's mean is not the batch's
        Steps run = steps(graph(h -> h.sub(h.mean(true, 0)).mul(h).mean()));
        assertThat(run.splitSteps()).isZero();
        assertThat(run.split().chosen()).isFalse();
        assertThat(run.split().parts(37, true)).isEqualTo(1);
    }

    @Test
    void oneThreadOrTheSwitchOffKeepWholeBatches() {
        SplitStep split = new SplitStep();
        assertThat(split.parts(128, true)).isEqualTo(2);
        System.setProperty(SplitStep.PROPERTY, "off");
        assertThat(split.parts(128, true)).isEqualTo(1);
        System.setProperty(SplitStep.PROPERTY, "fast");
        assertThatThrownBy(() -> split.parts(128, true)).isInstanceOf(GraftException.class)
                .hasMessageContaining("graft.train.split='fast'").hasMessageContaining("'off'");
        System.clearProperty(SplitStep.PROPERTY);
        CpuTuning.setThreads(1);
        assertThat(split.parts(128, true)).isEqualTo(1);
    }
}
