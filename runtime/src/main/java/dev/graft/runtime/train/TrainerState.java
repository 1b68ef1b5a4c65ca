package dev.graft.runtime.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * Where a training run stands after an epoch: what a checkpoint records besides the parameters and
 * the optimizer state, so a resumed run continues exactly as if it had not stopped.
 *
 * @param epochsDone    completed epochs
 * @param step          optimizer steps taken
 * @param history       per-epoch results so far
 * @param best          best monitored value so far (NaN if none)
 * @param bestEpoch     epoch of {@code best} (0 if none)
 * @param badEpochs     epochs since the last improvement
 * @param scheduleState the learning-rate schedule's state
 * @param bestParams    the weights of the best epoch, when early stopping restores them; may be null
 */
public record TrainerState(int epochsDone, long step, List<EpochStats> history, double best, int bestEpoch, int badEpochs,
                           Map<String, Double> scheduleState, Map<String, INDArray> bestParams) {
    public TrainerState {
        history = List.copyOf(history);
        scheduleState = Map.copyOf(scheduleState);
    }

    /** The state before the first epoch. */
    public static TrainerState initial() {
        return new TrainerState(0, 0, List.of(), Double.NaN, 0, 0, Map.of(), null);
    }
}
