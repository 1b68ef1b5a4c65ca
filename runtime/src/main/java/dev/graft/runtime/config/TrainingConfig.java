package dev.graft.runtime.config;

import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;

import java.util.List;

/** The {@code training} section. */
public record TrainingConfig(
        @Doc("number of passes over the training split") @Default("10") int epochs,
        @Doc("examples per mini-batch") @Default("32") int batchSize,
        @Doc("seed for initial weights, shuffling, splits and dropout") @Default("42") long seed,
        @Doc("fraction of the training data held out for validation each epoch") @Default("0.1") double validationSplit,
        @Doc("metric plugin ids reported each epoch and at the end") @Default("[]") List<String> metrics,
        @Doc("progress display: auto (a bar on a terminal, log lines otherwise), bar, log or none") @Default("auto") Progress progress,
        @Doc("rescale the gradients so their global L2 norm is at most this (0: off)") @Default("0") double clipNorm,
        @Doc("clamp every gradient element to [-v, v] (0: off)") @Default("0") double clipValue) {

    public enum Progress { AUTO, BAR, LOG, NONE }

    public TrainingConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be a positive integer, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch-size must be a positive integer, got " + batchSize);
        }
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("validation-split must be in [0, 1), got " + validationSplit);
        }
        metrics = List.copyOf(metrics);
        if (!(clipNorm >= 0)) {
            throw new IllegalArgumentException("clip-norm must be >= 0 (0 turns it off), got " + clipNorm);
        }
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("clip-value must be >= 0 (0 turns it off), got " + clipValue);
        }
    }
}
