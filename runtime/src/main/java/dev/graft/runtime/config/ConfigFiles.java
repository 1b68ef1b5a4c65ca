package dev.graft.runtime.config;

import dev.graft.runtime.GraftException;
import org.apache.commons.configuration2.AbstractConfiguration;
import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.commons.configuration2.YAMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.interpol.ConfigurationInterpolator;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;

import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads experiment files with Apache Commons Configuration (YAML or properties, by extension),
 * applies {@code key=value} overrides, and returns the content as a plain tree of maps, lists and
 * scalar values with {@code ${...}} interpolation resolved ({@code ${other.key}}, {@code ${env:HOME}},
 * {@code ${sys:user.name}}).
 *
 * <p>In properties files, lists are written with numeric segments: {@code model.layers.0.type = dense}.
 * Overrides use the same dotted form for both formats: {@code --set model.layers.0.units=128}.
 */
public final class ConfigFiles {
    private ConfigFiles() {
    }

    /** Loads a file and applies overrides ({@code key=value} strings). */
    public static Map<String, Object> load(Path file, List<String> overrides) {
        if (!Files.isRegularFile(file)) {
            throw new GraftException(GraftException.Code.CONFIG, "config file " + file.toAbsolutePath() + " does not exist"
                    + (Files.isDirectory(file) ? " (it is a directory)" : ""));
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Format format;
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            format = Format.YAML;
        } else if (name.endsWith(".properties")) {
            format = Format.PROPERTIES;
        } else {
            throw new GraftException(GraftException.Code.CONFIG, "config file " + file + ": unknown format; use .yaml, .yml or .properties");
        }
        try (Reader r = Files.newBufferedReader(file)) {
            return read(r, format, overrides, file.toString());
        } catch (java.io.IOException e) {
            throw new GraftException(GraftException.Code.IO, "cannot read config file " + file + ": " + e.getMessage());
        }
    }

    /** The two supported formats. */
    public enum Format { YAML, PROPERTIES }

    /** Reads config text; {@code origin} names it in messages. */
    public static Map<String, Object> read(Reader reader, Format format, List<String> overrides, String origin) {
        AbstractConfiguration cfg;
        try {
            if (format == Format.YAML) {
                YAMLConfiguration y = new YAMLConfiguration();
                y.read(reader);
                cfg = y;
            } else {
                PropertiesConfiguration p = new PropertiesConfiguration();
                new FileHandler(p).load(reader);
                cfg = p;
            }
        } catch (ConfigurationException | RuntimeException e) {
            Throwable t = e;
            while (t.getCause() != null) {
                t = t.getCause();
            }
            throw new GraftException(GraftException.Code.CONFIG, "config " + origin + " is not valid " + format.name().toLowerCase(Locale.ROOT)
                    + ": " + String.valueOf(t.getMessage()).lines().limit(4).reduce((a, b) -> a + " " + b.trim()).orElse(""));
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new GraftException(GraftException.Code.USAGE, "override '" + o + "' must look like key=value, e.g. training.epochs=3");
            }
            String key = o.substring(0, eq).trim();
            String value = o.substring(eq + 1).trim();
            if (!key.matches("[A-Za-z0-9_.-]+") || key.startsWith(".") || key.endsWith(".") || key.contains("..")) {
                throw new GraftException(GraftException.Code.USAGE, "override key '" + key + "' must be a dotted key path such as training.epochs or model.layers.0.units");
            }
            if (cfg instanceof BaseHierarchicalConfiguration) {
                key = key.replaceAll("\\.(\\d+)(?=\\.|$)", "($1)");
            }
            cfg.setProperty(key, value);
        }
        ConfigurationInterpolator interp = cfg.getInterpolator();
        Object tree = cfg instanceof BaseHierarchicalConfiguration h ? fromNode(h.getNodeModel().getNodeHandler().getRootNode(), interp, "")
                : fromFlat(cfg, interp);
        if (!(tree instanceof Map)) {
            return new LinkedHashMap<>();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) tree;
        return m;
    }

    private static Object interpolate(Object v, ConfigurationInterpolator interp, String path) {
        if (v instanceof String s && s.contains("${")) {
            Object r = interp.interpolate(s);
            if (r instanceof String rs && rs.contains("${")) {
                throw new GraftException(GraftException.Code.CONFIG, path + ": cannot resolve the reference in '" + s
                        + "' (use ${other.key}, ${env:NAME} or ${sys:name} for keys, environment variables and system properties that exist)");
            }
            return r;
        }
        return v;
    }

    private static Object fromNode(ImmutableNode node, ConfigurationInterpolator interp, String path) {
        if (node.getChildren().isEmpty()) {
            return interpolate(node.getValue(), interp, path);
        }
        Map<String, List<Object>> grouped = new LinkedHashMap<>();
        for (ImmutableNode c : node.getChildren()) {
            String p = path.isEmpty() ? c.getNodeName() : path + "." + c.getNodeName();
            grouped.computeIfAbsent(c.getNodeName(), k -> new ArrayList<>()).add(fromNode(c, interp, p));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        grouped.forEach((k, v) -> out.put(k, v.size() == 1 ? v.get(0) : v));
        return out;
    }

    private static Object fromFlat(AbstractConfiguration cfg, ConfigurationInterpolator interp) {
        Map<String, Object> root = new LinkedHashMap<>();
        for (Iterator<String> it = cfg.getKeys(); it.hasNext(); ) {
            String key = it.next();
            Object v = cfg.getProperty(key);
            put(root, key.split("\\."), 0, interpolate(v, interp, key), key);
        }
        return listify(root, "");
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> node, String[] parts, int i, Object value, String key) {
        String p = parts[i];
        if (i == parts.length - 1) {
            Object prev = node.get(p);
            if (prev instanceof Map) {
                throw new GraftException(GraftException.Code.CONFIG, key + ": is both a value and a section");
            }
            node.put(p, value);
            return;
        }
        Object child = node.computeIfAbsent(p, k -> new LinkedHashMap<String, Object>());
        if (!(child instanceof Map)) {
            throw new GraftException(GraftException.Code.CONFIG, key + ": '" + String.join(".", java.util.Arrays.copyOf(parts, i + 1))
                    + "' is both a value and a section");
        }
        put((Map<String, Object>) child, parts, i + 1, value, key);
    }

    /** Maps whose keys are all 0..n-1 become lists. */
    @SuppressWarnings("unchecked")
    private static Object listify(Object node, String path) {
        if (!(node instanceof Map)) {
            return node;
        }
        Map<String, Object> m = (Map<String, Object>) node;
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, listify(v, path.isEmpty() ? k : path + "." + k)));
        if (!out.isEmpty() && out.keySet().stream().allMatch(k -> k.matches("\\d+"))) {
            TreeMap<Integer, Object> sorted = new TreeMap<>();
            out.forEach((k, v) -> sorted.put(Integer.parseInt(k), v));
            List<Object> list = new ArrayList<>();
            int expect = 0;
            for (Map.Entry<Integer, Object> e : sorted.entrySet()) {
                if (e.getKey() != expect) {
                    throw new GraftException(GraftException.Code.CONFIG, path + ": list entries must be numbered 0, 1, 2, ... without gaps; entry "
                            + expect + " is missing");
                }
                list.add(e.getValue());
                expect++;
            }
            return list;
        }
        return out;
    }

    /** Reads YAML text (for tests and code that builds configs as text). */
    public static Map<String, Object> yaml(String text) {
        return read(new StringReader(text), Format.YAML, List.of(), "(text)");
    }
}
