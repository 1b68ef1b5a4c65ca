package dev.graft.testkit;

import dev.graft.api.GraftApi;
import dev.graft.api.Plugin;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;

import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * The rules every Graft provider follows, as a test.
 *
 * <pre>{@code
 * @Test
 * void myLayerFollowsTheContract() {
 *     ProviderContract.check(new ScaleLayerProvider());
 * }
 *
 * @Test
 * void everythingInMyServicesFile() {
 *     ProviderContract.checkServices(LayerProvider.class);
 * }
 * }</pre>
 * A provider passes when:
 * <ul>
 *   <li>its {@link Plugin#id() id} is lower-kebab-case ({@code leaky-relu}, {@code conv2d});</li>
 *   <li>its {@link Plugin#version() version} is not empty;</li>
 *   <li>its {@link Plugin#apiVersion() API version} is {@code major.minor} and
 *       {@linkplain GraftApi#compatible compatible} with this API ({@value GraftApi#VERSION});</li>
 *   <li>its {@link Plugin#configType() config type} is a record whose every component carries a
 *       non-empty {@link Doc @Doc}, and {@link Default#NULL @Default(Default.NULL)} only on components
 *       of a reference type;</li>
 *   <li>its {@link Plugin#description() description} is one non-empty line;</li>
 *   <li>its class is public with a public no-argument constructor or an {@code @Inject} constructor,
 *       so Graft can construct it.</li>
 * </ul>
 * All problems are collected and reported together in one {@link AssertionError}.
 */
public final class ProviderContract {
    private static final Pattern KEBAB = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    private ProviderContract() {
    }

    /**
     * Checks one provider.
     *
     * @throws AssertionError listing every rule the provider breaks
     */
    public static void check(Plugin<?> provider) {
        List<String> problems = problems(provider);
        if (!problems.isEmpty()) {
            throw new AssertionError("provider " + provider.getClass().getName() + " breaks the contract:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    /**
     * Loads every provider of a service interface with {@link ServiceLoader} (from the thread's
     * context class loader) and checks each one, and that their ids are unique.
     *
     * @param service a provider interface such as {@code LayerProvider.class}
     * @return the providers found, in services-file order
     * @throws AssertionError if none is found or any breaks the contract
     */
    public static List<Plugin<?>> checkServices(Class<?> service) {
        if (!Plugin.class.isAssignableFrom(service)) {
            throw new IllegalArgumentException(service.getName() + " is not a plugin interface (it does not extend Plugin)");
        }
        List<Plugin<?>> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, String> ids = new LinkedHashMap<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        for (Object o : ServiceLoader.load(service, loader)) {
            Plugin<?> p = (Plugin<?>) o;
            found.add(p);
            for (String problem : problems(p)) {
                problems.add(p.getClass().getName() + ": " + problem);
            }
            String before = ids.put(p.id(), p.getClass().getName());
            if (before != null) {
                problems.add("duplicate " + service.getSimpleName() + " id '" + p.id() + "': " + before + " and "
                        + p.getClass().getName());
            }
        }
        if (found.isEmpty()) {
            throw new AssertionError("no " + service.getName() + " found; list your providers in META-INF/services/"
                    + service.getName());
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(service.getSimpleName() + " providers break the contract:\n  - "
                    + String.join("\n  - ", problems));
        }
        return found;
    }

    private static List<String> problems(Plugin<?> p) {
        List<String> problems = new ArrayList<>();
        String id = p.id();
        if (id == null || !KEBAB.matcher(id).matches()) {
            problems.add("id must be lower-kebab-case (like leaky-relu), got '" + id + "'");
        }
        String version = p.version();
        if (version == null || version.isBlank()) {
            problems.add("version must not be empty");
        }
        String api = p.apiVersion();
        try {
            if (!GraftApi.compatible(api, GraftApi.VERSION)) {
                problems.add("apiVersion " + api + " is not compatible with the API on the class path ("
                        + GraftApi.VERSION + "); return GraftApi.VERSION");
            }
        } catch (IllegalArgumentException e) {
            problems.add("apiVersion: " + e.getMessage());
        }
        Class<?> config = p.configType();
        if (config == null) {
            problems.add("configType must not be null; use NoConfig.class for a plugin without options");
        } else if (!config.isRecord()) {
            problems.add("configType must be a record, got " + config.getName());
        } else {
            for (RecordComponent c : config.getRecordComponents()) {
                Doc doc = c.getAnnotation(Doc.class);
                if (doc == null || doc.value().isBlank()) {
                    problems.add("config component '" + c.getName() + "' of " + config.getSimpleName()
                            + " needs a @Doc sentence");
                }
                Default def = c.getAnnotation(Default.class);
                if (def != null && Default.NULL.equals(def.value()) && c.getType().isPrimitive()) {
                    problems.add("config component '" + c.getName() + "' is a primitive " + c.getType()
                            + " and cannot default to null; use a boxed type or a real default");
                }
            }
        }
        String description = p.description();
        if (description == null || description.isBlank()) {
            problems.add("description must not be empty");
        } else if (description.contains("\n")) {
            problems.add("description must be one line");
        }
        Class<?> type = p.getClass();
        if (!Modifier.isPublic(type.getModifiers())) {
            problems.add("the provider class must be public");
        }
        if (!constructible(type)) {
            problems.add("the provider class needs a public no-argument constructor or an @Inject constructor");
        }
        return problems;
    }

    private static boolean constructible(Class<?> type) {
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (c.getParameterCount() == 0 && Modifier.isPublic(c.getModifiers())) {
                return true;
            }
            for (Annotation a : c.getAnnotations()) {
                if (a.annotationType().getSimpleName().equals("Inject")) {
                    return true;
                }
            }
        }
        return false;
    }
}
