package dev.graft.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Versions of Graft and the libraries it runs on, recorded at build time. */
final class Versions {
    private static final Properties P = load();

    private Versions() {
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static String graft() {
        return P.getProperty("graft", "unknown");
    }

    static String get(String key) {
        return P.getProperty(key, "unknown");
    }
}
