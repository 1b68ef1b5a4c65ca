package dev.graft.runtime.config;

import java.util.List;

/**
 * One node of the model graph.
 *
 * @param name   unique node name; parameters are called {@code name.param}
 * @param layer  the layer plugin and options
 * @param inputs names of the nodes (or {@code input}) feeding it
 * @param l1     L1 penalty on the node's weights (roles WEIGHT and EMBEDDING), 0 for none
 * @param l2     L2 penalty on the node's weights, 0 for none
 */
public record NodeConfig(String name, PluginRef layer, List<String> inputs, double l1, double l2) {
    public NodeConfig {
        inputs = List.copyOf(inputs);
    }
}
