package dev.graft.onnx.export.builtin;

import java.util.List;
import java.util.Map;

/** Typed reads of an exported plugin's config map (kebab-case keys, defaults filled in). */
final class Cfg {
    private Cfg() {
    }

    private static Object get(Map<String, Object> c, String key) {
        Object v = c.get(key);
        if (v == null) {
            throw new IllegalArgumentException("the config has no '" + key + "'");
        }
        return v;
    }

    static boolean has(Map<String, Object> c, String key) {
        return c.get(key) != null;
    }

    static long integer(Map<String, Object> c, String key) {
        return ((Number) get(c, key)).longValue();
    }

    static double number(Map<String, Object> c, String key) {
        return ((Number) get(c, key)).doubleValue();
    }

    static boolean bool(Map<String, Object> c, String key) {
        return (Boolean) get(c, key);
    }

    static String string(Map<String, Object> c, String key) {
        return String.valueOf(get(c, key));
    }

    static List<?> list(Map<String, Object> c, String key) {
        return (List<?>) get(c, key);
    }

    static long[] longs(Map<String, Object> c, String key) {
        return list(c, key).stream().mapToLong(v -> ((Number) v).longValue()).toArray();
    }

    static List<String> strings(Map<String, Object> c, String key) {
        return list(c, key).stream().map(String::valueOf).toList();
    }
}
