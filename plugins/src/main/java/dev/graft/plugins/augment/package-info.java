/**
 * Built-in data augmentations, applied to training batches only: {@code random-flip},
 * {@code random-shift} and {@code random-crop} for images {@code [channels, height, width]}, and
 * {@code gaussian-noise} for any examples. They draw all randomness from the generator Graft passes,
 * so runs repeat, and never modify the batch they are given.
 */
package dev.graft.plugins.augment;
