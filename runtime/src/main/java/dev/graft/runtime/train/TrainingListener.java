package dev.graft.runtime.train;

/** Observes training. Every method has an empty default; implement what you need. */
public interface TrainingListener {
    /** Before the first epoch. */
    default void onStart(int epochs, long stepsPerEpoch, long trainExamples) {
    }

    /** After each optimizer step. */
    default void onStep(int epoch, long stepInEpoch, double loss) {
    }

    /** After each epoch, with validation results. */
    default void onEpoch(EpochStats stats) {
    }

    /** When training ends, early or not. */
    default void onEnd(String reason) {
    }
}
