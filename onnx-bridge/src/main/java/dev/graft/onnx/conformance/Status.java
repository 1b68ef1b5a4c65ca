package dev.graft.onnx.conformance;

import java.util.Locale;

/** How one conformance test ended. */
public enum Status {
    /** Every output of every data set matched the reference. */
    PASS,
    /** The engine ran, but an output differs from the reference (values, shape or element type). */
    FAIL,
    /** The engine reported operators it cannot run ({@link dev.graft.onnx.UnsupportedOpsException}). */
    UNSUPPORTED,
    /** Anything else: the model or test data could not be read, the engine could not load or run it, the test needs values ND4J arrays cannot hold. */
    ERROR;

    /** "pass", "fail", "unsupported", "error": the spelling of the JSON output. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
