package dev.graft.runtime.plugin;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Stage;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.name.Names;
import dev.graft.api.GraftApi;
import dev.graft.api.Plugin;
import dev.graft.api.PluginKind;
import dev.graft.runtime.GraftException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Finds plugin providers through ServiceLoader registrations, constructs them with Guice, and exposes them by
 * kind and id.
 *
 * <p>Provider types are read from {@code META-INF/services/<kind interface>} files, the
 * ServiceLoader registration format (see {@link ServiceFiles} for why Graft reads them itself).
 * Discovery never stops at the first problem: every provider is tried, and each one that cannot
 * be used is recorded with its jar and the cause ({@link PluginStatus}). A provider class whose
 * constructor throws is {@code FAILED}; one built for another API version is {@code INCOMPATIBLE};
 * two providers of one kind with one id are both {@code DUPLICATE} (Graft never silently picks one).
 * {@link #requireHealthy()} turns any of these into one error listing them all.
 *
 * <p>Jars may also contribute Guice {@link Module}s through ServiceLoader; providers are constructed
 * by an injector that includes them, so a provider may {@code @Inject} what those modules bind. The
 * usable providers are bound in Guice map bindings, one per kind, annotated {@code @Named(kind)}:
 * {@code Map<String, LayerProvider>} and so on.
 */
public final class PluginRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class);
    /** What a plugin id must look like: lower-kebab-case. */
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    private final List<PluginKind<?>> kinds;
    private final List<PluginInfo> all;
    private final List<String> moduleProblems;
    private final Map<PluginKind<?>, Map<String, Plugin<?>>> byKind;
    private final Injector base;
    private volatile Injector injector;

    private PluginRegistry(List<PluginKind<?>> kinds, List<PluginInfo> all, List<String> moduleProblems, Injector base) {
        this.kinds = List.copyOf(kinds);
        this.all = List.copyOf(all);
        this.moduleProblems = List.copyOf(moduleProblems);
        Map<PluginKind<?>, Map<String, Plugin<?>>> m = new LinkedHashMap<>();
        for (PluginKind<?> k : kinds) {
            m.put(k, new TreeMap<>());
        }
        for (PluginInfo p : all) {
            if (p.status() == PluginStatus.LOADED) {
                m.get(p.kind()).put(p.id(), p.provider());
            }
        }
        m.replaceAll((k, v) -> Collections.unmodifiableMap(v));
        this.byKind = Collections.unmodifiableMap(m);
        this.base = base;
    }

    /** The child injector with the map bindings; built on first use (nothing on the training path needs it). */
    private Injector createInjector() {
        return base.createChildInjector(new AbstractModule() {
            @Override
            @SuppressWarnings({"unchecked", "rawtypes"})
            protected void configure() {
                for (PluginKind<?> k : kinds) {
                    MapBinder binder = MapBinder.newMapBinder(binder(), String.class, (Class) k.type(), Names.named(k.name()));
                    byKind.get(k).forEach((id, p) -> binder.addBinding(id).toInstance(p));
                }
                bind(PluginRegistry.class).toInstance(PluginRegistry.this);
            }
        });
    }

    /** Discovers the core kinds and those {@link KindContributor}s add, through {@code loader}. */
    public static PluginRegistry discover(ClassLoader loader) {
        List<PluginKind<?>> kinds = new ArrayList<>(PluginKind.CORE);
        for (KindContributor c : ServiceLoader.load(KindContributor.class, loader)) {
            for (PluginKind<?> k : c.kinds()) {
                if (kinds.stream().noneMatch(x -> x.name().equals(k.name()))) {
                    kinds.add(k);
                }
            }
        }
        return discover(loader, kinds);
    }

    /** Discovers the given kinds through {@code loader}. */
    public static PluginRegistry discover(ClassLoader loader, List<PluginKind<?>> kinds) {
        List<String> moduleProblems = new ArrayList<>();
        List<Module> modules = new ArrayList<>();
        Iterator<Module> it = ServiceLoader.load(Module.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                Module m = it.next();
                modules.add(m);
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                moduleProblems.add("a Guice module listed in META-INF/services/com.google.inject.Module could not be created: " + rootMessage(e));
            }
        }
        Injector base;
        try {
            base = Guice.createInjector(Stage.DEVELOPMENT, modules);
        } catch (RuntimeException e) {
            moduleProblems.add("plugin Guice modules failed: " + rootMessage(e) + "; continuing without them");
            base = Guice.createInjector(Stage.DEVELOPMENT);
        }
        List<PluginInfo> infos = new ArrayList<>();
        for (PluginKind<?> kind : kinds) {
            infos.addAll(discoverKind(kind, loader, base));
        }
        markDuplicates(infos);
        return new PluginRegistry(kinds, infos, moduleProblems, base);
    }

    private static List<PluginInfo> discoverKind(PluginKind<?> kind, ClassLoader loader, Injector injector) {
        List<PluginInfo> out = new ArrayList<>();
        for (ServiceFiles.Entry e : ServiceFiles.providers(kind.type(), loader)) {
            if (e.type() == null) {
                out.add(new PluginInfo(kind, e.className(), "", "", "", e.listedIn(), e.className(), PluginStatus.FAILED, e.problem(), null));
                continue;
            }
            Class<?> type = e.type();
            String source = sourceOf(type);
            Plugin<?> p;
            try {
                p = (Plugin<?>) injector.getInstance(type);
            } catch (RuntimeException | LinkageError ex) {
                out.add(new PluginInfo(kind, type.getName(), "", "", "", source, type.getName(), PluginStatus.FAILED,
                        "constructing " + type.getName() + " failed: " + rootMessage(ex), null));
                continue;
            }
            out.add(describe(kind, p, source));
        }
        return out;
    }

    private static PluginInfo describe(PluginKind<?> kind, Plugin<?> p, String source) {
        String cls = p.getClass().getName();
        String id;
        String version;
        String api;
        String desc;
        try {
            id = p.id();
            version = p.version();
            api = p.apiVersion();
            desc = p.description();
            if (p.configType() == null || !p.configType().isRecord()) {
                return new PluginInfo(kind, id, version, api, desc, source, cls, PluginStatus.FAILED,
                        "configType() of " + cls + " must return a record class, got " + p.configType(), null);
            }
        } catch (RuntimeException | LinkageError e) {
            return new PluginInfo(kind, cls, "", "", "", source, cls, PluginStatus.FAILED,
                    "describing " + cls + " failed: " + rootMessage(e), null);
        }
        if (id == null || !ID.matcher(id).matches()) {
            return new PluginInfo(kind, String.valueOf(id), version, api, desc, source, cls, PluginStatus.FAILED,
                    cls + " has id '" + id + "'; ids must be lower-kebab-case (letters, digits and single dashes)", null);
        }
        boolean ok;
        try {
            ok = GraftApi.compatible(api, GraftApi.VERSION);
        } catch (IllegalArgumentException e) {
            ok = false;
        }
        if (!ok) {
            return new PluginInfo(kind, id, version, api, desc, source, cls, PluginStatus.INCOMPATIBLE,
                    kind + " '" + id + "' (" + cls + " in " + source + ") was built for Graft API " + api
                            + ", this runtime offers API " + GraftApi.VERSION + " (same major version and a minor version no newer is required)", null);
        }
        return new PluginInfo(kind, id, version, api, desc, source, cls, PluginStatus.LOADED, null, p);
    }

    private static void markDuplicates(List<PluginInfo> infos) {
        Map<String, List<Integer>> seen = new LinkedHashMap<>();
        for (int i = 0; i < infos.size(); i++) {
            PluginInfo p = infos.get(i);
            if (p.status() == PluginStatus.LOADED || p.status() == PluginStatus.INCOMPATIBLE) {
                seen.computeIfAbsent(p.kind().name() + "\u0000" + p.id(), k -> new ArrayList<>()).add(i);
            }
        }
        for (List<Integer> idx : seen.values()) {
            if (idx.size() < 2) {
                continue;
            }
            PluginInfo first = infos.get(idx.get(0));
            String where = idx.stream().map(i -> infos.get(i).className() + " in " + infos.get(i).source())
                    .collect(Collectors.joining(" and "));
            String why = "duplicate " + first.kind() + " id '" + first.id() + "': provided by " + where
                    + "; remove one of the jars (Graft never picks one silently)";
            for (int i : idx) {
                infos.set(i, infos.get(i).withStatus(PluginStatus.DUPLICATE, why));
            }
        }
    }

    private static String sourceOf(Class<?> type) {
        try {
            CodeSource cs = type.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null) {
                return "(unknown)";
            }
            return Path.of(cs.getLocation().toURI()).toString();
        } catch (URISyntaxException | RuntimeException e) {
            return "(unknown)";
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    /** Every discovered provider, usable or not, in discovery order. */
    public List<PluginInfo> all() {
        return all;
    }

    /** The providers that cannot be used, and module problems, as messages. */
    public List<String> problems() {
        List<String> out = new ArrayList<>(moduleProblems);
        for (PluginInfo p : all) {
            if (p.status() != PluginStatus.LOADED && !out.contains(p.problem())) {
                out.add(p.problem() + (p.status() == PluginStatus.FAILED ? " (from " + p.source() + ")" : ""));
            }
        }
        return out;
    }

    /** Throws one error listing every problem, if there is any. */
    public PluginRegistry requireHealthy() {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new GraftException(GraftException.Code.PLUGIN,
                    problems.size() == 1 ? "plugin problem:" : problems.size() + " plugin problems:", problems, null);
        }
        return this;
    }

    public List<PluginKind<?>> kinds() {
        return kinds;
    }

    /** The usable providers of a kind, by id. */
    @SuppressWarnings("unchecked")
    public <P extends Plugin<?>> Map<String, P> providers(PluginKind<P> kind) {
        Map<String, Plugin<?>> m = byKind.get(kind);
        if (m == null) {
            throw new IllegalArgumentException("unknown plugin kind " + kind);
        }
        return (Map<String, P>) m;
    }

    /** A kind registered here by name. */
    public PluginKind<?> kind(String name) {
        return kinds.stream().filter(k -> k.name().equals(name)).findFirst()
                .orElseThrow(() -> new GraftException(GraftException.Code.USAGE, "unknown plugin kind '" + name + "'; known kinds: "
                        + kinds.stream().map(PluginKind::name).collect(Collectors.joining(", "))));
    }

    /**
     * The provider of {@code kind} with {@code id}.
     *
     * @param where the config key path that named it, for the message
     * @throws GraftException naming the known ids and the nearest match when there is none
     */
    public <P extends Plugin<?>> P get(PluginKind<P> kind, String id, String where) {
        P p = providers(kind).get(id);
        if (p != null) {
            return p;
        }
        String at = where == null ? "" : where + ": ";
        for (PluginInfo info : all) {
            if (info.kind().equals(kind) && info.id().equals(id)) {
                throw new GraftException(GraftException.Code.PLUGIN, at + kind + " '" + id + "' is not usable: " + info.problem());
            }
        }
        List<String> known = new ArrayList<>(providers(kind).keySet());
        throw new GraftException(GraftException.Code.CONFIG, at + "unknown " + kind + " '" + id + "'"
                + dev.graft.runtime.util.Names.didYouMean(id, known) + " (known " + kind + "s: "
                + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
    }

    /**
     * The injector holding the plugin map bindings and any modules plugin jars contributed. It is
     * created the first time it is asked for, once.
     */
    public Injector injector() {
        Injector i = injector;
        if (i == null) {
            synchronized (this) {
                i = injector;
                if (i == null) {
                    i = createInjector();
                    injector = i;
                }
            }
        }
        return i;
    }

    /** Logs one warning per problem. */
    public void logProblems() {
        problems().forEach(p -> LOG.warn("{}", p));
    }
}
