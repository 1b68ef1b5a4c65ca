package dev.graft.api.optim;

import dev.graft.api.Plugin;

/**
 * An optimizer plugin. Register it in {@code META-INF/services/dev.graft.api.optim.OptimizerProvider}.
 */
public interface OptimizerProvider<C extends Record> extends Plugin<C> {
    Optimizer create(C config);
}
