package dev.graft.runtime.tune;

import dev.graft.runtime.Graft;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.Run;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.config.TuneConfig;
import dev.graft.runtime.train.EpochStats;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Hyperparameter search: grid or random over any config keys, each trial trained with the normal
 * trainer and scored on the validation split, ranked by the monitored value.
 */
public final class Tuner {
    private Tuner() {
    }

    /**
     * One trial's outcome.
     *
     * @param index     1-based trial number
     * @param params    the key=value choices of this trial
     * @param score     the monitored validation value at the kept epoch
     * @param epoch     the kept epoch (the best one when early stopping restores it, else the last)
     * @param seconds   wall time
     */
    public record Trial(int index, Map<String, String> params, double score, int epoch, double seconds) {
    }

    /** The trials, best first, and whether higher scores are better. */
    public record Result(List<Trial> ranked, boolean higherIsBetter, String monitor) {
        public Trial best() {
            return ranked.get(0);
        }
    }

    /** The key=value choices of every trial, in order; checks that each gives a valid experiment. */
    public static List<Map<String, String>> plan(Graft graft, Path config, List<String> overrides, TuneConfig spec) {
        List<String> keys = new ArrayList<>(spec.params().keySet());
        List<Map<String, String>> all = new ArrayList<>();
        if (spec.method() == TuneConfig.Method.GRID) {
            grid(spec, keys, 0, new LinkedHashMap<>(), all);
            if (spec.trials() > 0 && all.size() > spec.trials()) {
                all = all.subList(0, spec.trials());
            }
        } else {
            long space = 1;
            for (String k : keys) {
                space *= spec.params().get(k).size();
            }
            SplittableRandom rng = new SplittableRandom(spec.seed());
            Set<Map<String, String>> seen = new LinkedHashSet<>();
            int attempts = 0;
            while (seen.size() < Math.min(spec.trials(), space) && attempts++ < spec.trials() * 100) {
                Map<String, String> t = new LinkedHashMap<>();
                for (String k : keys) {
                    List<String> vals = spec.params().get(k);
                    t.put(k, vals.get(rng.nextInt(vals.size())));
                }
                seen.add(t);
            }
            all = new ArrayList<>(seen);
        }
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            try {
                Experiment e = graft.experiment(config, overrides(overrides, all.get(i)));
                if (e.training().validationSplit() <= 0) {
                    problems.add("trial " + (i + 1) + ": tuning scores trials on the validation split; set training.validation-split above 0");
                }
            } catch (GraftException e) {
                problems.add("trial " + (i + 1) + " " + all.get(i) + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new GraftException(GraftException.Code.CONFIG, "the search space has invalid points:", problems, null);
        }
        return all;
    }

    private static void grid(TuneConfig spec, List<String> keys, int i, Map<String, String> cur, List<Map<String, String>> out) {
        if (i == keys.size()) {
            out.add(new LinkedHashMap<>(cur));
            return;
        }
        for (String v : spec.params().get(keys.get(i))) {
            cur.put(keys.get(i), v);
            grid(spec, keys, i + 1, cur, out);
        }
        cur.remove(keys.get(i));
    }

    static List<String> overrides(List<String> base, Map<String, String> choice) {
        List<String> o = new ArrayList<>(base);
        choice.forEach((k, v) -> o.add(k + "=" + v));
        return o;
    }

    /** Runs every trial; {@code onTrial} sees each result as it completes. */
    public static Result run(Graft graft, Path config, List<String> overrides, TuneConfig spec, Consumer<Trial> onTrial) {
        List<Map<String, String>> plan = plan(graft, config, overrides, spec);
        String monitor = spec.monitor();
        boolean higher = false;
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            long t0 = System.nanoTime();
            List<String> o = overrides(overrides, plan.get(i));
            o.add("training.progress=none");
            o.add("training.checkpoint.every=0");
            o.add("training.checkpoint.best=false");
            Experiment e = graft.experiment(config, o);
            Run run = graft.prepare(e);
            TrainedModel m = run.fit();
            int kept = Math.max(1, m.bestEpoch());
            EpochStats s = m.history().get(kept - 1);
            double score;
            if (monitor.equals("val-loss")) {
                score = s.valLoss();
            } else {
                String id = monitor.substring(4);
                Double v = s.valMetrics().get(id);
                if (v == null) {
                    throw new GraftException(GraftException.Code.CONFIG, "tune.monitor: '" + monitor + "' is not reported; reported: val-loss, "
                            + String.join(", ", s.valMetrics().keySet().stream().map(k -> "val-" + k).toList())
                            + " (add the metric to training.metrics)");
                }
                score = v;
                higher = run.metrics().higherIsBetter(id);
            }
            Trial t = new Trial(i + 1, plan.get(i), score, kept, (System.nanoTime() - t0) / 1e9);
            trials.add(t);
            onTrial.accept(t);
        }
        boolean h = higher;
        Comparator<Trial> byScore = Comparator.comparingDouble(Trial::score);
        trials.sort(h ? byScore.reversed() : byScore);
        return new Result(trials, h, monitor);
    }
}
