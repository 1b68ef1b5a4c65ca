package dev.graft.runtime.model;

import java.util.List;
import java.util.Map;

/**
 * The model intermediate representation: a graph of named nodes, each naming a layer plugin by id and
 * version with its config as plain values, plus the loss, the target and the feature transforms. It
 * is saved as JSON ({@code model.json}); it never contains Java class names, so a saved model loads
 * with any build of the plugins that has the same ids.
 *
 * @param format     format tag, {@link #FORMAT}
 * @param input      the model input
 * @param nodes      the nodes in an order where every node comes after its inputs
 * @param output     the output node's name
 * @param loss       the loss plugin (it also turns outputs into predictions); null for an imported
 *                   model that has not been given one
 * @param target     what the labels are; null exactly when {@code loss} is
 * @param transforms feature transforms applied before the first node, in order
 * @param extraInputs further inputs beside {@code input} (imported models with several inputs);
 *                    nodes name them like {@code input}; null or empty for trained models
 * @param extraOutputs further outputs beside {@code output} (imported models with several outputs),
 *                    node or input names in the order the model returns them; null or empty for
 *                    trained models. Files written before this field existed load with none.
 */
public record ModelIR(String format, InputIR input, List<NodeIR> nodes, String output, PluginIR loss, TargetIR target,
                      List<PluginIR> transforms,
                      @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                      List<InputIR> extraInputs,
                      @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                      List<String> extraOutputs) {
    public static final String FORMAT = "graft-model/1";

    public ModelIR {
        nodes = List.copyOf(nodes);
        transforms = transforms == null ? List.of() : List.copyOf(transforms);
        extraInputs = extraInputs == null ? List.of() : List.copyOf(extraInputs);
        extraOutputs = extraOutputs == null ? List.of() : List.copyOf(extraOutputs);
    }

    /** A model with one output. */
    public ModelIR(String format, InputIR input, List<NodeIR> nodes, String output, PluginIR loss, TargetIR target,
                   List<PluginIR> transforms, List<InputIR> extraInputs) {
        this(format, input, nodes, output, loss, target, transforms, extraInputs, List.of());
    }

    /** A model with one input. */
    public ModelIR(String format, InputIR input, List<NodeIR> nodes, String output, PluginIR loss, TargetIR target,
                   List<PluginIR> transforms) {
        this(format, input, nodes, output, loss, target, transforms, List.of(), List.of());
    }

    /**
     * The model input.
     *
     * @param name     its name
     * @param shape    per-example shape the first node receives (after the feature transforms)
     * @param rawShape per-example shape of the features before the transforms, or null when equal
     */
    public record InputIR(String name, List<Long> shape, @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) List<Long> rawShape) {
        public InputIR(String name, List<Long> shape) {
            this(name, shape, null);
        }
    }

    /** One node. */
    public record NodeIR(String name, String plugin, String version, Map<String, Object> config, List<String> inputs) {
        public NodeIR {
            inputs = List.copyOf(inputs);
        }
    }

    /** A plugin reference with its version and config. */
    public record PluginIR(String plugin, String version, Map<String, Object> config) {
    }

    /**
     * What the labels are.
     *
     * @param kind    {@code classes} or {@code regression}
     * @param classes class names for {@code classes}
     * @param shape   target shape for {@code regression}
     */
    public record TargetIR(String kind, List<String> classes, List<Long> shape) {
    }
}
