package dev.graft.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.graft.runtime.Graft;
import dev.graft.runtime.model.ModelJson;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options every command shares. */
final class Common {
    @Option(names = "--plugins", paramLabel = "DIR", description = "directory of plugin jars (or one jar); repeatable; also GRAFT_PLUGIN_PATH")
    List<Path> plugins = new ArrayList<>();

    @Option(names = "--json", description = "print one JSON object as the last line of standard output")
    boolean json;

    @Option(names = "--ignore-broken-plugins", description = "carry on when some plugin providers cannot be loaded (they are still reported)")
    boolean ignoreBroken;

    Graft graft() {
        GuiceFlags.preferReflection(pluginPath());
        return Graft.builder().pluginPath(plugins).allowBrokenPlugins(ignoreBroken).build();
    }

    /** The plugin path entries: {@code --plugins}, then {@code GRAFT_PLUGIN_PATH}. */
    List<Path> pluginPath() {
        List<Path> entries = new ArrayList<>(plugins);
        entries.addAll(dev.graft.runtime.plugin.PluginPath.fromEnvironment());
        return entries;
    }

    static String json(Object o) {
        try {
            return ModelJson.mapper().copy().disable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
