package dev.graft.api.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * Updates parameters in place from their gradients, in the manner of PyTorch optimizers.
 *
 * <p>Parameters arrive in {@link ParamGroup}s, each with its own learning rate and weight decay and a
 * frozen flag; an optimizer must leave frozen groups untouched. Per-parameter state (momentum
 * buffers, moment estimates) is kept by the optimizer, keyed by parameter name, and exposed through
 * {@link #state()} so Graft can save it with the model and {@link #loadState(Map) restore} it to
 * resume training exactly.
 */
public interface Optimizer {

    /** The learning rate from the optimizer's config; the default for every group. */
    double learningRate();

    /** The weight decay from the optimizer's config; the default for every group. */
    double weightDecay();

    /**
     * Applies one update. {@code step} counts from 1. Each {@link Param} holds the value (updated in
     * place) and the gradient of the mean batch loss.
     */
    void step(List<ParamGroup> groups, long step);

    /** Per-parameter state, keyed {@code <param name>/<slot>}, e.g. {@code fc1.W/m}. */
    Map<String, INDArray> state();

    /**
     * Restores state produced by {@link #state()}.
     *
     * @throws IllegalArgumentException if a key or shape does not fit this optimizer
     */
    void loadState(Map<String, INDArray> state);
}
