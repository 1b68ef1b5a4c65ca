package dev.graft.runtime.config;

import java.util.List;

/**
 * One node of the model graph.
 *
 * @param name   unique node name; parameters are called {@code name.param}
 * @param layer  the layer plugin and options
 * @param inputs names of the nodes (or {@code input}) feeding it
 */
public record NodeConfig(String name, PluginRef layer, List<String> inputs) {
    public NodeConfig {
        inputs = List.copyOf(inputs);
    }
}
