package dev.graft.runtime.config;

import java.util.List;

/**
 * The {@code data} section.
 *
 * @param dataset    the dataset plugin and its options
 * @param testSplit  fraction held out for testing when the dataset has no test set of its own
 * @param stratify   keep class proportions in the splits
 * @param transforms feature transforms, fitted on the training split, applied in order
 * @param augment    augmentations applied to training batches only, in order
 */
public record DataConfig(PluginRef dataset, double testSplit, boolean stratify, List<PluginRef> transforms, List<PluginRef> augment) {
    public DataConfig {
        transforms = List.copyOf(transforms);
        augment = List.copyOf(augment);
    }
}
