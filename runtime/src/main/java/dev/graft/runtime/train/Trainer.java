package dev.graft.runtime.train;

import dev.graft.api.augment.Augmentation;
import dev.graft.api.data.Examples;
import dev.graft.api.layer.ParamRole;
import dev.graft.api.layer.ParamSpec;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import dev.graft.api.schedule.Schedule;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.EarlyStoppingConfig;
import dev.graft.runtime.config.GroupConfig;
import dev.graft.runtime.config.NodeConfig;
import dev.graft.runtime.config.TrainingConfig;
import dev.graft.runtime.engine.Network;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training loop: epochs of seeded mini-batches (augmentation, forward, loss, gradients,
 * regularisation, clipping, scheduled optimizer step), validation after every epoch, learning-rate
 * schedules, early stopping, checkpoints, listeners.
 *
 * <p>Everything random is derived from the seed and the epoch number (batch order, dropout masks,
 * augmentation), so a run resumed from a checkpoint after epoch k repeats exactly what the
 * uninterrupted run did from epoch k + 1.
 */
public final class Trainer {
    private final Network net;
    private final Optimizer optimizer;
    private final Schedule schedule;
    private final ParamGroups groups;
    private final Metrics metrics;
    private final TrainingConfig cfg;
    private final EarlyStoppingConfig early;
    private final List<Augmentation> augment;
    private final Checkpoints checkpoints;
    private final List<TrainingListener> listeners;
    private final Map<String, double[]> penalties = new LinkedHashMap<>();
    private long step;

    /** Receives the state after each epoch; decides itself whether and where to write. */
    public interface Checkpoints {
        void afterEpoch(TrainerState state, boolean improved);
    }

    public Trainer(Network net, Optimizer optimizer, Schedule schedule, ParamGroups groups, List<NodeConfig> nodes, Metrics metrics,
                   TrainingConfig cfg, EarlyStoppingConfig early, List<Augmentation> augment, Checkpoints checkpoints,
                   List<TrainingListener> listeners) {
        this.net = net;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.groups = groups;
        this.metrics = metrics;
        this.cfg = cfg;
        this.early = early;
        this.augment = List.copyOf(augment);
        this.checkpoints = checkpoints;
        this.listeners = List.copyOf(listeners);
        Map<String, NodeConfig> byName = new LinkedHashMap<>();
        nodes.forEach(n -> byName.put(n.name(), n));
        for (String p : groups.updated()) {
            GroupConfig g = groups.groupOf(p);
            double l1 = g.l1();
            double l2 = g.l2();
            NodeConfig n = byName.get(net.nodeOf(p));
            ParamSpec spec = net.paramSpecs().get(p);
            if (n != null && (spec.role() == ParamRole.WEIGHT || spec.role() == ParamRole.EMBEDDING)) {
                l1 += n.l1();
                l2 += n.l2();
            }
            if (l1 > 0 || l2 > 0) {
                penalties.put(p, new double[] {l1, l2});
            }
        }
    }

    /** What a run produced. */
    public record Result(List<EpochStats> history, String stopReason, int bestEpoch) {
        public Result {
            history = List.copyOf(history);
        }
    }

    public Result fit(Examples train, Examples validation) {
        return fit(train, validation, TrainerState.initial());
    }

    /** Trains from {@code state} (the initial state, or one restored from a checkpoint). */
    public Result fit(Examples train, Examples validation, TrainerState state) {
        long n = train.size();
        if (n == 0) {
            throw new GraftException(GraftException.Code.DATA, "the training split is empty");
        }
        int batch = (int) Math.min(cfg.batchSize(), n);
        long stepsPerEpoch = (n + batch - 1) / batch;
        List<String> wrt = groups.updated();
        if (wrt.isEmpty()) {
            throw new GraftException(GraftException.Code.CONFIG, "every parameter is frozen; nothing to train (check optimizer.groups, and base.freeze when fine-tuning)");
        }
        String monitor = early == null ? null : early.monitor();
        if (monitor != null && !monitor.equals("val-loss") && !metrics.ids().contains(monitor.substring(4))) {
            throw new GraftException(GraftException.Code.CONFIG, "training.early-stopping.monitor: '" + monitor + "' is not reported; use val-loss or val-<one of "
                    + String.join(", ", metrics.ids()) + ">");
        }
        if (monitor != null && validation.size() == 0) {
            throw new GraftException(GraftException.Code.CONFIG, "training.early-stopping needs a validation split; set training.validation-split above 0");
        }
        if (state.epochsDone() >= cfg.epochs()) {
            throw new GraftException(GraftException.Code.USAGE, "the checkpoint has already completed " + state.epochsDone()
                    + " epochs; raise training.epochs to train further");
        }
        if (schedule != null && !state.scheduleState().isEmpty()) {
            schedule.loadState(state.scheduleState());
        }
        listeners.forEach(l -> l.onStart(cfg.epochs(), stepsPerEpoch, n));
        INDArray valLabels = validation.size() > 0 ? net.lossLabels(validation.labels()) : null;
        // labels encoded once (and checked once, before the first step); batches are gathered into
        // buffers reused from step to step, so the loop allocates no native memory of its own
        INDArray trainLabels = net.lossLabels(train.labels());
        BatchBuffers full = new BatchBuffers(train.features(), trainLabels, batch);
        BatchBuffers last = n % batch == 0 ? full : new BatchBuffers(train.features(), trainLabels, (int) (n % batch));
        boolean lazyRows = Splits.rowCopies(train.features(), full.x()) && Splits.rowCopies(trainLabels, full.y())
                && Splits.rowCopies(train.features(), last.x()) && Splits.rowCopies(trainLabels, last.y());
        List<EpochStats> history = new ArrayList<>(state.history());
        step = state.step();
        double best = state.best();
        int bestEpoch = state.bestEpoch();
        int bad = state.badEpochs();
        Map<String, INDArray> bestParams = state.bestParams();
        String reason = "completed " + cfg.epochs() + " epochs";
        for (int epoch = state.epochsDone() + 1; epoch <= cfg.epochs(); epoch++) {
            long t0 = System.nanoTime();
            long epochSeed = cfg.seed() * 1_000_003L + epoch;
            long[] order = Splits.permutation(n, new SplittableRandom(epochSeed));
            net.reseedMasks(epochSeed * 31 + 7);
            SplittableRandom augRng = new SplittableRandom(epochSeed * 7919 + 13);
            double lossSum = 0;
            for (long s = 0; s < stepsPerEpoch; s++) {
                int from = (int) (s * batch);
                int to = (int) Math.min(n, from + batch);
                long[] idx = java.util.Arrays.copyOfRange(order, from, to);
                BatchBuffers buf = to - from == batch ? full : last;
                INDArray x = buf.x();
                INDArray y = buf.y();
                Network.RowFill fill = null;
                if (augment.isEmpty() && lazyRows) {
                    // the network writes the rows where it reads them (each part of a split step its own)
                    fill = (a, b) -> {
                        Splits.copyRows(train.features(), idx, a, b, buf.x());
                        Splits.copyRows(trainLabels, idx, a, b, buf.y());
                    };
                } else {
                    x = Splits.selectInto(train.features(), idx, buf.x());
                    for (Augmentation a : augment) {
                        x = a.apply(x, augRng.split());
                    }
                    y = Splits.selectInto(trainLabels, idx, buf.y());
                }
                Network.StepResult r = net.gradients(x, y, fill, wrt);
                double loss = r.loss() + regularize(r.gradients());
                if (!Double.isFinite(loss)) {
                    throw new GraftException(GraftException.Code.CONFIG, "the training loss became " + loss + " at epoch " + epoch + ", step " + (s + 1)
                            + "; lower the learning rate (optimizer.lr), clip gradients (training.clip-norm) or standardize the features");
                }
                clip(r.gradients(), wrt);
                step++;
                double factor = schedule == null ? 1 : schedule.factor(step, stepsPerEpoch, cfg.epochs());
                optimizer.step(paramGroups(r.gradients(), factor), step);
                lossSum += loss * (to - from);
                for (TrainingListener l : listeners) {
                    l.onStep(epoch, s + 1, loss);
                }
            }
            double trainSecs = (System.nanoTime() - t0) / 1e9;
            double valLoss = Double.NaN;
            Map<String, Double> valMetrics = Map.of();
            if (validation.size() > 0) {
                Network.Scored sc = net.score(validation.features(), valLabels, 512);
                valLoss = sc.loss();
                valMetrics = metrics.compute(sc.predictions(), validation.labels());
                if (schedule != null) {
                    Map<String, Double> v = new LinkedHashMap<>();
                    v.put("val-loss", valLoss);
                    valMetrics.forEach((k, val) -> v.put("val-" + k, val));
                    try {
                        schedule.onEpochEnd(epoch, v);
                    } catch (IllegalArgumentException e) {
                        throw new GraftException(GraftException.Code.CONFIG, "optimizer.schedule: " + e.getMessage());
                    }
                }
            }
            EpochStats stats = new EpochStats(epoch, lossSum / n, valLoss, valMetrics, (System.nanoTime() - t0) / 1e9, n / trainSecs);
            history.add(stats);
            listeners.forEach(l -> l.onEpoch(stats));
            boolean improved = false;
            boolean stop = false;
            String watch = monitor != null ? monitor : validation.size() > 0 ? "val-loss" : null;
            if (watch != null) {
                boolean lossLike = watch.equals("val-loss");
                double v = lossLike ? valLoss : valMetrics.get(watch.substring(4));
                boolean higher = !lossLike && metrics.higherIsBetter(watch.substring(4));
                double delta = early == null ? 0 : early.minDelta();
                improved = Double.isNaN(best) || (higher ? v > best + delta : v < best - delta);
                if (improved) {
                    best = v;
                    bestEpoch = epoch;
                    bad = 0;
                    if (early != null && early.restoreBest()) {
                        bestParams = snapshot();
                    }
                } else if (early != null && ++bad >= early.patience()) {
                    reason = "early stopping: " + watch + " did not improve by more than " + early.minDelta() + " for " + early.patience()
                            + " epochs (best " + String.format("%.4f", best) + " at epoch " + bestEpoch + ")";
                    stop = true;
                }
            }
            if (checkpoints != null) {
                checkpoints.afterEpoch(new TrainerState(epoch, step, history, best, bestEpoch, bad,
                        schedule == null ? Map.of() : schedule.state(), bestParams), improved);
            }
            if (stop) {
                break;
            }
        }
        if (bestParams != null && bestEpoch != history.size()) {
            net.setParams(bestParams, "best weights");
            reason += "; restored the weights of epoch " + bestEpoch;
        }
        String why = reason;
        listeners.forEach(l -> l.onEnd(why));
        int kept = bestParams != null ? bestEpoch : history.size();
        return new Result(history, reason, kept);
    }

    /** Adds the L1/L2 penalty gradients in place; returns the penalty's value. */
    private double regularize(Map<String, INDArray> grads) {
        double value = 0;
        for (Map.Entry<String, double[]> e : penalties.entrySet()) {
            INDArray w = net.params().get(e.getKey());
            INDArray g = grads.get(e.getKey());
            double l1 = e.getValue()[0];
            double l2 = e.getValue()[1];
            if (l2 > 0) {
                value += l2 * w.mul(w).sumNumber().doubleValue();
                g.addi(w.mul(2 * l2));
            }
            if (l1 > 0) {
                value += l1 * Transforms.abs(w, true).sumNumber().doubleValue();
                g.addi(Transforms.sign(w, true).muli(l1));
            }
        }
        return value;
    }

    private void clip(Map<String, INDArray> grads, List<String> names) {
        if (cfg.clipValue() > 0) {
            for (String p : names) {
                INDArray g = grads.get(p);
                g.assign(Transforms.min(Transforms.max(g, -cfg.clipValue(), false), cfg.clipValue(), false));
            }
        }
        if (cfg.clipNorm() > 0) {
            double sq = 0;
            for (String p : names) {
                double norm = grads.get(p).norm2Number().doubleValue();
                sq += norm * norm;
            }
            double total = Math.sqrt(sq);
            if (total > cfg.clipNorm()) {
                double scale = cfg.clipNorm() / (total + 1e-6);
                for (String p : names) {
                    grads.get(p).muli(scale);
                }
            }
        }
    }

    private Map<String, INDArray> snapshot() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        net.params().forEach((k, v) -> m.put(k, v.dup()));
        return m;
    }

    private List<ParamGroup> paramGroups(Map<String, INDArray> grads, double factor) {
        Map<String, List<Param>> by = new LinkedHashMap<>();
        Map<String, GroupConfig> cfgs = new LinkedHashMap<>();
        for (String p : groups.updated()) {
            GroupConfig g = groups.groupOf(p);
            cfgs.put(g.name(), g);
            by.computeIfAbsent(g.name(), k -> new ArrayList<>()).add(new Param(p, net.params().get(p), grads.get(p)));
        }
        List<ParamGroup> out = new ArrayList<>();
        by.forEach((name, params) -> {
            GroupConfig g = cfgs.get(name);
            double lr = g.lr() != null ? g.lr() : optimizer.learningRate();
            out.add(new ParamGroup(name, params, lr * factor, g.weightDecay() != null ? g.weightDecay() : optimizer.weightDecay(), false));
        });
        return out;
    }

    /** Optimizer steps taken so far. */
    public long steps() {
        return step;
    }

    /** A batch's features and encoded labels, reused from step to step. */
    private record BatchBuffers(INDArray x, INDArray y) {
        BatchBuffers(INDArray features, INDArray labels, int rows) {
            this(Nd4j.create(features.dataType(), withRows(features.shape(), rows), 'c'),
                    Nd4j.create(labels.dataType(), withRows(labels.shape(), rows), 'c'));
        }

        private static long[] withRows(long[] shape, int rows) {
            long[] s = shape.clone();
            s[0] = rows;
            return s;
        }
    }
}
