package dev.graft.onnx.conformance;

import dev.graft.onnx.InferenceEngine;
import dev.graft.onnx.InferenceEngine.IoSpec;
import dev.graft.onnx.InferenceEngine.Kind;
import dev.graft.onnx.UnsupportedOpsException;
import dev.graft.onnx.proto.ModelInfo;
import dev.graft.onnx.proto.ModelInfo.OpUse;
import dev.graft.onnx.proto.OnnxFiles;
import dev.graft.runtime.GraftException;
import onnx.Onnx.ModelProto;
import dev.graft.onnx.proto.ElementType;
import dev.graft.onnx.proto.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.lang.ref.Reference;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs ONNX backend tests: directories laid out as {@code onnx/backend/test/data} (and Debian's
 * {@code libonnx-testdata}) lay them out,
 * <pre>
 * test_relu/
 *   model.onnx
 *   test_data_set_0/input_0.pb ... input_K.pb, output_0.pb ... output_M.pb
 *   test_data_set_1/...
 * </pre>
 * against any {@link InferenceEngine}.
 *
 * <p>For each directory the model is read (for its input order and the operators it uses) and opened
 * with the engine factory; for each {@code test_data_set_N}, in numeric order, {@code input_K.pb} is
 * fed to the K-th graph input that is not an initializer, and {@code output_K.pb} is compared with
 * the K-th graph output by {@link Comparison#of} under the runner's {@link Tolerance}. The directory's
 * {@link TestResult} is {@code pass} when every output of every data set matches, {@code fail} when an
 * output differs (values, shape or element type), {@code unsupported} when the engine throws {@link
 * UnsupportedOpsException}, and {@code error} for everything else (unreadable model or data, the
 * engine failing to load or run the model, inputs or outputs that are strings, sequences, maps or
 * optionals, which ND4J arrays do not hold), with the reason as the message. The runner itself never
 * throws for a bad test: one broken directory is one {@code error} line.
 */
public final class ConformanceRunner {
    /** The model file of a test directory. */
    public static final String MODEL = "model.onnx";

    private static final Pattern DATA_SET = Pattern.compile("test_data_set_(\\d+)");
    private static final Pattern INPUT = Pattern.compile("input_(\\d+)\\.pb");
    private static final Pattern OUTPUT = Pattern.compile("output_(\\d+)\\.pb");

    private final Function<Path, InferenceEngine> engines;
    private final Tolerance tolerance;

    /** A runner with the default tolerance (rtol 1e-3, atol 1e-5). */
    public ConformanceRunner(Function<Path, InferenceEngine> engines) {
        this(engines, Tolerance.DEFAULT);
    }

    /**
     * @param engines opens an engine for a {@code model.onnx} path (e.g. {@code OrtEngine::open} or
     *     {@code factory::open}); may throw {@link UnsupportedOpsException} or any other exception
     */
    public ConformanceRunner(Function<Path, InferenceEngine> engines, Tolerance tolerance) {
        this.engines = Objects.requireNonNull(engines, "engines");
        this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
    }

    public Tolerance tolerance() {
        return tolerance;
    }

    /** Whether the directory holds a {@code model.onnx}. */
    public static boolean isTestDir(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(MODEL));
    }

    /**
     * The test directories a path names: the path itself when it is one, else its subdirectories that
     * are (one level, sorted by name); empty when neither.
     */
    public static List<Path> testDirs(Path dirOrParent) {
        if (isTestDir(dirOrParent)) {
            return List.of(dirOrParent);
        }
        if (!Files.isDirectory(dirOrParent)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dirOrParent)) {
            return s.filter(ConformanceRunner::isTestDir).sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dirOrParent, e);
        }
    }

    /** Runs every directory in order, handing each result to {@code progress} as it completes. */
    public List<TestResult> runAll(Collection<Path> testDirs, Consumer<TestResult> progress) {
        List<TestResult> out = new ArrayList<>();
        for (Path d : testDirs) {
            TestResult r = run(d);
            out.add(r);
            progress.accept(r);
        }
        return out;
    }

    /** Runs one test directory; never throws for a bad test. */
    public TestResult run(Path dir) {
        long t0 = System.nanoTime();
        String name = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
        List<OpUse> ops = List.of();
        try {
            ModelProto model = OnnxFiles.readModel(dir.resolve(MODEL));
            ops = ModelInfo.ops(model);
            Outcome o = runModel(dir, model);
            return new TestResult(name, dir, o.status, o.maxAbsError, o.message, ops, millis(t0));
        } catch (UnsupportedOpsException e) {
            return new TestResult(name, dir, Status.UNSUPPORTED, Double.NaN, e.getMessage(), ops, millis(t0));
        } catch (Exception | LinkageError | OutOfMemoryError e) {
            return new TestResult(name, dir, Status.ERROR, Double.NaN, describe(e), ops, millis(t0));
        }
    }

    private record Outcome(Status status, double maxAbsError, String message) {
    }

    private Outcome runModel(Path dir, ModelProto model) {
        List<IoSpec> inputs = ModelInfo.inputs(model);
        List<IoSpec> outputs = ModelInfo.outputs(model);
        for (IoSpec s : inputs) {
            if (s.kind() != Kind.TENSOR) {
                return error("input '" + s.name() + "' is " + s.kind().article() + " " + s.typeString() + "; the runner feeds tensors (ND4J arrays) only");
            }
        }
        for (IoSpec s : outputs) {
            if (s.kind() != Kind.TENSOR) {
                return error("output '" + s.name() + "' is " + s.kind().article() + " " + s.typeString() + "; the runner compares tensors (ND4J arrays) only");
            }
        }
        List<Path> sets = numbered(dir, DATA_SET);
        if (sets.isEmpty()) {
            return error("no test_data_set_N directories in " + dir);
        }
        double maxAbs = 0;
        boolean compared = false;
        try (InferenceEngine engine = engines.apply(dir.resolve(MODEL))) {
            if (engine == null) {
                return error("the engine factory returned no engine");
            }
            for (Path set : sets) {
                String where = sets.size() > 1 ? set.getFileName() + ": " : "";
                List<Path> inFiles = numbered(set, INPUT);
                List<Path> outFiles = numbered(set, OUTPUT);
                if (inFiles.size() > inputs.size()) {
                    return error(where + inFiles.size() + " input files but the model has " + inputs.size() + " inputs (initializers excluded)");
                }
                if (outFiles.size() != outputs.size()) {
                    return error(where + outFiles.size() + " output files but the model has " + outputs.size() + " outputs");
                }
                Map<String, INDArray> feed = new LinkedHashMap<>();
                for (int k = 0; k < inFiles.size(); k++) {
                    feed.put(inputs.get(k).name(), asDeclared(OnnxFiles.readArray(inFiles.get(k)), inputs.get(k)));
                }
                List<INDArray> expected = new ArrayList<>();
                for (int k = 0; k < outFiles.size(); k++) {
                    expected.add(asDeclared(OnnxFiles.readArray(outFiles.get(k)), outputs.get(k)));
                }
                Map<String, INDArray> actual = engine.run(feed);
                for (int k = 0; k < outputs.size(); k++) {
                    String out = outputs.get(k).name();
                    INDArray a = actual.get(out);
                    if (a == null) {
                        return new Outcome(Status.FAIL, compared ? maxAbs : Double.NaN, where + "the engine returned no output '" + out + "'");
                    }
                    Comparison c = Comparison.of("output '" + out + "'", a, expected.get(k), tolerance);
                    if (!Double.isNaN(c.maxAbsError())) {
                        maxAbs = Math.max(maxAbs, c.maxAbsError());
                        compared = true;
                    }
                    if (!c.matches()) {
                        return new Outcome(Status.FAIL, compared ? maxAbs : Double.NaN, where + c.message());
                    }
                }
            }
        }
        return new Outcome(Status.PASS, compared ? maxAbs : 0, "");
    }

    /**
     * The ONNX test generator writes bfloat16 tensors as uint16 (numpy has no bfloat16): the bits are
     * the bfloat16 values, so a uint16 tensor for a value the graph declares bfloat16 is read as one.
     */
    static INDArray asDeclared(INDArray a, IoSpec spec) {
        if (spec.type() == ElementType.BFLOAT16 && a.dataType() == DataType.UINT16) {
            INDArray b = Nd4j.create(DataType.BFLOAT16, a.shape());
            if (a.length() > 0) {
                INDArray p = Tensors.packed(a);
                b.data().asNio().put(p.data().asNio());
                Reference.reachabilityFence(p);
            }
            return b;
        }
        return a;
    }

    private static Outcome error(String message) {
        return new Outcome(Status.ERROR, Double.NaN, message);
    }

    /** The entries of {@code dir} whose names match, sorted by their number. */
    private static List<Path> numbered(Path dir, Pattern p) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> p.matcher(f.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(f -> number(p, f)))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static long number(Pattern p, Path f) {
        Matcher m = p.matcher(f.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalStateException(f.toString());
        }
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof GraftException && e.getMessage() != null) {
            return e.getMessage();
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + m;
    }

    private static long millis(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
