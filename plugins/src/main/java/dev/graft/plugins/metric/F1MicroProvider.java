package dev.graft.plugins.metric;

import dev.graft.api.config.NoConfig;
import dev.graft.api.metric.Metric;

/**
 * {@code f1-micro}: micro-averaged F1, as scikit-learn's {@code f1_score(average="micro")}: the true
 * positives, false positives and false negatives are summed over all classes before
 * {@code 2 tp / (2 tp + fp + fn)}. With one label per example every wrong prediction is one false
 * positive (of the predicted class) and one false negative (of the true class), so micro F1, micro
 * precision and micro recall all equal {@code accuracy}; they are offered under these names for
 * configs and comparisons that expect them.
 */
public final class F1MicroProvider extends MetricProviderBase {
    public F1MicroProvider() {
        super("f1-micro", "micro-averaged F1 score; equals accuracy for single-label classes");
    }

    @Override
    public Metric create(NoConfig config) {
        return Confusion.metric(id(), Confusion::microF1);
    }
}
