package dev.graft.onnx.imports;

import dev.graft.api.Shape;
import dev.graft.onnx.proto.ElementType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/** What an {@link OnnxOpConverter} sees of the import in progress. */
public interface ImportContext {

    /**
     * A value of the ONNX graph: either computed by the Graft graph ({@code node} names the Graft
     * node or a model input, {@code shape} is its per-example shape) or a constant ({@code constant}
     * holds its full ONNX tensor, batch dimension included if it has one).
     *
     * <p>{@code type} is the ONNX element type of the value. The Graft graph computes in float32
     * whatever the type: integer and bool values are carried as floats holding whole numbers (exact up
     * to 2<sup>24</sup>), and converters of ops whose integer semantics differ (a {@code Div} of
     * integers truncates, a {@code Cast} to an integer type drops the fraction) emit what keeps the
     * values integral. The engine returns every output in its declared type.
     */
    record Value(String onnxName, String node, Shape shape, INDArray constant, ElementType type) {
        /** A value with the type of its constant, or float for a computed value. */
        public Value(String onnxName, String node, Shape shape, INDArray constant) {
            this(onnxName, node, shape, constant, constant == null ? ElementType.FLOAT : typeOf(constant));
        }

        public boolean isConstant() {
            return constant != null;
        }

        /** Whether the ONNX type is an integer or bool type (the value holds whole numbers). */
        public boolean isIntegral() {
            return type != null && !type.isFloatingPoint() && type != ElementType.UNDEFINED;
        }

        /** The element type a constant as the importer holds it (LONG for integers, FLOAT, DOUBLE) stands for. */
        public static ElementType typeOf(INDArray a) {
            DataType t = a.dataType();
            if (t == DataType.BOOL) {
                return ElementType.BOOL;
            }
            return ElementType.fromNd4j(t).orElse(ElementType.FLOAT);
        }
    }

    /** The value an ONNX name refers to. */
    Value value(String onnxName);

    /**
     * Whether computed values carry the ONNX batch axis as Graft's batch ({@link BatchAxis#FIRST_DIM}):
     * then a computed value's per-example shape lacks the ONNX axis 0, which converters must not
     * touch. When false ({@link BatchAxis#NONE}) per-example shapes are the full ONNX shapes, behind an
     * implicit batch of 1.
     */
    boolean batchFirst();

    /**
     * The value of a computed data input known ahead of running ({@link ImportOptions#knownInputs()}),
     * for a converter that needs it as a constant; null when it is not known. Asking for it records the
     * input as folded.
     */
    INDArray fold(String onnxName);

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

    /**
     * Binds an ONNX output name to a Graft node (or a model input). Its element type is that of the
     * current node's first present input (float when it has none).
     */
    void bind(String onnxName, String node);

    /** Binds an ONNX output name to a Graft node (or a model input) of the given element type. */
    void bind(String onnxName, String node, ElementType type);

    /** Binds an ONNX output name to a constant (for folded shape arithmetic and {@code Constant}). */
    void bindConstant(String onnxName, INDArray value);

    /** The per-example shape of a Graft node of this import (or a model input). */
    Shape shapeOf(String node);

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
