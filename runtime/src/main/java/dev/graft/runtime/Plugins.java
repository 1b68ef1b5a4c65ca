package dev.graft.runtime;

import dev.graft.api.Plugin;
import dev.graft.api.PluginKind;
import dev.graft.runtime.config.PluginRef;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.runtime.model.ModelIR;
import dev.graft.runtime.plugin.PluginRegistry;

import java.util.Map;

/** Small helpers that turn config references into plugin objects. */
final class Plugins {
    private Plugins() {
    }

    /** A provider with its bound config. */
    record Bound<P extends Plugin<?>>(P provider, Record config) {
        ModelIR.PluginIR ir() {
            return new ModelIR.PluginIR(provider.id(), provider.version(), RecordBinder.unbind(config));
        }
    }

    static <P extends Plugin<?>> Bound<P> bind(PluginRegistry registry, PluginKind<P> kind, PluginRef ref) {
        String path = ref.path().isEmpty() ? kind.name() : ref.path();
        P p = registry.get(kind, ref.id(), path);
        return new Bound<>(p, bindConfig(p, ref.options(), path));
    }

    static <P extends Plugin<?>> Bound<P> bind(PluginRegistry registry, PluginKind<P> kind, ModelIR.PluginIR ir, String where) {
        P p = registry.get(kind, ir.plugin(), where);
        return new Bound<>(p, bindConfig(p, ir.config(), where));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Record bindConfig(Plugin<?> p, Map<String, ?> options, String path) {
        return RecordBinder.bind((Class) p.configType(), options, path, kindOf(p) + " '" + p.id() + "'");
    }

    private static String kindOf(Plugin<?> p) {
        for (PluginKind<?> k : PluginKind.CORE) {
            if (k.type().isInstance(p)) {
                return k.name();
            }
        }
        return "plugin";
    }
}
