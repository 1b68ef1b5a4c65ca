package dev.graft.api.data;

import dev.graft.api.Plugin;

/**
 * A feature transform plugin (standardize, min-max, ...). Fitted on the training split only, then
 * applied to every split and saved with the model so predictions see the same transform.
 */
public interface TransformProvider<C extends Record> extends Plugin<C> {
    Transform create(C config);
}
