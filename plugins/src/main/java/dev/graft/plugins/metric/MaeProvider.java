package dev.graft.plugins.metric;

import dev.graft.api.config.NoConfig;
import dev.graft.api.metric.Metric;

/** {@code mae}: mean absolute error over all elements, {@code mean(|prediction - label|)}; lower is better. */
public final class MaeProvider extends MetricProviderBase {
    public MaeProvider() {
        super("mae", "mean absolute error over all elements (regression)");
    }

    @Override
    public Metric create(NoConfig config) {
        return Errors.metric(id(), Math::abs);
    }
}
