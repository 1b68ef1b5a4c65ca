package dev.graft.api.augment;

import dev.graft.api.Plugin;

/**
 * A data-augmentation plugin, named in {@code data.augment}. Augmentations change training batches
 * only, never validation or test data, after the feature transforms. Register it in
 * {@code META-INF/services/dev.graft.api.augment.AugmentationProvider}.
 */
public interface AugmentationProvider<C extends Record> extends Plugin<C> {
    Augmentation create(C config);
}
