package dev.graft.runtime.train;

import dev.graft.api.PluginKind;
import dev.graft.api.data.Target;
import dev.graft.api.metric.Metric;
import dev.graft.api.metric.MetricProvider;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.runtime.plugin.PluginRegistry;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The metric plugins a run reports, resolved and checked against the target. */
public final class Metrics {
    /** Always reported for class targets. */
    public static final List<String> CLASS_DEFAULTS = List.of("accuracy", "precision", "recall", "f1-macro");
    /** Always reported for regression targets. */
    public static final List<String> REGRESSION_DEFAULTS = List.of("mse", "mae");

    private final Map<String, Metric> metrics = new LinkedHashMap<>();
    private final Target target;

    private Metrics(Target target) {
        this.target = target;
    }

    /** The default metrics for the target plus {@code extra} ids, each checked to apply. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Metrics resolve(PluginRegistry registry, Target target, List<String> extra) {
        Metrics m = new Metrics(target);
        Set<String> ids = new LinkedHashSet<>(target instanceof Target.Classes ? CLASS_DEFAULTS : REGRESSION_DEFAULTS);
        ids.addAll(extra);
        List<String> problems = new ArrayList<>();
        int i = 0;
        for (String id : ids) {
            String path = extra.contains(id) ? "training.metrics[" + extra.indexOf(id) + "]" : "metric '" + id + "' (reported by default)";
            try {
                MetricProvider p = registry.get(PluginKind.METRIC, id, path);
                Metric metric = p.create(RecordBinder.bind(p.configType(), Map.of(), path, "metric '" + id + "'"));
                String bad = metric.checkTarget(target);
                if (bad != null) {
                    problems.add(path + ": " + bad);
                } else {
                    m.metrics.put(id, metric);
                }
            } catch (GraftException e) {
                problems.add(e.getMessage());
            }
            i++;
        }
        if (!problems.isEmpty()) {
            throw new GraftException(GraftException.Code.CONFIG, problems.size() == 1 ? "" : "metric problems:", problems, null);
        }
        return m;
    }

    public Set<String> ids() {
        return metrics.keySet();
    }

    public boolean higherIsBetter(String id) {
        return metrics.get(id).higherIsBetter();
    }

    /** Every metric on predictions and labels. */
    public Map<String, Double> compute(INDArray predictions, INDArray labels) {
        Map<String, Double> out = new LinkedHashMap<>();
        metrics.forEach((id, m) -> out.put(id, m.compute(predictions, labels, target)));
        return out;
    }

    /**
     * Predicted class per row: the arg-max of the class scores, or for a single score column
     * (one-logit binary models) 1 when the score is at least 0.5.
     */
    public static int[] classesOf(INDArray predictions) {
        int n = (int) predictions.size(0);
        int[] out = new int[n];
        if (predictions.rank() == 1 || predictions.size(1) == 1) {
            INDArray p = predictions.reshape(n);
            for (int i = 0; i < n; i++) {
                out[i] = p.getDouble(i) >= 0.5 ? 1 : 0;
            }
            return out;
        }
        INDArray am = predictions.argMax(1);
        for (int i = 0; i < n; i++) {
            out[i] = am.getInt(i);
        }
        return out;
    }

    /** A full evaluation: loss, metrics and (for classes) the confusion matrix. */
    public Evaluation evaluate(double loss, INDArray predictions, INDArray labels) {
        long n = labels.size(0);
        Map<String, Double> values = compute(predictions, labels);
        if (target instanceof Target.Classes c) {
            int k = c.count();
            long[][] cm = new long[k][k];
            int[] predicted = classesOf(predictions);
            for (int i = 0; i < n; i++) {
                cm[(int) labels.getDouble(i)][predicted[i]]++;
            }
            return new Evaluation(n, loss, values, c.names(), cm);
        }
        return new Evaluation(n, loss, values, List.of(), new long[0][0]);
    }
}
