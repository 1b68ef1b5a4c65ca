package dev.graft.runtime.plugin;

import dev.graft.api.PluginKind;

import java.util.List;

/**
 * Lets an extension module (such as the ONNX bridge) add kinds of plugin beyond the core ones.
 * Listed in {@code META-INF/services/dev.graft.runtime.plugin.KindContributor}.
 */
public interface KindContributor {
    List<PluginKind<?>> kinds();
}
