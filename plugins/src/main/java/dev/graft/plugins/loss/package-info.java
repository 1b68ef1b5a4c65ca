/** Built-in losses: {@code mse} and {@code softmax-cross-entropy}, both means like PyTorch's defaults. */
package dev.graft.plugins.loss;
