package dev.graft.testkit;

import dev.graft.api.Mode;
import dev.graft.api.Shape;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

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
 * Runs a layer's forward pass on concrete arrays, for tests of what a layer computes (as opposed
 * to {@link GradientCheck}, which tests how it differentiates).
 *
 * <pre>{@code
 * INDArray x = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}});
 * LayerRunner.Output out = LayerRunner.of(dense)
 *         .param("W", Nd4j.createFromArray(new double[][] {{1, 0, 2}, {0, 1, 3}}))
 *         .param("b", Nd4j.createFromArray(0.5, 0.5, 0.5))
 *         .run(x);
 * assertThat(out.output().toDoubleMatrix()).isEqualTo(...);
 * }</pre>
 * Like the runtime, it calls {@link Layer#outputShape}, {@link Layer#params} and then
 * {@link Layer#forward}, and checks that the output has the announced shape. Inputs keep their data
 * type; parameters you do not set are drawn uniform on (-1, 1) in the data
 * type of the first input, seeded. In {@link Mode#TRAIN} masks come from a {@link TestLayerContext}
 * and are returned in {@link Output#masks()}, and the values a layer asks Graft to write into its
 * non-trainable parameters ({@link dev.graft.api.layer.LayerContext#updateState}) are evaluated on
 * the same batch and returned in {@link Output#stateUpdates()}: what the runtime would store after
 * one training step.
 * <pre>{@code
 * LayerRunner.Output step = LayerRunner.of(batchNorm).mode(Mode.TRAIN).run(x);
 * INDArray newRunningMean = step.stateUpdates().get("running_mean");
 * }</pre>
 */
public final class LayerRunner {
    private final Layer layer;
    private final Map<String, INDArray> given = new LinkedHashMap<>();
    private Mode mode = Mode.INFER;
    private String nodeName = "node";
    private long seed = 42;

    private LayerRunner(Layer layer) {
        this.layer = layer;
    }

    /** Starts a run of {@code layer} (default mode {@link Mode#INFER}). */
    public static LayerRunner of(Layer layer) {
        return new LayerRunner(Objects.requireNonNull(layer, "layer"));
    }

    /** Train or infer graph. */
    public LayerRunner mode(Mode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /** The node name the layer sees (default {@code node}). */
    public LayerRunner nodeName(String nodeName) {
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        return this;
    }

    /** Seed of the random parameters and masks (default 42). */
    public LayerRunner seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Sets a parameter's value by its short name; it must have the declared shape. */
    public LayerRunner param(String name, INDArray value) {
        given.put(name, Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * The result of a run.
     *
     * @param output the layer's output
     * @param params the parameter values used, by short name
     * @param masks  the Bernoulli masks handed out in train mode, by key
     * @param stateUpdates the new values of non-trainable parameters the layer asked for in train
     *                     mode ({@link dev.graft.api.layer.LayerContext#updateState}), by short name
     */
    public record Output(INDArray output, Map<String, INDArray> params, Map<String, INDArray> masks,
                         Map<String, INDArray> stateUpdates) {
    }

    /**
     * Runs the forward pass on a batch.
     *
     * @param inputs one array per input, each {@code [batch, ...shape]}
     */
    public Output run(INDArray... inputs) {
        if (inputs.length == 0) {
            throw new IllegalArgumentException("give at least one input");
        }
        List<Shape> shapes = new ArrayList<>();
        for (INDArray in : inputs) {
            long[] s = in.shape();
            shapes.add(Shape.of(Arrays.copyOfRange(s, 1, s.length)));
        }
        long batch = inputs[0].size(0);
        Shape outputShape = layer.outputShape(shapes);
        List<ParamSpec> specs = layer.params(shapes);
        SameDiff sd = SameDiff.create();
        List<SDVariable> inVars = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            inVars.add(sd.var("input" + i, inputs[i].dup()));
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, INDArray> values = new LinkedHashMap<>();
        Map<String, SDVariable> vars = new LinkedHashMap<>();
        Set<String> stateParams = new LinkedHashSet<>();
        for (ParamSpec spec : specs) {
            if (!spec.trainable()) {
                stateParams.add(spec.name());
            }
            INDArray v = given.get(spec.name());
            if (v == null) {
                v = Numerics.fill(spec.shape(), ValueGenerator.uniform(-1, 1), rng.split()).castTo(inputs[0].dataType());
            } else if (!Arrays.equals(v.shape(), spec.shape())) {
                throw new IllegalArgumentException("parameter " + spec.name() + " is declared with shape "
                        + Arrays.toString(spec.shape()) + " but was given " + Arrays.toString(v.shape()));
            }
            values.put(spec.name(), v);
            vars.put(spec.name(), sd.var(nodeName + "." + spec.name(), v.dup()));
        }
        for (String name : given.keySet()) {
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException("the layer declares no parameter '" + name + "'; it declares "
                        + values.keySet());
            }
        }
        TestLayerContext ctx = new TestLayerContext(sd, nodeName, mode, vars, stateParams, batch, seed,
                inputs[0].dataType(), shapes);
        SDVariable out = layer.forward(ctx, inVars);
        List<String> names = new ArrayList<>();
        names.add(out.name());
        for (SDVariable u : ctx.stateUpdates().values()) {
            names.add(u.name());
        }
        Map<String, INDArray> results = sd.output(Collections.emptyMap(), names.toArray(new String[0]));
        INDArray result = results.get(out.name());
        if (!Arrays.equals(result.shape(), outputShape.withBatch(batch))) {
            throw new AssertionError("forward produced shape " + Arrays.toString(result.shape())
                    + " but outputShape says " + outputShape);
        }
        Map<String, INDArray> updates = new LinkedHashMap<>();
        for (var e : ctx.stateUpdates().entrySet()) {
            INDArray v = results.get(e.getValue().name());
            long[] declared = values.get(e.getKey()).shape();
            if (!Arrays.equals(v.shape(), declared)) {
                throw new AssertionError("the state update of " + e.getKey() + " has shape " + Arrays.toString(v.shape())
                        + " but the parameter is declared with shape " + Arrays.toString(declared));
            }
            updates.put(e.getKey(), v);
        }
        return new Output(result, Collections.unmodifiableMap(values), ctx.masks(), Collections.unmodifiableMap(updates));
    }
}
