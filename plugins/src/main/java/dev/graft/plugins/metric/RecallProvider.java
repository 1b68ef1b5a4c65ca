package dev.graft.plugins.metric;

import dev.graft.api.config.NoConfig;
import dev.graft.api.metric.Metric;

/**
 * {@code recall}: macro-averaged recall, as scikit-learn's
 * {@code recall_score(average="macro", zero_division=0)}: per class {@code tp / (tp + fn)}, averaged
 * without weights over the classes that occur in the labels or the predictions (a class that only
 * occurs among the predictions has recall 0).
 */
public final class RecallProvider extends MetricProviderBase {
    public RecallProvider() {
        super("recall", "macro-averaged recall tp / (tp + fn) over the classes present");
    }

    @Override
    public Metric create(NoConfig config) {
        return Confusion.metric(id(), c -> c.macro(c::recall));
    }
}
