package dev.graft.runtime.engine;

import dev.graft.runtime.CpuTuning;
import dev.graft.runtime.util.DenseArrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A training step split over Graft's threads by examples: with N threads the batch is cut into N
 * parts, each part's gradient graph runs on its own thread through its own plan, with every op on
 * that thread (ND4J, oneDNN and OpenBLAS set to one thread there), and the parts' loss and gradients
 * are combined. The benchmark models' ops are too small to split well one by one: on two cores the
 * CNN's step gained 0 to 25% from a second thread inside each op, against the 2x the parts can give.
 *
 * <p>Splitting is exact only for graphs that treat examples independently and reduce the loss by
 * a mean or a sum over them; a graph that mixes examples (batch statistics) is not. So the first
 * split step also runs the whole batch and compares: the parts' results, averaged by part size or
 * added, must equal the whole batch's within {@code 1e-4} of each array's largest value. When
 * neither does, the network never splits again (logged once). Networks with state updates (batch
 * normalisation's running statistics) are never split. Then, after {@link #WARMUP} untimed steps
 * (split and whole, in blocks), blocks of {@link #BLOCK} split steps and {@link #BLOCK} whole ones alternate until {@link #TRIALS}
 * steps each way are timed (not the first {@link #SETTLE} of a block: switching ways costs cache
 * misses a steady run does not have), and split steps stay only when their lower quartile is
 * below {@link #MARGIN} times whole batches' (logged once with both times); whole batches are kept
 * only when {@link #WHOLE_VOTES} trials in a row give them, each later one shorter and after
 * {@link #PAUSE} whole steps. The timing waits for the JIT to be quiet ({@link #JIT_SHARE}), and a
 * trial for whole batches during which it was busy is run again ({@link #JIT_BUSY}). A model made of a few large products (the
 * benchmark MLP) gains little from splitting.
 * {@code -Dgraft.train.split=off} turns it off.
 */
final class SplitStep {
    private static final Logger LOG = LoggerFactory.getLogger(SplitStep.class);

    /** System property: {@code auto} (the default) or {@code off}. */
    static final String PROPERTY = "graft.train.split";
    /** The fewest examples a part gets. */
    static final int MIN_PART = 16;
    /** Largest difference allowed between the combined parts and the whole batch, relative to the array's largest value. */
    static final double TOLERANCE = 1e-4;

    private final List<GraphPlan.Cache> caches = new ArrayList<>();
    private final Map<String, INDArray> combined = new HashMap<>();
    /** null until the first split step has been checked. */
    private Boolean exact;
    /** Whether the parts' results add up (a summed loss) rather than average by part size. */
    private boolean sum;
    /** Whether the last {@link #run} returned the combined parts. */
    private boolean lastSplit;
    /**
     * Steps timed each way after the check, alternating, before choosing the faster (split or whole):
     * four blocks each way. With two, a slow spell of this machine over one way's blocks chose whole
     * batches for the benchmark CNN in about one run of ten (8 ms a step against 5).
     */
    static final int TRIALS = 24;
    /**
     * Timed steps each way of the later, shorter trials that a verdict for whole batches must pass too:
     * a slow spell of the machine (the split steps' lower quartile at 10.8 ms against 4.7 to 5.1 in the
     * runs around it) still picked whole batches for the benchmark CNN now and then.
     */
    static final int CONFIRM = 12;
    /**
     * Whole steps run untimed after a trial that found whole batches faster, before the next trial, so
     * that the trials sample different moments of the machine (twice a second trial run at once fell
     * in the same slow spell of the split steps as the first).
     */
    static final int PAUSE = 12;
    private int paused;
    /** Pause steps run, for tests. */
    private int pauseSteps;
    /**
     * Split steps stay only when their lower quartile is below this share of whole batches': a split
     * step needs both cores, so it loses more than a whole one when the machine is busy, and a model
     * that gains little from it is as well off whole. (The benchmark MLP's split steps once took 0.76
     * to 0.99 ms in some runs' trials and 2.4 to 3.6 in others, whole ones 0.9 to 1.3: after the whole
     * blocks, OpenBLAS's idle thread polled on one core for about 0.1 s; with {@code
     * OPENBLAS_THREAD_TIMEOUT} set by the launcher or {@link CpuTuning#bootstrap} it sleeps within a
     * millisecond, and the split trials take 0.8 to 0.9 ms.)
     */
    static final double MARGIN = 0.9;
    /**
     * Timing starts once the JIT is quiet: at most {@link #JIT_SHARE} of the last {@link #QUIET_STEPS}
     * steps' wall time went to compiling (or after {@link #WARMUP_CAP} steps). While the compiler
     * threads hold a core, split steps, which need both, are the ones slowed: the benchmark CNN's split
     * steps took 7.1 to 8.0 ms in trials that began while the JIT compiled for 70 to 100% of the wall
     * time, 3.1 to 4.9 in trials after it had settled (whole steps 6.2 to 7.8 either way), and such
     * trials chose whole batches in about half the runs.
     */
    static final double JIT_SHARE = 0.1;
    static final int QUIET_STEPS = 10;
    static final int WARMUP_CAP = 400;
    /** The JIT's compiling time so far in ms, or -1 when the JVM does not tell (tests set their own). */
    java.util.function.LongSupplier jitClock = SplitStep::jitMillis;
    private boolean quiet;
    private long jitMark = -1;
    private long wallMark;
    /** JIT time and wall clock when the running trial started (the log tells how busy the JIT was). */
    private long trialJit;
    private long trialWall;
    /**
     * Trials in a row that must find whole batches faster before they are kept. Even after the JIT
     * has settled, the split steps had slow spells of a few tenths of a second (7.4 to 10.1 ms against
     * 4.3 to 4.5 in the trials just before or after, in 4 of 8 runs of the benchmark CNN); a verdict
     * for split steps stands at once, since it only ever came with split steps at their usual speed.
     */
    static final int WHOLE_VOTES = 3;
    private int wholeVotes;
    /** Whether the running trial confirms a verdict for whole batches. */
    private boolean confirming;
    /** Trials completed, for tests. */
    private int trialsDone;
    /** Steps in a block of one way; the first {@link #SETTLE} of each are not timed (the other way's arrays leave the caches). */
    static final int BLOCK = 8;
    static final int SETTLE = 2;
    /** Steps after which the choice is timed again (the machine's load changes). */
    static final int RETIME = 2000;
    private int sinceChoice;
    private final long[] splitNanos = new long[TRIALS];
    private final long[] wholeNanos = new long[TRIALS];
    private int trials;
    /**
     * Steps run untimed after the check before the timing starts, split and whole in blocks of
     * {@link #BLOCK} as in the trials (the JIT compiles both ways' code meanwhile: when the warm-up ran
     * split steps only, the first trial's whole blocks set the JIT compiling, for 100 to 590% of the
     * trial's wall time, and the benchmark MLP's split steps then took 2.6 to 3.5 ms against 0.8 to 1.1).
     */
    static final int WARMUP = 40;
    private int warm;
    private int untimed;
    /**
     * A trial that finds whole batches faster while the JIT compiled for more than this share of its
     * wall time (summed over the compiler threads) is run again instead of counting, at most
     * {@link #JIT_RETRIES} times per choice: the compiler then holds a core the split steps need.
     */
    static final double JIT_BUSY = 0.5;
    static final int JIT_RETRIES = 4;
    private int jitRetries;
    /** Trials run again because the JIT was busy ({@link #JIT_BUSY}), for tests. */
    private int retriedTrials;
    /** null while timing; then whether split steps were faster. */
    private Boolean faster;

    static boolean enabled() {
        return GraphPlan.choice(PROPERTY, "a setting (auto: split a step's batch over Graft's threads)", "auto", "off").equals("auto");
    }

    /** How many parts a batch of {@code batch} examples splits into; 1 when it is not split. */
    int parts(long batch, boolean stateless) {
        if (faster != null && ++sinceChoice >= RETIME) {
            faster = null;
            trials = 0;
        }
        int t = CpuTuning.appliedThreads();
        if (t < 2 || !stateless || Boolean.FALSE.equals(exact) || Boolean.FALSE.equals(faster) || !enabled()) {
            return 1;
        }
        return (int) Math.max(1, Math.min(t, batch / MIN_PART));
    }

    /** Whether split steps are in use (checked, and found faster). */
    boolean chosen() {
        return Boolean.TRUE.equals(exact) && Boolean.TRUE.equals(faster);
    }

    /** Whether the last {@link #run} returned the combined parts (not the whole batch's run). */
    boolean lastSplit() {
        return lastSplit;
    }

    /**
     * The outputs {@code names} (the loss and gradients) of {@code fn} for the feed, computed in
     * {@code parts} parts and combined into arrays owned here (overwritten by the next step); on the
     * first call, {@code whole}'s instead, after the check. Null when a part cannot be planned or
     * the check failed: the caller runs the whole batch.
     */
    Map<String, INDArray> run(SameDiff fn, Map<String, INDArray> feed, long batch, int parts, List<String> names,
                              Supplier<Map<String, INDArray>> whole, Network.RowFill fill) {
        lastSplit = false;
        boolean timing = Boolean.TRUE.equals(exact) && faster == null && warm++ >= WARMUP && quiet();
        if (timing && paused > 0) {
            // the pause before a second trial: whole steps, untimed
            paused--;
            pauseSteps++;
            if (fill != null) {
                fill.rows(0, (int) batch);
            }
            return whole.get();
        }
        // blocks of BLOCK steps, split then whole, twice or more, until TRIALS timed steps each way
        int step = trials++;
        if (timing && step == 0) {
            trialJit = jitClock.getAsLong();
            trialWall = System.nanoTime();
        }
        // before the timing too, blocks of each way: the JIT compiles both ways' code before the trials, not during them
        boolean untimedWhole = !timing && Boolean.TRUE.equals(exact) && faster == null && (untimed++ / BLOCK) % 2 == 1;
        boolean wholeBlock = timing ? (step / BLOCK) % 2 == 1 : untimedWhole;
        boolean timed = timing && step % BLOCK >= SETTLE;
        long t0 = System.nanoTime();
        if (wholeBlock && fill != null) {
            fill.rows(0, (int) batch);
        }
        Map<String, INDArray> r = wholeBlock ? whole.get() : runSplit(fn, feed, batch, parts, names, whole, fill);
        long t = System.nanoTime() - t0;
        if (!timing) {
            trials = 0;
        } else if (timed && (wholeBlock || lastSplit)) {
            int k = (step / (2 * BLOCK)) * (BLOCK - SETTLE) + step % BLOCK - SETTLE;
            int need = confirming ? CONFIRM : TRIALS;
            if (k < need) {
                (wholeBlock ? wholeNanos : splitNanos)[k] = t;
            }
            if (wholeBlock && k == need - 1) {
                choose(parts, need);
            }
        }
        return r;
    }

    /**
     * After {@code n} timed steps each way: split steps stay when their lower quartile is below
     * {@link #MARGIN} times whole batches'; whole batches only when {@link #WHOLE_VOTES} trials in a
     * row give them, each after a pause ({@link #CONFIRM} steps each way after the first).
     */
    private void choose(int parts, int n) {
        long[] a = java.util.Arrays.copyOf(splitNanos, n);
        long[] b = java.util.Arrays.copyOf(wholeNanos, n);
        java.util.Arrays.sort(a);
        java.util.Arrays.sort(b);
        // the lower quartiles: a busy machine only ever adds time, so the fast end shows each way's own speed
        double split = a[n / 4] / 1e6;
        double all = b[n / 4] / 1e6;
        trialsDone++;
        double jitShare = trialJit < 0 ? 0 : (jitClock.getAsLong() - trialJit) / ((System.nanoTime() - trialWall) / 1e6);
        String times = String.format(java.util.Locale.ROOT, "split over %d threads a step took %.3f ms, as a whole batch %.3f ms (lower quartiles of %d steps each way,"
                + " %.0f%% of the time compiling; -D%s=off keeps whole batches)", parts, split, all, n, 100 * jitShare, PROPERTY);
        boolean splitWins = split < MARGIN * all;
        if (!splitWins && jitShare > JIT_BUSY && jitRetries < JIT_RETRIES) {
            jitRetries++;
            retriedTrials++;
            trials = 0;
            paused = PAUSE;
            LOG.debug("training steps: {}; timing again: the JIT was busy", times);
            return;
        }
        if (!splitWins && ++wholeVotes < WHOLE_VOTES) {
            confirming = true;
            trials = 0;
            paused = PAUSE;
            LOG.debug("training steps: {}; timing again before keeping whole batches ({} of {} trials for them)", times, wholeVotes, WHOLE_VOTES);
            return;
        }
        boolean first = faster == null && sinceChoice == 0;
        confirming = false;
        jitRetries = 0;
        faster = splitWins;
        wholeVotes = 0;
        sinceChoice = 0;
        (first ? LOG.atInfo() : LOG.atDebug()).log("training steps {}: {}", faster ? "run split over threads" : "keep whole batches", times);
    }

    /** Trials completed so far (a verdict for whole batches takes {@link #WHOLE_VOTES}). */
    int trialsDone() {
        return trialsDone;
    }

    /** Trials run again because the JIT was busy ({@link #JIT_BUSY}). */
    int retriedTrials() {
        return retriedTrials;
    }

    /** Whole steps run in pauses before second trials ({@link #PAUSE}). */
    int pauseSteps() {
        return pauseSteps;
    }

    private static long jitMillis() {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /** Whether the JIT is quiet ({@link #JIT_SHARE}); checked every {@link #QUIET_STEPS} steps until it is, then true. */
    private boolean quiet() {
        if (quiet) {
            return true;
        }
        long j = jitClock.getAsLong();
        long now = System.nanoTime();
        if (j < 0 || warm >= WARMUP_CAP) {
            quiet = true;
        } else if (jitMark < 0) {
            jitMark = j;
            wallMark = now;
        } else if (warm % QUIET_STEPS == 0) {
            quiet = j - jitMark <= JIT_SHARE * (now - wallMark) / 1e6;
            jitMark = j;
            wallMark = now;
        }
        return quiet;
    }

    private Map<String, INDArray> runSplit(SameDiff fn, Map<String, INDArray> feed, long batch, int parts, List<String> names,
                                           Supplier<Map<String, INDArray>> whole, Network.RowFill fill) {
        List<Map<String, INDArray>> results;
        int threads = CpuTuning.appliedThreads();
        // everything on one thread per part, the combining too (OpenBLAS would wake a second thread for it)
        CpuTuning.setThreadsHere(1, true);
        try {
            results = runParts(fn, feed, batch, parts, names, fill);
            if (results != null && exact != null) {
                lastSplit = true;
                return combine(results, names, batch, sum);
            }
        } finally {
            CpuTuning.setThreadsHere(threads, true);
        }
        if (results == null) {
            exact = false;
            return null;
        }
        Map<String, INDArray> all = whole.get();
        if (all == null) {
            exact = false;
            return null;
        }
        String meanMiss = mismatch(combine(results, names, batch, false), all, names);
        String sumMiss = meanMiss == null ? null : mismatch(combine(results, names, batch, true), all, names);
        if (meanMiss == null || sumMiss == null) {
            sum = meanMiss != null;
            exact = true;
            LOG.debug("a training step can be split over {} threads: the parts' gradients, {}, equal the whole batch's", parts, sum ? "added" : "averaged");
        } else {
            exact = false;
            LOG.info("training steps are not split over threads: the gradients of parts of a batch do not combine into the whole"
                    + " batch's ({}), so the graph mixes examples", meanMiss);
        }
        return all;
    }

    /** The parts' views of a feed array (the trainer feeds the same batch arrays every step): ND4J's {@code get} takes 0.1 ms or more a view. */
    private record Views(INDArray of, int parts, long batch, INDArray[] views) {
    }

    private final Map<String, Views> views = new HashMap<>();

    private INDArray view(String name, INDArray a, int part, int parts, long batch) {
        Views v = views.get(name);
        if (v == null || v.of() != a || v.parts() != parts || v.batch() != batch) {
            INDArray[] vs = new INDArray[parts];
            for (int p = 0; p < parts; p++) {
                vs[p] = a.get(NDArrayIndex.interval(Parallel.start(p, parts, batch), Parallel.start(p + 1, parts, batch)));
            }
            v = new Views(a, parts, batch, vs);
            views.put(name, v);
        }
        return v.views()[part];
    }

    /** The parts' results, each part writing its rows of the feed first ({@code fill}, when not null); null when a part cannot be planned. */
    private List<Map<String, INDArray>> runParts(SameDiff fn, Map<String, INDArray> feed, long batch, int parts, List<String> names, Network.RowFill fill) {
        while (caches.size() < parts) {
            caches.add(new GraphPlan.Cache("training (part " + (caches.size() + 1) + " of a split batch)"));
        }
        List<Map<String, INDArray>> out = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            out.add(null);
        }
        List<Map<String, INDArray>> subs = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            Map<String, INDArray> sub = new HashMap<>();
            for (Map.Entry<String, INDArray> e : feed.entrySet()) {
                sub.put(e.getKey(), view(e.getKey(), e.getValue(), p, parts, batch));
            }
            subs.add(sub);
        }
        Parallel.runSpinning(parts, p -> {
            if (fill != null) {
                fill.rows((int) Parallel.start(p, parts, batch), (int) Parallel.start(p + 1, parts, batch));
            }
            Map<String, INDArray> sub = subs.get(p);
            CpuTuning.setThreadsHere(1, false);
            GraphPlan.Cache cache = caches.get(p);
            out.set(p, Parallel.alone(() -> cache.run(fn, sub, names)));
        });
        return out.contains(null) ? null : out;
    }

    /** The parts' outputs, averaged by part size ({@code sum} false) or added, into {@link #combined}. */
    private Map<String, INDArray> combine(List<Map<String, INDArray>> results, List<String> names, long batch, boolean sum) {
        Map<String, INDArray> out = new HashMap<>();
        int parts = results.size();
        for (String name : names) {
            INDArray first = results.get(0).get(name);
            INDArray target = combined.computeIfAbsent(name, k -> Nd4j.create(first.dataType(), first.shape(), 'c'));
            if (!java.util.Arrays.equals(target.shape(), first.shape()) || target.dataType() != first.dataType()) {
                target = Nd4j.create(first.dataType(), first.shape(), 'c');
                combined.put(name, target);
            }
            boolean blas = DenseArrays.floats(target) && target.length() < Integer.MAX_VALUE;
            for (int p = 0; p < parts; p++) {
                INDArray part = results.get(p).get(name);
                double w = sum ? 1 : (double) (Parallel.start(p + 1, parts, batch) - Parallel.start(p, parts, batch)) / batch;
                if (blas && DenseArrays.floats(part)) {
                    FloatPointer t = new FloatPointer(target.data().addressPointer());
                    if (p == 0) {
                        // BLAS copy, not ND4J's assign: 10 µs of dispatch an array, 0.1 ms a step for the benchmark CNN
                        openblas_nolapack.cblas_scopy((int) target.length(), new FloatPointer(part.data().addressPointer()), 1, t, 1);
                        openblas_nolapack.cblas_sscal((int) target.length(), (float) w, t, 1);
                    } else {
                        openblas_nolapack.cblas_saxpy((int) target.length(), (float) w, new FloatPointer(part.data().addressPointer()), 1, t, 1);
                    }
                } else if (p == 0) {
                    target.assign(part.mul(w));
                } else {
                    target.addi(part.mul(w));
                }
            }
            out.put(name, target);
        }
        return out;
    }

    /** Null when every output matches the whole batch's, else which one differs and by how much. */
    private static String mismatch(Map<String, INDArray> parts, Map<String, INDArray> whole, List<String> names) {
        for (String name : names) {
            INDArray a = parts.get(name);
            INDArray b = whole.get(name);
            if (!java.util.Arrays.equals(a.shape(), b.shape())) {
                return name + ": shape " + java.util.Arrays.toString(a.shape()) + " against " + java.util.Arrays.toString(b.shape());
            }
            double scale = b.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
            double diff = a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            if (!(diff <= TOLERANCE * Math.max(scale, 1e-6))) {
                return name + " differs by " + (float) diff + " of " + (float) scale;
            }
        }
        return null;
    }

    /** Drops the parts' plans. */
    void close() {
        for (GraphPlan.Cache c : caches) {
            c.close();
        }
        caches.clear();
        combined.clear();
        views.clear();
    }
}
