package dev.graft.onnx.conformance;

import dev.graft.onnx.proto.ModelInfo.OpUse;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one test directory.
 *
 * @param name the directory's name ({@code test_relu})
 * @param dir the directory
 * @param status pass, fail, unsupported or error
 * @param maxAbsError the largest |actual - expected| over every compared element of every output and
 *     data set (NaN and equal infinities excluded); NaN when nothing was compared
 * @param message why it did not pass ({@code ""} when it passed)
 * @param ops the operators the model uses (empty when the model could not be read)
 * @param millis wall-clock time for the whole directory
 */
public record TestResult(String name, Path dir, Status status, double maxAbsError, String message, List<OpUse> ops, long millis) {
    public TestResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        message = message == null ? "" : message;
        ops = List.copyOf(ops);
    }
}
