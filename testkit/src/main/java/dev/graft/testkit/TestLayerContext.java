package dev.graft.testkit;

import dev.graft.api.Mode;
import dev.graft.api.Shape;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.ParamRole;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A {@link LayerContext} for tests: it hands a layer the variables you give it, a fixed mode and
 * node name, fixed, seeded Bernoulli masks, and records the state updates the layer asks for.
 *
 * <p>The runtime draws a fresh mask for every training step; a test wants the opposite, the same
 * mask every time the graph runs, so that a finite-difference gradient check sees one smooth
 * function. {@link #bernoulliMask} therefore returns a <em>constant</em> 0/1 array of shape
 * {@code [batch, ...shape]}, seeded from the context's seed and the key, and remembers it so a test
 * can compare against it ({@link #mask(String)}). As in the runtime, masks exist only in
 * {@link Mode#TRAIN}; asking in {@link Mode#INFER} throws {@link IllegalStateException}.
 *
 * <p>{@link #updateState} does what the runtime checks and nothing more: it remembers the variable
 * holding the parameter's new value ({@link #stateUpdates()}) so a test can evaluate it; nothing is
 * written back. Like the runtime it accepts updates only in {@link Mode#TRAIN}, only of declared
 * parameters, only of the non-trainable ones when the context knows which they are (see
 * {@link #TestLayerContext(SameDiff, String, Mode, Map, Set, long, long, DataType, List)}), and at most
 * once per parameter.
 *
 * <pre>{@code
 * SameDiff sd = SameDiff.create();
 * SDVariable x = sd.var("x", Nd4j.rand(DataType.DOUBLE, 4, 10));
 * var ctx = new TestLayerContext(sd, "drop", Mode.TRAIN, Map.of(), 4, 42, List.of(Shape.of(10)));
 * SDVariable y = layer.forward(ctx, List.of(x));
 * INDArray mask = ctx.mask("mask");
 * }</pre>
 * {@link GradientCheck}, {@link LayerRunner} and {@link LayerContract} build one for you; construct it
 * yourself only for hand-written graphs.
 */
public final class TestLayerContext implements LayerContext {
    private final SameDiff sd;
    private final String nodeName;
    private final Mode mode;
    private final Map<String, SDVariable> params;
    private final Set<String> stateParams;
    private final long batch;
    private final long seed;
    private final DataType dataType;
    private final List<Shape> inputShapes;
    private final Map<String, INDArray> masks = new LinkedHashMap<>();
    private final Map<String, SDVariable> stateUpdates = new LinkedHashMap<>();

    /**
     * A context whose masks are float64 (what {@link GradientCheck} uses), which lets the layer
     * update any of its declared parameters.
     *
     * @param sd          the graph being built
     * @param nodeName    the node name the layer sees
     * @param mode        train or infer
     * @param params      the layer's parameter variables by short name ({@code W}, {@code b})
     * @param batch       the batch size, the leading dimension of every mask
     * @param seed        seed of the masks
     * @param inputShapes per-example input shapes the layer is built for
     */
    public TestLayerContext(SameDiff sd, String nodeName, Mode mode, Map<String, SDVariable> params, long batch, long seed,
                            List<Shape> inputShapes) {
        this(sd, nodeName, mode, params, null, batch, seed, DataType.DOUBLE, inputShapes);
    }

    /** As the other constructor, with the data type of the masks. */
    public TestLayerContext(SameDiff sd, String nodeName, Mode mode, Map<String, SDVariable> params, long batch, long seed,
                            DataType dataType, List<Shape> inputShapes) {
        this(sd, nodeName, mode, params, null, batch, seed, dataType, inputShapes);
    }

    /**
     * The full constructor.
     *
     * @param stateParams the short names of the non-trainable parameters (role
     *                    {@link ParamRole#RUNNING_STAT}), the only ones {@link #updateState} accepts;
     *                    null to accept any declared parameter
     * @param dataType    the data type of the masks
     */
    public TestLayerContext(SameDiff sd, String nodeName, Mode mode, Map<String, SDVariable> params, Set<String> stateParams,
                            long batch, long seed, DataType dataType, List<Shape> inputShapes) {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        this.sd = sd;
        this.nodeName = nodeName;
        this.mode = mode;
        this.params = Map.copyOf(params);
        this.stateParams = stateParams == null ? null : Set.copyOf(stateParams);
        this.batch = batch;
        this.seed = seed;
        this.dataType = dataType;
        this.inputShapes = List.copyOf(inputShapes);
    }

    @Override
    public SameDiff sd() {
        return sd;
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public List<Shape> inputShapes() {
        return inputShapes;
    }

    @Override
    public Mode mode() {
        return mode;
    }

    /** @throws IllegalArgumentException naming the declared parameters if {@code name} is not one */
    @Override
    public SDVariable param(String name) {
        SDVariable v = params.get(name);
        if (v == null) {
            throw new IllegalArgumentException("layer " + nodeName + " has no parameter '" + name
                    + "'; its declared parameters are " + new TreeSet<>(params.keySet()));
        }
        return v;
    }

    /**
     * Records the variable holding {@code param}'s value after a step; see {@link #stateUpdates()}.
     *
     * @throws IllegalStateException    in {@link Mode#INFER}
     * @throws IllegalArgumentException if the parameter is not declared, is trainable, or was updated before
     */
    @Override
    public void updateState(String param, SDVariable newValue) {
        if (mode != Mode.TRAIN) {
            throw new IllegalStateException("updateState('" + param + "') called by layer " + nodeName + " in " + mode
                    + " mode; state is updated only in TRAIN mode");
        }
        if (!params.containsKey(param)) {
            throw new IllegalArgumentException("layer " + nodeName + " updates '" + param
                    + "', which it did not declare; its declared parameters are " + new TreeSet<>(params.keySet()));
        }
        if (stateParams != null && !stateParams.contains(param)) {
            throw new IllegalArgumentException("layer " + nodeName + " updates '" + param + "', which is trainable;"
                    + " only non-trainable parameters (role RUNNING_STAT, trainable=false) may be updated, here "
                    + new TreeSet<>(stateParams));
        }
        if (newValue == null) {
            throw new IllegalArgumentException("layer " + nodeName + " updates '" + param + "' with null");
        }
        if (stateUpdates.containsKey(param)) {
            throw new IllegalArgumentException("layer " + nodeName + " updates '" + param + "' twice");
        }
        stateUpdates.put(param, newValue);
    }

    /** The state updates the layer asked for in its forward pass, by parameter short name, in order. */
    public Map<String, SDVariable> stateUpdates() {
        return Collections.unmodifiableMap(stateUpdates);
    }

    /**
     * A constant 0/1 mask of shape {@code [batch, ...shape]}; each entry is 1 with probability
     * {@code keepProbability}, drawn from a generator seeded with the context seed and the key.
     *
     * @throws IllegalStateException    in {@link Mode#INFER}
     * @throws IllegalArgumentException if the key was used before or the probability is not in (0, 1]
     */
    @Override
    public SDVariable bernoulliMask(String key, Shape shape, double keepProbability) {
        if (mode != Mode.TRAIN) {
            throw new IllegalStateException("bernoulliMask('" + key + "') called by layer " + nodeName
                    + " in " + mode + " mode; masks exist only in TRAIN mode");
        }
        if (!(keepProbability > 0 && keepProbability <= 1)) {
            throw new IllegalArgumentException("keepProbability must be in (0, 1], got " + keepProbability);
        }
        if (masks.containsKey(key)) {
            throw new IllegalArgumentException("layer " + nodeName + " asked twice for the mask '" + key
                    + "'; mask keys must be unique within a layer");
        }
        long[] full = shape.withBatch(batch);
        long n = batch * shape.size();
        SplittableRandom rng = new SplittableRandom(seed * 31 + key.hashCode());
        double[] values = new double[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = rng.nextDouble() < keepProbability ? 1.0 : 0.0;
        }
        INDArray mask = Nd4j.create(values, full, DataType.DOUBLE).castTo(dataType);
        masks.put(key, mask);
        return sd.constant(nodeName + "/" + key, mask);
    }

    /** The mask handed out for {@code key}, or null if the layer did not ask for one. */
    public INDArray mask(String key) {
        return masks.get(key);
    }

    /** All masks handed out so far, by key, in order. */
    public Map<String, INDArray> masks() {
        return Collections.unmodifiableMap(masks);
    }
}
