package dev.graft.runtime.config;

import dev.graft.runtime.GraftException;
import dev.graft.runtime.util.Names;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a config tree into an {@link Experiment}, collecting every problem in the runtime's own
 * sections (unknown keys, wrong types, bad values, broken graph references) into one error. Plugin
 * options are checked later, against the plugins' records.
 *
 * <pre>
 * data:
 *   dataset: {type: digits}          # or just: dataset: digits
 *   test-split: 0.2                  # when the dataset has no test set of its own
 *   stratify: true
 *   transforms: [standardize]
 * model:
 *   layers:                          # each feeds the next unless it names its inputs
 *     - {type: dense, units: 64, name: fc1}
 *     - relu
 *     - {type: dense, units: 10}
 *   output: dense2                   # default: the last node
 * loss: softmax-cross-entropy
 * optimizer: {type: adam, lr: 0.001, groups: [{params: [fc1.*], lr: 0.0001}]}
 * training: {epochs: 10, batch-size: 32, seed: 42, validation-split: 0.1, metrics: [accuracy],
 *            early-stopping: {monitor: val-loss, patience: 3}}
 * output: {dir: runs/digits}
 * </pre>
 *
 * <p>A fine-tuning experiment replaces {@code model} with {@code base} (a pretrained model, see {@link
 * BaseConfig}) and an optional {@code head}, whose {@code layers} have the syntax of {@code model.layers}
 * and whose first layer reads the base's output, named {@code base}.
 */
public final class ExperimentParser {
    private static final Set<String> TOP = Set.of("data", "base", "model", "head", "loss", "optimizer", "training", "output", "tune");
    private static final List<String> TOP_ORDER = List.of("data", "base", "model", "head", "loss", "optimizer", "training", "output", "tune");

    private final List<String> problems = new ArrayList<>();

    private ExperimentParser() {
    }

    /**
     * @param tree    the config tree
     * @param baseDir where relative paths are resolved
     * @param name    a name for the run (the config file's stem), for the default output directory
     */
    public static Experiment parse(Map<String, Object> tree, Path baseDir, String name) {
        return new ExperimentParser().run(tree, baseDir, name);
    }

    private Experiment run(Map<String, Object> tree, Path baseDir, String name) {
        for (String k : tree.keySet()) {
            if (!TOP.contains(k)) {
                problems.add(k + ": unknown section" + Names.didYouMean(k, TOP) + " (allowed: " + String.join(", ", TOP_ORDER) + ")");
            }
        }
        boolean fineTune = tree.containsKey("base");
        for (String req : List.of("data", "model", "loss", "optimizer")) {
            if (!tree.containsKey(req) && !(fineTune && req.equals("model"))) {
                problems.add(req + ": required section is missing");
            }
        }
        if (fineTune && tree.containsKey("model")) {
            problems.add("model: a fine-tuning experiment (with a base section) takes no model section; put the layers added on top of the base under head");
        }
        if (!fineTune && tree.containsKey("head")) {
            problems.add("head: needs a base section (the pretrained model the head is attached to); a model trained from scratch is described under model");
        }
        DataConfig data = tree.containsKey("data") ? data(tree.get("data")) : null;
        BaseConfig base = null;
        if (fineTune) {
            Map<String, Object> b = section(tree.get("base"), "base", null);
            if (b != null) {
                base = bind(BaseConfig.class, b, "base", "the base model");
            }
        }
        List<NodeConfig> nodes = new ArrayList<>();
        String output = null;
        String graphSection = fineTune ? "head" : "model";
        if (fineTune && tree.containsKey("head") && !(tree.get("head") instanceof Map<?, ?> hm && !hm.isEmpty())) {
            problems.add("head: must list the new layers, e.g. head: {layers: [{type: dense, units: 10}]}, got '" + tree.get("head")
                    + "'; leave head out to fine-tune the base model as it is");
        } else if (tree.containsKey(graphSection)) {
            Map<String, Object> model = section(tree.get(graphSection), graphSection, Set.of("layers", "output"));
            if (model != null) {
                nodes = nodes(model.get("layers"), graphSection, fineTune);
                Object out = model.get("output");
                if (out != null && !(out instanceof String)) {
                    problems.add(graphSection + ".output: must be a node name, got " + out);
                } else if (out != null) {
                    output = (String) out;
                    String o = output;
                    if (nodes.stream().noneMatch(n -> n.name().equals(o))) {
                        problems.add(graphSection + ".output: unknown node '" + o + "'" + Names.didYouMean(o, nodes.stream().map(NodeConfig::name).toList()));
                    }
                } else if (!nodes.isEmpty()) {
                    output = nodes.get(nodes.size() - 1).name();
                }
            }
        }
        PluginRef loss = tree.containsKey("loss") ? ref(tree.get("loss"), "loss", Set.of()) : null;
        List<GroupConfig> groups = new ArrayList<>();
        PluginRef optimizer = null;
        PluginRef schedule = null;
        if (tree.containsKey("optimizer")) {
            optimizer = ref(tree.get("optimizer"), "optimizer", Set.of("groups", "schedule"));
            Object g = tree.get("optimizer") instanceof Map<?, ?> m ? m.get("groups") : null;
            if (g != null) {
                groups = groups(g);
            }
            Object s = tree.get("optimizer") instanceof Map<?, ?> m ? m.get("schedule") : null;
            if (s != null) {
                schedule = ref(s, "optimizer.schedule", Set.of());
            }
        }
        TrainingConfig training = null;
        EarlyStoppingConfig early = null;
        CheckpointConfig checkpoint = null;
        Map<String, Object> tr = tree.containsKey("training") ? section(tree.get("training"), "training", null) : Map.of();
        if (tr != null) {
            Map<String, Object> rest = new LinkedHashMap<>(tr);
            Object es = rest.remove("early-stopping");
            Object cp = rest.remove("checkpoint");
            training = bind(TrainingConfig.class, rest, "training", "training");
            if (es != null) {
                Map<String, Object> esm = section(es, "training.early-stopping", null);
                if (esm != null) {
                    early = bind(EarlyStoppingConfig.class, esm, "training.early-stopping", "early stopping");
                }
            }
            if (cp != null) {
                Map<String, Object> cpm = section(cp, "training.checkpoint", null);
                if (cpm != null) {
                    checkpoint = bind(CheckpointConfig.class, cpm, "training.checkpoint", "checkpoints");
                }
            }
        }
        TuneConfig tune = tree.containsKey("tune") ? tune(tree.get("tune")) : null;
        Path outDir = Path.of("runs", name);
        if (tree.containsKey("output")) {
            Map<String, Object> o = section(tree.get("output"), "output", Set.of("dir"));
            if (o != null && o.get("dir") != null) {
                outDir = Path.of(String.valueOf(o.get("dir")));
            }
        }
        if (!problems.isEmpty()) {
            throw new GraftException(GraftException.Code.CONFIG,
                    problems.size() == 1 ? "" : "the experiment config has " + problems.size() + " problems:", problems, null);
        }
        return new Experiment(data, nodes, output, loss, optimizer, schedule, groups, training, early, checkpoint, outDir, baseDir, tree, tune, base);
    }

    private <R extends Record> R bind(Class<R> type, Map<String, ?> values, String path, String what) {
        try {
            return RecordBinder.bind(type, values, path, what);
        } catch (GraftException e) {
            if (e.problems().isEmpty()) {
                problems.add(e.getMessage());
            } else {
                problems.addAll(e.problems());
            }
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> section(Object v, String path, Set<String> allowed) {
        if (!(v instanceof Map)) {
            problems.add(path + ": must be a section of keys, got '" + v + "'");
            return null;
        }
        Map<String, Object> m = (Map<String, Object>) v;
        if (allowed != null) {
            for (String k : m.keySet()) {
                if (!allowed.contains(k)) {
                    problems.add(path + "." + k + ": unknown key" + Names.didYouMean(k, allowed) + " (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
                }
            }
        }
        return m;
    }

    private DataConfig data(Object v) {
        Map<String, Object> m = section(v, "data", Set.of("dataset", "test-split", "stratify", "transforms", "augment"));
        if (m == null) {
            return null;
        }
        PluginRef ds = null;
        if (m.get("dataset") == null) {
            problems.add("data.dataset: required key is missing (a dataset plugin id such as digits, csv or idx)");
        } else {
            ds = ref(m.get("dataset"), "data.dataset", Set.of());
        }
        double test = number(m.getOrDefault("test-split", 0.2), "data.test-split");
        if (!(test >= 0 && test < 1)) {
            problems.add("data.test-split: must be in [0, 1), got " + m.get("test-split"));
        }
        boolean stratify = bool(m.getOrDefault("stratify", true), "data.stratify");
        List<PluginRef> transforms = new ArrayList<>();
        List<Object> items = m.get("transforms") instanceof Map ? List.of(m.get("transforms")) : RecordBinder.asList(m.get("transforms"));
        for (int i = 0; i < items.size(); i++) {
            PluginRef r = ref(items.get(i), "data.transforms[" + i + "]", Set.of());
            if (r != null) {
                transforms.add(r);
            }
        }
        List<PluginRef> augment = new ArrayList<>();
        List<Object> aug = m.get("augment") instanceof Map ? List.of(m.get("augment")) : RecordBinder.asList(m.get("augment"));
        for (int i = 0; i < aug.size(); i++) {
            PluginRef r = ref(aug.get(i), "data.augment[" + i + "]", Set.of());
            if (r != null) {
                augment.add(r);
            }
        }
        return new DataConfig(ds, test, stratify, transforms, augment);
    }

    /**
     * The nodes of {@code model.layers}, or of {@code head.layers} ({@code head} true), where the first node
     * reads the base's output, named {@link Experiment#BASE}, unless it names its inputs.
     */
    private List<NodeConfig> nodes(Object v, String section, boolean head) {
        List<NodeConfig> out = new ArrayList<>();
        if (v == null) {
            problems.add(section + ".layers: required key is missing (a list of layers, e.g. [{type: dense, units: 10}])");
            return out;
        }
        List<Object> items = v instanceof Map ? List.of(v) : RecordBinder.asList(v);
        if (items.isEmpty()) {
            problems.add(section + ".layers: the " + section + " needs at least one layer");
        }
        Map<String, Integer> counts = new HashMap<>();
        Set<String> known = new LinkedHashSet<>();
        known.add("input");
        if (head) {
            known.add(Experiment.BASE);
        }
        String prev = head ? Experiment.BASE : "input";
        for (int i = 0; i < items.size(); i++) {
            String path = section + ".layers[" + i + "]";
            PluginRef r = ref(items.get(i), path, Set.of("name", "inputs", "l1", "l2"));
            if (r == null) {
                continue;
            }
            Object item = items.get(i);
            String name = null;
            List<String> inputs = null;
            double l1 = 0;
            double l2 = 0;
            if (item instanceof Map<?, ?> im) {
                l1 = penalty(im.get("l1"), path + ".l1");
                l2 = penalty(im.get("l2"), path + ".l2");
                if (im.get("name") != null) {
                    name = String.valueOf(im.get("name"));
                    if (!name.matches("[A-Za-z][A-Za-z0-9_-]*") || name.equals("input") || head && name.equals(Experiment.BASE)) {
                        problems.add(path + ".name: '" + name + "' is not a valid node name (letters, digits, _ and -, starting with a letter; 'input'"
                                + (head ? " and 'base' are" : " is") + " reserved)");
                    } else if (known.contains(name)) {
                        problems.add(path + ".name: '" + name + "' is used by another node; node names must be unique");
                    }
                }
                if (im.get("inputs") != null) {
                    inputs = new ArrayList<>();
                    for (Object o : RecordBinder.asList(im.get("inputs"))) {
                        String in = String.valueOf(o);
                        if (!known.contains(in)) {
                            problems.add(path + ".inputs: unknown node '" + in + "'" + Names.didYouMean(in, known)
                                    + " (a node may only read " + (head ? "'base' (the base model's output), " : "") + "'input' or nodes listed before it: "
                                    + String.join(", ", known) + ")");
                        }
                        inputs.add(in);
                    }
                    if (inputs.isEmpty()) {
                        problems.add(path + ".inputs: must name at least one node");
                    }
                }
            }
            if (name == null) {
                int n = counts.merge(r.id(), 1, Integer::sum);
                name = r.id() + n;
                while (known.contains(name)) {
                    n = counts.merge(r.id(), 1, Integer::sum);
                    name = r.id() + n;
                }
            }
            if (inputs == null) {
                inputs = List.of(prev);
            }
            known.add(name);
            prev = name;
            out.add(new NodeConfig(name, r, inputs, l1, l2));
        }
        return out;
    }

    private List<GroupConfig> groups(Object v) {
        List<GroupConfig> out = new ArrayList<>();
        List<Object> items = v instanceof Map ? List.of(v) : RecordBinder.asList(v);
        for (int i = 0; i < items.size(); i++) {
            String path = "optimizer.groups[" + i + "]";
            Map<String, Object> m = section(items.get(i), path, Set.of("name", "params", "lr", "weight-decay", "frozen", "l1", "l2"));
            if (m == null) {
                continue;
            }
            List<String> params = RecordBinder.asList(m.get("params")).stream().map(String::valueOf).toList();
            if (params.isEmpty()) {
                problems.add(path + ".params: required: glob patterns over parameter names, e.g. [fc1.*]");
            }
            Double lr = m.get("lr") == null ? null : number(m.get("lr"), path + ".lr");
            if (lr != null && !(lr >= 0)) {
                problems.add(path + ".lr: must be >= 0, got " + m.get("lr"));
            }
            Double wd = m.get("weight-decay") == null ? null : number(m.get("weight-decay"), path + ".weight-decay");
            if (wd != null && !(wd >= 0)) {
                problems.add(path + ".weight-decay: must be >= 0, got " + m.get("weight-decay"));
            }
            boolean frozen = bool(m.getOrDefault("frozen", false), path + ".frozen");
            String name = m.get("name") == null ? "group" + i : String.valueOf(m.get("name"));
            out.add(new GroupConfig(name, params, lr, wd, frozen, penalty(m.get("l1"), path + ".l1"), penalty(m.get("l2"), path + ".l2")));
        }
        return out;
    }

    /** A plugin reference: an id, or a map with {@code type} and options (minus {@code reserved} keys). */
    private PluginRef ref(Object v, String path, Set<String> reserved) {
        if (v instanceof String s) {
            if (!s.matches("[a-z][a-z0-9-]*")) {
                problems.add(path + ": '" + s + "' is not a plugin id (lower-case letters, digits and dashes)");
                return null;
            }
            return new PluginRef(s, Map.of(), path);
        }
        if (v instanceof Map<?, ?> m) {
            Object type = m.get("type");
            if (type == null) {
                problems.add(path + ".type: required key is missing (the plugin id)");
                return null;
            }
            Map<String, Object> opts = new LinkedHashMap<>();
            m.forEach((k, val) -> {
                String key = String.valueOf(k);
                if (!key.equals("type") && !reserved.contains(key)) {
                    opts.put(key, val);
                }
            });
            return new PluginRef(String.valueOf(type), opts, path);
        }
        problems.add(path + ": must be a plugin id or a section with 'type', got '" + v + "'");
        return null;
    }

    private double penalty(Object v, String path) {
        if (v == null) {
            return 0;
        }
        double d = number(v, path);
        if (!(d >= 0)) {
            problems.add(path + ": must be >= 0, got " + v);
        }
        return d;
    }

    private TuneConfig tune(Object v) {
        Map<String, Object> m = section(v, "tune", Set.of("method", "trials", "monitor", "seed", "params"));
        if (m == null) {
            return null;
        }
        TuneConfig.Method method = TuneConfig.Method.GRID;
        try {
            method = (TuneConfig.Method) RecordBinder.convert(m.getOrDefault("method", "grid"), TuneConfig.Method.class);
        } catch (IllegalArgumentException e) {
            problems.add("tune.method: " + e.getMessage());
        }
        int trials = (int) number(m.getOrDefault("trials", method == TuneConfig.Method.RANDOM ? 10 : 0), "tune.trials");
        if (trials < 0 || (method == TuneConfig.Method.RANDOM && trials < 1)) {
            problems.add("tune.trials: must be a positive integer for random search (0 for all grid points), got " + m.get("trials"));
        }
        String monitor = String.valueOf(m.getOrDefault("monitor", "val-loss"));
        if (!monitor.matches("val-[a-z0-9-]+")) {
            problems.add("tune.monitor: must be val-loss or val-<metric id>, got '" + monitor + "'");
        }
        long seed = (long) number(m.getOrDefault("seed", 0), "tune.seed");
        Map<String, List<String>> params = new LinkedHashMap<>();
        Object p = m.get("params");
        if (!(p instanceof Map<?, ?> pm) || pm.isEmpty()) {
            problems.add("tune.params: required: config keys with candidate values, e.g. {optimizer.lr: [0.001, 0.01]}");
        } else {
            flatten(pm, "", params);
            params.forEach((k, vals) -> {
                if (vals.isEmpty()) {
                    problems.add("tune.params." + k + ": give at least one candidate value");
                }
            });
        }
        return new TuneConfig(method, trials, monitor, seed, params);
    }

    /** YAML turns dotted keys into nested maps; flatten them back into key paths. */
    private static void flatten(Map<?, ?> m, String prefix, Map<String, List<String>> out) {
        m.forEach((k, v) -> {
            String key = prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k;
            if (v instanceof Map<?, ?> sub) {
                flatten(sub, key, out);
            } else {
                out.put(key, RecordBinder.asList(v).stream().map(String::valueOf).toList());
            }
        });
    }

    private double number(Object v, String path) {
        try {
            return (Double) RecordBinder.convert(v, Double.class);
        } catch (IllegalArgumentException e) {
            problems.add(path + ": " + e.getMessage());
            return 0;
        }
    }

    private boolean bool(Object v, String path) {
        try {
            return (Boolean) RecordBinder.convert(v, Boolean.class);
        } catch (IllegalArgumentException e) {
            problems.add(path + ": " + e.getMessage());
            return false;
        }
    }
}
