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
 * @param foldedInputs the integer inputs the engine folded into constants from the test's values
 *     ({@link ConformanceRunner} explains when), in input order; empty for most tests and engines
 */
public record TestResult(String name, Path dir, Status status, double maxAbsError, String message, List<OpUse> ops, long millis,
                         List<String> foldedInputs) {
    public TestResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        message = message == null ? "" : message;
        ops = List.copyOf(ops);
        foldedInputs = foldedInputs == null ? List.of() : List.copyOf(foldedInputs);
    }

    /** A result without folded inputs. */
    public TestResult(String name, Path dir, Status status, double maxAbsError, String message, List<OpUse> ops, long millis) {
        this(name, dir, status, maxAbsError, message, ops, millis, List.of());
    }
}
