package dev.graft.api.layer;

import dev.graft.api.Mode;
import dev.graft.api.Shape;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** What a layer's forward pass may use: the graph, its own parameters, the mode and seeded noise. */
public interface LayerContext {

    /** The SameDiff graph being built. */
    SameDiff sd();

    /** The node's name in the model, e.g. {@code fc1}; use it to name variables you create. */
    String nodeName();

    /** The per-example shapes of the inputs, as given to {@link Layer#outputShape}. */
    java.util.List<Shape> inputShapes();

    /**
     * How the layer behaves: as in training or as in inference. It is {@link Mode#INFER} in the inference
     * graph, and also in the training graph for a node Graft runs in inference behaviour while the rest
     * trains (a fine-tuned base's batch norm with frozen statistics); then {@link #updateState} and
     * {@link #bernoulliMask} are unavailable, as in inference, and gradients still flow through the layer.
     */
    Mode mode();

    /** The variable of one of this layer's declared parameters, by its short name (e.g. {@code W}). */
    SDVariable param(String name);

    /**
     * A fresh 0/1 mask for every training step, each entry 1 with probability {@code keepProbability},
     * drawn from the run's seeded random generator (so runs repeat). Only valid in {@link Mode#TRAIN}.
     *
     * @param key   a name unique within this layer
     * @param shape the shape of one example's mask (the batch dimension is added)
     */
    SDVariable bernoulliMask(String key, Shape shape, double keepProbability);

    /**
     * Asks Graft to overwrite one of this layer's non-trainable parameters (role
     * {@link ParamRole#RUNNING_STAT}) with the value of {@code newValue} after every training step,
     * e.g. a batch-norm running mean: {@code ctx.updateState("running_mean",
     * running.mul(1 - momentum).add(batchMean.mul(momentum)))}. The new value must have the
     * parameter's shape and must not depend on the labels. Only valid in {@link Mode#TRAIN}; in
     * inference the parameter is read as it is.
     *
     * @param param    the parameter's short name, as declared
     * @param newValue its value after the step
     */
    void updateState(String param, SDVariable newValue);
}
