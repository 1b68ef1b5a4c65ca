/**
 * Built-in layers: {@code dense}, {@code relu}, {@code leaky-relu}, {@code sigmoid}, {@code tanh},
 * {@code softmax}, {@code dropout} and {@code flatten}. Each forward pass uses only SameDiff ops whose
 * gradients pass the testkit's finite-difference check.
 */
package dev.graft.plugins.layers;
