package dev.graft.api.metric;

import dev.graft.api.Plugin;

/** A metric plugin, named in {@code training.metrics} and shown after every epoch. */
public interface MetricProvider<C extends Record> extends Plugin<C> {
    Metric create(C config);
}
