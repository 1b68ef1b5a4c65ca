package dev.graft.api.layer;

import dev.graft.api.Shape;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;

/**
 * One node of a model: its output shape, its parameters and its forward pass.
 *
 * <p>Graft builds a layer in three steps, like Keras' {@code build}/{@code call}:
 * <ol>
 *   <li>{@link #outputShape(List)} with the shapes of the inputs (per example, no batch dimension).
 *       Throw {@link IllegalArgumentException} when the inputs do not fit, saying what was expected;
 *       Graft reports it with the node name before anything is trained.</li>
 *   <li>{@link #params(List)}: the parameters to create, each with a name, role, shape and
 *       initializer. Graft creates the arrays, names them {@code node.param}, initialises them with a
 *       seeded random generator, and saves and loads them.</li>
 *   <li>{@link #forward(LayerContext, List)}: the forward pass as ND4J SameDiff ops on the batch.
 *       Gradients come from SameDiff's automatic differentiation; never write a backward pass. It is
 *       called once for the training graph and once for the inference graph; use
 *       {@link LayerContext#mode()} for behaviour that differs (dropout, batch statistics).</li>
 * </ol>
 * Use only SameDiff ops whose gradients are checked: the testkit's gradient check tells you.
 */
public interface Layer {

    /** How many inputs the layer takes; {@link #VARIADIC} for "one or more". */
    default int arity() {
        return 1;
    }

    /** Marker returned by {@link #arity()} for layers that take any number (at least one) of inputs. */
    int VARIADIC = -1;

    /**
     * The shape of one output example for the given input shapes.
     *
     * @throws IllegalArgumentException if the inputs cannot feed this layer; the message says why
     */
    Shape outputShape(List<Shape> inputs);

    /** The parameters this layer owns for the given input shapes; empty for parameter-free layers. */
    List<ParamSpec> params(List<Shape> inputs);

    /**
     * The forward pass on a batch. {@code inputs.get(i)} has shape {@code [batch, ...inputShape(i)]}.
     *
     * @return the output variable, shape {@code [batch, ...outputShape]}
     */
    SDVariable forward(LayerContext ctx, List<SDVariable> inputs);
}
