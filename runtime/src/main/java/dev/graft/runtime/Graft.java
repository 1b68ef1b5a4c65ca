package dev.graft.runtime;

import dev.graft.api.PluginKind;
import dev.graft.api.Shape;
import dev.graft.api.data.DataContext;
import dev.graft.api.data.Dataset;
import dev.graft.api.data.DatasetProvider;
import dev.graft.api.data.Examples;
import dev.graft.api.data.Target;
import dev.graft.api.data.Transform;
import dev.graft.api.data.TransformProvider;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.loss.LossProvider;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.OptimizerProvider;
import dev.graft.api.PluginException;
import dev.graft.api.augment.Augmentation;
import dev.graft.api.augment.AugmentationProvider;
import dev.graft.api.schedule.Schedule;
import dev.graft.api.schedule.ScheduleProvider;
import dev.graft.runtime.base.BaseModel;
import dev.graft.runtime.base.BaseModelReader;
import dev.graft.runtime.base.FineTuning;
import dev.graft.runtime.config.BaseConfig;
import dev.graft.runtime.config.ConfigFiles;
import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.config.ExperimentParser;
import dev.graft.runtime.config.NodeConfig;
import dev.graft.runtime.config.PluginRef;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.model.ModelIR;
import dev.graft.runtime.plugin.PluginPath;
import dev.graft.runtime.plugin.PluginRegistry;
import dev.graft.runtime.train.Metrics;
import dev.graft.runtime.train.ParamGroups;
import dev.graft.runtime.train.Splits;
import dev.graft.runtime.train.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The entry point for applications that embed Graft.
 *
 * <pre>{@code
 * Graft graft = Graft.create();                                   // plugins on the class path
 * Experiment exp = graft.experiment(Path.of("digits.yaml"), "training.epochs=5");
 * TrainedModel model = graft.train(exp);                          // validates, trains, tests
 * System.out.println(model.testEvaluation().report());
 * model.save(Path.of("runs/digits/model"));
 * TrainedModel again = graft.load(Path.of("runs/digits/model"));
 * INDArray probabilities = again.predict(features);
 * }</pre>
 * Experiments can also be built in code with {@link ExperimentBuilder}.
 */
public final class Graft {
    private final PluginRegistry registry;
    private final ClassLoader loader;

    private Graft(PluginRegistry registry, ClassLoader loader) {
        this.registry = registry;
        this.loader = loader;
    }

    /**
     * Plugins from the class path and {@code GRAFT_PLUGIN_PATH}; fails if any plugin is broken. Also
     * checks, once per JVM, the native BLAS settings against the CPU and logs a warning naming the
     * environment variable to set when they are wrong ({@link CpuTuning#warnIfMistuned()}).
     */
    public static Graft create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Configures plugin discovery. */
    public static final class Builder {
        private final List<Path> pluginPath = new ArrayList<>();
        private boolean environment = true;
        private boolean allowBroken;
        private ClassLoader parent = Graft.class.getClassLoader();

        /** Adds plugin directories or jars. */
        public Builder pluginPath(List<Path> entries) {
            pluginPath.addAll(entries);
            return this;
        }

        /** Whether to read {@code GRAFT_PLUGIN_PATH} (default true). */
        public Builder useEnvironment(boolean use) {
            this.environment = use;
            return this;
        }

        /** Carry on when some providers are broken, using the others (default false: fail, listing them). */
        public Builder allowBrokenPlugins(boolean allow) {
            this.allowBroken = allow;
            return this;
        }

        public Builder classLoader(ClassLoader loader) {
            this.parent = loader;
            return this;
        }

        public Graft build() {
            CpuTuning.bootstrap();
            CpuTuning.warnIfMistuned();
            List<Path> entries = new ArrayList<>(pluginPath);
            if (environment) {
                entries.addAll(PluginPath.fromEnvironment());
            }
            ClassLoader cl = PluginPath.classLoader(entries, parent);
            PluginRegistry reg = PluginRegistry.discover(cl);
            if (!allowBroken) {
                reg.requireHealthy();
            } else {
                reg.logProblems();
            }
            return new Graft(reg, cl);
        }
    }

    public PluginRegistry plugins() {
        return registry;
    }

    /** Reads an experiment file (YAML or properties) with {@code key=value} overrides. */
    public Experiment experiment(Path file, String... overrides) {
        return experiment(file, Arrays.asList(overrides));
    }

    public Experiment experiment(Path file, List<String> overrides) {
        Map<String, Object> tree = ConfigFiles.load(file, overrides);
        String name = file.getFileName().toString().replaceFirst("\\.[^.]+$", "");
        Path base = file.toAbsolutePath().getParent();
        return ExperimentParser.parse(tree, base, name);
    }

    /**
     * Checks an experiment completely and loads its data: every plugin id and option, the dataset,
     * the splits, the transforms, the model's shapes, the optimizer groups and the metrics. Nothing
     * is trained; every problem found so far is reported together.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Run prepare(Experiment exp) {
        List<String> problems = new ArrayList<>();
        Plugins.Bound<DatasetProvider<?>> ds = collect(problems, () -> Plugins.bind(registry, PluginKind.DATASET, exp.data().dataset()));
        List<Plugins.Bound<TransformProvider<?>>> transforms = new ArrayList<>();
        for (PluginRef t : exp.data().transforms()) {
            Plugins.Bound<TransformProvider<?>> b = collect(problems, () -> Plugins.bind(registry, PluginKind.TRANSFORM, t));
            transforms.add(b);
        }
        Map<String, ModelIR.NodeIR> nodes = new LinkedHashMap<>();
        Map<String, String> paths = new LinkedHashMap<>();
        for (NodeConfig n : exp.nodes()) {
            Plugins.Bound<LayerProvider<?>> b = collect(problems, () -> Plugins.bind(registry, PluginKind.LAYER, n.layer()));
            paths.put(n.name(), n.layer().path());
            if (b != null) {
                ModelIR.PluginIR p = b.ir();
                nodes.put(n.name(), new ModelIR.NodeIR(n.name(), p.plugin(), p.version(), p.config(), n.inputs()));
            }
        }
        Plugins.Bound<LossProvider<?>> loss = collect(problems, () -> Plugins.bind(registry, PluginKind.LOSS, exp.loss()));
        Plugins.Bound<OptimizerProvider<?>> opt = collect(problems, () -> Plugins.bind(registry, PluginKind.OPTIMIZER, exp.optimizer()));
        Plugins.Bound<ScheduleProvider<?>> sched = exp.schedule() == null ? null
                : collect(problems, () -> Plugins.bind(registry, PluginKind.SCHEDULE, exp.schedule()));
        List<Plugins.Bound<AugmentationProvider<?>>> augments = new ArrayList<>();
        for (PluginRef a : exp.data().augment()) {
            augments.add(collect(problems, () -> Plugins.bind(registry, PluginKind.AUGMENTATION, a)));
        }
        for (int i = 0; i < exp.training().metrics().size(); i++) {
            String id = exp.training().metrics().get(i);
            int ii = i;
            collect(problems, () -> registry.get(PluginKind.METRIC, id, "training.metrics[" + ii + "]"));
        }
        FineTuning ft = exp.fineTunes() ? collect(problems, () -> fineTuning(exp)) : null;
        if (ft != null) {
            Set<String> baseNodes = new HashSet<>(ft.kept().stream().map(ModelIR.NodeIR::name).toList());
            for (NodeConfig n : exp.nodes()) {
                if (baseNodes.contains(n.name())) {
                    problems.add(paths.get(n.name()) + ".name: '" + n.name() + "' is also the name of a node of the base ("
                            + ft.base().origin() + "); give the head node another name");
                }
            }
            Set<String> inputs = ft.inputsUsed();
            inputs.remove(Network.INPUT);
            if (!inputs.isEmpty()) {
                problems.add("base.onnx: " + ft.base().origin() + " reads the extra inputs " + inputs
                        + " up to the cut; fine-tuning handles models with one data input");
            }
        }
        if (!problems.isEmpty()) {
            throw new GraftException(GraftException.Code.CONFIG, problems.size() == 1 ? "" : "the experiment has " + problems.size() + " problems:", problems, null);
        }
        long seed = exp.training().seed();
        RawData raw = split(exp, ds);
        Target target = raw.target();
        Examples train = raw.splits().train();
        Examples val = raw.splits().validation();
        Examples test = raw.splits().test();
        List<FittedTransform> fitted = new ArrayList<>();
        for (Plugins.Bound<TransformProvider<?>> b : transforms) {
            Transform t = ((TransformProvider) b.provider()).create(b.config());
            String where = "data.transforms[" + fitted.size() + "] (" + b.provider().id() + ")";
            try {
                Transform.Fitted f = t.fit(train.features());
                fitted.add(new FittedTransform(b.ir(), f));
                train = new Examples(f.apply(train.features()), train.labels());
                val = new Examples(f.apply(val.features()), val.labels());
                test = new Examples(f.apply(test.features()), test.labels());
            } catch (PluginException | IllegalArgumentException e) {
                throw new GraftException(GraftException.Code.DATA, where + ": " + e.getMessage(), e);
            }
        }
        long[] fs = train.features().shape();
        Shape shape = Shape.of(Arrays.copyOfRange(fs, 1, fs.length));
        List<Augmentation> augmentations = new ArrayList<>();
        for (int i = 0; i < augments.size(); i++) {
            Plugins.Bound<AugmentationProvider<?>> b = augments.get(i);
            Augmentation a = ((AugmentationProvider) b.provider()).create(b.config());
            String bad = a.checkShape(shape);
            if (bad != null) {
                problems.add("data.augment[" + i + "] (" + b.provider().id() + "): " + bad);
            }
            augmentations.add(a);
        }
        if (!problems.isEmpty()) {
            throw new GraftException(GraftException.Code.CONFIG, problems.size() == 1 ? "" : "the experiment has " + problems.size() + " problems:", problems, null);
        }
        List<Long> rawShape = shape.equals(raw.shape()) ? null : Arrays.stream(raw.shape().dims()).boxed().toList();
        List<ModelIR.NodeIR> graph = new ArrayList<>();
        String output = exp.output();
        if (ft != null) {
            Shape baseShape = Shape.of(ft.base().ir().input().shape().stream().mapToLong(Long::longValue).toArray());
            if (!baseShape.equals(shape)) {
                throw new GraftException(GraftException.Code.CONFIG, "base.onnx: " + ft.base().origin() + " takes examples of shape " + baseShape
                        + ", but the data gives " + shape + (fitted.isEmpty() ? "" : " after data.transforms")
                        + " (" + raw.description() + "); the data must match the shape the base was trained on");
            }
            graph.addAll(ft.kept());
            for (ModelIR.NodeIR n : nodes.values()) {
                graph.add(new ModelIR.NodeIR(n.name(), n.plugin(), n.version(), n.config(),
                        n.inputs().stream().map(i -> i.equals(Experiment.BASE) ? ft.cutAt() : i).toList()));
            }
            if (output == null) {
                output = ft.cutAt();
            }
        } else {
            graph.addAll(nodes.values());
        }
        ModelIR ir = new ModelIR(ModelIR.FORMAT, new ModelIR.InputIR(Network.INPUT, Arrays.stream(shape.dims()).boxed().toList(), rawShape),
                graph, output, loss.ir(), targetIR(target), fitted.stream().map(FittedTransform::ir).toList());
        Network net;
        try {
            net = new Network(ir, registry, paths);
        } catch (GraftException e) {
            if (ft != null && exp.nodes().isEmpty() && e.getMessage().startsWith("output node")) {
                throw new GraftException(GraftException.Code.CONFIG, e.getMessage() + "; add head layers after the cut that produce it (head: {layers: [...]})");
            }
            throw e;
        }
        net.initialize(seed);
        ParamGroups groups;
        if (ft != null) {
            Map<String, INDArray> values = new LinkedHashMap<>(net.params());
            values.putAll(ft.keptParams());
            net.setParams(values, ft.base().origin());
            net.setInferenceNodes(ft.inferenceNodes());
            groups = new ParamGroups(ft.groupsBefore(), exp.groups(), ft.groupsAfter(exp.base().lr()), net.paramSpecs());
        } else {
            groups = new ParamGroups(exp.groups(), net.paramSpecs());
        }
        Optimizer optimizer = ((OptimizerProvider) opt.provider()).create(opt.config());
        Schedule schedule = sched == null ? null : ((ScheduleProvider) sched.provider()).create(sched.config());
        Metrics metrics = Metrics.resolve(registry, target, exp.training().metrics());
        return new Run(this, exp, net, optimizer, opt.ir(), schedule, groups, metrics, augmentations, new Splits(train, val, test), fitted,
                raw.description(), ft);
    }

    /** Reads the base model of a fine-tuning experiment and plans its cut, freezing and batch-norm policy. */
    private FineTuning fineTuning(Experiment exp) {
        BaseConfig cfg = exp.base();
        Path file = exp.baseDir() == null ? Path.of(cfg.onnx()) : exp.baseDir().resolve(cfg.onnx()).normalize();
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new GraftException(GraftException.Code.CONFIG, "base.onnx: " + (java.nio.file.Files.isDirectory(file) ? "is a directory, not a file: " : "no such file: ")
                    + file.toAbsolutePath() + (Path.of(cfg.onnx()).isAbsolute() ? "" : " (relative paths start at the config file's directory)"));
        }
        BaseModel base;
        try {
            base = BaseModelReader.find("onnx", loader).read(file, cfg.onnx(), registry);
        } catch (GraftException e) {
            // one message (the reader's may list problems under a headline), named by the config key
            throw new GraftException(e.code(), "base.onnx: " + e.getMessage(), e);
        }
        if (base.ir().loss() != null) {
            throw new IllegalStateException("a base model reader returned a model with a loss");
        }
        Network whole = new Network(base.ir(), registry, Map.of());
        return FineTuning.plan(cfg, base, whole);
    }

    /** A dataset's examples split as an experiment says, before any transform. */
    public record RawData(Shape shape, Target target, Splits splits, String description) {
    }

    /**
     * Loads the experiment's dataset and splits it exactly as training does (same seed, same
     * stratification), without transforms. {@code graft eval} uses it to find the test split again.
     */
    public RawData split(Experiment exp) {
        return split(exp, Plugins.bind(registry, PluginKind.DATASET, exp.data().dataset()));
    }

    private RawData split(Experiment exp, Plugins.Bound<DatasetProvider<?>> ds) {
        long seed = exp.training().seed();
        Dataset data = loadData(ds, exp.baseDir(), seed);
        Target target = data.target();
        Shape shape = data.featureShape();
        Examples all = data.train();
        Splits.checkShape(all, shape, "training");
        Examples test;
        Examples pool;
        if (data.test().isPresent()) {
            test = data.test().get();
            Splits.checkShape(test, shape, "test");
            pool = all;
        } else {
            long[][] s = Splits.split(all.size(), all.labels(), target, exp.data().testSplit(), exp.data().stratify(), seed + 1);
            pool = Splits.rows(all, s[0]);
            test = Splits.rows(all, s[1]);
        }
        long[][] v = Splits.split(pool.size(), pool.labels(), target, exp.training().validationSplit(), exp.data().stratify(), seed + 2);
        return new RawData(shape, target, new Splits(Splits.rows(pool, v[0]), Splits.rows(pool, v[1]), test), data.describe());
    }

    private Dataset loadData(Plugins.Bound<DatasetProvider<?>> ds, Path baseDir, long seed) {
        DataContext ctx = new DataContext() {
            @Override
            public Path resolve(String path) {
                Path p = Path.of(path);
                return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p).normalize();
            }

            @Override
            public long seed() {
                return seed;
            }
        };
        try {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Dataset d = ((DatasetProvider) ds.provider()).load(ds.config(), ctx);
            return d;
        } catch (PluginException e) {
            throw new GraftException(GraftException.Code.DATA, "data.dataset (" + ds.provider().id() + "): " + e.getMessage(), e);
        }
    }

    static ModelIR.TargetIR targetIR(Target t) {
        if (t instanceof Target.Classes c) {
            return new ModelIR.TargetIR("classes", c.names(), null);
        }
        Shape s = ((Target.Regression) t).shape();
        return new ModelIR.TargetIR("regression", null, Arrays.stream(s.dims()).boxed().toList());
    }

    private static <T> T collect(List<String> problems, java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (GraftException e) {
            if (e.problems().isEmpty()) {
                problems.add(e.getMessage());
            } else {
                problems.addAll(e.problems());
            }
            return null;
        }
    }

    /** Validates, trains and tests an experiment. */
    public TrainedModel train(Experiment exp, TrainingListener... listeners) {
        return prepare(exp).fit(listeners);
    }

    /** Loads a model directory written by {@link TrainedModel#save(Path)}. */
    public TrainedModel load(Path dir) {
        return TrainedModel.load(this, dir);
    }

    /** A fitted transform with its plugin reference. */
    public record FittedTransform(ModelIR.PluginIR ir, Transform.Fitted fitted) {
    }
}
