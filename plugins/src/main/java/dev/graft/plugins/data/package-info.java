/**
 * Built-in datasets: {@code csv} (numeric tables), {@code idx} (MNIST-format image files) and
 * {@code digits} (8x8 handwritten digits bundled in the jar). Bad input raises
 * {@link dev.graft.api.PluginException} naming the file, line and column.
 */
package dev.graft.plugins.data;
