package dev.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.runtime.GraftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class OnnxTestCommandTest {
    static final Path NODE = Path.of("/usr/share/libonnx-testdata/data/node");

    @TempDir
    Path tmp;

    /**
     * Runs {@code graft onnx-test ARGS}: through {@link Main} once the command is registered there,
     * else through a command line set up the way {@link Main#run} sets one up.
     */
    static CliRunner onnxTest(String... args) {
        if (Main.commandLine(new String[0]).getSubcommands().containsKey("onnx-test")) {
            List<String> all = new ArrayList<>(List.of("onnx-test"));
            all.addAll(List.of(args));
            return CliRunner.run(all.toArray(String[]::new));
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(e, true, StandardCharsets.UTF_8);
        CommandLine cl = new CommandLine(new OnnxTestCommand());
        cl.setOut(new PrintWriter(new PrintStream(o, true, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            if (ex instanceof GraftException g) {
                err.println("error: " + g.getMessage());
                return g.code().exitCode();
            }
            ex.printStackTrace(err);
            return Main.BUG;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("error: " + ex.getMessage());
            return GraftException.Code.USAGE.exitCode();
        });
        int code = cl.execute(args);
        return new CliRunner(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** A directory holding copies of some node tests (and nothing else). */
    private Path someNodeTests(String... names) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("tests"));
        for (String n : names) {
            Path src = NODE.resolve(n);
            try (var files = Files.walk(src)) {
                for (Path f : files.toList()) {
                    Path dst = dir.resolve(n).resolve(src.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(dst);
                    } else {
                        Files.copy(f, dst);
                    }
                }
            }
        }
        return dir;
    }

    @Test
    void runsADirectoryOfTestsWithOnnxRuntime() throws Exception {
        requireTestData();
        Path dir = someNodeTests("test_relu", "test_add", "test_gemm_default_no_bias");
        CliRunner r = onnxTest(dir.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        String[] lines = r.out().strip().split("\\R");
        assertThat(lines[0]).matches("PASS +\\S+ +test_add");
        assertThat(lines[1]).matches("PASS +\\S+ +test_gemm_default_no_bias");
        assertThat(lines[2]).matches("PASS +\\S+ +test_relu");
        assertThat(lines[3]).isEqualTo("engine ort, 3 tests: 3 passed, 0 failed, 0 unsupported, 0 errors (100.0% passed)");
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        assertThat(j.get("total").asInt()).isEqualTo(3);
        assertThat(j.get("passed").asInt()).isEqualTo(3);
        assertThat(j.get("failed").asInt()).isZero();
        assertThat(j.get("unsupported").asInt()).isZero();
        assertThat(j.get("errors").asInt()).isZero();
        JsonNode relu = j.get("results").get(2);
        assertThat(relu.get("name").asText()).isEqualTo("test_relu");
        assertThat(relu.get("status").asText()).isEqualTo("pass");
        assertThat(relu.get("max_abs_error").isNumber()).isTrue();
        assertThat(relu.get("message").asText()).isEmpty();
        assertThat(relu.get("ops").get(0).get("op_type").asText()).isEqualTo("Relu");
        assertThat(relu.get("ops").get(0).get("domain").asText()).isEqualTo("ai.onnx");
        assertThat(relu.get("ops").get(0).get("opset").asInt()).isPositive();
    }

    @Test
    void aSingleTestDirectoryAndAFailingTest() throws Exception {
        requireTestData();
        Path dir = someNodeTests("test_relu", "test_abs");
        // corrupt test_abs's reference: the engine is right, the test now fails
        Files.copy(NODE.resolve("test_relu/test_data_set_0/output_0.pb"), dir.resolve("test_abs/test_data_set_0/output_0.pb"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRunner one = onnxTest(dir.resolve("test_relu").toString());
        assertThat(one.exit()).isZero();
        assertThat(one.out()).contains("1 test: 1 passed");
        CliRunner r = onnxTest(dir.toString(), "--json");
        assertThat(r.exit()).isEqualTo(OnnxTestCommand.TESTS_FAILED);
        assertThat(r.out()).containsPattern("FAIL +\\S+ +test_abs  output 'y': \\d+ of 60 elements differ");
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        assertThat(j.get("failed").asInt()).isEqualTo(1);
        assertThat(j.get("results").get(0).get("status").asText()).isEqualTo("fail");
        assertThat(j.get("results").get(0).get("max_abs_error").asDouble()).isPositive();
        // a loose enough tolerance passes it
        assertThat(onnxTest(dir.toString(), "--atol", "100").exit()).isZero();
    }

    @Test
    void theNativeEngineRunsImportableTestsAndReportsTheRest() throws Exception {
        requireTestData();
        Path dir = someNodeTests("test_relu", "test_add", "test_det_2d", "test_reshape_reduced_dims");
        CliRunner r = onnxTest(dir.toString(), "--engine", "native", "--json");
        assertThat(r.err()).doesNotContain("internal error");
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        assertThat(j.get("total").asInt()).isEqualTo(4);
        java.util.Map<String, String> status = new java.util.HashMap<>();
        for (JsonNode t : j.get("results")) {
            status.put(t.get("name").asText(), t.get("status").asText());
        }
        assertThat(status.get("test_relu")).isEqualTo("pass");
        assertThat(status.get("test_add")).as("two data inputs").isEqualTo("pass");
        assertThat(status.get("test_reshape_reduced_dims")).as("the int64 shape input is folded from the test's values").isEqualTo("pass");
        assertThat(status.get("test_det_2d")).as("no converter for Det").isEqualTo("unsupported");
        for (JsonNode t : j.get("results")) {
            List<String> folded = new ArrayList<>();
            t.get("folded_inputs").forEach(f -> folded.add(f.asText()));
            assertThat(folded).as(t.get("name").asText()).isEqualTo(t.get("name").asText().equals("test_reshape_reduced_dims")
                    ? List.of("shape") : List.of());
        }
    }

    /** In CI the package is installed by test.sh, so its absence is a failure there, not a skip. */
    private static void requireTestData() {
        if (System.getenv("CI") != null) {
            assertThat(NODE).as("libonnx-testdata must be installed in CI (test.sh installs it)").isDirectory();
        }
        assumeTrue(Files.isDirectory(NODE), "libonnx-testdata is not installed");
    }

    @Test
    void usageErrors() throws Exception {
        CliRunner missing = onnxTest(tmp.resolve("nope").toString());
        assertThat(missing.isCleanError()).as(missing.err()).isTrue();
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("error: DIR " + tmp.resolve("nope") + " does not exist" + System.lineSeparator());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliRunner none = onnxTest(empty.toString());
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("no ONNX tests in " + empty + ": neither it nor any directory directly inside it holds a model.onnx");

        requireTestData();
        Path dir = someNodeTests("test_relu");
        CliRunner engine = onnxTest(dir.toString(), "--engine", "ortt");
        assertThat(engine.isCleanError()).isTrue();
        assertThat(engine.exit()).isEqualTo(2);
        assertThat(engine.err()).contains("--engine ortt is not an available inference engine; did you mean 'ort'?; available: ort");
        CliRunner tol = onnxTest(dir.toString(), "--rtol", "-1");
        assertThat(tol.exit()).isEqualTo(2);
        assertThat(tol.err()).contains("--rtol and --atol must be finite and non-negative");
    }

    @Test
    void brokenTestsAreErrorsNotCrashes() throws Exception {
        Path t = Files.createDirectories(tmp.resolve("suite/test_broken"));
        Files.write(t.resolve("model.onnx"), new byte[] {1, 2, 3, 4});
        CliRunner r = onnxTest(tmp.resolve("suite").toString(), "--json");
        assertThat(r.exit()).isEqualTo(OnnxTestCommand.TESTS_FAILED);
        assertThat(r.err()).doesNotContain("internal error");
        assertThat(r.out()).contains("ERROR                -  test_broken  " + t.resolve("model.onnx") + " is not a valid ONNX model");
        assertThat(new ObjectMapper().readTree(r.lastLine()).get("errors").asInt()).isEqualTo(1);
    }
}
