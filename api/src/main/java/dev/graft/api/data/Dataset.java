package dev.graft.api.data;

import dev.graft.api.Shape;

import java.util.Optional;

/**
 * Loaded data: the shape of an example, what the labels are, the training examples and, when the
 * source defines one, a fixed test set. Graft takes care of the rest: the validation and (when the
 * dataset has none) test splits, stratified for classes, seeded shuffling, batching and transforms.
 */
public interface Dataset {

    /** Shape of one example's features, without the batch dimension. */
    Shape featureShape();

    /** What the labels are. */
    Target target();

    /** The training examples (validation is split off these). */
    Examples train();

    /** A test set the source defines (MNIST's t10k files), or empty to split one off {@link #train()}. */
    Optional<Examples> test();

    /** A short human-readable description: source and size. */
    String describe();
}
