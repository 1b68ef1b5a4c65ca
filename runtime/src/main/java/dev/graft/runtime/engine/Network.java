package dev.graft.runtime.engine;

import dev.graft.api.Mode;
import dev.graft.api.PluginKind;
import dev.graft.api.Shape;
import dev.graft.api.data.Target;
import dev.graft.api.init.InitSpec;
import dev.graft.api.init.Initializer;
import dev.graft.api.init.InitializerProvider;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import dev.graft.api.loss.Loss;
import dev.graft.api.loss.LossProvider;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.runtime.model.ModelIR;
import dev.graft.runtime.plugin.PluginRegistry;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A model IR compiled against the plugins: layers created, shapes checked, parameters allocated,
 * and two SameDiff graphs, one for training (with labels, loss and dropout masks) and one for
 * inference, that share the same parameter arrays. Updating a parameter in place (as optimizers do)
 * changes both graphs.
 */
public final class Network {
    /** Name of the input placeholder. */
    public static final String INPUT = "input";
    /** Name of the labels placeholder in the training graph. */
    public static final String LABELS = "labels";
    /** Name of the loss variable in the training graph. */
    public static final String LOSS = "loss";
    /** Name of the predictions variable in the inference graph. */
    public static final String PREDICTIONS = "predictions";

    private final ModelIR ir;
    private final Shape inputShape;
    private final Target target;
    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private final Map<String, Shape> shapes = new LinkedHashMap<>();
    private final Map<String, ParamSpec> specs = new LinkedHashMap<>();
    private final Map<String, String> paramNode = new LinkedHashMap<>();
    private final Map<String, INDArray> params = new LinkedHashMap<>();
    private final Loss loss;
    private final PluginRegistry registry;
    private SameDiff trainGraph;
    private SameDiff inferGraph;
    private static final String GRAD_FN = "grad";
    private String trainExecutor;
    /** The parameter list of the last planned training step, and the plan outputs it needs. */
    private List<String> gradNamesWrt;
    private List<String> gradNamesFor;
    private final GraphPlan.Cache trainPlans = new GraphPlan.Cache("training");
    private final GraphPlan.Cache inferPlans = new GraphPlan.Cache("inference");
    private final GraphPlan.Cache evalPlans = new GraphPlan.Cache("evaluation");
    private final SplitStep split = new SplitStep();
    private final List<MaskSpec> masks = new ArrayList<>();
    /** Non-trainable parameter name to the training-graph variable holding its value after a step. */
    private final Map<String, String> stateUpdates = new LinkedHashMap<>();
    private SplittableRandom maskRng = new SplittableRandom(0);
    /** Nodes that behave as in inference also in the training graph (batch norm with frozen statistics). */
    private java.util.Set<String> inferenceNodes = java.util.Set.of();

    private record MaskSpec(String placeholder, Shape shape, double keep) {
    }

    /**
     * Compiles a model.
     *
     * @param nodePaths optional node name to config key path, for messages
     * @throws GraftException naming the node when a shape does not fit or a plugin is unknown
     */
    public Network(ModelIR ir, PluginRegistry registry, Map<String, String> nodePaths) {
        // ND4J's thread settings, once per JVM, before the first array of a model is made
        dev.graft.runtime.CpuTuning.applyThreads();
        this.ir = ir;
        this.registry = registry;
        this.inputShape = Shape.of(ir.input().shape().stream().mapToLong(Long::longValue).toArray());
        this.target = ir.target() == null ? null : targetOf(ir.target());
        shapes.put(INPUT, inputShape);
        for (ModelIR.InputIR extra : ir.extraInputs()) {
            if (shapes.containsKey(extra.name())) {
                throw new GraftException(GraftException.Code.MODEL, "model input '" + extra.name() + "' is declared twice");
            }
            shapes.put(extra.name(), Shape.of(extra.shape().stream().mapToLong(Long::longValue).toArray()));
        }
        List<String> problems = new ArrayList<>();
        for (ModelIR.NodeIR node : ir.nodes()) {
            String where = "node '" + node.name() + "' (" + node.plugin()
                    + (nodePaths.containsKey(node.name()) ? ", " + nodePaths.get(node.name()) : "") + ")";
            LayerProvider<?> provider;
            Layer layer;
            try {
                provider = registry.get(PluginKind.LAYER, node.plugin(), nodePaths.getOrDefault(node.name(), "node '" + node.name() + "'") + ".type");
                layer = create(provider, node.config(), nodePaths.getOrDefault(node.name(), "node '" + node.name() + "'"));
            } catch (GraftException e) {
                problems.add(e.getMessage());
                continue;
            }
            List<Shape> in = new ArrayList<>();
            for (String i : node.inputs()) {
                Shape s = shapes.get(i);
                if (s == null) {
                    problems.add(where + ": input '" + i + "' is not the model input or an earlier node");
                }
                in.add(s);
            }
            if (in.contains(null)) {
                continue;
            }
            int arity = layer.arity();
            if (arity != Layer.VARIADIC && arity != in.size()) {
                problems.add(where + ": takes " + arity + " input" + (arity == 1 ? "" : "s") + " but is given " + in.size() + " " + node.inputs());
                continue;
            }
            try {
                Shape out = layer.outputShape(List.copyOf(in));
                List<ParamSpec> ps = layer.params(List.copyOf(in));
                for (ParamSpec p : ps) {
                    String full = node.name() + "." + p.name();
                    specs.put(full, p);
                    paramNode.put(full, node.name());
                }
                shapes.put(node.name(), out);
                layers.put(node.name(), layer);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage() + " (input shape" + (in.size() == 1 ? " " + in.get(0) : "s " + in) + ")");
            }
        }
        if (problems.isEmpty() && !shapes.containsKey(ir.output())) {
            problems.add("model output '" + ir.output() + "' is not a node of the model");
        }
        for (String extra : ir.extraOutputs()) {
            if (problems.isEmpty() && !shapes.containsKey(extra)) {
                problems.add("model output '" + extra + "' is not a node of the model");
            }
        }
        Loss l = null;
        if (ir.loss() != null) {
            try {
                LossProvider<?> lp = registry.get(PluginKind.LOSS, ir.loss().plugin(), "loss");
                l = createLoss(lp, ir.loss().config());
                String bad = target == null ? "the model has a loss but no target" : l.checkTarget(target);
                if (bad != null) {
                    problems.add("loss: " + bad);
                }
            } catch (GraftException e) {
                problems.add(e.getMessage());
            }
        }
        this.loss = l;
        if (!problems.isEmpty()) {
            throw new GraftException(GraftException.Code.MODEL, problems.size() == 1 ? "" : "the model has " + problems.size() + " problems:", problems, null);
        }
        String badOutput = loss == null ? null : loss.checkOutput(shapes.get(ir.output()), target);
        if (badOutput != null) {
            throw new GraftException(GraftException.Code.MODEL, "output node '" + ir.output() + "' (loss " + ir.loss().plugin() + "): " + badOutput);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Layer create(LayerProvider provider, Map<String, Object> config, String path) {
        Record cfg = RecordBinder.bind(provider.configType(), config, path, "layer '" + provider.id() + "'");
        return provider.create(cfg);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Loss createLoss(LossProvider provider, Map<String, Object> config) {
        Record cfg = RecordBinder.bind(provider.configType(), config, "loss", "loss '" + provider.id() + "'");
        return provider.create(cfg);
    }

    /** The IR's target as an API target. */
    public static Target targetOf(ModelIR.TargetIR t) {
        if ("classes".equals(t.kind())) {
            return new Target.Classes(t.classes());
        }
        return new Target.Regression(Shape.of(t.shape().stream().mapToLong(Long::longValue).toArray()));
    }

    /** Fills every parameter from its initializer with generators seeded from {@code seed} and the parameter name. */
    public void initialize(long seed) {
        Map<InitSpec, Initializer> cache = new HashMap<>();
        for (Map.Entry<String, ParamSpec> e : specs.entrySet()) {
            ParamSpec p = e.getValue();
            Initializer init = cache.computeIfAbsent(p.init(), this::initializer);
            long count = 1;
            for (long d : p.shape()) {
                count *= d;
            }
            SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (e.getKey().hashCode() + 1L)));
            double[] values = init.values(p.shape(), p.fan(), rng);
            if (values.length != count) {
                throw new IllegalStateException("initializer " + p.init().id() + " returned " + values.length + " values for " + count);
            }
            // a fresh, contiguous array: SameDiff copies views it is given, which would break the sharing
            // of parameter arrays between the training and inference graphs
            INDArray arr = Nd4j.createFromArray(values).castTo(DataType.FLOAT).reshape('c', p.shape()).dup('c');
            INDArray existing = params.get(e.getKey());
            if (existing != null) {
                existing.assign(arr);
            } else {
                params.put(e.getKey(), arr);
            }
        }
        maskRng = new SplittableRandom(seed * 31 + 7);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Initializer initializer(InitSpec spec) {
        InitializerProvider provider = registry.get(PluginKind.INITIALIZER, spec.id(), "initializer");
        Record cfg = RecordBinder.bind(provider.configType(), spec.options(), "initializer", "initializer '" + spec.id() + "'");
        return provider.create(cfg);
    }

    /** Replaces parameter values (for loading); names and shapes must match. */
    public void setParams(Map<String, INDArray> values, String origin) {
        List<String> problems = new ArrayList<>();
        for (String name : specs.keySet()) {
            INDArray v = values.get(name);
            if (v == null) {
                problems.add("parameter '" + name + "' is missing");
            } else if (!java.util.Arrays.equals(v.shape(), specs.get(name).shape())) {
                problems.add("parameter '" + name + "' has shape " + java.util.Arrays.toString(v.shape()) + ", the model needs "
                        + java.util.Arrays.toString(specs.get(name).shape()));
            }
        }
        for (String name : values.keySet()) {
            if (!specs.containsKey(name)) {
                problems.add("parameter '" + name + "' is not part of the model");
            }
        }
        if (!problems.isEmpty()) {
            throw new GraftException(GraftException.Code.MODEL, origin + " does not fit the model:", problems, null);
        }
        for (String name : specs.keySet()) {
            INDArray v = values.get(name).castTo(DataType.FLOAT);
            INDArray existing = params.get(name);
            if (existing != null) {
                existing.assign(v);
            } else {
                params.put(name, v.dup('c'));
            }
        }
    }

    private SameDiff build(Mode mode, boolean withLoss) {
        if (params.size() != specs.size()) {
            throw new IllegalStateException("parameters are not initialised; call initialize(seed) or setParams first");
        }
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = new HashMap<>();
        vars.put(INPUT, sd.placeHolder(INPUT, DataType.FLOAT, inputShape.withBatch(-1)));
        for (ModelIR.InputIR extra : ir.extraInputs()) {
            vars.put(extra.name(), sd.placeHolder(extra.name(), DataType.FLOAT, shapes.get(extra.name()).withBatch(-1)));
        }
        Map<String, SDVariable> paramVars = new HashMap<>();
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            SDVariable v = sd.var(e.getKey(), e.getValue());
            if (sd.getArrForVarName(e.getKey()) != e.getValue()) {
                throw new IllegalStateException("SameDiff copied parameter " + e.getKey() + "; the graphs would not share it");
            }
            paramVars.put(e.getKey(), v);
        }
        if (mode == Mode.TRAIN) {
            masks.clear();
            stateUpdates.clear();
        }
        for (ModelIR.NodeIR node : ir.nodes()) {
            Layer layer = layers.get(node.name());
            List<SDVariable> in = node.inputs().stream().map(vars::get).toList();
            Mode nodeMode = inferenceNodes.contains(node.name()) ? Mode.INFER : mode;
            LayerContext ctx = new Ctx(sd, node.name(), nodeMode, paramVars, node.inputs().stream().map(shapes::get).toList());
            SDVariable out;
            try {
                out = layer.forward(ctx, in);
            } catch (IllegalArgumentException e) {
                throw new GraftException(GraftException.Code.MODEL, "node '" + node.name() + "' (" + node.plugin() + "): " + e.getMessage());
            }
            vars.put(node.name(), out);
        }
        SDVariable out = vars.get(ir.output());
        if (withLoss && loss == null) {
            throw new GraftException(GraftException.Code.MODEL, "this model has no loss (an imported model); attach a loss and a target to train it");
        }
        if (withLoss) {
            SDVariable labels = sd.placeHolder(LABELS, DataType.FLOAT, labelShape());
            loss.compute(sd, out, labels).rename(LOSS);
            // say which output is the loss: state-update outputs (batch norm) would leave SameDiff guessing
            sd.setLossVariables(LOSS);
        }
        if (mode == Mode.INFER) {
            (loss == null ? sd.identity(out) : loss.predictions(sd, out)).rename(PREDICTIONS);
            for (int k = 0; k < ir.extraOutputs().size(); k++) {
                sd.identity(vars.get(ir.extraOutputs().get(k))).rename(extraOutputName(k));
            }
        }
        return sd;
    }

    private long[] labelShape() {
        if (target instanceof Target.Classes c) {
            return loss.labelFormat() == Loss.LabelFormat.INDEX ? new long[] {-1} : new long[] {-1, c.count()};
        }
        return ((Target.Regression) target).shape().withBatch(-1);
    }

    private final class Ctx implements LayerContext {
        private final SameDiff sd;
        private final String node;
        private final Mode mode;
        private final Map<String, SDVariable> paramVars;
        private final List<Shape> inputShapes;

        Ctx(SameDiff sd, String node, Mode mode, Map<String, SDVariable> paramVars, List<Shape> inputShapes) {
            this.inputShapes = inputShapes;
            this.sd = sd;
            this.node = node;
            this.mode = mode;
            this.paramVars = paramVars;
        }

        @Override
        public SameDiff sd() {
            return sd;
        }

        @Override
        public String nodeName() {
            return node;
        }

        @Override
        public Mode mode() {
            return mode;
        }

        @Override
        public List<Shape> inputShapes() {
            return inputShapes;
        }

        @Override
        public SDVariable param(String name) {
            SDVariable v = paramVars.get(node + "." + name);
            if (v == null) {
                throw new IllegalStateException("layer of node '" + node + "' asked for parameter '" + name + "' it did not declare");
            }
            return v;
        }

        @Override
        public void updateState(String param, SDVariable newValue) {
            if (mode != Mode.TRAIN) {
                throw new IllegalStateException("updateState is only available in the training graph (node '" + node + "')");
            }
            String full = node + "." + param;
            ParamSpec spec = specs.get(full);
            if (spec == null || spec.trainable()) {
                throw new IllegalStateException("node '" + node + "' may only update a non-trainable parameter it declared, not '" + param + "'");
            }
            if (stateUpdates.containsKey(full)) {
                throw new IllegalStateException("node '" + node + "' updates '" + param + "' twice");
            }
            stateUpdates.put(full, newValue.name());
        }

        @Override
        public SDVariable bernoulliMask(String key, Shape shape, double keepProbability) {
            if (mode != Mode.TRAIN) {
                throw new IllegalStateException("bernoulliMask is only available in the training graph (node '" + node + "')");
            }
            String ph = node + "/" + key;
            masks.add(new MaskSpec(ph, shape, keepProbability));
            return sd.placeHolder(ph, DataType.FLOAT, shape.withBatch(-1));
        }
    }

    /**
     * Makes these nodes behave as in inference also while training: a batch-norm node then normalises
     * with its running statistics and never updates them (fine-tuning with frozen statistics). Call it
     * before the first training step.
     *
     * @throws IllegalStateException when the training graph is already built
     * @throws IllegalArgumentException when a name is not a node of the model
     */
    public void setInferenceNodes(java.util.Collection<String> nodes) {
        if (trainGraph != null) {
            throw new IllegalStateException("the training graph is already built");
        }
        for (String n : nodes) {
            if (!layers.containsKey(n)) {
                throw new IllegalArgumentException("'" + n + "' is not a node of the model");
            }
        }
        inferenceNodes = java.util.Set.copyOf(nodes);
    }

    /** The nodes that behave as in inference also while training ({@link #setInferenceNodes}). */
    public java.util.Set<String> inferenceNodes() {
        return inferenceNodes;
    }

    /** Reseeds the dropout masks (the trainer does it at each epoch, so resumed runs repeat exactly). */
    public void reseedMasks(long seed) {
        maskRng = new SplittableRandom(seed);
    }

    /** The training graph (built on first use). */
    public SameDiff trainGraph() {
        if (trainGraph == null) {
            trainGraph = build(Mode.TRAIN, true);
        }
        return trainGraph;
    }

    /** The inference graph (built on first use). */
    public SameDiff inferGraph() {
        if (inferGraph == null) {
            inferGraph = build(Mode.INFER, false);
        }
        return inferGraph;
    }

    /**
     * Result of one forward/backward pass. The gradient arrays belong to the network and are
     * overwritten by its next {@link #gradients} call (no memory is allocated per step); copy them to
     * keep them. They may be modified in place (clipping, regularisation) until then.
     */
    public record StepResult(double loss, Map<String, INDArray> gradients) {
    }

    /**
     * Forward and backward on one batch.
     *
     * @param features  {@code [batch, ...inputShape]}
     * @param labels    one-hot {@code [batch, classes]} or regression targets
     * @param wrt       the parameters to differentiate
     */
    public StepResult gradients(INDArray features, INDArray labels, Collection<String> wrt) {
        return gradients(features, labels, null, wrt);
    }

    /**
     * Writes rows {@code [from, to)} of a training step's feature and label arrays (a trainer's batch
     * buffers, from its data set). Calls for disjoint ranges may run at once, on different threads.
     */
    @FunctionalInterface
    public interface RowFill {
        void rows(int from, int to);
    }

    /**
     * {@link #gradients(INDArray, INDArray, Collection)} on arrays whose rows {@code fill} writes
     * first (null: they are written already). A step split over threads has each part write its own
     * rows on its own thread: a batch of the benchmark CNN took 0.12 to 0.19 ms to gather on one
     * thread while the other waited, and the part then reads rows its own core wrote. Otherwise all
     * rows are written before the step.
     */
    public StepResult gradients(INDArray features, INDArray labels, RowFill fill, Collection<String> wrt) {
        SameDiff sd = trainGraph();
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(INPUT, features);
        ph.put(LABELS, labels);
        long batch = features.size(0);
        for (MaskSpec m : masks) {
            long n = batch * m.shape().size();
            float[] v = new float[(int) n];
            for (int i = 0; i < n; i++) {
                v[i] = maskRng.nextDouble() < m.keep() ? 1f : 0f;
            }
            ph.put(m.placeholder(), Nd4j.createFromArray(v).reshape('c', m.shape().withBatch(batch)));
        }
        List<String> outputs = new ArrayList<>();
        outputs.add(LOSS);
        outputs.addAll(stateUpdates.values());
        Map<String, INDArray> values;
        Map<String, INDArray> grads;
        Map<String, INDArray> planned = null;
        boolean splitStep = false;
        List<String> gradNames = null;
        if (GraphPlan.enabled()) {
            if (sd.getFunction(GRAD_FN) == null) {
                sd.createGradFunction();
            }
            List<String> key = List.copyOf(wrt);
            if (!key.equals(gradNamesWrt)) {
                // the plan's outputs: the loss, the state updates, then each parameter's gradient (worked
                // out once per parameter list, not on every step)
                List<String> names = new ArrayList<>(outputs);
                for (String p : wrt) {
                    SDVariable g = sd.getVariable(p).getGradient();
                    if (g == null) {
                        throw new IllegalStateException("parameter " + p + " has no gradient in the training graph");
                    }
                    names.add(g.name());
                }
                gradNamesWrt = key;
                gradNamesFor = List.copyOf(names);
            }
            gradNames = gradNamesFor;
            SameDiff fn = sd.getFunction(GRAD_FN);
            List<String> names = gradNames;
            int parts = split.parts(batch, stateUpdates.isEmpty());
            if (parts > 1) {
                planned = split.run(fn, ph, batch, parts, names, () -> trainPlans.run(fn, ph, names), fill);
                splitStep = planned != null && split.lastSplit();
                if (planned != null) {
                    fill = null; // every row was written on the way
                }
            }
            if (planned == null) {
                if (fill != null) {
                    fill.rows(0, (int) batch);
                    fill = null;
                }
                planned = trainPlans.run(fn, ph, gradNames);
            }
        }
        if (fill != null) {
            fill.rows(0, (int) batch);
        }
        trainExecutor = planned == null ? "samediff" : splitStep ? "plan, split over threads" : "plan";
        if (planned != null) {
            values = planned;
            grads = new LinkedHashMap<>();
            int k = outputs.size();
            for (String p : wrt) {
                grads.put(p, planned.get(gradNames.get(k++)));
            }
        } else {
            OutAndGrad r;
            OneDnn.enterOff();
            try {
                r = sd.calculateGradientsAndOutputs(ph, outputs, wrt);
            } finally {
                OneDnn.exitOff();
            }
            values = r.getOutputs();
            grads = r.getGradients();
        }
        for (Map.Entry<String, String> u : stateUpdates.entrySet()) {
            INDArray v = values.get(u.getValue());
            INDArray p = params.get(u.getKey());
            if (!java.util.Arrays.equals(v.shape(), p.shape())) {
                throw new IllegalStateException("node '" + paramNode.get(u.getKey()) + "' updates " + u.getKey() + " with shape "
                        + java.util.Arrays.toString(v.shape()) + ", declared " + java.util.Arrays.toString(p.shape()));
            }
            p.assign(v);
        }
        return new StepResult(values.get(LOSS).getDouble(0), grads);
    }

    /**
     * Which executor ran the last training step: {@code plan} (compiled plan, see
     * {@code -Dgraft.executor}), {@code plan, split over threads} (the batch cut in parts, one per
     * thread: {@code -Dgraft.train.split}) or {@code samediff} (SameDiff's own session); {@code null}
     * before the first step.
     */
    public String trainExecutor() {
        return trainExecutor;
    }

    /** Mean loss and predictions of a labelled set, in inference behaviour (no dropout). */
    public record Scored(double loss, INDArray predictions) {
    }

    /** Scores labelled examples with the inference graph plus the loss, in batches of {@code batch}. */
    public Scored score(INDArray features, INDArray labels, int batch) {
        if (evalGraph == null) {
            evalGraph = build(Mode.INFER, true);
        }
        long n = features.size(0);
        List<INDArray> parts = new ArrayList<>();
        double total = 0;
        for (long s = 0; s < n; s += batch) {
            long e = Math.min(n, s + batch);
            var idx = org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e);
            Map<String, INDArray> ph = new HashMap<>();
            ph.put(INPUT, features.get(idx));
            ph.put(LABELS, labels.get(idx));
            Map<String, INDArray> out = output(evalPlans, evalGraph, ph, List.of(LOSS, PREDICTIONS));
            total += out.get(LOSS).getDouble(0) * (e - s);
            parts.add(out.get(PREDICTIONS).dup());
        }
        INDArray preds = parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
        return new Scored(n == 0 ? Double.NaN : total / n, preds);
    }

    private SameDiff evalGraph;

    /** The inference-graph variable of the {@code k}-th extra output ({@link ModelIR#extraOutputs()}). */
    public static String extraOutputName(int k) {
        return PREDICTIONS + "_extra_" + k;
    }

    /**
     * Predictions of a model with several inputs ({@link ModelIR#extraInputs()}), by input name
     * ({@code input} and the extra inputs' names), in batches of {@code batch}.
     */
    public INDArray predict(Map<String, INDArray> inputs, int batch) {
        return predictAll(inputs, batch).get(0);
    }

    /**
     * Every output of the model ({@code output}, then {@link ModelIR#extraOutputs()} in order) for
     * inputs by name ({@code input} and the extra inputs' names), in batches of {@code batch}. The
     * first is what {@link #predict(Map, int)} returns; the others are the nodes' values as they are.
     */
    public List<INDArray> predictAll(Map<String, INDArray> inputs, int batch) {
        java.util.Set<String> want = new java.util.LinkedHashSet<>();
        want.add(INPUT);
        ir.extraInputs().forEach(e -> want.add(e.name()));
        if (!inputs.keySet().equals(want)) {
            throw new GraftException(GraftException.Code.DATA, "the model takes inputs " + want + ", given " + inputs.keySet());
        }
        long n = inputs.get(INPUT).size(0);
        for (Map.Entry<String, INDArray> e : inputs.entrySet()) {
            long[] expect = shapes.get(e.getKey()).withBatch(n);
            if (!java.util.Arrays.equals(e.getValue().shape(), expect)) {
                throw new GraftException(GraftException.Code.DATA, "input '" + e.getKey() + "' has shape " + java.util.Arrays.toString(e.getValue().shape())
                        + ", the model takes " + java.util.Arrays.toString(expect));
            }
        }
        SameDiff sd = inferGraph();
        String[] names = new String[1 + ir.extraOutputs().size()];
        names[0] = PREDICTIONS;
        for (int k = 1; k < names.length; k++) {
            names[k] = extraOutputName(k - 1);
        }
        List<List<INDArray>> parts = new ArrayList<>();
        for (String ignored : names) {
            parts.add(new ArrayList<>());
        }
        for (long s = 0; s < n; s += batch) {
            var idx = org.nd4j.linalg.indexing.NDArrayIndex.interval(s, Math.min(n, s + batch));
            Map<String, INDArray> ph = new HashMap<>();
            boolean whole = n <= batch;
            inputs.forEach((k, v) -> {
                INDArray f = v.dataType() == DataType.FLOAT ? v : v.castTo(DataType.FLOAT);
                ph.put(k, whole ? f : f.get(idx)); // the plan copies its placeholders: no view needed for one part
            });
            Map<String, INDArray> out = output(inferPlans, sd, ph, List.of(names));
            for (int k = 0; k < names.length; k++) {
                parts.get(k).add(out.get(names[k]).dup());
            }
        }
        List<INDArray> result = new ArrayList<>();
        for (List<INDArray> p : parts) {
            result.add(p.size() == 1 ? p.get(0) : Nd4j.concat(0, p.toArray(new INDArray[0])));
        }
        return result;
    }

    /** Predictions ({@code loss.predictions(output)}) for features, in batches of {@code batch}. */
    public INDArray predict(INDArray features, int batch) {
        if (!ir.extraInputs().isEmpty()) {
            throw new GraftException(GraftException.Code.DATA, "the model takes " + (1 + ir.extraInputs().size()) + " inputs; give them by name");
        }
        SameDiff sd = inferGraph();
        long n = features.size(0);
        List<INDArray> parts = new ArrayList<>();
        for (long s = 0; s < n; s += batch) {
            long e = Math.min(n, s + batch);
            INDArray x = features.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e));
            parts.add(output(inferPlans, sd, Map.of(INPUT, x), List.of(PREDICTIONS)).get(PREDICTIONS).dup());
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }

    /** The outputs through a plan when the graph can be planned, else through SameDiff's executor. */
    private static Map<String, INDArray> output(GraphPlan.Cache plans, SameDiff sd, Map<String, INDArray> ph, List<String> names) {
        Map<String, INDArray> out = plans.run(sd, ph, names);
        if (out != null) {
            return out;
        }
        OneDnn.enterOff();
        try {
            return sd.output(ph, names.toArray(new String[0]));
        } finally {
            OneDnn.exitOff();
        }
    }

    /** Labels in the form the loss takes them (one-hot or indices for classes). */
    public INDArray lossLabels(INDArray labels) {
        if (loss == null) {
            throw new GraftException(GraftException.Code.MODEL, "this model has no loss (an imported model); attach a loss and a target to train or evaluate it");
        }
        return dev.graft.runtime.train.Splits.lossLabels(labels, target, loss.labelFormat());
    }

    public ModelIR ir() {
        return ir;
    }

    public Shape inputShape() {
        return inputShape;
    }

    public Target target() {
        return target;
    }

    public Loss loss() {
        return loss;
    }

    /** Per-example output shape of every node (and {@code input}). */
    public Map<String, Shape> shapes() {
        return java.util.Collections.unmodifiableMap(shapes);
    }

    /** Declared parameters by full name. */
    public Map<String, ParamSpec> paramSpecs() {
        return java.util.Collections.unmodifiableMap(specs);
    }

    /** The live parameter arrays by full name. */
    public Map<String, INDArray> params() {
        return java.util.Collections.unmodifiableMap(params);
    }

    /** The node that owns a parameter. */
    public String nodeOf(String param) {
        return paramNode.get(param);
    }

    /** Total number of parameter values. */
    public long parameterCount() {
        return specs.values().stream().mapToLong(p -> {
            long c = 1;
            for (long d : p.shape()) {
                c *= d;
            }
            return c;
        }).sum();
    }
}
