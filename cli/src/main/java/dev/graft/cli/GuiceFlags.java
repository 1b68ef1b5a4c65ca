package dev.graft.cli;

import dev.graft.runtime.plugin.PluginPath;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;

/**
 * Turns Guice's bytecode generation off for the {@code graft} command when nothing can need it.
 *
 * <p>With it on, Guice defines a small "fast class" for every type it constructs; for the few
 * hundred plugin providers discovered at each start that cost about 0.15 s of the main thread and
 * twice that in CPU time with the compiler's work (docs/performance.md, "Start-up"). Guice then uses
 * reflection instead, which for one construction per provider is cheaper. Bytecode generation is
 * needed only for method interception (AOP), and only a Guice module that a plugin jar registers
 * ({@code META-INF/services/com.google.inject.Module}) can ask for that; so it stays on when any jar on
 * the class path or the plugin path registers one. Guice reads the setting once, from the system
 * property {@value #PROPERTY}, the first time it is used; a value already set (e.g. {@code
 * -Dguice_bytecode_gen_option=ENABLED} in {@code GRAFT_JAVA_OPTS}) is always kept.
 */
final class GuiceFlags {
    /** Guice's system property. */
    static final String PROPERTY = "guice_bytecode_gen_option";
    /** Where a jar registers a Guice module. */
    static final String MODULE_SERVICE = "META-INF/services/com.google.inject.Module";

    private GuiceFlags() {
    }

    /**
     * Sets {@value #PROPERTY} to {@code DISABLED} unless it is set or a jar registers a Guice module;
     * call before Guice is first used.
     *
     * @param pluginEntries the plugin path (directories or jars), as {@link PluginPath} reads it
     */
    static void preferReflection(List<Path> pluginEntries) {
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        boolean modules;
        try {
            modules = registersModules(GuiceFlags.class.getClassLoader(), PluginPath.jars(pluginEntries));
        } catch (IOException | RuntimeException e) {
            return; // undecided (e.g. a bad plugin path, a GraftException): leave Guice as it is; discovery reports the path
        }
        if (!modules) {
            System.setProperty(PROPERTY, "DISABLED");
        }
    }

    /** Whether the class path of {@code loader} or one of {@code jars} registers a Guice module. */
    static boolean registersModules(ClassLoader loader, List<Path> jars) throws IOException {
        if (loader.getResources(MODULE_SERVICE).hasMoreElements()) {
            return true;
        }
        for (Path jar : jars) {
            try (JarFile j = new JarFile(jar.toFile())) {
                if (j.getEntry(MODULE_SERVICE) != null) {
                    return true;
                }
            }
        }
        return false;
    }
}
