package dev.graft.runtime.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A plugin named in a config, with its options: {@code relu}, or {@code {type: dense, units: 64}}.
 *
 * @param id      the plugin id
 * @param options the options for its config record (kebab-case keys)
 * @param path    where it stands in the experiment, for messages ({@code model.layers[2]})
 */
public record PluginRef(String id, Map<String, Object> options, String path) {
    public PluginRef {
        options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    public static PluginRef of(String id) {
        return new PluginRef(id, Map.of(), "");
    }

    public static PluginRef of(String id, Map<String, ?> options) {
        return new PluginRef(id, new LinkedHashMap<>(options), "");
    }

    /** As a config value: the id alone, or a map with {@code type} and the options. */
    public Object toConfig() {
        if (options.isEmpty()) {
            return id;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", id);
        m.putAll(options);
        return m;
    }
}
