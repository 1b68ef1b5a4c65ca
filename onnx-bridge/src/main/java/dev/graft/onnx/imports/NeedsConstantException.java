package dev.graft.onnx.imports;

/**
 * A converter needs a value as a constant (a {@code Reshape} target, say) that the graph computes. The
 * importer reports it as a model error; when the value is computed only from integer inputs known ahead
 * ({@link ImportOptions#knownInputs()}), it folds those inputs and imports again instead.
 */
public class NeedsConstantException extends IllegalArgumentException {
    private final String value;

    public NeedsConstantException(String value, String message) {
        super(message);
        this.value = value;
    }

    /** The ONNX name of the value that must be a constant. */
    public String value() {
        return value;
    }
}
