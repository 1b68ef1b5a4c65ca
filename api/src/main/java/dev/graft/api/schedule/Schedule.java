package dev.graft.api.schedule;

import java.util.Map;

/**
 * Scales the learning rate over training. Graft multiplies every parameter group's learning rate by
 * {@link #factor} before each optimizer step, so per-group rates keep their ratios.
 *
 * <p>A schedule that reacts to validation results (reduce-on-plateau) keeps state; it exposes it
 * through {@link #state()} so a run resumed from a checkpoint continues exactly.
 */
public interface Schedule {

    /**
     * The multiplier of the base learning rate for one optimizer step.
     *
     * @param step          1-based step count since the start of training
     * @param stepsPerEpoch optimizer steps in one epoch
     * @param epochs        the number of epochs the run is configured for
     */
    double factor(long step, long stepsPerEpoch, int epochs);

    /**
     * Called after each epoch's validation with its results, keyed {@code val-loss} and
     * {@code val-<metric id>}. The default ignores them.
     */
    default void onEpochEnd(int epoch, Map<String, Double> validation) {
    }

    /** State to save in checkpoints; empty for stateless schedules. */
    default Map<String, Double> state() {
        return Map.of();
    }

    /** Restores {@link #state()}; stateless schedules accept only an empty map. */
    default void loadState(Map<String, Double> state) {
        if (!state.isEmpty()) {
            throw new IllegalArgumentException("this schedule keeps no state, got " + state.keySet());
        }
    }
}
