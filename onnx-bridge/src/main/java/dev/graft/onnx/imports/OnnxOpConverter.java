package dev.graft.onnx.imports;

import dev.graft.api.Plugin;
import dev.graft.api.config.NoConfig;

/**
 * Converts one kind of ONNX node (domain, op type, opset range) into Graft model nodes. Converters
 * are plugins of kind {@code onnx-op}: a jar that lists an implementation in
 * {@code META-INF/services/dev.graft.onnx.imports.OnnxOpConverter} adds an op the importer lacks.
 *
 * <p>A converter reads the node's inputs from the {@link ImportContext}: each is either a tensor
 * the graph computes (with its per-example shape) or a constant (an initializer or a folded
 * {@code Constant}). It emits Graft layer nodes with {@link ImportContext#emit}, handing over the
 * constants that become the layer's trainable parameters (a Gemm's weight and bias become a
 * {@code dense} layer's {@code W} and {@code b}), and binds each ONNX output name to what it
 * produced. It throws {@link IllegalArgumentException} when the node uses attributes or shapes it
 * cannot express; the importer reports that with the node's name.
 *
 * <p>Id convention: {@code onnx-<op type in lower case>}, e.g. {@code onnx-gemm}; for other domains
 * add the domain, e.g. {@code onnx-com-microsoft-fusedconv}.
 */
public interface OnnxOpConverter extends Plugin<NoConfig> {

    /** The operator domain: {@code ""} for the default ONNX domain ({@code ai.onnx}). */
    String domain();

    /** The ONNX op type, e.g. {@code Gemm}. */
    String opType();

    /** The lowest opset version this converter handles. */
    int minOpset();

    /** The highest opset version this converter handles. */
    int maxOpset();

    /**
     * Whether the converter supports the node's attributes, decided from the node alone before
     * anything is imported: null when it does, else the reason (e.g. "to = string: no string tensors").
     * A node refused here makes the model unsupported, like a missing converter, and is listed with
     * them. What depends on the inputs (shapes, constants) is checked by {@link #convert} instead.
     */
    default String unsupported(OnnxNode node) {
        return null;
    }

    /**
     * As {@link #unsupported(OnnxNode)}, also told the declared element types of the graph's data inputs
     * (by name; initializers and node outputs are not listed), for converters that cannot take some input
     * of some type from the data. The default ignores the types.
     */
    default String unsupported(OnnxNode node, java.util.Map<String, dev.graft.onnx.proto.ElementType> dataInputTypes) {
        return unsupported(node);
    }

    /** Converts {@code node}. */
    void convert(OnnxNode node, ImportContext context);

    @Override
    default Class<NoConfig> configType() {
        return NoConfig.class;
    }
}
