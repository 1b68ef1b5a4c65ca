package dev.graft.plugins.metric;

import dev.graft.api.config.NoConfig;
import dev.graft.api.metric.Metric;

/**
 * {@code precision}: macro-averaged precision, as scikit-learn's
 * {@code precision_score(average="macro", zero_division=0)}: per class {@code tp / (tp + fp)}, 0 for a
 * class that is never predicted, averaged without weights over the classes that occur in the labels
 * or the predictions.
 */
public final class PrecisionProvider extends MetricProviderBase {
    public PrecisionProvider() {
        super("precision", "macro-averaged precision tp / (tp + fp) over the classes present");
    }

    @Override
    public Metric create(NoConfig config) {
        return Confusion.metric(id(), c -> c.macro(c::precision));
    }
}
