package dev.graft.api.loss;

import dev.graft.api.Plugin;

/**
 * A loss plugin. Register it in {@code META-INF/services/dev.graft.api.loss.LossProvider}.
 */
public interface LossProvider<C extends Record> extends Plugin<C> {
    Loss create(C config);
}
