package dev.graft.runtime.plugin;

import dev.graft.runtime.GraftException;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Extra plugin jars: directories (every {@code *.jar} inside) or single jars, from the {@code
 * --plugins} option and the {@code GRAFT_PLUGIN_PATH} environment variable (entries separated by the
 * platform path separator).
 */
public final class PluginPath {
    /** The environment variable naming plugin directories or jars. */
    public static final String ENV = "GRAFT_PLUGIN_PATH";

    private PluginPath() {
    }

    /** The entries of {@code GRAFT_PLUGIN_PATH}, or none. */
    public static List<Path> fromEnvironment() {
        String v = System.getenv(ENV);
        List<Path> out = new ArrayList<>();
        if (v != null) {
            for (String p : v.split(java.io.File.pathSeparator)) {
                if (!p.isBlank()) {
                    out.add(Path.of(p.trim()));
                }
            }
        }
        return out;
    }

    /** The jar files the entries name, in a stable order. */
    public static List<Path> jars(List<Path> entries) {
        List<Path> jars = new ArrayList<>();
        for (Path e : entries) {
            if (Files.isDirectory(e)) {
                try (Stream<Path> s = Files.list(e)) {
                    s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
                } catch (IOException ex) {
                    throw new GraftException(GraftException.Code.PLUGIN, "cannot list plugin directory " + e + ": " + ex.getMessage());
                }
            } else if (Files.isRegularFile(e) && e.getFileName().toString().endsWith(".jar")) {
                jars.add(e);
            } else if (Files.exists(e)) {
                throw new GraftException(GraftException.Code.PLUGIN,
                        "plugin path entry " + e + " is neither a directory nor a .jar file");
            } else {
                throw new GraftException(GraftException.Code.PLUGIN,
                        "plugin path entry " + e.toAbsolutePath() + " does not exist (from --plugins or " + ENV + ")");
            }
        }
        return jars;
    }

    /** A class loader over the jars the entries name, child of {@code parent}; parent itself if none. */
    public static ClassLoader classLoader(List<Path> entries, ClassLoader parent) {
        List<Path> jars = jars(entries);
        if (jars.isEmpty()) {
            return parent;
        }
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new GraftException(GraftException.Code.PLUGIN, "bad plugin jar path " + jars.get(i) + ": " + e.getMessage());
            }
        }
        return new URLClassLoader("graft-plugins", urls, parent);
    }
}
