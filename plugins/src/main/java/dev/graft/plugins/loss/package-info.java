/**
 * Built-in losses, all means like PyTorch's defaults: {@code mse}, {@code mae} and {@code huber} for
 * regression; {@code softmax-cross-entropy} (with label smoothing, class weights and one-hot or index
 * labels) and {@code nll} for classes; {@code binary-cross-entropy} on logits for two classes or 0/1
 * multi-label targets.
 */
package dev.graft.plugins.loss;
