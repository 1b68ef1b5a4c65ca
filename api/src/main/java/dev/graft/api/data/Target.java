package dev.graft.api.data;

import dev.graft.api.Shape;

import java.util.List;

/** What a dataset's labels are: class indices or real-valued targets. */
public sealed interface Target {

    /** Classification: labels are class indices {@code 0..names.size()-1}. */
    record Classes(List<String> names) implements Target {
        public Classes {
            names = List.copyOf(names);
            if (names.size() < 2) {
                throw new IllegalArgumentException("a classification target needs at least 2 classes, got " + names.size());
            }
        }

        public int count() {
            return names.size();
        }
    }

    /** Regression: each label is a vector of the given shape. */
    record Regression(Shape shape) implements Target {
    }
}
