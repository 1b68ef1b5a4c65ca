package dev.graft.onnx.imports;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.Objects;

/**
 * How {@link OnnxImporter} imports a model.
 *
 * @param batchAxis   which axis is the batch ({@link BatchAxis#AUTO} decides from the inputs)
 * @param knownInputs values of integer data inputs (int8 to int64, uint8 to uint64, bool) known ahead
 *                    of running, by ONNX input name. A converter that needs one of them as a constant
 *                    (a {@code Reshape} target, {@code Slice} bounds, {@code Gather} indices, ...)
 *                    folds it in; the input stays an input of the model, and an engine must check that
 *                    the values it is fed are these ({@link OnnxImporter.Imported#folded()} lists the
 *                    folded ones). Floating-point inputs are never folded. Empty for ordinary imports.
 */
public record ImportOptions(BatchAxis batchAxis, Map<String, INDArray> knownInputs) {
    /** The defaults: {@link BatchAxis#AUTO}, nothing known ahead. */
    public static final ImportOptions DEFAULT = new ImportOptions(BatchAxis.AUTO, Map.of());

    public ImportOptions {
        Objects.requireNonNull(batchAxis, "batchAxis");
        knownInputs = knownInputs == null ? Map.of() : Map.copyOf(knownInputs);
        for (Map.Entry<String, INDArray> e : knownInputs.entrySet()) {
            if (!e.getValue().dataType().isIntType() && e.getValue().dataType() != org.nd4j.linalg.api.buffer.DataType.BOOL) {
                throw new IllegalArgumentException("known input '" + e.getKey() + "' is " + e.getValue().dataType()
                        + "; only integer and bool inputs may be folded");
            }
        }
    }

    /** The options with another batch axis. */
    public ImportOptions withBatchAxis(BatchAxis axis) {
        return new ImportOptions(axis, knownInputs);
    }

    /** Options with a batch axis and nothing known ahead. */
    public static ImportOptions of(BatchAxis axis) {
        return new ImportOptions(axis, Map.of());
    }
}
