package dev.graft.plugins.metric;

import dev.graft.api.config.NoConfig;
import dev.graft.api.metric.Metric;

/** {@code mse}: mean squared error over all elements, {@code mean((prediction - label)^2)}; lower is better. */
public final class MseMetricProvider extends MetricProviderBase {
    public MseMetricProvider() {
        super("mse", "mean squared error over all elements (regression)");
    }

    @Override
    public Metric create(NoConfig config) {
        return Errors.metric(id(), d -> d * d);
    }
}
