/**
 * Built-in optimizers with PyTorch semantics: {@code sgd} (momentum, Nesterov, weight decay),
 * {@code adam}, {@code adamw} (decoupled weight decay), {@code rmsprop} (momentum, centering) and
 * {@code adagrad}. They honour per-group learning rates, weight decay and frozen flags, update
 * parameters in place, and save and restore their state. Gradient clipping and learning-rate
 * schedules are applied by Graft, not here. A step makes one pass over each parameter's elements,
 * rounds as PyTorch's CPU kernels do (its results equal {@code torch.optim}'s in float32 and
 * float64), and allocates nothing once the optimizer's state exists.
 */
package dev.graft.plugins.optim;
