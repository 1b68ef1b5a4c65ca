package dev.graft.runtime.train;

import dev.graft.api.data.Examples;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.EarlyStoppingConfig;
import dev.graft.runtime.config.GroupConfig;
import dev.graft.runtime.config.TrainingConfig;
import dev.graft.runtime.engine.Network;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training loop: epochs of seeded mini-batches (forward, loss, gradients, optimizer step),
 * validation after every epoch, early stopping, listeners.
 */
public final class Trainer {
    private final Network net;
    private final Optimizer optimizer;
    private final ParamGroups groups;
    private final Metrics metrics;
    private final TrainingConfig cfg;
    private final EarlyStoppingConfig early;
    private final List<TrainingListener> listeners;
    private long step;

    public Trainer(Network net, Optimizer optimizer, ParamGroups groups, Metrics metrics, TrainingConfig cfg,
                   EarlyStoppingConfig early, List<TrainingListener> listeners) {
        this.net = net;
        this.optimizer = optimizer;
        this.groups = groups;
        this.metrics = metrics;
        this.cfg = cfg;
        this.early = early;
        this.listeners = List.copyOf(listeners);
    }

    /** What a run produced. */
    public record Result(List<EpochStats> history, String stopReason, int bestEpoch) {
        public Result {
            history = List.copyOf(history);
        }
    }

    public Result fit(Examples train, Examples validation) {
        long n = train.size();
        if (n == 0) {
            throw new GraftException(GraftException.Code.DATA, "the training split is empty");
        }
        int batch = (int) Math.min(cfg.batchSize(), n);
        long stepsPerEpoch = (n + batch - 1) / batch;
        List<String> wrt = groups.updated();
        if (wrt.isEmpty()) {
            throw new GraftException(GraftException.Code.CONFIG, "every parameter is frozen; nothing to train (check optimizer.groups)");
        }
        listeners.forEach(l -> l.onStart(cfg.epochs(), stepsPerEpoch, n));
        INDArray valLabels = validation.size() > 0 ? Splits.lossLabels(validation.labels(), net.target()) : null;
        List<EpochStats> history = new ArrayList<>();
        String monitor = early == null ? null : early.monitor();
        if (monitor != null && !monitor.equals("val-loss") && !metrics.ids().contains(monitor.substring(4))) {
            throw new GraftException(GraftException.Code.CONFIG, "training.early-stopping.monitor: '" + monitor + "' is not reported; use val-loss or val-<one of "
                    + String.join(", ", metrics.ids()) + ">");
        }
        if (monitor != null && validation.size() == 0) {
            throw new GraftException(GraftException.Code.CONFIG, "training.early-stopping needs a validation split; set training.validation-split above 0");
        }
        double best = Double.NaN;
        int bestEpoch = 0;
        int bad = 0;
        Map<String, INDArray> bestParams = null;
        String reason = "completed " + cfg.epochs() + " epochs";
        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            long t0 = System.nanoTime();
            SplittableRandom rng = new SplittableRandom(cfg.seed() * 1_000_003L + epoch);
            long[] order = Splits.permutation(n, rng);
            double lossSum = 0;
            for (long s = 0; s < stepsPerEpoch; s++) {
                int from = (int) (s * batch);
                int to = (int) Math.min(n, from + batch);
                long[] idx = java.util.Arrays.copyOfRange(order, from, to);
                INDArray x = Splits.select(train.features(), idx);
                INDArray y = Splits.lossLabels(Splits.select(train.labels(), idx), net.target());
                Network.StepResult r = net.gradients(x, y, wrt);
                if (!Double.isFinite(r.loss())) {
                    throw new GraftException(GraftException.Code.CONFIG, "the training loss became " + r.loss() + " at epoch " + epoch + ", step " + (s + 1)
                            + "; lower the learning rate (optimizer.lr) or standardize the features (data.transforms: [standardize])");
                }
                step++;
                optimizer.step(paramGroups(r.gradients()), step);
                lossSum += r.loss() * (to - from);
                for (TrainingListener l : listeners) {
                    l.onStep(epoch, s + 1, r.loss());
                }
            }
            double trainSecs = (System.nanoTime() - t0) / 1e9;
            double valLoss = Double.NaN;
            Map<String, Double> valMetrics = Map.of();
            if (validation.size() > 0) {
                Network.Scored sc = net.score(validation.features(), valLabels, 512);
                valLoss = sc.loss();
                valMetrics = metrics.compute(sc.predictions(), validation.labels());
            }
            EpochStats stats = new EpochStats(epoch, lossSum / n, valLoss, valMetrics, (System.nanoTime() - t0) / 1e9, n / trainSecs);
            history.add(stats);
            listeners.forEach(l -> l.onEpoch(stats));
            if (monitor != null) {
                boolean lossLike = monitor.equals("val-loss");
                double v = lossLike ? valLoss : valMetrics.get(monitor.substring(4));
                boolean higher = !lossLike && metrics.higherIsBetter(monitor.substring(4));
                boolean improved = Double.isNaN(best) || (higher ? v > best + early.minDelta() : v < best - early.minDelta());
                if (improved) {
                    best = v;
                    bestEpoch = epoch;
                    bad = 0;
                    if (early.restoreBest()) {
                        bestParams = snapshot();
                    }
                } else if (++bad >= early.patience()) {
                    reason = "early stopping: " + monitor + " did not improve by more than " + early.minDelta() + " for " + early.patience()
                            + " epochs (best " + String.format("%.4f", best) + " at epoch " + bestEpoch + ")";
                    break;
                }
            }
        }
        if (bestParams != null && bestEpoch != history.size()) {
            net.setParams(bestParams, "best weights");
            reason += "; restored the weights of epoch " + bestEpoch;
        }
        String why = reason;
        listeners.forEach(l -> l.onEnd(why));
        return new Result(history, reason, bestEpoch == 0 ? history.size() : bestEpoch);
    }

    private Map<String, INDArray> snapshot() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        net.params().forEach((k, v) -> m.put(k, v.dup()));
        return m;
    }

    private List<ParamGroup> paramGroups(Map<String, INDArray> grads) {
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
            out.add(new ParamGroup(name, params, g.lr() != null ? g.lr() : optimizer.learningRate(),
                    g.weightDecay() != null ? g.weightDecay() : optimizer.weightDecay(), false));
        });
        return out;
    }

    /** Optimizer steps taken so far. */
    public long steps() {
        return step;
    }
}
