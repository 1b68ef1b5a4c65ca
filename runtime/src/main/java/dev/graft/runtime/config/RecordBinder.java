package dev.graft.runtime.config;

import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.util.Names;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Binds config values to plugin config records and back.
 *
 * <p>Keys are the record component names in kebab-case. Values may be what a YAML parser produces
 * (numbers, booleans, strings, lists, maps) or strings from a properties file or the command line;
 * they are converted to the component types. Unknown keys, missing required keys, values of the
 * wrong type and the record's own validation failures become one {@link GraftException} naming the
 * key path, the value and what is allowed.
 */
public final class RecordBinder {
    private RecordBinder() {
    }

    /** A documented key of a config record. */
    public record KeyDoc(String key, String type, String defaultValue, boolean required, String doc) {
    }

    /**
     * Builds a record from config values.
     *
     * @param type   the record class
     * @param values keys (kebab-case) to values
     * @param path   the key path of {@code values} in the experiment, e.g. {@code model.layers[2]}
     * @param what   what is configured, e.g. {@code layer 'dense'}, for messages
     */
    public static <R extends Record> R bind(Class<R> type, Map<String, ?> values, String path, String what) {
        RecordComponent[] comps = type.getRecordComponents();
        Map<String, RecordComponent> byKey = new LinkedHashMap<>();
        for (RecordComponent c : comps) {
            byKey.put(Names.kebab(c.getName()), c);
        }
        List<String> problems = new ArrayList<>();
        for (String k : values.keySet()) {
            if (!byKey.containsKey(k)) {
                String hint = Names.didYouMean(k, byKey.keySet());
                problems.add(join(path, k) + ": unknown key for " + what + hint
                        + (byKey.isEmpty() ? " (" + what + " takes no options)" : " (allowed: " + String.join(", ", byKey.keySet()) + ")"));
            }
        }
        Object[] args = new Object[comps.length];
        for (int i = 0; i < comps.length; i++) {
            RecordComponent c = comps[i];
            String key = Names.kebab(c.getName());
            Default def = c.getAnnotation(Default.class);
            Object raw = values.get(key);
            try {
                if (raw == null) {
                    if (def == null) {
                        problems.add(join(path, key) + ": required key for " + what + " is missing" + docOf(c));
                        continue;
                    }
                    args[i] = Default.NULL.equals(def.value()) ? nullValue(c.getType()) : convert(def.value(), c.getGenericType());
                } else {
                    args[i] = convert(raw, c.getGenericType());
                }
            } catch (IllegalArgumentException e) {
                problems.add(join(path, key) + ": " + e.getMessage() + (raw == null ? " (in the @Default of " + type.getName() + ")" : ""));
            }
        }
        if (!problems.isEmpty()) {
            throw new GraftException(GraftException.Code.CONFIG, "", problems, null);
        }
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(Arrays.stream(comps).map(RecordComponent::getType).toArray(Class[]::new));
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof IllegalArgumentException || t instanceof NullPointerException && t.getMessage() != null) {
                throw new GraftException(GraftException.Code.CONFIG, (path.isEmpty() ? what : path + " (" + what + ")") + ": "
                        + t.getMessage() + " (given " + given(values) + ")");
            }
            throw new IllegalStateException("config record " + type.getName() + " threw while being built", t);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct config record " + type.getName(), e);
        }
    }

    private static String given(Map<String, ?> values) {
        if (values.isEmpty()) {
            return "no options";
        }
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return sb.toString();
    }

    private static String docOf(RecordComponent c) {
        Doc d = c.getAnnotation(Doc.class);
        return d == null ? "" : " (" + d.value() + ")";
    }

    private static Object nullValue(Class<?> t) {
        if (t.isPrimitive()) {
            throw new IllegalArgumentException("a primitive component cannot default to null");
        }
        return null;
    }

    static String join(String path, String key) {
        return path == null || path.isEmpty() ? key : path + "." + key;
    }

    /** Converts one value to a (possibly generic) type. */
    public static Object convert(Object raw, Type type) {
        if (type instanceof ParameterizedType pt) {
            Class<?> rawType = (Class<?>) pt.getRawType();
            if (List.class.isAssignableFrom(rawType)) {
                Type elem = pt.getActualTypeArguments()[0];
                List<Object> out = new ArrayList<>();
                for (Object o : asList(raw)) {
                    out.add(convert(o, elem));
                }
                return List.copyOf(out);
            }
            if (Map.class.isAssignableFrom(rawType)) {
                if (raw instanceof Map<?, ?> m) {
                    Map<String, Object> out = new LinkedHashMap<>();
                    Type vt = pt.getActualTypeArguments()[1];
                    m.forEach((k, v) -> out.put(String.valueOf(k), vt == Object.class ? v : convert(v, vt)));
                    return out;
                }
                throw new IllegalArgumentException("expected a map of keys to values, got '" + raw + "'");
            }
            throw new IllegalArgumentException("unsupported config type " + type);
        }
        Class<?> t = (Class<?>) type;
        if (t == dev.graft.api.init.InitSpec.class) {
            return initSpec(raw);
        }
        if (t.isArray()) {
            List<Object> items = asList(raw);
            Object arr = Array.newInstance(t.getComponentType(), items.size());
            for (int i = 0; i < items.size(); i++) {
                Array.set(arr, i, convert(items.get(i), t.getComponentType()));
            }
            return arr;
        }
        if (raw instanceof List<?> || raw instanceof Map<?, ?>) {
            if (t == Object.class) {
                return raw;
            }
            throw new IllegalArgumentException("expected " + describeType(t) + ", got " + (raw instanceof List ? "a list" : "a map") + " " + raw);
        }
        String s = String.valueOf(raw).trim();
        if (t == String.class || t == Object.class) {
            return String.valueOf(raw);
        }
        if (t == int.class || t == Integer.class) {
            long v = parseLong(raw, s, "an integer");
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("'" + s + "' is out of the integer range");
            }
            return (int) v;
        }
        if (t == long.class || t == Long.class) {
            return parseLong(raw, s, "an integer");
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            double v;
            if (raw instanceof Number n) {
                v = n.doubleValue();
            } else {
                try {
                    v = Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + s + "' is not a number");
                }
            }
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("'" + s + "' is not a finite number");
            }
            return t == float.class || t == Float.class ? (Object) (float) v : (Object) v;
        }
        if (t == boolean.class || t == Boolean.class) {
            if (raw instanceof Boolean b) {
                return b;
            }
            if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(s);
            }
            throw new IllegalArgumentException("'" + s + "' is not a boolean (allowed: true, false)");
        }
        if (t.isEnum()) {
            for (Object c : t.getEnumConstants()) {
                String name = ((Enum<?>) c).name();
                if (name.equalsIgnoreCase(s) || name.equalsIgnoreCase(s.replace('-', '_'))) {
                    return c;
                }
            }
            List<String> allowed = Arrays.stream(t.getEnumConstants()).map(c -> enumKey((Enum<?>) c)).toList();
            throw new IllegalArgumentException("'" + s + "' is not allowed" + Names.didYouMean(s, allowed) + " (allowed: " + String.join(", ", allowed) + ")");
        }
        throw new IllegalArgumentException("unsupported config type " + t.getName());
    }

    /** An initializer: its id, or a map with {@code type} and its options. */
    private static dev.graft.api.init.InitSpec initSpec(Object raw) {
        if (raw instanceof dev.graft.api.init.InitSpec s) {
            return s;
        }
        if (raw instanceof Map<?, ?> m) {
            Object type = m.get("type");
            if (type == null) {
                throw new IllegalArgumentException("an initializer needs 'type' (its id), got " + raw);
            }
            Map<String, Object> opts = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                if (!"type".equals(k)) {
                    opts.put(String.valueOf(k), v);
                }
            });
            return new dev.graft.api.init.InitSpec(String.valueOf(type), opts);
        }
        if (raw instanceof List<?>) {
            throw new IllegalArgumentException("an initializer is an id or {type: id, ...options}, got a list " + raw);
        }
        if (raw instanceof String text && text.trim().startsWith("{")) {
            Object parsed;
            try {
                parsed = new org.yaml.snakeyaml.Yaml().load(text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + text + "' is not an initializer: write an id or {type: id, option: value}");
            }
            if (parsed instanceof Map<?, ?>) {
                return initSpec(parsed);
            }
        }
        String id = String.valueOf(raw).trim();
        if (!id.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("'" + id + "' is not an initializer id");
        }
        return dev.graft.api.init.InitSpec.of(id);
    }

    /** {@code HE_NORMAL} -> {@code he-normal}. */
    public static String enumKey(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static long parseLong(Object raw, String s, String what) {
        if (raw instanceof Number n) {
            double d = n.doubleValue();
            if (d != Math.rint(d)) {
                throw new IllegalArgumentException("'" + s + "' is not " + what);
            }
            return n.longValue();
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not " + what);
        }
    }

    /** A list from a list, from "[a, b]" / "a, b" text, or a single value. */
    public static List<Object> asList(Object raw) {
        if (raw instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        if (raw == null) {
            return new ArrayList<>();
        }
        if (raw instanceof String s) {
            String t = s.trim();
            if (t.startsWith("[") && t.endsWith("]")) {
                t = t.substring(1, t.length() - 1).trim();
                if (t.isEmpty()) {
                    return new ArrayList<>();
                }
            }
            List<Object> out = new ArrayList<>();
            for (String p : t.split(",")) {
                out.add(p.trim());
            }
            return out;
        }
        List<Object> one = new ArrayList<>();
        one.add(raw);
        return one;
    }

    private static String describeType(Class<?> t) {
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "an integer";
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "a boolean";
        }
        return "a single value";
    }

    /** The record as config values (kebab-case keys), in component order; round-trips through {@link #bind}. */
    public static Map<String, Object> unbind(Record r) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            try {
                var accessor = c.getAccessor();
                accessor.setAccessible(true);
                Object v = accessor.invoke(r);
                if (v != null) {
                    out.put(Names.kebab(c.getName()), plain(v));
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getName(), e);
            }
        }
        return out;
    }

    private static Object plain(Object v) {
        if (v instanceof dev.graft.api.init.InitSpec i) {
            if (i.options().isEmpty()) {
                return i.id();
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", i.id());
            m.putAll(i.options());
            return m;
        }
        if (v instanceof Enum<?> e) {
            return enumKey(e);
        }
        if (v.getClass().isArray()) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                out.add(plain(Array.get(v, i)));
            }
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(RecordBinder::plain).toList();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        return v;
    }

    /** The documented keys of a config record. */
    public static List<KeyDoc> describe(Class<? extends Record> type) {
        List<KeyDoc> out = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Default d = c.getAnnotation(Default.class);
            Doc doc = c.getAnnotation(Doc.class);
            String def = d == null ? null : Default.NULL.equals(d.value()) ? "(none)" : d.value();
            out.add(new KeyDoc(Names.kebab(c.getName()), typeName(c.getGenericType()), def, d == null, doc == null ? "" : doc.value()));
        }
        return out;
    }

    private static String typeName(Type t) {
        if (t instanceof ParameterizedType pt) {
            return "list of " + typeName(pt.getActualTypeArguments()[0]);
        }
        Class<?> c = (Class<?>) t;
        if (c.isArray()) {
            return "list of " + typeName(c.getComponentType());
        }
        if (c == dev.graft.api.init.InitSpec.class) {
            return "initializer";
        }
        if (c.isEnum()) {
            return String.join("|", Arrays.stream(c.getEnumConstants()).map(e -> enumKey((Enum<?>) e)).toList());
        }
        return switch (c.getSimpleName()) {
            case "int", "Integer", "long", "Long" -> "integer";
            case "double", "Double", "float", "Float" -> "number";
            case "boolean", "Boolean" -> "boolean";
            default -> c.getSimpleName().toLowerCase(Locale.ROOT);
        };
    }
}
