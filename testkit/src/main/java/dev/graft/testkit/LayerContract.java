package dev.graft.testkit;

import dev.graft.api.Mode;
import dev.graft.api.Shape;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.runtime.engine.GraphPlan;
import dev.graft.runtime.io.TensorFile;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Everything a layer plugin must get right, as one test.
 *
 * <pre>{@code
 * @Test
 * void scaleFollowsTheLayerContract() {
 *     LayerContract.check(new ScaleLayerProvider(), new ScaleLayerProvider.Config(2.0), Shape.of(3, 4));
 * }
 *
 * @Test
 * void embeddingFollowsTheLayerContract() {
 *     LayerContract.of(new EmbeddingProvider(), config)
 *             .inputs(Shape.of(6))
 *             .inputValues(rng -> rng.nextInt(10))   // token ids, not arbitrary reals
 *             .checkInputs(false)                     // ids are not differentiable
 *             .check();
 * }
 * }</pre>
 * For the layer that {@code provider.create(config)} returns, on the given per-example input shapes,
 * the contract checks:
 * <ol>
 *   <li><b>Provider rules</b>: {@link ProviderContract#check} (id, version, API version, documented
 *       config record, constructor).</li>
 *   <li><b>Gradients</b>: {@link GradientCheck} in {@link Mode#TRAIN} and in {@link Mode#INFER}, with
 *       respect to every trainable parameter and (unless {@link Check#checkInputs(boolean) turned off})
 *       every input, including the shape, data-type, dynamic-batch and state-update checks it makes.</li>
 *   <li><b>Config round-trip</b>: {@link RecordBinder#unbind} then {@link RecordBinder#bind} gives a
 *       config equal to the original, component by component (arrays element-wise); this is how a
 *       saved model stores the config.</li>
 *   <li><b>Save/load round-trip</b>: random parameters written with {@link TensorFile#write} (named
 *       {@code node.<param>} as the runtime names them) and read back have the same names, shapes and
 *       values, and a layer created from the round-tripped config with the loaded parameters gives
 *       exactly the same {@link Mode#INFER} output.</li>
 *   <li><b>Train vs infer</b>: the {@link Mode#INFER} output is deterministic (two independently built
 *       graphs agree exactly), and a layer that uses neither {@link
 *       dev.graft.api.layer.LayerContext#bernoulliMask masks} nor {@link
 *       dev.graft.api.layer.LayerContext#updateState state updates} gives the same output in both
 *       modes. Layers that use either may differ between the modes, but each mode is deterministic.</li>
 *   <li><b>float32</b>: the runtime runs in float32; on float32 inputs and parameters the layer's
 *       output (and any state update) is float32 and agrees with the float64 output to
 *       {@link Check#float32Tolerance(double) a tolerance} (default {@value #DEFAULT_FLOAT32_TOLERANCE},
 *       relative to {@code 1 + |value|}). This catches float64 constants and ops that lose the data type.</li>
 *   <li><b>A batch of one</b>: predicting one example and the last, short batch of an epoch are batches
 *       of one, where some ops misbehave (in ND4J 1.0.0-M2.1 a reduction along a single axis of size 1
 *       throws). The gradient checks run again with batch 1 (at most {@value #BATCH_OF_ONE_ELEMENTS}
 *       elements per array), and the {@link Mode#INFER} output of the first example alone equals the
 *       first row of the batched output.</li>
 *   <li><b>Planned execution</b>: the runtime runs graphs through its own executor
 *       ({@link GraphPlan}); in float32, in both modes, its output, state updates and gradients (of a
 *       weighted sum of the output, with respect to the trainable parameters and the inputs) agree
 *       with SameDiff's session to 1e-5 relative to {@code 1 + max |value|}, on a first and a second
 *       run. Layers with ops the plan cannot run are skipped here; the runtime runs them on SameDiff's
 *       session.</li>
 * </ol>
 * Every failing item is collected and reported in one {@link AssertionError}, each with its cause.
 * Inputs and parameters are drawn from seeded generators (default uniform(-1, 1)); layers with
 * restricted domains say so with {@link Check#inputValues}, {@link Check#paramValues(String,
 * ValueGenerator)} and {@link Check#checkInputs}, exactly as for {@link GradientCheck}.
 */
public final class LayerContract {
    static {
        // SameDiff's execution here runs ND4J's own kernels: oneDNN only for planned ops (OneDnn)
        dev.graft.runtime.engine.OneDnn.init();
    }


    /** Default tolerance of the float32 comparison, relative to {@code 1 + |float64 value|}. */
    public static final double DEFAULT_FLOAT32_TOLERANCE = 1e-4;

    /** Elements per array compared by the gradient checks with a batch of one. */
    public static final int BATCH_OF_ONE_ELEMENTS = 8;

    private LayerContract() {
    }

    /**
     * Runs the whole contract with the default settings.
     *
     * @param inputs the per-example shapes of the layer's inputs
     * @return what was found, if everything passed
     * @throws AssertionError listing every item the layer fails
     */
    public static <C extends Record> Report check(LayerProvider<C> provider, C config, Shape... inputs) {
        return of(provider, config).inputs(inputs).check();
    }

    /** Starts a configurable contract check; set at least {@link Check#inputs(Shape...)}. */
    public static <C extends Record> Check<C> of(LayerProvider<C> provider, C config) {
        return new Check<>(Objects.requireNonNull(provider, "provider"), Objects.requireNonNull(config, "config"));
    }

    /**
     * What a passing contract found.
     *
     * @param train         the gradient check in {@link Mode#TRAIN}
     * @param infer         the gradient check in {@link Mode#INFER}
     * @param usesMasks     whether the layer asked for Bernoulli masks in training
     * @param updatesState  whether the layer asked for state updates in training
     */
    public record Report(GradientCheck.Result train, GradientCheck.Result infer, boolean usesMasks, boolean updatesState) {
    }

    /** A contract check of one layer configuration; configure it fluently, then call {@link #check()}. */
    public static final class Check<C extends Record> {
        private final LayerProvider<C> provider;
        private final C config;
        private Shape[] inputs;
        private int batch = 3;
        private long seed = 42;
        private ValueGenerator inputValues = ValueGenerator.uniform(-1, 1);
        private ValueGenerator paramValues = ValueGenerator.uniform(-1, 1);
        private final Map<String, ValueGenerator> paramValuesByName = new LinkedHashMap<>();
        private boolean checkInputs = true;
        private int maxPerArray = GradientCheck.DEFAULT_MAX_PER_ARRAY;
        private double maxRelativeError = GradientCheck.DEFAULT_MAX_RELATIVE_ERROR;
        private double minAbsoluteError = GradientCheck.DEFAULT_MIN_ABSOLUTE_ERROR;
        private double epsilon = GradientCheck.DEFAULT_EPSILON;
        private double float32Tolerance = DEFAULT_FLOAT32_TOLERANCE;

        private Check(LayerProvider<C> provider, C config) {
            this.provider = provider;
            this.config = config;
        }

        /** The shapes of one example of each input, without the batch dimension. Required. */
        public Check<C> inputs(Shape... shapes) {
            if (shapes.length == 0) {
                throw new IllegalArgumentException("give at least one input shape");
            }
            this.inputs = shapes.clone();
            return this;
        }

        /** Batch size of every run (default 3). */
        public Check<C> batch(int batch) {
            if (batch <= 0) {
                throw new IllegalArgumentException("batch must be positive, got " + batch);
            }
            this.batch = batch;
            return this;
        }

        /** Seed of every random value (default 42). */
        public Check<C> seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** How input values are drawn (default uniform(-1, 1)); see {@link GradientCheck.LayerCheck#inputValues}. */
        public Check<C> inputValues(ValueGenerator generator) {
            this.inputValues = Objects.requireNonNull(generator, "generator");
            return this;
        }

        /** How parameter values are drawn (default uniform(-1, 1)). */
        public Check<C> paramValues(ValueGenerator generator) {
            this.paramValues = Objects.requireNonNull(generator, "generator");
            return this;
        }

        /** How one parameter's values are drawn; see {@link GradientCheck.LayerCheck#paramValues(String, ValueGenerator)}. */
        public Check<C> paramValues(String param, ValueGenerator generator) {
            paramValuesByName.put(Objects.requireNonNull(param, "param"), Objects.requireNonNull(generator, "generator"));
            return this;
        }

        /** Whether the gradient checks include the inputs (default true; false for integer inputs such as token ids). */
        public Check<C> checkInputs(boolean checkInputs) {
            this.checkInputs = checkInputs;
            return this;
        }

        /** Elements checked per array by the gradient checks (default 40). */
        public Check<C> maxPerArray(int maxPerArray) {
            if (maxPerArray <= 0) {
                throw new IllegalArgumentException("maxPerArray must be positive, got " + maxPerArray);
            }
            this.maxPerArray = maxPerArray;
            return this;
        }

        /** Largest accepted relative error of the gradient checks (default 1e-5). */
        public Check<C> maxRelativeError(double maxRelativeError) {
            this.maxRelativeError = maxRelativeError;
            return this;
        }

        /** Absolute floor of the gradient checks (default 1e-8). */
        public Check<C> minAbsoluteError(double minAbsoluteError) {
            this.minAbsoluteError = minAbsoluteError;
            return this;
        }

        /** Step of the central differences (default 1e-6). */
        public Check<C> epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Tolerance of the float32 comparison, relative to {@code 1 + |value|} (default 1e-4). */
        public Check<C> float32Tolerance(double float32Tolerance) {
            if (!(float32Tolerance > 0)) {
                throw new IllegalArgumentException("float32Tolerance must be positive, got " + float32Tolerance);
            }
            this.float32Tolerance = float32Tolerance;
            return this;
        }

        /**
         * Runs every item of the contract.
         *
         * @return what was found, if everything passed
         * @throws AssertionError listing every item the layer fails
         */
        public Report check() {
            if (inputs == null) {
                throw new IllegalStateException("call inputs(Shape...) before check()");
            }
            String what = "layer '" + provider.id() + "' with " + describe(config) + " on inputs " + Arrays.toString(inputs);
            List<String> problems = new ArrayList<>();
            try {
                ProviderContract.check(provider);
            } catch (AssertionError e) {
                problems.add("provider rules: " + e.getMessage());
            }
            Layer layer;
            try {
                layer = provider.create(config);
                if (layer == null) {
                    throw new AssertionError("create returned null");
                }
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(what + " breaks the layer contract:\n  - create(config) failed: " + e, e);
            }

            GradientCheck.Result train = gradients(layer, Mode.TRAIN, batch, maxPerArray, "", problems);
            GradientCheck.Result infer = gradients(layer, Mode.INFER, batch, maxPerArray, "", problems);
            if (batch != 1) {
                for (Mode mode : Mode.values()) {
                    gradients(layer, mode, 1, Math.min(BATCH_OF_ONE_ELEMENTS, maxPerArray), " with a batch of one", problems);
                }
            }
            C roundTripped = configRoundTrip(problems);

            // concrete arrays shared by the remaining items
            List<Shape> shapes = List.of(inputs);
            List<ParamSpec> specs;
            try {
                specs = layer.params(shapes);
            } catch (RuntimeException e) {
                problems.add("params(" + shapes + ") failed: " + e);
                throw failure(what, problems, e);
            }
            SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
            INDArray[] x = new INDArray[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                x[i] = Numerics.fill(inputs[i].withBatch(batch), inputValues, rng.split());
            }
            Map<String, INDArray> params = new LinkedHashMap<>();
            for (ParamSpec spec : specs) {
                params.put(spec.name(), Numerics.fill(spec.shape(),
                        paramValuesByName.getOrDefault(spec.name(), paramValues), rng.split()));
            }

            LayerRunner.Output inferOut = run(layer, Mode.INFER, params, x, "INFER forward", problems);
            saveLoad(roundTripped, params, x, inferOut, problems);
            boolean[] flags = trainVsInfer(layer, params, x, inferOut, problems);
            float32(layer, params, x, problems);
            for (Mode mode : Mode.values()) {
                planned(layer, mode, params, x, problems);
            }
            batchOfOne(layer, params, x, inferOut, problems);

            if (!problems.isEmpty()) {
                throw failure(what, problems, null);
            }
            return new Report(train, infer, flags[0], flags[1]);
        }

        private static AssertionError failure(String what, List<String> problems, Throwable cause) {
            return new AssertionError(what + " breaks the layer contract:\n  - " + String.join("\n  - ", problems), cause);
        }

        private GradientCheck.Result gradients(Layer layer, Mode mode, int batch, int maxPerArray, String label,
                                               List<String> problems) {
            GradientCheck.LayerCheck check = GradientCheck.layer(layer).inputs(inputs).mode(mode).batch(batch).seed(seed)
                    .inputValues(inputValues).paramValues(paramValues).checkInputs(checkInputs)
                    .maxPerArray(maxPerArray).maxRelativeError(maxRelativeError).minAbsoluteError(minAbsoluteError)
                    .epsilon(epsilon);
            paramValuesByName.forEach(check::paramValues);
            try {
                return check.check();
            } catch (AssertionError | RuntimeException e) {
                problems.add("gradient check in " + mode + label + ": " + e.getMessage());
                return null;
            }
        }

        /** The config after unbind and bind, or the original config if that failed (the failure is recorded). */
        private C configRoundTrip(List<String> problems) {
            Map<String, Object> values;
            try {
                values = RecordBinder.unbind(config);
            } catch (RuntimeException e) {
                problems.add("config round-trip: RecordBinder.unbind failed: " + e);
                return config;
            }
            C back;
            try {
                back = RecordBinder.bind(provider.configType(), values, "", "layer '" + provider.id() + "'");
            } catch (RuntimeException e) {
                problems.add("config round-trip: the unbound values " + values + " do not bind again: " + e.getMessage());
                return config;
            }
            List<String> differences = differences(config, back);
            if (!differences.isEmpty()) {
                problems.add("config round-trip: unbind then bind (via " + values + ") changes "
                        + String.join(", ", differences));
            }
            return back;
        }

        private LayerRunner.Output run(Layer layer, Mode mode, Map<String, INDArray> params, INDArray[] x, String label,
                                       List<String> problems) {
            LayerRunner runner = LayerRunner.of(layer).mode(mode).seed(seed);
            params.forEach(runner::param);
            try {
                return runner.run(x);
            } catch (RuntimeException | AssertionError e) {
                problems.add(label + " failed: " + e);
                return null;
            }
        }

        private void saveLoad(C roundTripped, Map<String, INDArray> params, INDArray[] x, LayerRunner.Output expected,
                              List<String> problems) {
            Path dir = null;
            try {
                dir = Files.createTempDirectory("graft-layer-contract");
                Path file = dir.resolve("params.bin");
                Map<String, INDArray> named = new LinkedHashMap<>();
                params.forEach((k, v) -> named.put("node." + k, v));
                TensorFile.write(file, named);
                Map<String, INDArray> read = TensorFile.read(file);
                if (!read.keySet().equals(named.keySet())) {
                    problems.add("save/load: wrote parameters " + named.keySet() + ", read back " + read.keySet());
                    return;
                }
                Map<String, INDArray> loaded = new LinkedHashMap<>();
                for (var e : named.entrySet()) {
                    INDArray back = read.get(e.getKey());
                    if (!sameValues(e.getValue(), back)) {
                        problems.add("save/load: parameter " + e.getKey() + " " + Arrays.toString(e.getValue().shape())
                                + " reads back as " + back.dataType() + " " + Arrays.toString(back.shape()) + " with other values");
                        return;
                    }
                    loaded.put(e.getKey().substring("node.".length()), back);
                }
                if (expected == null) {
                    return;
                }
                Layer fresh = provider.create(roundTripped);
                LayerRunner.Output again = run(fresh, Mode.INFER, loaded, x, "save/load: INFER forward with loaded parameters",
                        problems);
                if (again != null && !sameValues(expected.output(), again.output())) {
                    problems.add("save/load: the INFER output with the loaded parameters (and the round-tripped config)"
                            + " differs from the output before saving; max difference "
                            + maxDifference(expected.output(), again.output()));
                }
            } catch (IOException | RuntimeException e) {
                problems.add("save/load failed: " + e);
            } finally {
                deleteQuietly(dir);
            }
        }

        /** {usesMasks, updatesState}. */
        private boolean[] trainVsInfer(Layer layer, Map<String, INDArray> params, INDArray[] x, LayerRunner.Output infer,
                                       List<String> problems) {
            LayerRunner.Output inferAgain = run(layer, Mode.INFER, params, x, "second INFER forward", problems);
            if (infer != null && inferAgain != null && !sameValues(infer.output(), inferAgain.output())) {
                problems.add("train vs infer: two INFER runs on the same inputs and parameters differ (max difference "
                        + maxDifference(infer.output(), inferAgain.output()) + "); inference must be deterministic");
            }
            LayerRunner.Output train = run(layer, Mode.TRAIN, params, x, "TRAIN forward", problems);
            if (train == null) {
                return new boolean[] {false, false};
            }
            boolean masks = !train.masks().isEmpty();
            boolean state = !train.stateUpdates().isEmpty();
            if (!masks && !state && infer != null) {
                if (!Arrays.equals(train.output().shape(), infer.output().shape())
                        || !train.output().equalsWithEps(infer.output(), 1e-12)) {
                    problems.add("train vs infer: the layer uses neither masks nor state updates, but its TRAIN output"
                            + " differs from its INFER output (max difference "
                            + maxDifference(train.output(), infer.output()) + ")");
                }
            }
            return new boolean[] {masks, state};
        }

        private void float32(Layer layer, Map<String, INDArray> params, INDArray[] x, List<String> problems) {
            INDArray[] x32 = new INDArray[x.length];
            for (int i = 0; i < x.length; i++) {
                x32[i] = x[i].castTo(DataType.FLOAT);
            }
            Map<String, INDArray> p32 = new LinkedHashMap<>();
            params.forEach((k, v) -> p32.put(k, v.castTo(DataType.FLOAT)));
            for (Mode mode : Mode.values()) {
                LayerRunner.Output want = run(layer, mode, params, x, "float64 " + mode + " forward", problems);
                LayerRunner.Output got = run(layer, mode, p32, x32, "float32 " + mode + " forward", problems);
                if (want == null || got == null) {
                    continue;
                }
                compare32("float32 " + mode + " output", want.output(), got.output(), problems);
                for (var e : want.stateUpdates().entrySet()) {
                    compare32("float32 state update of " + e.getKey(), e.getValue(), got.stateUpdates().get(e.getKey()), problems);
                }
            }
        }

        /**
         * The runtime executes graphs through {@link GraphPlan}, its own executor over SameDiff's ops;
         * in float32 it must give the values SameDiff's session gives: the output, the state updates
         * and the gradient of a weighted sum of the output with respect to every trainable parameter
         * and every input. A layer whose ops the plan cannot run is not a failure (the runtime then
         * uses SameDiff's session and says so in its log).
         */
        private void planned(Layer layer, Mode mode, Map<String, INDArray> params, INDArray[] x, List<String> problems) {
            String label = "planned execution (" + mode + ")";
            try {
                List<Shape> shapes = List.of(inputs);
                List<ParamSpec> specs = layer.params(shapes);
                SameDiff sd = SameDiff.create();
                List<SDVariable> in = new ArrayList<>();
                List<String> wrt = new ArrayList<>();
                for (int i = 0; i < x.length; i++) {
                    in.add(sd.var("input" + i, x[i].castTo(DataType.FLOAT).dup()));
                    if (checkInputs) {
                        wrt.add("input" + i);
                    }
                }
                Map<String, SDVariable> vars = new LinkedHashMap<>();
                java.util.Set<String> state = new java.util.LinkedHashSet<>();
                for (ParamSpec spec : specs) {
                    String name = "node." + spec.name();
                    vars.put(spec.name(), sd.var(name, params.get(spec.name()).castTo(DataType.FLOAT).dup()));
                    if (spec.trainable()) {
                        wrt.add(name);
                    } else {
                        state.add(spec.name());
                    }
                }
                TestLayerContext ctx = new TestLayerContext(sd, "node", mode, vars, state, batch, seed, DataType.FLOAT, shapes);
                SDVariable out = layer.forward(ctx, in);
                long[] outShape = sd.output(java.util.Collections.emptyMap(), out.name()).get(out.name()).shape();
                INDArray weights = Numerics.fill(outShape, ValueGenerator.uniform(-1, 1), new SplittableRandom(seed + 17)).castTo(DataType.FLOAT);
                SDVariable loss = out.mul(sd.constant("contract_weights", weights)).sum().rename("contract_loss");
                sd.setLossVariables(loss.name());
                List<String> outputs = new ArrayList<>();
                outputs.add(out.name());
                outputs.add(loss.name());
                ctx.stateUpdates().values().forEach(v -> outputs.add(v.name()));
                Map<String, INDArray> want = new LinkedHashMap<>();
                sd.output(java.util.Collections.emptyMap(), outputs.toArray(new String[0])).forEach((k, v) -> want.put(k, v.dup()));
                if (!wrt.isEmpty()) {
                    sd.calculateGradients(java.util.Collections.emptyMap(), wrt).forEach((k, v) -> want.put(k + "-grad", v.dup()));
                }
                // the plan, as the runtime runs it: forward outputs from the graph, gradients from its gradient function
                check(label + " forward", sd, outputs, want, problems);
                if (!wrt.isEmpty() && sd.getFunction("grad") != null) {
                    SameDiff grad = sd.getFunction("grad");
                    List<String> gradNames = new ArrayList<>();
                    Map<String, INDArray> wantGrad = new LinkedHashMap<>();
                    for (String w : wrt) {
                        SDVariable g = sd.getVariable(w).getGradient();
                        if (g != null && want.get(w + "-grad") != null) {   // an input the output does not depend on has none
                            gradNames.add(g.name());
                            wantGrad.put(g.name(), want.get(w + "-grad"));
                        }
                    }
                    check(label + " gradients", grad, gradNames, wantGrad, problems);
                }
            } catch (RuntimeException | AssertionError e) {
                problems.add(label + " failed: " + e);
            }
        }

        private void check(String label, SameDiff sd, List<String> outputs, Map<String, INDArray> want, List<String> problems) {
            if (GraphPlan.unsupported(sd, outputs) != null) {
                return;
            }
            try (GraphPlan plan = new GraphPlan(sd, java.util.Collections.emptyMap(), outputs)) {
                for (int run = 0; run < 2; run++) {
                    // the second run replays the plan into the same arrays
                    Map<String, INDArray> got = run == 0 ? plan.outputs() : plan.run(java.util.Collections.emptyMap());
                    for (String name : outputs) {
                        INDArray w = want.get(name);
                        INDArray g = got == null ? null : got.get(name);
                        if (w == null) {
                            continue;
                        }
                        if (g == null || !Arrays.equals(g.shape(), w.shape())) {
                            problems.add(label + ": '" + name + "' has shape " + (g == null ? "none" : Arrays.toString(g.shape()))
                                    + ", SameDiff's session gives " + Arrays.toString(w.shape()));
                            continue;
                        }
                        double diff = maxDifference(w.castTo(DataType.DOUBLE), g.castTo(DataType.DOUBLE));
                        double scale = 1 + w.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
                        if (!(diff <= 1e-5 * scale)) {
                            problems.add(label + (run == 1 ? " (second run)" : "") + ": '" + name + "' differs from SameDiff's session by " + diff);
                        }
                    }
                }
            }
        }

        private void batchOfOne(Layer layer, Map<String, INDArray> params, INDArray[] x, LayerRunner.Output batched,
                                List<String> problems) {
            if (batched == null || batch == 1) {
                return;
            }
            INDArray[] first = new INDArray[x.length];
            for (int i = 0; i < x.length; i++) {
                first[i] = x[i].get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup();
            }
            LayerRunner.Output one = run(layer, Mode.INFER, params, first, "INFER forward with a batch of one", problems);
            if (one == null) {
                return;
            }
            INDArray want = batched.output().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup();
            if (!Arrays.equals(want.shape(), one.output().shape())
                    || !one.output().equalsWithEps(want, 1e-10 * (1 + want.amaxNumber().doubleValue()))) {
                problems.add("batch of one: the INFER output of the first example alone differs from the first row of the"
                        + " batched output (max difference " + maxDifference(want, one.output()) + "); in inference"
                        + " every example must be computed on its own");
            }
        }

        private void compare32(String label, INDArray want, INDArray got, List<String> problems) {
            if (got == null) {
                problems.add(label + " is missing");
                return;
            }
            if (got.dataType() != DataType.FLOAT) {
                problems.add(label + " is " + got.dataType() + " from FLOAT inputs and parameters; create constants"
                        + " with the input's data type");
                return;
            }
            double[] w = want.dup('c').data().asDouble();
            double[] g = got.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            for (int i = 0; i < w.length; i++) {
                if (!(Math.abs(w[i] - g[i]) <= float32Tolerance * (1 + Math.abs(w[i])))) {
                    problems.add(label + " differs from float64 at flat index " + i + ": " + g[i] + " vs " + w[i]
                            + " (tolerance " + float32Tolerance + " relative to 1 + |value|)");
                    return;
                }
            }
        }
    }

    /** The components (by name) whose values differ, comparing arrays element-wise. */
    static List<String> differences(Record a, Record b) {
        List<String> out = new ArrayList<>();
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            try {
                var accessor = c.getAccessor();
                accessor.setAccessible(true);
                Object va = accessor.invoke(a);
                Object vb = accessor.invoke(b);
                if (!Objects.deepEquals(va, vb)) {
                    out.add(c.getName() + " (" + show(va) + " became " + show(vb) + ")");
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + a.getClass().getName(), e);
            }
        }
        return out;
    }

    private static String show(Object v) {
        if (v == null) {
            return "null";
        }
        if (v.getClass().isArray()) {
            return Arrays.deepToString(new Object[] {v}).replaceAll("^\\[|]$", "");
        }
        return v instanceof String ? "'" + v + "'" : String.valueOf(v);
    }

    private static String describe(Record config) {
        RecordComponent[] comps = config.getClass().getRecordComponents();
        if (comps.length == 0) {
            return "no options";
        }
        try {
            return "config " + RecordBinder.unbind(config);
        } catch (RuntimeException e) {
            return "config " + config;
        }
    }

    static boolean sameValues(INDArray a, INDArray b) {
        if (b == null || a.dataType() != b.dataType() || !Arrays.equals(a.shape(), b.shape())) {
            return false;
        }
        return Arrays.equals(a.dup('c').data().asDouble(), b.dup('c').data().asDouble());
    }

    private static double maxDifference(INDArray a, INDArray b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            return Double.NaN;
        }
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
