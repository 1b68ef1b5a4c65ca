package dev.graft.api.data;

import dev.graft.api.Plugin;

/**
 * A dataset plugin: loads examples from files or resources. Bad input (missing file, bad header, a
 * cell that is not a number) must raise {@link dev.graft.api.PluginException} with a message naming
 * the file, row and column.
 */
public interface DatasetProvider<C extends Record> extends Plugin<C> {
    Dataset load(C config, DataContext context);
}
