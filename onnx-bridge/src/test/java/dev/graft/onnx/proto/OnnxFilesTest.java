package dev.graft.onnx.proto;

import dev.graft.runtime.GraftException;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static dev.graft.onnx.proto.TestProtos.addModel;
import static dev.graft.onnx.proto.TestProtos.external;
import static dev.graft.onnx.proto.TestProtos.floats;
import static dev.graft.onnx.proto.TestProtos.littleEndianFloats;
import static dev.graft.onnx.proto.TestProtos.resource;
import static dev.graft.onnx.proto.TestProtos.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class OnnxFilesTest {
    @TempDir
    Path tmp;

    @Test
    void readsAGoodModel() {
        ModelProto m = OnnxFiles.readModel(resource("add_relu.onnx"));
        assertThat(m.getGraph().getNodeCount()).isEqualTo(3);
        assertThat(ModelInfo.inputs(m)).extracting(Object::toString).containsExactly("x (float [N, 3])", "bias (float [3])");
        assertThat(ModelInfo.outputs(m)).extracting(Object::toString).containsExactly("y (float [N, 3])");
        assertThat(ModelInfo.ops(m)).extracting(Object::toString).containsExactly("ai.onnx::Add:13", "ai.onnx::Mul:13", "ai.onnx::Relu:13");
        INDArray scale = Tensors.toArray(m.getGraph().getInitializer(0));
        assertThat(scale.ravel().toFloatVector()).containsExactly(1f, 2f, 3f);
    }

    @Test
    void missingFileAndDirectory() {
        Path missing = tmp.resolve("nope.onnx");
        GraftException e = catchThrowableOfType(GraftException.class, () -> OnnxFiles.readModel(missing));
        assertThat(e.code()).isEqualTo(GraftException.Code.MODEL);
        assertThat(e.getMessage()).isEqualTo("Model file " + missing + " does not exist");
        assertThatThrownBy(() -> OnnxFiles.readModel(tmp)).hasMessage(tmp + " is a directory, not an ONNX model file");
    }

    @Test
    void emptyTruncatedAndRandomFilesAreNotModels() throws Exception {
        Path empty = write(new byte[0], tmp.resolve("empty.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(empty)).isInstanceOf(GraftException.class)
                .hasMessage(empty + " is not a valid ONNX model: the file is empty");

        byte[] good = Files.readAllBytes(resource("add_relu.onnx"));
        Path truncated = write(Arrays.copyOf(good, good.length / 2), tmp.resolve("truncated.onnx"));
        GraftException t = catchThrowableOfType(GraftException.class, () -> OnnxFiles.readModel(truncated));
        assertThat(t.code()).isEqualTo(GraftException.Code.MODEL);
        assertThat(t.getMessage()).isEqualTo(truncated + " is not a valid ONNX model: the file is truncated or corrupt"
                + " (the protobuf data ends in the middle of a field)");

        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        Path random = write(noise, tmp.resolve("random.onnx"));
        GraftException r = catchThrowableOfType(GraftException.class, () -> OnnxFiles.readModel(random));
        assertThat(r.code()).isEqualTo(GraftException.Code.MODEL);
        assertThat(r.getMessage()).startsWith(random + " is not a valid ONNX model: ");

        Path text = write("ir_version: 7\ngraph { name: 'g' }\n".getBytes(), tmp.resolve("text.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(text)).isInstanceOf(GraftException.class)
                .hasMessageStartingWith(text + " is not a valid ONNX model: ");
    }

    @Test
    void aHugeDeclaredInitializerIsRejectedBeforeAllocation() {
        TensorProto huge = TensorProto.newBuilder().setName("huge").setDataType(ElementType.FLOAT.code()).addDims(1_000_000_000_000L).build();
        Path f = write(addModel(huge, 1_000_000_000_000L), tmp.resolve("huge.onnx"));
        long heap = Runtime.getRuntime().maxMemory();
        GraftException e = catchThrowableOfType(GraftException.class, () -> OnnxFiles.readModel(f));
        assertThat(e.code()).isEqualTo(GraftException.Code.MODEL);
        assertThat(e.getMessage()).isEqualTo(f + " declares 3.6 TiB (4,000,000,000,000 bytes) of tensor data, more than the "
                + Sizes.bytes(heap) + " allowed (the JVM's maximum heap; raise -Xmx or set -Dgraft.onnx.max-tensor-bytes); the largest is"
                + " initializer 'huge', float [1000000000000] = 3.6 TiB (4,000,000,000,000 bytes)");
    }

    @Test
    void theBudgetIsConfigurable() {
        Path model = resource("add_relu.onnx"); // one initializer: 3 floats = 12 bytes
        assertThat(OnnxFiles.readModel(model, 12)).isNotNull();
        assertThatThrownBy(() -> OnnxFiles.readModel(model, 11)).isInstanceOf(GraftException.class)
                .hasMessageContaining("declares 12 bytes of tensor data, more than the 11 bytes allowed (the limit given to the reader)")
                .hasMessageContaining("initializer 'scale', float [3] = 12 bytes");
        String old = System.getProperty(OnnxFiles.MAX_TENSOR_BYTES_PROPERTY);
        try {
            System.setProperty(OnnxFiles.MAX_TENSOR_BYTES_PROPERTY, "8");
            assertThatThrownBy(() -> OnnxFiles.readModel(model)).hasMessageContaining("more than the 8 bytes allowed (set by -Dgraft.onnx.max-tensor-bytes)");
            System.setProperty(OnnxFiles.MAX_TENSOR_BYTES_PROPERTY, "lots");
            assertThatThrownBy(() -> OnnxFiles.readModel(model)).isInstanceOf(GraftException.class)
                    .hasMessage("-Dgraft.onnx.max-tensor-bytes=lots is not a positive number of bytes");
        } finally {
            if (old == null) {
                System.clearProperty(OnnxFiles.MAX_TENSOR_BYTES_PROPERTY);
            } else {
                System.setProperty(OnnxFiles.MAX_TENSOR_BYTES_PROPERTY, old);
            }
        }
    }

    @Test
    void embeddedDataMustMatchTheDeclaredShape() {
        TensorProto shortRaw = TestProtos.raw("w", ElementType.FLOAT, new long[] {2, 3}, new byte[20]);
        Path f = write(addModel(shortRaw, 2, 3), tmp.resolve("short.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(f)).isInstanceOf(GraftException.class)
                .hasMessage("tensor 'w' (initializer 'w') of " + f + " declares [2, 3] float = 24 bytes, but its raw_data holds 20 bytes");
        TensorProto typed = TensorProto.newBuilder().setName("w").setDataType(ElementType.FLOAT.code()).addDims(2).addDims(3)
                .addFloatData(1).addFloatData(2).build();
        Path g = write(addModel(typed, 2, 3), tmp.resolve("typed.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(g)).hasMessage("tensor 'w' (initializer 'w') of " + g
                + " declares [2, 3] = 6 float elements, but its float_data holds 2 values");
        TensorProto none = TensorProto.newBuilder().setName("w").setDataType(ElementType.FLOAT.code()).addDims(2).addDims(3).build();
        Path h = write(addModel(none, 2, 3), tmp.resolve("none.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(h)).hasMessage("tensor 'w' (initializer 'w') of " + h
                + " declares [2, 3] = 6 float elements, but holds no data (no raw_data, no float_data)");
    }

    @Test
    void externalDataInsideTheModelDirectoryIsRead() {
        Path model = resource("external_ok/model.onnx");
        ModelProto m = OnnxFiles.readModel(model);
        Path dir = model.getParent();
        INDArray w1 = Tensors.toArray(m.getGraph().getInitializer(0), dir);
        INDArray w2 = Tensors.toArray(m.getGraph().getInitializer(1), dir);
        assertThat(w1.shape()).containsExactly(2, 3);
        assertThat(w1.ravel().toFloatVector()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(w2.ravel().toFloatVector()).containsOnly(0.5f);
        // without a directory, external data is refused rather than looked up somewhere
        assertThatThrownBy(() -> Tensors.toArray(m.getGraph().getInitializer(0))).isInstanceOf(GraftException.class)
                .hasMessage("tensor 'w1' keeps its data in an external file, but no model directory was given to resolve it in");
    }

    @Test
    void externalDataInASubdirectoryAndThroughAnInsideLinkIsAllowed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        write(littleEndianFloats(0, 0, 9, 8, 7, 6, 5, 4), dir.resolve("data/w.bin"));
        Files.createSymbolicLink(dir.resolve("link.bin"), dir.resolve("data/w.bin"));
        Path f = write(addModel(external("w", new long[] {2, 3}, "data/w.bin", 8L, 24L), 2, 3), dir.resolve("model.onnx"));
        ModelProto m = OnnxFiles.readModel(f);
        assertThat(Tensors.toArray(m.getGraph().getInitializer(0), dir).ravel().toFloatVector()).containsExactly(9, 8, 7, 6, 5, 4);
        Path g = write(addModel(external("w", new long[] {2, 3}, "./data/../link.bin", 8L, null), 2, 3), dir.resolve("model2.onnx"));
        assertThat(Tensors.toArray(OnnxFiles.readModel(g).getGraph().getInitializer(0), dir).ravel().toFloatVector()).containsExactly(9, 8, 7, 6, 5, 4);
    }

    @Test
    void externalDataEscapingTheDirectoryIsRejected() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        write(littleEndianFloats(1, 2, 3, 4, 5, 6), tmp.resolve("outside.bin"));
        Path f = write(addModel(external("w", new long[] {2, 3}, "../outside.bin", null, null), 2, 3), dir.resolve("model.onnx"));
        GraftException e = catchThrowableOfType(GraftException.class, () -> OnnxFiles.readModel(f));
        assertThat(e.code()).isEqualTo(GraftException.Code.MODEL);
        assertThat(e.getMessage()).isEqualTo("tensor 'w' of " + f + " keeps its data in '../outside.bin', outside the model's directory "
                + dir.toAbsolutePath() + "; external data is read only from files inside that directory");

        Path g = write(addModel(external("w", new long[] {2, 3}, "data/../../outside.bin", null, null), 2, 3), dir.resolve("model2.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(g)).hasMessageContaining("keeps its data in 'data/../../outside.bin', outside the model's directory");
    }

    @Test
    void absoluteExternalLocationsAreRejected() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Path target = write(littleEndianFloats(1, 2, 3, 4, 5, 6), dir.resolve("w.bin")); // even inside the directory
        Path f = write(addModel(external("w", new long[] {2, 3}, target.toAbsolutePath().toString(), null, null), 2, 3), dir.resolve("model.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(f)).isInstanceOf(GraftException.class)
                .hasMessage("tensor 'w' of " + f + " keeps its data at the absolute path '" + target.toAbsolutePath()
                        + "'; external data must be a path relative to the model's directory " + dir.toAbsolutePath() + " and inside it");
        Path g = write(addModel(external("w", new long[] {2, 3}, "/etc/passwd", null, null), 2, 3), dir.resolve("model2.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(g)).hasMessageContaining("keeps its data at the absolute path '/etc/passwd'");
    }

    @Test
    void symbolicLinksLeadingOutAreRejected() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Path secret = write(littleEndianFloats(1, 2, 3, 4, 5, 6), tmp.resolve("elsewhere/secret.bin"));
        Files.createSymbolicLink(dir.resolve("w.bin"), secret);
        Files.createSymbolicLink(dir.resolve("data"), secret.getParent());
        Path f = write(addModel(external("w", new long[] {2, 3}, "w.bin", null, null), 2, 3), dir.resolve("model.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(f)).isInstanceOf(GraftException.class)
                .hasMessage("tensor 'w' of " + f + " keeps its data in 'w.bin', which is a symbolic link to " + secret.toRealPath()
                        + ", outside the model's directory " + dir.toRealPath() + "; external data is read only from files inside that directory");
        Path g = write(addModel(external("w", new long[] {2, 3}, "data/secret.bin", null, null), 2, 3), dir.resolve("model2.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(g)).hasMessageContaining("keeps its data in 'data/secret.bin', which is a symbolic link to");
    }

    @Test
    void externalRangesAreChecked() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        write(littleEndianFloats(1, 2, 3, 4, 5, 6), dir.resolve("w.bin"));
        Path f = write(addModel(external("w", new long[] {2, 3}, "w.bin", 8L, null), 2, 3), dir.resolve("model.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(f)).hasMessage("tensor 'w' (initializer 'w') of " + f
                + " needs bytes 8..32 of 'w.bin', but that file has 24 bytes");
        Path g = write(addModel(external("w", new long[] {2, 3}, "w.bin", 0L, 20L), 2, 3), dir.resolve("model2.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(g)).hasMessage("tensor 'w' (initializer 'w') of " + g
                + " declares 24 bytes of data, but its external_data length in 'w.bin' is 20");
        Path h = write(addModel(external("w", new long[] {2, 3}, "missing.bin", null, null), 2, 3), dir.resolve("model3.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(h)).hasMessage("tensor 'w' of " + h + " keeps its data in 'missing.bin', but "
                + dir.toAbsolutePath().resolve("missing.bin") + " does not exist");
        Path i = write(addModel(external("w", new long[] {2, 3}, "w.bin", -4L, null), 2, 3), dir.resolve("model4.onnx"));
        assertThatThrownBy(() -> OnnxFiles.readModel(i)).hasMessage("tensor 'w' of " + i
                + " has external_data offset '-4'; it must be a non-negative whole number");
    }

    @Test
    void tensorFiles() {
        INDArray a = OnnxFiles.readArray(resource("tensors/float_raw.pb"));
        assertThat(a.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(a.shape()).containsExactly(2, 3);
        Path noise = write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}, tmp.resolve("noise.pb"));
        GraftException e = catchThrowableOfType(GraftException.class, () -> OnnxFiles.readTensor(noise));
        assertThat(e.code()).isEqualTo(GraftException.Code.DATA);
        assertThat(e.getMessage()).startsWith(noise + " is not a valid TensorProto file: ");
        Path empty = write(new byte[0], tmp.resolve("empty.pb"));
        assertThatThrownBy(() -> OnnxFiles.readTensor(empty)).hasMessage(empty + " is not a valid TensorProto file: it has no element type (the file is empty)");
        GraftException s = catchThrowableOfType(GraftException.class, () -> OnnxFiles.readArray(resource("tensors/strings.pb")));
        assertThat(s.code()).isEqualTo(GraftException.Code.DATA);
        assertThat(s.getMessage()).isEqualTo("tensor 'strings' of " + resource("tensors/strings.pb")
                + " holds string elements, which Graft cannot convert to ND4J arrays (string tensors are not supported)");
        assertThatThrownBy(() -> OnnxFiles.readTensor(tmp.resolve("x.pb"))).hasMessage("Tensor file " + tmp.resolve("x.pb") + " does not exist");
    }

    @Test
    void floatsHelperRoundTrips() {
        assertThat(Tensors.toArray(floats("f", new long[] {2}, 1.5f, -2f)).ravel().toFloatVector()).containsExactly(1.5f, -2f);
    }
}
