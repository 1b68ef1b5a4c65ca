package dev.graft.onnx.conformance;

import dev.graft.onnx.ort.OrtEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * ONNX Runtime through the runner over Debian's libonnx-testdata (the ONNX 1.12 backend test data).
 * Skipped when the package is not installed. Totals go to standard output (target/surefire-reports).
 */
class OnnxBackendTestDataTest {
    static final Path DATA = Path.of("/usr/share/libonnx-testdata/data");
    static final ConformanceRunner RUNNER = new ConformanceRunner(OrtEngine::open);

    @BeforeAll
    static void needsTheData() {
        if (System.getenv("CI") != null) {
            org.assertj.core.api.Assertions.assertThat(DATA.resolve("node")).as("test.sh installs libonnx-testdata; CI must have it").isDirectory();
        }
        assumeTrue(Files.isDirectory(DATA.resolve("node")), "libonnx-testdata is not installed (apt-get install libonnx-testdata)");
    }

    @Test
    void aHandfulOfNodeTestsPass() {
        for (String name : List.of("test_relu", "test_add", "test_conv_with_strides_padding", "test_gemm_default_no_bias", "test_matmul_2d",
                "test_maxpool_2d_default", "test_softmax_axis_1", "test_cast_FLOAT_to_FLOAT16")) {
            TestResult r = RUNNER.run(DATA.resolve("node").resolve(name));
            assertThat(r.status()).as(name + ": " + r.message()).isEqualTo(Status.PASS);
            assertThat(r.maxAbsError()).as(name).isLessThan(1e-3);
            assertThat(r.ops()).as(name).isNotEmpty();
        }
        TestResult conv = RUNNER.run(DATA.resolve("node/test_conv_with_strides_padding"));
        assertThat(conv.ops()).extracting(Object::toString).containsExactly("ai.onnx::Conv:11");
    }

    @Test
    void theWholeNodeDirectory() {
        List<TestResult> results = run("node");
        Summary s = Summary.of(results);
        assertThat(s.total()).isGreaterThanOrEqualTo(900);
        assertThat(s.passRate()).as(s.toString()).isGreaterThanOrEqualTo(0.90);
    }

    @Test
    void thePytorchAndSimpleDirectories() {
        for (String d : List.of("pytorch-converted", "pytorch-operator", "simple")) {
            List<TestResult> results = run(d);
            Summary s = Summary.of(results);
            assertThat(s.passed()).as(d + ": " + s).isPositive();
            // where ONNX Runtime runs these models at all, it matches the references
            assertThat(s.failed()).as(d + ": " + s).isZero();
        }
    }

    private static List<TestResult> run(String dir) {
        long t0 = System.nanoTime();
        List<TestResult> results = RUNNER.runAll(ConformanceRunner.testDirs(DATA.resolve(dir)), r -> { });
        Map<Status, List<String>> byStatus = new TreeMap<>(results.stream().filter(r -> r.status() != Status.PASS)
                .collect(Collectors.groupingBy(TestResult::status, Collectors.mapping(TestResult::name, Collectors.toList()))));
        System.out.printf("libonnx-testdata/%s with ONNX Runtime: %s in %.1f s%n", dir, Summary.of(results), (System.nanoTime() - t0) / 1e9);
        byStatus.forEach((st, names) -> System.out.println("  " + st.label() + ": " + names));
        return results;
    }
}
