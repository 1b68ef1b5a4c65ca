package dev.graft.onnx.conformance;

import dev.graft.onnx.InferenceEngine;
import dev.graft.onnx.UnsupportedOpsException;
import dev.graft.onnx.proto.ElementType;
import dev.graft.onnx.proto.TestProtos;
import dev.graft.onnx.ort.OrtEngine;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static dev.graft.onnx.proto.TestProtos.floats;
import static dev.graft.onnx.proto.TestProtos.resource;
import static dev.graft.onnx.proto.TestProtos.write;
import static org.assertj.core.api.Assertions.assertThat;

/** The runner on test directories built here from add_relu.onnx, with ONNX Runtime and with fake engines. */
class ConformanceRunnerTest {
    @TempDir
    Path tmp;

    /** A backend-test directory for add_relu.onnx: y = relu((x + bias) * [1, 2, 3]); data set 1's reference is off by `error`. */
    private Path addReluTest(String name, float error) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.copy(resource("add_relu.onnx"), dir.resolve("model.onnx"));
        write(floats("x", new long[] {2, 3}, 1, -2, 3, 0, 0, 0), dir.resolve("test_data_set_0/input_0.pb"));
        write(floats("bias", new long[] {3}, 1, 1, 1), dir.resolve("test_data_set_0/input_1.pb"));
        write(floats("y", new long[] {2, 3}, 2, 0, 12, 1, 2, 3), dir.resolve("test_data_set_0/output_0.pb"));
        write(floats("x", new long[] {1, 3}, 1, 1, 1), dir.resolve("test_data_set_1/input_0.pb"));
        write(floats("bias", new long[] {3}, 0, 0, -2), dir.resolve("test_data_set_1/input_1.pb"));
        write(floats("y", new long[] {1, 3}, 1 + error, 2, 0), dir.resolve("test_data_set_1/output_0.pb"));
        return dir;
    }

    private static final ConformanceRunner ORT = new ConformanceRunner(OrtEngine::open);

    @Test
    void passesWithOnnxRuntime() throws Exception {
        TestResult r = ORT.run(addReluTest("test_add_relu", 0));
        assertThat(r.status()).as(r.message()).isEqualTo(Status.PASS);
        assertThat(r.name()).isEqualTo("test_add_relu");
        assertThat(r.maxAbsError()).isZero();
        assertThat(r.message()).isEmpty();
        assertThat(r.ops()).extracting(Object::toString).containsExactly("ai.onnx::Add:13", "ai.onnx::Mul:13", "ai.onnx::Relu:13");
    }

    @Test
    void aWrongReferenceFailsNamingTheDataSet() throws Exception {
        TestResult r = ORT.run(addReluTest("test_off", 0.5f));
        assertThat(r.status()).isEqualTo(Status.FAIL);
        assertThat(r.maxAbsError()).isEqualTo(0.5);
        assertThat(r.message()).isEqualTo("test_data_set_1: output 'y': 1 of 3 elements differ (|actual - expected| <= 1.0E-5 + 0.001 * |expected|);"
                + " the largest difference is at [0, 0]: 1.0, expected 1.5");
        // a looser tolerance accepts it
        assertThat(new ConformanceRunner(OrtEngine::open, new Tolerance(0, 0.5)).run(r.dir()).status()).isEqualTo(Status.PASS);
    }

    @Test
    void unsupportedOpsAreUnsupported() throws Exception {
        Path dir = addReluTest("test_u", 0);
        TestResult r = new ConformanceRunner(p -> {
            throw new UnsupportedOpsException("the test engine cannot run 1 operator of " + p.getFileName(),
                    List.of(new UnsupportedOpsException.Op("relu", "", "Relu", 13)));
        }).run(dir);
        assertThat(r.status()).isEqualTo(Status.UNSUPPORTED);
        assertThat(r.maxAbsError()).isNaN();
        assertThat(r.message()).isEqualTo("the test engine cannot run 1 operator of model.onnx" + System.lineSeparator()
                + "  - Relu (ai.onnx opset 13, node 'relu')");
        assertThat(r.ops()).hasSize(3);
    }

    @Test
    void anythingElseIsAnError() throws Exception {
        Path dir = addReluTest("test_e", 0);
        TestResult boom = new ConformanceRunner(p -> {
            throw new IllegalStateException("boom");
        }).run(dir);
        assertThat(boom.status()).isEqualTo(Status.ERROR);
        assertThat(boom.message()).isEqualTo("IllegalStateException: boom");

        Path corrupt = Files.createDirectories(tmp.resolve("test_corrupt"));
        write(new byte[] {8, 7, 0, 0, 1}, corrupt.resolve("model.onnx"));
        TestResult c = ORT.run(corrupt);
        assertThat(c.status()).isEqualTo(Status.ERROR);
        assertThat(c.message()).startsWith(corrupt.resolve("model.onnx") + " is not a valid ONNX model: ");
        assertThat(c.ops()).isEmpty();

        Path noData = Files.createDirectories(tmp.resolve("test_nodata"));
        Files.copy(resource("add_relu.onnx"), noData.resolve("model.onnx"));
        assertThat(ORT.run(noData).message()).isEqualTo("no test_data_set_N directories in " + noData);

        Path extra = addReluTest("test_extra", 0);
        write(floats("z", new long[] {1}, 1), extra.resolve("test_data_set_0/input_2.pb"));
        assertThat(ORT.run(extra).message()).isEqualTo("test_data_set_0: 3 input files but the model has 2 inputs (initializers excluded)");

        Path badInput = addReluTest("test_badinput", 0);
        write(floats("x", new long[] {2, 4}, 1, 2, 3, 4, 5, 6, 7, 8), badInput.resolve("test_data_set_0/input_0.pb"));
        TestResult bi = ORT.run(badInput);
        assertThat(bi.status()).isEqualTo(Status.ERROR);
        assertThat(bi.message()).isEqualTo("input 'x' has shape [2, 4] but model.onnx wants [N, 3]: dimension 1 must be 3, not 4");
    }

    @Test
    void outputsTheEngineDoesNotReturnOrGetsWrongFail() throws Exception {
        Path dir = addReluTest("test_fake", 0);
        Function<Path, InferenceEngine> missing = p -> fake(Map.of());
        assertThat(new ConformanceRunner(missing).run(dir).message()).isEqualTo("test_data_set_0: the engine returned no output 'y'");
        Function<Path, InferenceEngine> wrongType = p -> fake(Map.of("y", Nd4j.zeros(DataType.DOUBLE, 2, 3)));
        TestResult t = new ConformanceRunner(wrongType).run(dir);
        assertThat(t.status()).isEqualTo(Status.FAIL);
        assertThat(t.message()).isEqualTo("test_data_set_0: output 'y' is double but the reference is float");
    }

    private static InferenceEngine fake(Map<String, INDArray> outputs) {
        return new InferenceEngine() {
            @Override
            public List<IoSpec> inputs() {
                return List.of();
            }

            @Override
            public List<IoSpec> outputs() {
                return List.of();
            }

            @Override
            public Map<String, INDArray> run(Map<String, INDArray> inputs) {
                return outputs;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void findsTestDirectories() throws Exception {
        Path a = addReluTest("test_b", 0);
        Path b = addReluTest("test_a", 0);
        Files.createDirectories(tmp.resolve("not_a_test"));
        assertThat(ConformanceRunner.testDirs(tmp)).containsExactly(b, a);
        assertThat(ConformanceRunner.testDirs(a)).containsExactly(a);
        assertThat(ConformanceRunner.testDirs(tmp.resolve("not_a_test"))).isEmpty();
        assertThat(ConformanceRunner.testDirs(tmp.resolve("missing"))).isEmpty();
    }

    @Test
    void uint16ReferencesOfBfloat16ValuesAreReadAsBfloat16() {
        TensorProto t = TestProtos.raw("b", ElementType.UINT16, new long[] {2}, new byte[] {(byte) 0xc0, 0x3f, (byte) 0x80, (byte) 0xbf});
        INDArray u = dev.graft.onnx.proto.Tensors.toArray(t);
        INDArray b = ConformanceRunner.asDeclared(u, InferenceEngine.IoSpec.tensor("b", ElementType.BFLOAT16, 2));
        assertThat(b.dataType()).isEqualTo(DataType.BFLOAT16);
        assertThat(b.castTo(DataType.FLOAT).toFloatVector()).containsExactly(1.5f, -1f);
        assertThat(ConformanceRunner.asDeclared(u, InferenceEngine.IoSpec.tensor("b", ElementType.UINT16, 2))).isSameAs(u);
    }
}
