package dev.graft.onnx.imports.ops;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.imports.OnnxOpConverter;
import org.nd4j.linalg.api.ndarray.INDArray;

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

    /** The {@code i}-th input, which must be a constant (an initializer or a folded value). */
    static INDArray constant(ImportContext ctx, OnnxNode node, int i, String what) {
        ImportContext.Value v = input(ctx, node, i);
        if (!v.isConstant()) {
            throw new IllegalArgumentException(what + " ('" + v.onnxName() + "') is computed from the model input; native import"
                    + " needs it to be a constant (an initializer)");
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
     * An ONNX axis of a tensor of full rank {@code fullRank} (batch included) as a per-example axis;
     * negative axes count from the end. The batch axis is rejected.
     */
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

    /** The full (batch-first) rank of a computed value. */
    static int fullRank(ImportContext.Value v) {
        return v.shape().rank() + 1;
    }

    static String dims(Shape s) {
        return Arrays.toString(s.dims());
    }
}
