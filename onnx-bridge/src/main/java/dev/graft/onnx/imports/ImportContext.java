package dev.graft.onnx.imports;

import dev.graft.api.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/** What an {@link OnnxOpConverter} sees of the import in progress. */
public interface ImportContext {

    /**
     * A value of the ONNX graph: either computed by the Graft graph ({@code node} names the Graft
     * node or {@code input}, {@code shape} is its per-example shape) or a constant ({@code constant}
     * holds its full ONNX tensor, batch dimension included if it has one).
     */
    record Value(String onnxName, String node, Shape shape, INDArray constant) {
        public boolean isConstant() {
            return constant != null;
        }
    }

    /** The value an ONNX name refers to. */
    Value value(String onnxName);

    /**
     * Adds a Graft node.
     *
     * @param layer   the layer plugin id
     * @param config  its options (as a config file would give them)
     * @param inputs  the Graft nodes feeding it ({@link Value#node()} of computed values)
     * @param params  initial values of the layer's parameters by short name ({@code W}, {@code b});
     *                they become trainable parameters of the imported model
     * @param hint    a readable stem for the node name (usually the ONNX node name)
     * @return the new node's name
     * @throws IllegalArgumentException when the layer does not accept the inputs (the message says why)
     */
    String emit(String layer, Map<String, Object> config, List<String> inputs, Map<String, INDArray> params, String hint);

    /** Binds an ONNX output name to a Graft node (or {@code input}). */
    void bind(String onnxName, String node);

    /** Binds an ONNX output name to a constant (for folded shape arithmetic and {@code Constant}). */
    void bindConstant(String onnxName, INDArray value);

    /**
     * The nodes that read {@code onnxName}, in graph order (a node reading it twice is listed once).
     * With {@link #isGraphOutput} this tells a converter whether it may fuse a value's only consumer
     * into what it emits, e.g. a {@code MatMul} and the {@code Add} of a bias after it.
     */
    List<OnnxNode> consumers(String onnxName);

    /** Whether {@code onnxName} is an output of the graph. */
    boolean isGraphOutput(String onnxName);

    /**
     * Marks a later node as converted by the current converter, which must have bound that node's
     * outputs; the importer skips it.
     *
     * @throws IllegalStateException if {@code node} is not a node after the current one
     */
    void fuse(OnnxNode node);

    /**
     * State that converters of one family share during this import (created by {@code create} on
     * first use, one per type): for example what they know about values they bound with
     * {@link #bindOpaque}.
     */
    <T> T state(Class<T> type, java.util.function.Supplier<T> create);

    /**
     * Binds an ONNX output name to a value that only the converters which produced it understand (they
     * keep what it is in their {@link #state}), such as a tensor whose batch axis is not first. For
     * every other converter {@link #value} of that name throws an {@link IllegalArgumentException}
     * with {@code reason}, which should say what the value is and what would make it usable.
     */
    void bindOpaque(String onnxName, String reason);

    /** Whether {@code onnxName} was bound with {@link #bindOpaque}. */
    boolean isOpaque(String onnxName);
}
