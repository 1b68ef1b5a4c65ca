package dev.graft.api.data;

import java.nio.file.Path;

/** What a dataset plugin gets besides its config. */
public interface DataContext {
    /**
     * Resolves a path from a config: absolute paths stay, relative ones are taken from the directory
     * of the experiment file (or the working directory for configs built in code).
     */
    Path resolve(String path);

    /** The run's seed, for datasets that sample. */
    long seed();
}
