package dev.graft.plugins.metric;

import dev.graft.api.config.NoConfig;
import dev.graft.api.metric.Metric;

/**
 * {@code precision-micro}: micro-averaged precision, as scikit-learn's
 * {@code precision_score(average="micro")}: {@code sum tp / (sum tp + sum fp)} over all classes. With
 * one label per example it equals {@code accuracy} (see {@link F1MicroProvider}).
 */
public final class PrecisionMicroProvider extends MetricProviderBase {
    public PrecisionMicroProvider() {
        super("precision-micro", "micro-averaged precision; equals accuracy for single-label classes");
    }

    @Override
    public Metric create(NoConfig config) {
        return Confusion.metric(id(), Confusion::microPrecision);
    }
}
