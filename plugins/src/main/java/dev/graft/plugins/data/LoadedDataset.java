package dev.graft.plugins.data;

import dev.graft.api.Shape;
import dev.graft.api.data.Dataset;
import dev.graft.api.data.Examples;
import dev.graft.api.data.Target;

import java.util.Optional;

/** An in-memory {@link Dataset}. */
record LoadedDataset(Shape featureShape, Target target, Examples train, Optional<Examples> test, String describe)
        implements Dataset {
}
