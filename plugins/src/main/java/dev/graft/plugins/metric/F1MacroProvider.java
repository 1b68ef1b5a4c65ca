package dev.graft.plugins.metric;

import dev.graft.api.config.NoConfig;
import dev.graft.api.metric.Metric;

/**
 * {@code f1-macro}: macro-averaged F1, as scikit-learn's {@code f1_score(average="macro",
 * zero_division=0)}: per class the harmonic mean of precision and recall (0 when both are 0),
 * averaged without weights over the classes that occur in the labels or the predictions.
 */
public final class F1MacroProvider extends MetricProviderBase {
    public F1MacroProvider() {
        super("f1-macro", "macro-averaged F1 score over the classes present");
    }

    @Override
    public Metric create(NoConfig config) {
        return Confusion.metric(id(), c -> c.macro(c::f1));
    }
}
