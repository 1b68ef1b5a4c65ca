package dev.graft.plugins.metric;

import dev.graft.api.config.NoConfig;
import dev.graft.api.metric.Metric;

/**
 * {@code recall-micro}: micro-averaged recall, as scikit-learn's {@code recall_score(average="micro")}:
 * {@code sum tp / (sum tp + sum fn)} over all classes. With one label per example it equals
 * {@code accuracy} (see {@link F1MicroProvider}).
 */
public final class RecallMicroProvider extends MetricProviderBase {
    public RecallMicroProvider() {
        super("recall-micro", "micro-averaged recall; equals accuracy for single-label classes");
    }

    @Override
    public Metric create(NoConfig config) {
        return Confusion.metric(id(), Confusion::microRecall);
    }
}
