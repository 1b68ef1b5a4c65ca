/**
 * Built-in learning-rate schedules: {@code constant}, {@code step} and {@code exponential} (per epoch,
 * like PyTorch's StepLR and ExponentialLR), {@code cosine} (per step, with optional linear warm-up) and
 * {@code reduce-on-plateau} (reacts to validation results and keeps state). A schedule returns a factor
 * that Graft multiplies into every parameter group's learning rate before each optimizer step.
 */
package dev.graft.plugins.schedule;
