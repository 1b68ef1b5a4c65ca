/**
 * Built-in optimizers with PyTorch semantics: {@code sgd} (momentum, Nesterov, weight decay) and
 * {@code adam}. They honour per-group learning rates, weight decay and frozen flags, update parameters
 * in place, and save and restore their state.
 */
package dev.graft.plugins.optim;
