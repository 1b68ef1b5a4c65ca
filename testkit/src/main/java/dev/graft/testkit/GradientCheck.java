package dev.graft.testkit;

import dev.graft.api.Mode;
import dev.graft.api.Shape;
import dev.graft.api.data.Target;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.ParamSpec;
import dev.graft.api.loss.Loss;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Finite-difference gradient checks for layers and losses, in float64.
 *
 * <p>Graft never asks a plugin for a backward pass: SameDiff differentiates the forward pass. But
 * some SameDiff ops have wrong or missing gradients, and a layer can cut its parameters off from
 * the graph by accident (for example by wrapping {@code param.getArr()} in a constant). A gradient
 * check catches both. It evaluates a scalar objective built on your layer or loss, asks SameDiff for
 * the analytic gradient, nudges elements one at a time by {@code ±eps} to measure the numeric
 * gradient {@code (f(x + eps) - f(x - eps)) / (2 eps)}, and compares the two.
 *
 * <h2>Checking a layer</h2>
 * <pre>{@code
 * @Test
 * void denseGradients() {
 *     Layer dense = new DenseProvider().create(
 *             new DenseProvider.Config(4, true, InitSpec.of("xavier-uniform"), InitSpec.of("zeros")));
 *     GradientCheck.layer(dense).inputs(Shape.of(5)).batch(3).mode(Mode.TRAIN).check();
 * }
 * }</pre>
 * The check builds a float64 SameDiff graph: one variable per input, shape {@code [batch, ...shape]},
 * filled by {@link LayerCheck#inputValues}; one variable per parameter from
 * {@link Layer#params(List)}, named {@code node.<param>} like the runtime names them and filled by
 * {@link LayerCheck#paramValues} (the layer's own initializer is not used: the check wants generic
 * values); then {@link Layer#forward} with a {@link TestLayerContext}, and the objective
 * {@code sum(output * R)} with a fixed random {@code R}, so that every output element matters with
 * its own weight. It checks the gradient of every trainable parameter and of every input.
 *
 * <p>Before the gradients it also verifies what the runtime will rely on: that {@link
 * Layer#outputShape} matches the shape the forward pass really produces, that the output is float64
 * (a layer that creates float32 constants breaks mixed graphs), and that the same forward pass works
 * when the inputs are placeholders with an unknown batch dimension ({@code -1}), as in the runtime's
 * graphs.
 *
 * <h2>Layers with state</h2>
 * A layer that keeps running statistics (batch normalisation) declares them as non-trainable
 * parameters and, in {@link Mode#TRAIN}, asks for their new values with
 * {@link dev.graft.api.layer.LayerContext#updateState}. Those values are not part of the objective
 * (the runtime writes them back after the step; they carry no gradient), so the check is the same;
 * it additionally evaluates every state update and verifies that it has the parameter's declared
 * shape, is float64, and comes out the same on placeholders with batch dimension -1. Non-trainable
 * parameters are not differentiated. Give restricted ones a fitting domain with
 * {@link LayerCheck#paramValues(String, ValueGenerator)}, e.g. a positive running variance for the
 * {@link Mode#INFER} check. To assert the updated values themselves use {@link LayerRunner}, whose
 * {@link LayerRunner.Output#stateUpdates()} holds them.
 *
 * <h2>Checking a loss</h2>
 * <pre>{@code
 * GradientCheck.loss(new SoftmaxCrossEntropyProvider().create(NoConfig.INSTANCE))
 *         .output(Shape.of(4))
 *         .target(new Target.Classes(List.of("a", "b", "c", "d")))
 *         .check();
 * }</pre>
 * The predictions are a variable {@code [batch, ...output]}; the labels are a constant, one-hot
 * rows for a {@link Target.Classes} target (the output shape must then be {@code [classes]}) and
 * random values of the output's shape for a {@link Target.Regression} target (the default). The
 * objective is the loss itself, which must be a scalar.
 *
 * <h2>When it fails</h2>
 * {@link LayerCheck#check()} and {@link LossCheck#check()} throw an {@link AssertionError} naming the
 * worst element (array, index, numeric and analytic value) and the worst element of every array. An
 * element passes when its relative error {@code |num - ana| / (|num| + |ana|)} is at most
 * {@link LayerCheck#maxRelativeError(double) maxRelativeError} (default {@value #DEFAULT_MAX_RELATIVE_ERROR}),
 * or when both values are below
 * {@link LayerCheck#minAbsoluteError(double) minAbsoluteError} (default {@value #DEFAULT_MIN_ABSOLUTE_ERROR}).
 * Typical causes:
 * <ul>
 *   <li>a large error on every element of one parameter, analytic 0: the parameter does not reach
 *       the output through SameDiff ops (use {@code ctx.param(...)}, never its array);</li>
 *   <li>large errors on a few inputs of a ReLU-like layer: an input sits on the kink; pass
 *       {@link ValueGenerator#awayFromZero(double, double)} to {@link LayerCheck#inputValues};</li>
 *   <li>an exception from SameDiff while computing gradients: an op without a working backward pass
 *       (see the ND4J notes); compose the function from ops that have one.</li>
 * </ul>
 * Checks are deterministic for a given {@link LayerCheck#seed(long) seed}.
 */
public final class GradientCheck {
    static {
        // SameDiff's execution here runs ND4J's own kernels: oneDNN only for planned ops (OneDnn)
        dev.graft.runtime.engine.OneDnn.init();
    }


    /** Default step of the central difference. */
    public static final double DEFAULT_EPSILON = 1e-6;
    /** Default largest accepted relative error. */
    public static final double DEFAULT_MAX_RELATIVE_ERROR = 1e-5;
    /** Default absolute floor: values (or differences) below it count as equal. */
    public static final double DEFAULT_MIN_ABSOLUTE_ERROR = 1e-8;
    /** Default number of elements checked per array. */
    public static final int DEFAULT_MAX_PER_ARRAY = 40;

    private GradientCheck() {
    }

    /** Starts a gradient check of a layer. Set at least {@link LayerCheck#inputs(Shape...)}. */
    public static LayerCheck layer(Layer layer) {
        return new LayerCheck(Objects.requireNonNull(layer, "layer"));
    }

    /** Starts a gradient check of a loss. Set at least {@link LossCheck#output(Shape)}. */
    public static LossCheck loss(Loss loss) {
        return new LossCheck(Objects.requireNonNull(loss, "loss"));
    }

    /**
     * One compared element.
     *
     * @param array         the array's name ({@code input0}, {@code node.W}, {@code predictions})
     * @param index         the element's index in the array
     * @param numeric       the central-difference gradient
     * @param analytic      SameDiff's gradient
     * @param relativeError {@code |num - ana| / (|num| + |ana|)}, 0 when both are 0
     */
    public record Element(String array, long[] index, double numeric, double analytic, double relativeError) {
        @Override
        public String toString() {
            return array + Arrays.toString(index) + ": numeric=" + numeric + " analytic=" + analytic
                    + " relative error=" + relativeError;
        }
    }

    /**
     * The outcome of a passing check.
     *
     * @param elementsChecked   how many elements were compared
     * @param maxRelativeError  the largest relative error among elements not excused by the absolute floor
     * @param worst             the element with that error, or null if none was compared
     */
    public record Result(int elementsChecked, double maxRelativeError, Element worst) {
    }

    /** Settings shared by layer and loss checks. */
    public abstract static sealed class Settings<S extends Settings<S>> permits LayerCheck, LossCheck {
        int batch = 3;
        long seed = 42;
        int maxPerArray = DEFAULT_MAX_PER_ARRAY;
        double epsilon = DEFAULT_EPSILON;
        double maxRelativeError = DEFAULT_MAX_RELATIVE_ERROR;
        double minAbsoluteError = DEFAULT_MIN_ABSOLUTE_ERROR;

        abstract S self();

        /** Batch size, the leading dimension of every input (default 3). */
        public S batch(int batch) {
            if (batch <= 0) {
                throw new IllegalArgumentException("batch must be positive, got " + batch);
            }
            this.batch = batch;
            return self();
        }

        /** Seed of every random value the check draws (default 42). */
        public S seed(long seed) {
            this.seed = seed;
            return self();
        }

        /** How many elements of each array to check; larger arrays are sampled (default 40). */
        public S maxPerArray(int maxPerArray) {
            if (maxPerArray <= 0) {
                throw new IllegalArgumentException("maxPerArray must be positive, got " + maxPerArray);
            }
            this.maxPerArray = maxPerArray;
            return self();
        }

        /** Step of the central difference (default 1e-6). */
        public S epsilon(double epsilon) {
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
            }
            this.epsilon = epsilon;
            return self();
        }

        /** Largest accepted relative error (default 1e-5). */
        public S maxRelativeError(double maxRelativeError) {
            if (!(maxRelativeError > 0)) {
                throw new IllegalArgumentException("maxRelativeError must be positive, got " + maxRelativeError);
            }
            this.maxRelativeError = maxRelativeError;
            return self();
        }

        /** Absolute floor: when numeric and analytic values are both below it they count as equal (default 1e-8). */
        public S minAbsoluteError(double minAbsoluteError) {
            if (!(minAbsoluteError >= 0)) {
                throw new IllegalArgumentException("minAbsoluteError must be >= 0, got " + minAbsoluteError);
            }
            this.minAbsoluteError = minAbsoluteError;
            return self();
        }

        Numerics numerics() {
            return new Numerics(seed, maxPerArray, epsilon, maxRelativeError, minAbsoluteError);
        }
    }

    /** A gradient check of one layer; configure it fluently, then call {@link #check()}. */
    public static final class LayerCheck extends Settings<LayerCheck> {
        private final Layer layer;
        private List<Shape> inputs;
        private Mode mode = Mode.TRAIN;
        private String nodeName = "node";
        private ValueGenerator inputValues = ValueGenerator.uniform(-1, 1);
        private ValueGenerator paramValues = ValueGenerator.uniform(-1, 1);
        private final Map<String, ValueGenerator> paramValuesByName = new LinkedHashMap<>();
        private boolean checkInputs = true;
        private boolean checkDynamicBatch = true;

        private LayerCheck(Layer layer) {
            this.layer = layer;
        }

        @Override
        LayerCheck self() {
            return this;
        }

        /** The shapes of one example of each input, without the batch dimension. Required. */
        public LayerCheck inputs(Shape... shapes) {
            if (shapes.length == 0) {
                throw new IllegalArgumentException("give at least one input shape");
            }
            this.inputs = List.of(shapes);
            return this;
        }

        /** Train or infer graph (default {@link Mode#TRAIN}). Check both for layers that differ. */
        public LayerCheck mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** The node name the layer sees (default {@code node}); parameters are named {@code node.<param>}. */
        public LayerCheck nodeName(String nodeName) {
            this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
            return this;
        }

        /** How input values are drawn (default uniform(-1, 1)). */
        public LayerCheck inputValues(ValueGenerator generator) {
            this.inputValues = Objects.requireNonNull(generator, "generator");
            return this;
        }

        /** How parameter values are drawn (default uniform(-1, 1)). */
        public LayerCheck paramValues(ValueGenerator generator) {
            this.paramValues = Objects.requireNonNull(generator, "generator");
            return this;
        }

        /**
         * How the values of one parameter are drawn, overriding {@link #paramValues(ValueGenerator)}:
         * for parameters whose domain is restricted, such as a running variance that must stay
         * positive ({@code paramValues("running_var", ValueGenerator.uniform(0.5, 1.5))}).
         *
         * @param param the parameter's short name, as the layer declares it
         */
        public LayerCheck paramValues(String param, ValueGenerator generator) {
            paramValuesByName.put(Objects.requireNonNull(param, "param"), Objects.requireNonNull(generator, "generator"));
            return this;
        }

        /** Whether to check gradients with respect to the inputs too (default true). */
        public LayerCheck checkInputs(boolean checkInputs) {
            this.checkInputs = checkInputs;
            return this;
        }

        /**
         * Whether to also run the forward pass on placeholders with batch dimension -1, as the runtime
         * does, and compare its output (default true).
         */
        public LayerCheck checkDynamicBatch(boolean checkDynamicBatch) {
            this.checkDynamicBatch = checkDynamicBatch;
            return this;
        }

        /**
         * Runs the check.
         *
         * @return what was compared, if everything passed
         * @throws AssertionError naming the worst element, or what else went wrong
         */
        public Result check() {
            if (inputs == null) {
                throw new IllegalStateException("call inputs(Shape...) before check()");
            }
            String what = "layer " + layer.getClass().getName() + " (node " + nodeName + ", inputs " + inputs
                    + ", batch " + batch + ", " + mode + ")";
            int arity = layer.arity();
            if (arity != Layer.VARIADIC && arity != inputs.size()) {
                throw new AssertionError(what + ": the layer takes " + arity + " input(s), the check was given "
                        + inputs.size());
            }
            Shape outputShape;
            List<ParamSpec> specs;
            try {
                outputShape = layer.outputShape(inputs);
                specs = layer.params(inputs);
            } catch (RuntimeException e) {
                throw new AssertionError(what + ": outputShape/params rejected the inputs: " + e, e);
            }
            if (outputShape == null) {
                throw new AssertionError(what + ": outputShape returned null");
            }
            long[] expectedOut = outputShape.withBatch(batch);

            SplittableRandom rng = new SplittableRandom(seed);
            List<INDArray> inputArrays = new ArrayList<>();
            for (Shape s : inputs) {
                inputArrays.add(Numerics.fill(s.withBatch(batch), inputValues, rng.split()));
            }
            Map<String, INDArray> paramArrays = new LinkedHashMap<>();
            Map<String, ParamSpec> specByName = new LinkedHashMap<>();
            Set<String> stateParams = new LinkedHashSet<>();
            for (ParamSpec spec : specs) {
                if (specByName.put(spec.name(), spec) != null) {
                    throw new AssertionError(what + ": two parameters are named '" + spec.name() + "'");
                }
                if (!spec.trainable()) {
                    stateParams.add(spec.name());
                }
                ValueGenerator generator = paramValuesByName.getOrDefault(spec.name(), paramValues);
                paramArrays.put(spec.name(), Numerics.fill(spec.shape(), generator, rng.split()));
            }
            for (String name : paramValuesByName.keySet()) {
                if (!specByName.containsKey(name)) {
                    throw new IllegalArgumentException("paramValues was given for '" + name + "', which the layer does"
                            + " not declare; it declares " + specByName.keySet());
                }
            }

            SameDiff sd = SameDiff.create();
            List<SDVariable> inputVars = new ArrayList<>();
            for (int i = 0; i < inputArrays.size(); i++) {
                inputVars.add(sd.var("input" + i, inputArrays.get(i)));
            }
            Map<String, SDVariable> paramVars = new LinkedHashMap<>();
            for (var e : paramArrays.entrySet()) {
                paramVars.put(e.getKey(), sd.var(nodeName + "." + e.getKey(), e.getValue()));
            }
            TestLayerContext ctx = new TestLayerContext(sd, nodeName, mode, paramVars, stateParams, batch, seed,
                    DataType.DOUBLE, inputs);
            SDVariable out;
            INDArray outValue;
            Map<String, INDArray> updateValues;
            try {
                out = layer.forward(ctx, List.copyOf(inputVars));
                if (out == null) {
                    throw new AssertionError(what + ": forward returned null");
                }
                Map<String, INDArray> results = sd.output(Collections.emptyMap(), outputNames(out, ctx));
                outValue = results.get(out.name());
                updateValues = stateUpdateValues(what, ctx, results, specByName);
            } catch (AssertionError e) {
                throw e;
            } catch (RuntimeException e) {
                throw new AssertionError(what + ": forward pass failed: " + e, e);
            }
            if (!Arrays.equals(outValue.shape(), expectedOut)) {
                throw new AssertionError(what + ": forward produced shape " + Arrays.toString(outValue.shape())
                        + " but outputShape says " + outputShape + " (with batch: " + Arrays.toString(expectedOut) + ")");
            }
            if (outValue.dataType() != DataType.DOUBLE) {
                throw new AssertionError(what + ": forward produced " + outValue.dataType() + " from DOUBLE inputs;"
                        + " create constants with the input's data type (x.dataType())");
            }
            if (checkDynamicBatch) {
                checkDynamicBatch(what, inputArrays, paramArrays, stateParams, outValue, updateValues);
            }

            INDArray weights = Numerics.fill(expectedOut, ValueGenerator.uniform(-1, 1), rng.split());
            SDVariable objective = out.mul(sd.constant("gradcheck_weights", weights)).sum();
            sd.setLossVariables(objective.name());

            Map<String, String> checked = new LinkedHashMap<>();
            if (checkInputs) {
                for (SDVariable v : inputVars) {
                    checked.put(v.name(), v.name());
                }
            }
            List<String> trainable = new ArrayList<>();
            for (ParamSpec spec : specs) {
                if (spec.trainable()) {
                    String name = nodeName + "." + spec.name();
                    checked.put(name, name);
                    trainable.add(name);
                }
            }
            if (checked.isEmpty()) {
                throw new AssertionError(what + ": nothing to check: no trainable parameters and checkInputs(false)");
            }
            Map<String, INDArray> grads;
            try {
                grads = sd.calculateGradients(Collections.emptyMap(), checked.keySet());
            } catch (RuntimeException e) {
                throw new AssertionError(what + ": SameDiff failed to compute gradients (an op without a working"
                        + " backward pass?): " + e, e);
            }
            for (String p : trainable) {
                if (grads.get(p) == null) {
                    throw new AssertionError(what + ": trainable parameter " + p + " gets no gradient: the output does"
                            + " not depend on it through SameDiff ops (use ctx.param(...), never its array)");
                }
            }
            return numerics().compare(what, sd, objective.name(), Collections.emptyMap(), checked, grads);
        }

        /** The output's name followed by the names of the state-update variables. */
        private static String[] outputNames(SDVariable out, TestLayerContext ctx) {
            List<String> names = new ArrayList<>();
            names.add(out.name());
            for (SDVariable u : ctx.stateUpdates().values()) {
                names.add(u.name());
            }
            return names.toArray(new String[0]);
        }

        /** The evaluated state updates, checked against the declared shapes and for float64. */
        private static Map<String, INDArray> stateUpdateValues(String what, TestLayerContext ctx, Map<String, INDArray> results,
                                                              Map<String, ParamSpec> specs) {
            Map<String, INDArray> values = new LinkedHashMap<>();
            for (var e : ctx.stateUpdates().entrySet()) {
                INDArray v = results.get(e.getValue().name());
                long[] declared = specs.get(e.getKey()).shape();
                if (!Arrays.equals(v.shape(), declared)) {
                    throw new AssertionError(what + ": the state update of " + e.getKey() + " has shape "
                            + Arrays.toString(v.shape()) + " but the parameter is declared with shape "
                            + Arrays.toString(declared) + "; the runtime would reject it after the first step");
                }
                if (v.dataType() != DataType.DOUBLE) {
                    throw new AssertionError(what + ": the state update of " + e.getKey() + " is " + v.dataType()
                            + " from DOUBLE inputs; create constants with the input's data type");
                }
                values.put(e.getKey(), v);
            }
            return values;
        }

        private void checkDynamicBatch(String what, List<INDArray> inputArrays, Map<String, INDArray> paramArrays,
                                       Set<String> stateParams, INDArray expected, Map<String, INDArray> expectedUpdates) {
            SameDiff sd = SameDiff.create();
            List<SDVariable> phs = new ArrayList<>();
            Map<String, INDArray> feed = new LinkedHashMap<>();
            for (int i = 0; i < inputs.size(); i++) {
                String name = "input" + i;
                phs.add(sd.placeHolder(name, DataType.DOUBLE, inputs.get(i).withBatch(-1)));
                feed.put(name, inputArrays.get(i));
            }
            Map<String, SDVariable> vars = new LinkedHashMap<>();
            for (var e : paramArrays.entrySet()) {
                vars.put(e.getKey(), sd.var(nodeName + "." + e.getKey(), e.getValue().dup()));
            }
            TestLayerContext ctx = new TestLayerContext(sd, nodeName, mode, vars, stateParams, batch, seed,
                    DataType.DOUBLE, inputs);
            INDArray actual;
            Map<String, INDArray> results;
            SDVariable out;
            try {
                out = layer.forward(ctx, List.copyOf(phs));
                results = sd.output(feed, outputNames(out, ctx));
                actual = results.get(out.name());
            } catch (RuntimeException e) {
                throw new AssertionError(what + ": forward pass failed on placeholders with an unknown batch"
                        + " dimension (shape " + Arrays.toString(inputs.get(0).withBatch(-1)) + "), as the runtime"
                        + " builds them; do not rely on the static batch size: " + e, e);
            }
            if (!Arrays.equals(actual.shape(), expected.shape()) || !actual.equalsWithEps(expected, 1e-12)) {
                throw new AssertionError(what + ": forward on placeholders with batch dimension -1 gave a different"
                        + " result (shape " + Arrays.toString(actual.shape()) + ") than on variables (shape "
                        + Arrays.toString(expected.shape()) + ")");
            }
            for (var e : ctx.stateUpdates().entrySet()) {
                INDArray want = expectedUpdates.get(e.getKey());
                INDArray got = results.get(e.getValue().name());
                if (want == null || !Arrays.equals(got.shape(), want.shape()) || !got.equalsWithEps(want, 1e-12)) {
                    throw new AssertionError(what + ": on placeholders with batch dimension -1 the state update of "
                            + e.getKey() + " is " + got + ", on variables " + want);
                }
            }
        }
    }

    /** A gradient check of one loss; configure it fluently, then call {@link #check()}. */
    public static final class LossCheck extends Settings<LossCheck> {
        private final Loss loss;
        private Shape output;
        private Target target;
        private ValueGenerator predictionValues = ValueGenerator.uniform(-1, 1);
        private ValueGenerator labelValues = ValueGenerator.uniform(-1, 1);

        private LossCheck(Loss loss) {
            this.loss = loss;
        }

        @Override
        LossCheck self() {
            return this;
        }

        /** Shape of one example of the model output, without the batch dimension. Required. */
        public LossCheck output(Shape output) {
            this.output = Objects.requireNonNull(output, "output");
            return this;
        }

        /**
         * What the labels are (default: {@link Target.Regression} of the output's shape). For
         * {@link Target.Classes} the output must be {@code [classes]} and the labels are one-hot.
         */
        public LossCheck target(Target target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /** How prediction values are drawn (default uniform(-1, 1)). */
        public LossCheck predictionValues(ValueGenerator generator) {
            this.predictionValues = Objects.requireNonNull(generator, "generator");
            return this;
        }

        /** How regression label values are drawn (default uniform(-1, 1)). */
        public LossCheck labelValues(ValueGenerator generator) {
            this.labelValues = Objects.requireNonNull(generator, "generator");
            return this;
        }

        /**
         * Runs the check.
         *
         * @return what was compared, if everything passed
         * @throws AssertionError naming the worst element, or what else went wrong
         */
        public Result check() {
            if (output == null) {
                throw new IllegalStateException("call output(Shape) before check()");
            }
            Target t = target != null ? target : new Target.Regression(output);
            String what = "loss " + loss.getClass().getName() + " (output " + output + ", " + describe(t)
                    + ", batch " + batch + ")";
            String rejected = loss.checkTarget(t);
            if (rejected != null) {
                throw new AssertionError(what + ": the loss rejects the target: " + rejected);
            }
            long[] shape = output.withBatch(batch);
            SplittableRandom rng = new SplittableRandom(seed);
            INDArray predictions = Numerics.fill(shape, predictionValues, rng.split());
            INDArray labels;
            if (t instanceof Target.Classes classes) {
                if (output.rank() != 1 || output.dim(0) != classes.count()) {
                    throw new IllegalArgumentException("for a target with " + classes.count()
                            + " classes the output shape must be [" + classes.count() + "], got " + output);
                }
                labels = Nd4j.zeros(DataType.DOUBLE, shape);
                SplittableRandom r = rng.split();
                for (int i = 0; i < batch; i++) {
                    labels.putScalar(new long[] {i, r.nextInt(classes.count())}, 1.0);
                }
            } else {
                labels = Numerics.fill(shape, labelValues, rng.split());
            }

            SameDiff sd = SameDiff.create();
            SDVariable pred = sd.var("predictions", predictions);
            SDVariable lab = sd.constant("labels", labels);
            SDVariable value;
            INDArray lossValue;
            try {
                value = loss.compute(sd, pred, lab);
                if (value == null) {
                    throw new AssertionError(what + ": compute returned null");
                }
                lossValue = sd.output(Collections.emptyMap(), value.name()).get(value.name());
                SDVariable p = loss.predictions(sd, pred);
                INDArray pv = sd.output(Collections.emptyMap(), p.name()).get(p.name());
                if (pv.rank() == 0 || pv.size(0) != batch) {
                    throw new AssertionError(what + ": predictions() returned shape " + Arrays.toString(pv.shape())
                            + "; expected a leading batch dimension of " + batch);
                }
            } catch (AssertionError e) {
                throw e;
            } catch (RuntimeException e) {
                throw new AssertionError(what + ": the loss failed to evaluate: " + e, e);
            }
            if (lossValue.length() != 1) {
                throw new AssertionError(what + ": the loss must be a scalar, got shape " + Arrays.toString(lossValue.shape()));
            }
            if (!Double.isFinite(lossValue.getDouble(0))) {
                throw new AssertionError(what + ": the loss is " + lossValue.getDouble(0));
            }
            sd.setLossVariables(value.name());
            Map<String, INDArray> grads;
            try {
                grads = sd.calculateGradients(Collections.emptyMap(), "predictions");
            } catch (RuntimeException e) {
                throw new AssertionError(what + ": SameDiff failed to compute gradients (an op without a working"
                        + " backward pass?): " + e, e);
            }
            if (grads.get("predictions") == null) {
                throw new AssertionError(what + ": the loss gets no gradient from the predictions");
            }
            return numerics().compare(what, sd, value.name(), Collections.emptyMap(),
                    Map.of("predictions", "predictions"), grads);
        }

        private static String describe(Target t) {
            if (t instanceof Target.Classes c) {
                return c.count() + " classes";
            }
            return "regression " + ((Target.Regression) t).shape();
        }
    }
}
