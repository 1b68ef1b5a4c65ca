/**
 * Built-in feature transforms, fitted on the training split and saved with the model:
 * {@code standardize} and {@code min-max}, per feature, for examples of any shape; {@code one-hot} for
 * categorical columns of flat examples, which widens the examples.
 */
package dev.graft.plugins.transform;
