package dev.graft.runtime.plugin;

import dev.graft.api.Plugin;
import dev.graft.api.PluginKind;

/**
 * What the registry knows of one discovered provider.
 *
 * @param kind        its kind
 * @param id          its id, or the class name when it could not be constructed
 * @param version     its version, or empty when unknown
 * @param apiVersion  the API version it was built for, or empty when unknown
 * @param description one line, or empty
 * @param source      the jar or directory it came from
 * @param className   the provider class
 * @param status      whether it is usable
 * @param problem     why not, or null
 * @param provider    the constructed provider, or null
 */
public record PluginInfo(PluginKind<?> kind, String id, String version, String apiVersion, String description,
                         String source, String className, PluginStatus status, String problem, Plugin<?> provider) {

    PluginInfo withStatus(PluginStatus s, String why) {
        return new PluginInfo(kind, id, version, apiVersion, description, source, className, s, why, provider);
    }
}
