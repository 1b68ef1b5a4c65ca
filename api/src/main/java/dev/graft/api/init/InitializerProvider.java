package dev.graft.api.init;

import dev.graft.api.Plugin;

/**
 * A weight-initializer plugin. Layers name initializers by id in their {@link
 * dev.graft.api.layer.ParamSpec}s (usually from a config key such as {@code weight-init}); Graft
 * looks the id up and fills each parameter with a generator seeded from the run's seed and the
 * parameter's name, so a model's initial weights repeat exactly.
 */
public interface InitializerProvider<C extends Record> extends Plugin<C> {
    Initializer create(C config);
}
