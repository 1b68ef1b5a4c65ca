package dev.graft.plugins.schedule;

/** Step and epoch arithmetic shared by the schedules. */
final class Steps {
    private Steps() {
    }

    /** Checks the arguments of {@link dev.graft.api.schedule.Schedule#factor}. */
    static void check(String id, long step, long stepsPerEpoch, int epochs) {
        if (step < 1 || stepsPerEpoch < 1 || epochs < 1) {
            throw new IllegalArgumentException(id + ": step, steps per epoch and epochs must be >= 1, got step " + step
                    + ", " + stepsPerEpoch + " steps per epoch, " + epochs + " epochs");
        }
    }

    /** The 1-based epoch a 1-based step belongs to: {@code ceil(step / stepsPerEpoch)}. */
    static long epoch(long step, long stepsPerEpoch) {
        return (step - 1) / stepsPerEpoch + 1;
    }
}
