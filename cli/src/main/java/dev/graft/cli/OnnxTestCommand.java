package dev.graft.cli;

import dev.graft.onnx.InferenceEngine;
import dev.graft.onnx.InferenceEngineFactory;
import dev.graft.onnx.conformance.ConformanceRunner;
import dev.graft.onnx.conformance.Status;
import dev.graft.onnx.conformance.Summary;
import dev.graft.onnx.conformance.TestResult;
import dev.graft.onnx.conformance.Tolerance;
import dev.graft.onnx.proto.ModelInfo.OpUse;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.plugin.PluginPath;
import dev.graft.runtime.util.Names;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;

@Command(name = "onnx-test", mixinStandardHelpOptions = true,
        description = {"Run ONNX backend tests with an inference engine and compare its outputs with the references.",
                "A test is a directory holding model.onnx and test_data_set_N/{input_K,output_K}.pb, as in onnx/backend/test/data"
                        + " and Debian's libonnx-testdata; each DIR is a test or a directory of tests (one level down).",
                "Prints a line per test (status, max abs error, name, reason) and a summary. Statuses: pass; fail (an output differs);"
                        + " unsupported (the engine lacks operators); error (anything else).",
                "Models are opened as whole tensors (no batch axis), and the engine is given the test's integer inputs ahead: the native"
                        + " engine folds those it needs as constants (shapes, axes, indices) and the JSON lists them per test (folded_inputs).",
                "Exit code: 0 when no test failed or errored (unsupported ones do not count), 1 when some did, 2-7 for usage and other errors."})
final class OnnxTestCommand implements Callable<Integer> {
    /** Exit code when some test failed or errored. */
    static final int TESTS_FAILED = 1;

    @Mixin
    Common common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "test directory, or a directory of test directories")
    List<Path> dirs = new ArrayList<>();

    @Option(names = "--engine", paramLabel = "NAME", description = "inference engine: ort (ONNX Runtime) or native (Graft's importer); default ort")
    String engine = "ort";

    @Option(names = "--rtol", paramLabel = "R", description = "relative tolerance for floating-point outputs (default 1e-3)")
    double rtol = Tolerance.DEFAULT.rtol();

    @Option(names = "--atol", paramLabel = "A", description = "absolute tolerance for floating-point outputs (default 1e-5)")
    double atol = Tolerance.DEFAULT.atol();

    @Override
    public Integer call() {
        if (!(rtol >= 0) || !(atol >= 0) || Double.isInfinite(rtol) || Double.isInfinite(atol)) {
            throw new GraftException(GraftException.Code.USAGE, "--rtol and --atol must be finite and non-negative, got --rtol " + rtol + " --atol " + atol);
        }
        Map<Path, List<Path>> groups = collect();
        ConformanceRunner runner = runner(new Tolerance(rtol, atol));
        PrintStream out = Main.stdout(spec);
        List<TestResult> all = new ArrayList<>();
        Map<Path, Summary> perDir = new LinkedHashMap<>();
        for (Map.Entry<Path, List<Path>> g : groups.entrySet()) {
            List<TestResult> rs = runner.runAll(g.getValue(), r -> out.println(line(r)));
            perDir.put(g.getKey(), Summary.of(rs));
            all.addAll(rs);
        }
        Summary total = Summary.of(all);
        if (perDir.size() > 1) {
            perDir.forEach((d, s) -> out.println(d + ": " + s));
        }
        out.println((perDir.size() > 1 ? "total: " : "") + "engine " + engine + ", " + total);
        if (common.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("command", "onnx-test");
            j.put("engine", engine);
            j.put("rtol", rtol);
            j.put("atol", atol);
            j.put("total", total.total());
            j.put("passed", total.passed());
            j.put("failed", total.failed());
            j.put("unsupported", total.unsupported());
            j.put("errors", total.errors());
            List<Map<String, Object>> results = new ArrayList<>();
            for (TestResult r : all) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", r.name());
                m.put("dir", r.dir().toString());
                m.put("status", r.status().label());
                m.put("max_abs_error", Double.isFinite(r.maxAbsError()) ? r.maxAbsError() : null);
                m.put("message", r.message());
                m.put("folded_inputs", r.foldedInputs());
                List<Map<String, Object>> ops = new ArrayList<>();
                for (OpUse o : r.ops()) {
                    Map<String, Object> op = new LinkedHashMap<>();
                    op.put("domain", o.domain());
                    op.put("op_type", o.opType());
                    op.put("opset", o.opset());
                    ops.add(op);
                }
                m.put("ops", ops);
                m.put("millis", r.millis());
                results.add(m);
            }
            j.put("results", results);
            out.println(Common.json(j));
        }
        return total.failed() + total.errors() == 0 ? 0 : TESTS_FAILED;
    }

    /** The test directories of each DIR argument, in order, each test once. */
    private Map<Path, List<Path>> collect() {
        Map<Path, List<Path>> groups = new LinkedHashMap<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (Path d : dirs) {
            if (!Files.exists(d)) {
                throw new GraftException(GraftException.Code.USAGE, "DIR " + d + " does not exist");
            }
            if (!Files.isDirectory(d)) {
                throw new GraftException(GraftException.Code.USAGE, "DIR " + d + " is not a directory (give a test directory holding model.onnx,"
                        + " or a directory of them)");
            }
            List<Path> tests;
            try {
                tests = ConformanceRunner.testDirs(d);
            } catch (java.io.UncheckedIOException e) {
                throw new GraftException(GraftException.Code.IO, "cannot list " + d + ": " + e.getCause().getMessage(), e);
            }
            if (tests.isEmpty()) {
                throw new GraftException(GraftException.Code.USAGE, "no ONNX tests in " + d + ": neither it nor any directory directly inside it holds a "
                        + ConformanceRunner.MODEL);
            }
            List<Path> fresh = new ArrayList<>();
            for (Path t : tests) {
                if (seen.add(real(t))) {
                    fresh.add(t);
                }
            }
            groups.computeIfAbsent(d, k -> new ArrayList<>()).addAll(fresh);
        }
        return groups;
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** A runner over the engine factory named by --engine, from the class path and the plugin path. */
    private ConformanceRunner runner(Tolerance tolerance) {
        List<Path> entries = new ArrayList<>(common.plugins);
        entries.addAll(PluginPath.fromEnvironment());
        ClassLoader loader = PluginPath.classLoader(entries, OnnxTestCommand.class.getClassLoader());
        InferenceEngineFactory.Discovery found = InferenceEngineFactory.discover(loader);
        InferenceEngineFactory f = found.factories().get(engine);
        if (f != null) {
            return ConformanceRunner.forFactory(f, tolerance);
        }
        if (engine.equals("native")) {
            // not built yet, or not on the class path: every test says so rather than the command failing
            return new ConformanceRunner((Function<Path, InferenceEngine>) model -> {
                throw new GraftException(GraftException.Code.PLUGIN, "the native engine is not available");
            }, tolerance);
        }
        StringBuilder msg = new StringBuilder("--engine " + engine + " is not an available inference engine"
                + Names.didYouMean(engine, found.factories().keySet()) + "; available: " + String.join(", ", found.factories().keySet()));
        if (!found.broken().isEmpty()) {
            msg.append("; engines that failed to load: ").append(String.join("; ", found.broken()));
        }
        throw new GraftException(GraftException.Code.USAGE, msg.toString());
    }

    /** "PASS         1.19e-07  test_relu", then the reason for anything else. */
    static String line(TestResult r) {
        String err = Double.isNaN(r.maxAbsError()) ? "-" : String.format(Locale.ROOT, "%.2e", r.maxAbsError());
        String s = String.format(Locale.ROOT, "%-11s  %9s  %s", r.status().name(), err, r.name());
        if (r.status() != Status.PASS && !r.message().isEmpty()) {
            s += "  " + r.message().strip().replaceAll("\\s*\\R\\s*-?\\s*", "; ");
        }
        return s;
    }
}
