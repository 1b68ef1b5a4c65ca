package dev.graft.plugins.metric;

import dev.graft.api.config.NoConfig;
import dev.graft.api.metric.Metric;

/** {@code accuracy}: the fraction of examples whose argmax prediction is the true class. */
public final class AccuracyProvider extends MetricProviderBase {
    public AccuracyProvider() {
        super("accuracy", "fraction of examples whose predicted class (argmax) is the true class");
    }

    @Override
    public Metric create(NoConfig config) {
        return Confusion.metric(id(), Confusion::accuracy);
    }
}
