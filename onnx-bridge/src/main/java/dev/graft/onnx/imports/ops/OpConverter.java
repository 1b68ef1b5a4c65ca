package dev.graft.onnx.imports.ops;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.imports.OnnxOpConverter;
import dev.graft.onnx.proto.ElementType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Base of the built-in converters: the plugin identity ({@code onnx-<op type in lower case>},
 * version 1.0.0, the default domain) and the helpers every converter uses to read its inputs.
 * Subclasses implement {@link #convert}; they throw {@link IllegalArgumentException} with a message
 * that says what the node uses and what native import supports, and the importer adds the node.
 */
public abstract class OpConverter implements OnnxOpConverter {
    private final String opType;
    private final int minOpset;
    private final int maxOpset;
    private final String description;

    protected OpConverter(String opType, int minOpset, int maxOpset, String description) {
        this.opType = opType;
        this.minOpset = minOpset;
        this.maxOpset = maxOpset;
        this.description = description;
    }

    @Override
    public final String id() {
        return "onnx-" + opType.toLowerCase(Locale.ROOT);
    }

    @Override
    public final String version() {
        return "1.0.0";
    }

    @Override
    public final String apiVersion() {
        return GraftApi.VERSION;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final String domain() {
        return "";
    }

    @Override
    public final String opType() {
        return opType;
    }

    @Override
    public final int minOpset() {
        return minOpset;
    }

    @Override
    public final int maxOpset() {
        return maxOpset;
    }

    // ------------------------------------------------------------------ reading inputs

    /** The {@code i}-th input, which must be present. */
    static ImportContext.Value input(ImportContext ctx, OnnxNode node, int i) {
        return ctx.value(node.input(i).orElseThrow(() -> new IllegalArgumentException(
                "input " + i + " is missing (the node has inputs " + node.inputs() + ")")));
    }

    /** The {@code i}-th input, which must be computed by the graph (not a constant). */
    static ImportContext.Value computed(ImportContext ctx, OnnxNode node, int i, String what) {
        ImportContext.Value v = input(ctx, node, i);
        if (v.isConstant()) {
            throw new IllegalArgumentException(what + " ('" + v.onnxName() + "') is a constant; native import handles it only as a"
                    + " value computed from the model input");
        }
        return v;
    }

    /**
     * The {@code i}-th input, which must be a constant (an initializer or a folded value), or an integer
     * data input whose value is known ahead ({@link ImportContext#fold}).
     */
    static INDArray constant(ImportContext ctx, OnnxNode node, int i, String what) {
        ImportContext.Value v = input(ctx, node, i);
        if (!v.isConstant()) {
            INDArray known = ctx.fold(v.onnxName());
            if (known != null) {
                return known;
            }
            throw new dev.graft.onnx.imports.NeedsConstantException(v.onnxName(), what + " ('" + v.onnxName() + "') is computed from the"
                    + " model input; native import needs it to be a constant (an initializer)");
        }
        return v.constant();
    }

    /** The {@code i}-th input if present (a constant), else null. */
    static INDArray optionalConstant(ImportContext ctx, OnnxNode node, int i, String what) {
        return node.input(i).isPresent() ? constant(ctx, node, i, what) : null;
    }

    /** Whether every present input is a constant, so the node can be computed at import. */
    static boolean allConstant(ImportContext ctx, OnnxNode node) {
        for (String in : node.inputs()) {
            if (!in.isEmpty() && !ctx.value(in).isConstant()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A float attribute as the decimal number it was written as ({@code 0.9f} is {@code 0.9}, not
     * {@code 0.899999976...}): the shortest decimal that rounds to the float, so configs read well and
     * {@code 1 - momentum} comes out as {@code 0.1}.
     */
    static double attrDouble(OnnxNode node, String name, float dflt) {
        return Double.parseDouble(Float.toString(node.attrFloat(name, dflt)));
    }

    /** The first output's name. */
    static String out(OnnxNode node) {
        return node.outputs().get(0);
    }

    /** Rejects uses of outputs beyond the first (optional outputs such as MaxPool's indices). */
    static void onlyFirstOutput(OnnxNode node, String what) {
        for (int i = 1; i < node.outputs().size(); i++) {
            if (!node.outputs().get(i).isEmpty()) {
                throw new IllegalArgumentException("the node asks for output " + i + " (" + what + "), which native import does not"
                        + " compute");
            }
        }
    }

    /** Emits one Graft node reading {@code input} and binds the node's first output to it. */
    static String emit(ImportContext ctx, OnnxNode node, String layer, Map<String, Object> config, String input,
                       Map<String, INDArray> params) {
        return emit(ctx, node, layer, config, List.of(input), params);
    }

    /** Emits one Graft node and binds the node's first output to it. */
    static String emit(ImportContext ctx, OnnxNode node, String layer, Map<String, Object> config, List<String> inputs,
                       Map<String, INDArray> params) {
        String name = ctx.emit(layer, config, inputs, params, hint(node));
        ctx.bind(out(node), name);
        return name;
    }

    /** A stem for Graft node names: the ONNX node's name, or its op type. */
    static String hint(OnnxNode node) {
        String n = node.proto().getName();
        if (n.isEmpty()) {
            return node.opType().toLowerCase(Locale.ROOT);
        }
        // PyTorch names nodes like /fc1/Gemm: keep the readable part
        String s = n.replaceAll("^/+", "").replace('/', '_').replace('.', '_');
        return s.isEmpty() ? node.opType().toLowerCase(Locale.ROOT) : s;
    }

    // ------------------------------------------------------------------ axes and shapes

    /**
     * An ONNX axis of a computed tensor of ONNX rank {@code fullRank} as a per-example axis; negative
     * axes count from the end. Under {@link dev.graft.onnx.imports.BatchAxis#FIRST_DIM} ONNX axis 0
     * is the batch, which is rejected, and the others shift down by one; under {@code NONE} every
     * axis is an example axis.
     */
    static int exampleAxis(ImportContext ctx, long axis, int fullRank, String what) {
        long a = axis < 0 ? axis + fullRank : axis;
        if (a < 0 || a >= fullRank) {
            throw new IllegalArgumentException(what + " " + axis + " is out of range for a tensor of rank " + fullRank);
        }
        if (!ctx.batchFirst()) {
            return (int) a;
        }
        if (a == 0) {
            throw new IllegalArgumentException(what + " " + axis + " is the batch axis; native import keeps the batch axis intact"
                    + " (import with batch axis none to take the data as whole tensors)");
        }
        return (int) a - 1;
    }

    /** The ONNX rank of a computed value: its per-example rank, plus the batch axis under FIRST_DIM. */
    static int fullRank(ImportContext ctx, ImportContext.Value v) {
        return v.shape().rank() + batchAxes(ctx);
    }

    /** How many leading ONNX axes of a computed value are Graft's batch: 1 under FIRST_DIM, 0 under NONE. */
    static int batchAxes(ImportContext ctx) {
        return ctx.batchFirst() ? 1 : 0;
    }

    /**
     * The ONNX shape of a computed value: its per-example shape, behind {@code batch} under FIRST_DIM
     * (a marker for the dynamic batch size).
     */
    static long[] onnxShape(ImportContext ctx, ImportContext.Value v, long batch) {
        return ctx.batchFirst() ? v.shape().withBatch(batch) : v.shape().dims();
    }

    /**
     * The FIRST_DIM form of {@link #exampleAxis(ImportContext, long, int, String)}.
     *
     * @deprecated axes depend on the import's batch axis: use the form that takes the context
     */
    @Deprecated
    static int exampleAxis(long axis, int fullRank, String what) {
        long a = axis < 0 ? axis + fullRank : axis;
        if (a < 0 || a >= fullRank) {
            throw new IllegalArgumentException(what + " " + axis + " is out of range for a tensor of rank " + fullRank);
        }
        if (a == 0) {
            throw new IllegalArgumentException(what + " " + axis + " is the batch axis; native import keeps the batch axis intact");
        }
        return (int) a - 1;
    }

    /**
     * The FIRST_DIM form of {@link #fullRank(ImportContext, ImportContext.Value)}.
     *
     * @deprecated the rank depends on the import's batch axis: use the form that takes the context
     */
    @Deprecated
    static int fullRank(ImportContext.Value v) {
        return v.shape().rank() + 1;
    }

    /**
     * A constant operand as a Graft node ({@code onnx-constant}) beside the computed value {@code like},
     * for layers that take it as an input: its per-example form ({@link Params#perExample}), repeated
     * for every example. Real constants stay trainable, as constants a layer takes as parameters do.
     */
    static String promote(ImportContext ctx, ImportContext.Value constant, ImportContext.Value like, String hint) {
        Const c = Params.perExample(ctx, Const.of(constant.constant()), like, "the constant '" + constant.onnxName() + "'");
        if (c.rank() == 0 && like.shape().rank() > 0) {
            c = c.reshape(1);
        }
        return ctx.emit("onnx-constant", Map.of("shape", Params.list(c.shape), "trainable", !c.isInt()), List.of(like.node()),
                Map.of("value", c.toArray()), hint);
    }

    /**
     * Binds {@code onnxName} to an empty constant of {@code shape} (a dimension is 0): a tensor without
     * values does not depend on the model's inputs, only on their static shapes.
     */
    static void bindEmpty(ImportContext ctx, String onnxName, long[] shape, ElementType type) {
        ctx.bindConstant(onnxName, Nd4j.create(type != null && type.isFloatingPoint() ? DataType.FLOAT : DataType.INT64, shape));
    }

    /**
     * Emits a per-example reshape of {@code input} to {@code shape}: {@code reshape}, or
     * {@code onnx-reshape} for a scalar ({@code []}); {@code input} itself when the shape is already
     * that.
     */
    static String reshape(ImportContext ctx, String input, long[] shape, String hint) {
        if (Arrays.equals(ctx.shapeOf(input).dims(), shape)) {
            return input;
        }
        if (shape.length == 0) {
            return ctx.emit("onnx-reshape", Map.of("shape", List.of()), List.of(input), Map.of(), hint);
        }
        return ctx.emit("reshape", Map.of("shape", Params.list(shape)), List.of(input), Map.of(), hint);
    }

    /**
     * The input of a layer that works on a batch of examples ({@code conv2d}, pooling,
     * {@code batch-norm}) for a computed value whose ONNX axis 0 is the ONNX batch: the value itself
     * under FIRST_DIM; under NONE an {@code onnx-fold-batch} that makes its axis 0 Graft's batch (undo
     * it with {@link #unfold}).
     */
    static String fold(ImportContext ctx, ImportContext.Value v, String hint) {
        if (ctx.batchFirst()) {
            return v.node();
        }
        if (v.shape().rank() < 2) {
            throw new IllegalArgumentException("'" + v.onnxName() + "' has shape " + dims(v.shape()) + "; the op needs [N, C, ...]");
        }
        return ctx.emit("onnx-fold-batch", Map.of(), List.of(v.node()), Map.of(), hint + "_fold");
    }

    /** Undoes {@link #fold}: under NONE an {@code onnx-unfold-batch} of {@code n} rows; else the node itself. */
    static String unfold(ImportContext ctx, String node, ImportContext.Value folded, String hint) {
        if (ctx.batchFirst()) {
            return node;
        }
        return ctx.emit("onnx-unfold-batch", Map.of("n", folded.shape().dim(0)), List.of(node), Map.of(), hint);
    }

    static String dims(Shape s) {
        return Arrays.toString(s.dims());
    }
}
