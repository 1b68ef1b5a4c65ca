package dev.graft.onnx.conformance;

import dev.graft.onnx.InferenceEngine;
import dev.graft.onnx.InferenceEngineFactory;
import dev.graft.onnx.imports.BatchAxis;
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
import java.util.LinkedHashSet;
import java.util.Set;
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
 * with the engine opener; for each {@code test_data_set_N}, in numeric order, {@code input_K.pb} is
 * fed to the K-th graph input that is not an initializer, and {@code output_K.pb} is compared with
 * the K-th graph output by {@link Comparison#of} under the runner's {@link Tolerance}. The directory's
 * {@link TestResult} is {@code pass} when every output of every data set matches, {@code fail} when an
 * output differs (values, shape or element type), {@code unsupported} when the engine throws {@link
 * UnsupportedOpsException} as it is opened, and {@code error} for everything else (unreadable model or
 * data, the engine failing to load or run the model, inputs or outputs that are strings, sequences, maps
 * or optionals, which ND4J arrays do not hold), with the reason as the message. The model is opened
 * before its inputs and outputs are checked, so an engine that declares such a model unsupported (no
 * converter for its ops, or values it cannot hold) makes it {@code unsupported}. The runner itself never
 * throws for a bad test: one broken directory is one {@code error} line.
 *
 * <p>Integer inputs known ahead: the test tensors are whole computations, and an engine with static
 * shapes (the native one) needs some inputs as constants (a {@code Reshape}'s target shape,
 * {@code Slice} bounds, {@code Gather} indices, an {@code axes} input, ...). The opener is therefore
 * given the values of the first data set's <em>integer and bool</em> inputs (never floating-point ones);
 * an engine may fold those it needs as constants, and lists them in {@link InferenceEngine#folded()}. It
 * must refuse other values for them, so the runner opens the engine again for a data set whose values
 * of the folded inputs differ. The folded inputs are reported per test ({@link
 * TestResult#foldedInputs()}). {@link #forFactory} opens engines with {@link BatchAxis#NONE} (whole
 * tensors, no batch axis) for this reason too.
 */
public final class ConformanceRunner {
    /** The model file of a test directory. */
    public static final String MODEL = "model.onnx";

    private static final Pattern DATA_SET = Pattern.compile("test_data_set_(\\d+)");
    private static final Pattern INPUT = Pattern.compile("input_(\\d+)\\.pb");
    private static final Pattern OUTPUT = Pattern.compile("output_(\\d+)\\.pb");

    /** Opens an engine for a model, given the values of its integer inputs known ahead (by input name). */
    @FunctionalInterface
    public interface Opener {
        InferenceEngine open(Path model, Map<String, INDArray> integerInputs);
    }

    private final Opener engines;
    private final Tolerance tolerance;

    /** A runner with the default tolerance (rtol 1e-3, atol 1e-5) whose engines take no known inputs. */
    public ConformanceRunner(Function<Path, InferenceEngine> engines) {
        this(engines, Tolerance.DEFAULT);
    }

    /**
     * @param engines opens an engine for a {@code model.onnx} path (e.g. {@code OrtEngine::open} or
     *     {@code factory::open}); may throw {@link UnsupportedOpsException} or any other exception
     */
    public ConformanceRunner(Function<Path, InferenceEngine> engines, Tolerance tolerance) {
        this((Opener) (model, known) -> engines.apply(model), tolerance, engines);
    }

    private ConformanceRunner(Opener engines, Tolerance tolerance, Object notNull) {
        Objects.requireNonNull(notNull, "engines");
        this.engines = Objects.requireNonNull(engines, "engines");
        this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
    }

    /** A runner whose opener is given the integer inputs of the data (see the class comment). */
    public static ConformanceRunner withOpener(Opener engines, Tolerance tolerance) {
        return new ConformanceRunner(engines, tolerance, engines);
    }

    /**
     * A runner over an engine factory: models are opened with {@link BatchAxis#NONE} (the test tensors
     * are whole computations, not batches) and the integer inputs of the data as known values.
     */
    public static ConformanceRunner forFactory(InferenceEngineFactory factory, Tolerance tolerance) {
        Objects.requireNonNull(factory, "factory");
        return withOpener((model, known) -> factory.open(model, new InferenceEngineFactory.OpenOptions(BatchAxis.NONE, known)), tolerance);
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
        Set<String> folded = new LinkedHashSet<>();
        try {
            ModelProto model = OnnxFiles.readModel(dir.resolve(MODEL));
            ops = ModelInfo.ops(model);
            Outcome o = runModel(dir, model, folded);
            return new TestResult(name, dir, o.status, o.maxAbsError, o.message, ops, millis(t0), List.copyOf(folded));
        } catch (UnsupportedOpsException e) {
            return new TestResult(name, dir, Status.UNSUPPORTED, Double.NaN, e.getMessage(), ops, millis(t0), List.copyOf(folded));
        } catch (Exception | LinkageError | OutOfMemoryError e) {
            return new TestResult(name, dir, Status.ERROR, Double.NaN, describe(e), ops, millis(t0), List.copyOf(folded));
        }
    }

    private record Outcome(Status status, double maxAbsError, String message) {
    }

    private Outcome runModel(Path dir, ModelProto model, Set<String> foldedNames) {
        List<IoSpec> inputs = ModelInfo.inputs(model);
        List<IoSpec> outputs = ModelInfo.outputs(model);
        List<Path> sets = numbered(dir, DATA_SET);
        if (sets.isEmpty()) {
            return error("no test_data_set_N directories in " + dir);
        }
        Map<String, INDArray> known = integerInputs(sets.get(0), inputs);
        InferenceEngine engine = engines.open(dir.resolve(MODEL), known);
        try {
            if (engine == null) {
                return error("the engine factory returned no engine");
            }
            // after opening: an engine that cannot hold some value says so (unsupported) as it opens
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
            double maxAbs = 0;
            boolean compared = false;
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
                if (!engine.folded().isEmpty() && !sameValues(engine.folded(), feed)) {
                    engine.close();
                    engine = engines.open(dir.resolve(MODEL), integerInputs(set, inputs));
                }
                foldedNames.addAll(engine.folded().keySet());
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
            return new Outcome(Status.PASS, compared ? maxAbs : 0, "");
        } finally {
            if (engine != null) {
                engine.close();
            }
        }
    }

    /** The integer and bool inputs of a data set, by input name (floating-point inputs are never given ahead). */
    private static Map<String, INDArray> integerInputs(Path set, List<IoSpec> inputs) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        List<Path> files = numbered(set, INPUT);
        for (int k = 0; k < files.size() && k < inputs.size(); k++) {
            IoSpec spec = inputs.get(k);
            if (spec.kind() != Kind.TENSOR || spec.type().isFloatingPoint() || !spec.type().isSupported()) {
                continue;
            }
            try {
                INDArray a = OnnxFiles.readArray(files.get(k));
                if (a.dataType().isIntType() || a.dataType() == DataType.BOOL) {
                    out.put(spec.name(), a);
                }
            } catch (RuntimeException unreadable) {
                // reported when the data set is read for feeding
            }
        }
        return out;
    }

    /** Whether every folded input is fed the value it was folded with. */
    private static boolean sameValues(Map<String, INDArray> folded, Map<String, INDArray> feed) {
        for (Map.Entry<String, INDArray> f : folded.entrySet()) {
            INDArray given = feed.get(f.getKey());
            if (given == null || !java.util.Arrays.equals(given.shape(), f.getValue().shape())
                    || (given.length() > 0 && !given.castTo(DataType.DOUBLE).equals(f.getValue().castTo(DataType.DOUBLE)))) {
                return false;
            }
        }
        return true;
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
