package dev.graft.runtime.plugin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the provider types listed in {@code META-INF/services/<service>} files, the registration
 * format of {@link java.util.ServiceLoader}, without instantiating anything.
 *
 * <p>{@code ServiceLoader.stream()} would be the natural tool, but for providers on the class path it
 * insists on a public no-argument constructor even when only the type is asked for, and a provider
 * with an {@code @Inject} constructor is exactly what Graft wants to allow: Guice constructs it. So
 * Graft reads the same files itself, with the same syntax (one binary class name per line,
 * {@code #} comments, duplicates ignored), and reports for each entry the file that listed it.
 */
final class ServiceFiles {
    /** A binary class name, as ServiceLoader accepts it. */
    private static final Pattern CLASS_NAME = Pattern.compile("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}.$]*");

    private ServiceFiles() {
    }

    /** One listed provider: its class, or why it could not be loaded. */
    record Entry(String className, String listedIn, Class<?> type, String problem) {
    }

    static List<Entry> providers(Class<?> service, ClassLoader loader) {
        List<Entry> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        Enumeration<URL> files;
        try {
            files = loader.getResources("META-INF/services/" + service.getName());
        } catch (IOException e) {
            out.add(new Entry("?", "?", null, "cannot list META-INF/services/" + service.getName() + ": " + e.getMessage()));
            return out;
        }
        while (files.hasMoreElements()) {
            URL url = files.nextElement();
            String listedIn = jarOf(url);
            List<String> names = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    int hash = line.indexOf('#');
                    String name = (hash >= 0 ? line.substring(0, hash) : line).trim();
                    if (!name.isEmpty()) {
                        names.add(name);
                    }
                }
            } catch (IOException e) {
                out.add(new Entry("?", listedIn, null, "cannot read " + url + ": " + e.getMessage()));
                continue;
            }
            for (String name : names) {
                if (!seen.add(name)) {
                    continue;
                }
                if (!CLASS_NAME.matcher(name).matches()) {
                    out.add(new Entry(name, listedIn, null, "'" + name + "' in META-INF/services/" + service.getName() + " of " + listedIn
                            + " is not a class name"));
                    continue;
                }
                try {
                    Class<?> c = Class.forName(name, false, loader);
                    if (!service.isAssignableFrom(c)) {
                        out.add(new Entry(name, listedIn, null, name + " (listed in " + listedIn + ") does not implement " + service.getName()));
                    } else {
                        out.add(new Entry(name, listedIn, c, null));
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    out.add(new Entry(name, listedIn, null, "class " + name + " listed in META-INF/services/" + service.getName() + " of "
                            + listedIn + " cannot be loaded: " + PluginRegistry.rootMessage(e)));
                }
            }
        }
        return out;
    }

    /** The jar (or directory) a resource URL comes from. */
    static String jarOf(URL url) {
        String s = url.toString();
        if (s.startsWith("jar:file:")) {
            int bang = s.indexOf("!/");
            return decode(s.substring("jar:file:".length(), bang < 0 ? s.length() : bang));
        }
        if (s.startsWith("file:")) {
            String path = decode(s.substring("file:".length()));
            int i = path.indexOf("/META-INF/services/");
            return i >= 0 ? path.substring(0, i) : path;
        }
        return s;
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
