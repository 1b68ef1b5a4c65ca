package dev.graft.onnx.ort;

import dev.graft.onnx.InferenceEngine;
import dev.graft.onnx.InferenceEngine.IoSpec;
import dev.graft.onnx.InferenceEngineFactory;
import dev.graft.onnx.UnsupportedOpsException;
import dev.graft.onnx.proto.ElementType;
import dev.graft.onnx.proto.TestProtos;
import dev.graft.onnx.proto.Tensors;
import dev.graft.runtime.GraftException;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.graft.onnx.proto.TestProtos.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class OrtEngineTest {
    static OrtEngine engine;
    static final Path MODEL = resource("add_relu.onnx");

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        engine = OrtEngine.open(MODEL);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static Map<String, INDArray> feed(Object... kv) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (INDArray) kv[i + 1]);
        }
        return m;
    }

    private static INDArray x() {
        return Nd4j.createFromArray(new float[][] {{1, -2, 3}, {0, 0, 0}});
    }

    private static INDArray bias() {
        return Nd4j.createFromArray(1f, 1f, 1f);
    }

    @Test
    void describesInputsAndOutputsAsTheModelDeclaresThem() {
        assertThat(engine.inputs()).extracting(Object::toString).containsExactly("x (float [N, 3])", "bias (float [3])");
        assertThat(engine.outputs()).extracting(Object::toString).containsExactly("y (float [N, 3])");
        InferenceEngine.IoSpec x = engine.inputs().get(0);
        assertThat(x.dims()).containsExactly(-1, 3);
        assertThat(x.shape().get(0).symbol()).isEqualTo("N");
        assertThat(x.isStatic()).isFalse();
        assertThat(engine.ortInputNames()).containsExactlyInAnyOrder("x", "bias");
    }

    @Test
    void runs() {
        Map<String, INDArray> out = engine.run(feed("x", x(), "bias", bias()));
        assertThat(out).containsOnlyKeys("y");
        INDArray y = out.get("y");
        assertThat(y.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(y.shape()).containsExactly(2, 3);
        // relu((x + 1) * [1, 2, 3])
        assertThat(y.ravel().toFloatVector()).containsExactly(2, 0, 12, 1, 2, 3);
        // the batch dimension is free
        INDArray big = Nd4j.rand(DataType.FLOAT, 5, 3);
        assertThat(engine.run(feed("x", big, "bias", bias())).get("y").shape()).containsExactly(5, 3);
    }

    @Test
    void viewsAndFortranOrderGiveTheSameAnswer() {
        INDArray base = Nd4j.createFromArray(new float[][] {{9, 9, 9}, {1, -2, 3}, {0, 0, 0}});
        INDArray view = base.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3), org.nd4j.linalg.indexing.NDArrayIndex.all());
        INDArray fortran = x().dup('f');
        INDArray expected = engine.run(feed("x", x(), "bias", bias())).get("y");
        assertThat(engine.run(feed("x", view, "bias", bias())).get("y")).isEqualTo(expected);
        assertThat(engine.run(feed("x", fortran, "bias", bias())).get("y")).isEqualTo(expected);
        assertThat(base.getRow(0).toFloatVector()).containsExactly(9, 9, 9); // inputs are not modified
    }

    /** relu((x + bias) * [1, 2, 3]), what add_relu.onnx computes, in plain Java. */
    private static float[] addRelu(float[][] x, float[] bias) {
        float[] y = new float[x.length * 3];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < 3; j++) {
                y[i * 3 + j] = Math.max(0f, (x[i][j] + bias[j]) * (j + 1));
            }
        }
        return y;
    }

    @Test
    void inPlaceAndCopiedInputsGiveTheReferenceAnswer() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
        float[][] x = new float[64][3];
        for (float[] row : x) {
            for (int j = 0; j < 3; j++) {
                row[j] = (float) (rng.nextDouble() * 4 - 2);
            }
        }
        float[] b = {0.5f, -1f, 0.25f};
        float[] expected = addRelu(x, b);
        INDArray packed = Nd4j.createFromArray(x); // c order, from the buffer's start: handed to ORT in place
        assertThat(Tensors.isPacked(packed)).isTrue();
        // the same values as a view: every other row of a bigger array, and offset; then f order: both copied first
        INDArray big = Nd4j.create(DataType.FLOAT, 129, 3);
        for (int i = 0; i < 64; i++) {
            big.putRow(2 * i + 1, packed.getRow(i));
        }
        INDArray strided = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2, 129), org.nd4j.linalg.indexing.NDArrayIndex.all());
        assertThat(Tensors.isPacked(strided)).isFalse();
        INDArray offset = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 65), org.nd4j.linalg.indexing.NDArrayIndex.all());
        assertThat(offset.offset()).isNotZero();
        INDArray fortran = packed.dup('f');
        INDArray bias = Nd4j.createFromArray(b);
        for (INDArray in : List.of(packed, strided, fortran)) {
            assertThat(engine.run(feed("x", in, "bias", bias)).get("y").ravel().toFloatVector()).isEqualTo(expected);
        }
        float[][] firstRows = new float[64][];
        for (int i = 0; i < 64; i++) {
            firstRows[i] = i % 2 == 0 ? x[i / 2] : new float[] {0, 0, 0}; // rows 1..64 of big
        }
        assertThat(engine.run(feed("x", offset, "bias", bias)).get("y").ravel().toFloatVector()).isEqualTo(addRelu(firstRows, b));
        assertThat(packed.toFloatMatrix()).isEqualTo(x); // inputs are not modified
    }

    @Test
    void everyRunReturnsArraysOfItsOwn() {
        INDArray first = engine.run(feed("x", x(), "bias", bias())).get("y");
        INDArray second = engine.run(feed("x", x(), "bias", bias())).get("y");
        assertThat(first.data()).isNotSameAs(second.data());
        first.assign(-1f);
        assertThat(second.ravel().toFloatVector()).containsExactly(2, 0, 12, 1, 2, 3);
        // the batch size changes between runs and back
        for (int n : new int[] {1, 7, 2, 7}) {
            float[][] x = new float[n][];
            for (int i = 0; i < n; i++) {
                x[i] = new float[] {i, -i, 0.5f * i};
            }
            INDArray y = engine.run(feed("x", Nd4j.createFromArray(x), "bias", bias())).get("y");
            assertThat(y.shape()).containsExactly(n, 3);
            assertThat(y.ravel().toFloatVector()).isEqualTo(addRelu(x, new float[] {1, 1, 1}));
        }
        assertThat(first.ravel().toFloatVector()).containsOnly(-1f);
    }

    @Test
    void runIntoWritesIntoTheCallersArraysCallAfterCall() {
        try (OrtEngine e = OrtEngine.open(MODEL)) {
            float[][] x = {{1, -2, 3}, {0, 0, 0}};
            INDArray in = Nd4j.createFromArray(x);
            INDArray bias = bias();
            INDArray y = Nd4j.create(DataType.FLOAT, 2, 3);
            e.runInto(feed("x", in, "bias", bias), Map.of("y", y));
            assertThat(y.ravel().toFloatVector()).isEqualTo(addRelu(x, new float[] {1, 1, 1}));
            // the same arrays again, with new values: the kept tensors read and write them in place
            float[][] x2 = {{-5, 4, 0.5f}, {2, 2, -1}};
            in.assign(Nd4j.createFromArray(x2));
            bias.assign(Nd4j.createFromArray(0f, -3f, 1f));
            e.runInto(feed("x", in, "bias", bias), Map.of("y", y));
            assertThat(y.ravel().toFloatVector()).isEqualTo(addRelu(x2, new float[] {0, -3, 1}));
            // another output array, and another batch size
            INDArray y3 = Nd4j.create(DataType.FLOAT, 3, 3);
            float[][] x3 = {{1, 1, 1}, {-1, -1, -1}, {3, 0, -3}};
            e.runInto(feed("x", Nd4j.createFromArray(x3), "bias", bias), Map.of("y", y3));
            assertThat(y3.ravel().toFloatVector()).isEqualTo(addRelu(x3, new float[] {0, -3, 1}));
            e.runInto(feed("x", in, "bias", bias), Map.of("y", y));
            assertThat(y.ravel().toFloatVector()).isEqualTo(addRelu(x2, new float[] {0, -3, 1}));
            // the default (run, then copy) gives the same
            InferenceEngine viaRun = new InferenceEngine() {
                public List<IoSpec> inputs() {
                    return e.inputs();
                }

                public List<IoSpec> outputs() {
                    return e.outputs();
                }

                public Map<String, INDArray> run(Map<String, INDArray> inputs) {
                    return e.run(inputs);
                }

                public void close() {
                }
            };
            INDArray copied = Nd4j.create(DataType.FLOAT, 2, 3);
            viaRun.runInto(feed("x", in, "bias", bias), Map.of("y", copied));
            assertThat(copied).isEqualTo(y);
            assertThatThrownBy(() -> viaRun.runInto(feed("x", in, "bias", bias), Map.of("y", Nd4j.create(DataType.FLOAT, 3, 3))))
                    .isInstanceOf(GraftException.class).hasMessageContaining("output 'y' came out FLOAT [2, 3]");
        }
    }

    @Test
    void runIntoRefusesArraysItCannotWriteInto() {
        Map<String, INDArray> in = feed("x", x(), "bias", bias());
        assertThat(catchThrowableOfType(() -> engine.runInto(in, Map.of("z", Nd4j.create(DataType.FLOAT, 2, 3))), GraftException.class))
                .hasMessageContaining("output 'z' is not an output of add_relu.onnx; its outputs: y (float [N, 3])")
                .extracting(GraftException::code).isEqualTo(GraftException.Code.DATA);
        assertThatThrownBy(() -> engine.runInto(in, Map.of("y", Nd4j.create(DataType.DOUBLE, 2, 3))))
                .isInstanceOf(GraftException.class).hasMessageContaining("is ND4J DOUBLE, not the output's float");
        assertThatThrownBy(() -> engine.runInto(in, Map.of("y", Nd4j.create(DataType.FLOAT, 2, 4))))
                .isInstanceOf(GraftException.class).hasMessageContaining("of shape [2, 4], which the output's [N, 3] does not allow");
        assertThatThrownBy(() -> engine.runInto(in, Map.of("y", Nd4j.create(DataType.FLOAT, 3, 2).transpose())))
                .isInstanceOf(GraftException.class).hasMessageContaining("not dense and row-major");
        assertThatThrownBy(() -> engine.runInto(in, Map.of()))
                .isInstanceOf(GraftException.class).hasMessageContaining("needs at least one output array");
        // a batch size the inputs do not produce: ONNX Runtime's own refusal, as a DATA error
        assertThatThrownBy(() -> engine.runInto(in, Map.of("y", Nd4j.create(DataType.FLOAT, 5, 3))))
                .isInstanceOf(GraftException.class).extracting(t -> ((GraftException) t).code()).isEqualTo(GraftException.Code.DATA);
        // the engine carries on
        INDArray y = Nd4j.create(DataType.FLOAT, 2, 3);
        engine.runInto(in, Map.of("y", y));
        assertThat(y.ravel().toFloatVector()).containsExactly(2, 0, 12, 1, 2, 3);
    }

    @Test
    void anArrayFedAgainIsReadAgain() {
        // the tensor made over an array's memory is kept for the next call feeding the same memory: it must see the new values
        try (OrtEngine e = OrtEngine.open(MODEL)) {
            float[][] x = {{1, -2, 3}, {0, 0, 0}};
            INDArray in = Nd4j.createFromArray(x);
            INDArray bias = bias();
            assertThat(e.run(feed("x", in, "bias", bias)).get("y").ravel().toFloatVector()).isEqualTo(addRelu(x, new float[] {1, 1, 1}));
            float[][] x2 = {{-5, 4, 0.5f}, {2, 2, -1}};
            in.assign(Nd4j.createFromArray(x2));
            bias.assign(Nd4j.createFromArray(0f, -3f, 1f));
            assertThat(e.run(feed("x", in, "bias", bias)).get("y").ravel().toFloatVector()).isEqualTo(addRelu(x2, new float[] {0, -3, 1}));
            // an array sharing another's memory (ND4J gives a reshaped array a buffer object of its own over the same memory)
            INDArray flat = Nd4j.createFromArray(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f);
            INDArray rows = flat.reshape(3, 3);
            assertThat(rows.data().address()).isEqualTo(flat.data().address());
            float[][] r3 = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
            assertThat(e.run(feed("x", rows, "bias", bias)).get("y").ravel().toFloatVector()).isEqualTo(addRelu(r3, new float[] {0, -3, 1}));
            flat.muli(-1f);
            float[][] minus = {{-1, -2, -3}, {-4, -5, -6}, {-7, -8, -9}};
            assertThat(e.run(feed("x", rows, "bias", bias)).get("y").ravel().toFloatVector()).isEqualTo(addRelu(minus, new float[] {0, -3, 1}));
            // two rows of it: not packed (copied), then the whole again
            assertThat(e.run(feed("x", rows.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3), org.nd4j.linalg.indexing.NDArrayIndex.all()),
                    "bias", bias)).get("y").ravel().toFloatVector()).isEqualTo(addRelu(new float[][] {minus[1], minus[2]}, new float[] {0, -3, 1}));
            assertThat(e.run(feed("x", rows, "bias", bias)).get("y").ravel().toFloatVector()).isEqualTo(addRelu(minus, new float[] {0, -3, 1}));
            // a closed array is refused as ND4J refuses it, and the engine carries on
            INDArray closed = Nd4j.createFromArray(x);
            e.run(feed("x", closed, "bias", bias));
            closed.close();
            assertThatThrownBy(() -> e.run(feed("x", closed, "bias", bias))).isInstanceOf(RuntimeException.class);
            assertThat(e.run(feed("x", Nd4j.createFromArray(x), "bias", bias)).get("y").ravel().toFloatVector())
                    .isEqualTo(addRelu(x, new float[] {0, -3, 1}));
        }
    }

    @Test
    void oneArrayFedFromSeveralThreadsAtOnce() throws Exception {
        INDArray in = x();
        INDArray bias = bias();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<INDArray>> fs = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                fs.add(pool.submit(() -> engine.run(feed("x", in, "bias", bias)).get("y")));
            }
            for (Future<INDArray> f : fs) {
                assertThat(f.get().ravel().toFloatVector()).containsExactly(2, 0, 12, 1, 2, 3);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unknownInputNamesListTheModelsInputs() {
        GraftException e = catchThrowableOfType(GraftException.class, () -> engine.run(feed("X", x(), "bias", bias())));
        assertThat(e.code()).isEqualTo(GraftException.Code.DATA);
        assertThat(e.getMessage()).isEqualTo("2 problems with the inputs given to add_relu.onnx:"
                + System.lineSeparator() + "  - add_relu.onnx has no input 'X'; did you mean 'x'?; its inputs are x (float [N, 3]), bias (float [3])"
                + System.lineSeparator() + "  - input 'x' (float [N, 3]) is missing; add_relu.onnx needs x (float [N, 3]), bias (float [3])");
        assertThatThrownBy(() -> engine.run(feed("x", x(), "bias", bias(), "extra", bias())))
                .hasMessage("add_relu.onnx has no input 'extra'; its inputs are x (float [N, 3]), bias (float [3])");
    }

    @Test
    void missingInputs() {
        assertThatThrownBy(() -> engine.run(feed("x", x()))).isInstanceOf(GraftException.class)
                .hasMessage("input 'bias' (float [3]) is missing; add_relu.onnx needs x (float [N, 3]), bias (float [3])");
        assertThatThrownBy(() -> engine.run(null)).hasMessage("no inputs given to add_relu.onnx; it needs x (float [N, 3]), bias (float [3])");
        assertThatThrownBy(() -> engine.run(feed("x", x(), "bias", null))).hasMessage("input 'bias' is null; add_relu.onnx wants float [3]");
    }

    @Test
    void wrongRankAndShape() {
        GraftException rank = catchThrowableOfType(GraftException.class, () -> engine.run(feed("x", Nd4j.zeros(DataType.FLOAT, 2, 3, 1), "bias", bias())));
        assertThat(rank.code()).isEqualTo(GraftException.Code.DATA);
        assertThat(rank.getMessage()).isEqualTo("input 'x' has shape [2, 3, 1] (rank 3) but add_relu.onnx wants rank 2: float [N, 3]");
        assertThatThrownBy(() -> engine.run(feed("x", Nd4j.zeros(DataType.FLOAT, 2, 4), "bias", bias())))
                .hasMessage("input 'x' has shape [2, 4] but add_relu.onnx wants [N, 3]: dimension 1 must be 3, not 4");
        assertThatThrownBy(() -> engine.run(feed("x", x(), "bias", Nd4j.scalar(1f))))
                .hasMessage("input 'bias' has shape [] (rank 0) but add_relu.onnx wants rank 1: float [3]");
    }

    @Test
    void wrongElementType() {
        GraftException e = catchThrowableOfType(GraftException.class, () -> engine.run(feed("x", x().castTo(DataType.DOUBLE), "bias", bias())));
        assertThat(e.code()).isEqualTo(GraftException.Code.DATA);
        assertThat(e.getMessage()).isEqualTo("input 'x' is double [2, 3] but add_relu.onnx wants float [N, 3] (cast it to ND4J FLOAT)");
        assertThatThrownBy(() -> engine.run(feed("x", x(), "bias", bias().castTo(DataType.INT64))))
                .hasMessage("input 'bias' is int64 [3] but add_relu.onnx wants float [3] (cast it to ND4J FLOAT)");
    }

    @Test
    void unknownOperatorsAreUnsupportedOps() {
        UnsupportedOpsException e = catchThrowableOfType(UnsupportedOpsException.class, () -> OrtEngine.open(resource("unknown_op.onnx")));
        assertThat(e.code()).isEqualTo(GraftException.Code.MODEL);
        assertThat(e.ops()).containsExactly(new UnsupportedOpsException.Op("mystery", "ai.onnx", "NoSuchOp", 13));
        assertThat(e.getMessage()).isEqualTo("ONNX Runtime does not know this operator of unknown_op.onnx:" + System.lineSeparator()
                + "  - NoSuchOp (ai.onnx opset 13, node 'mystery')");
    }

    @Test
    void modelsOnnxRuntimeRejectsAreModelErrors() {
        GraphProto g = GraphProto.newBuilder().setName("bad").addInput(TestProtos.value("x", ElementType.FLOAT, 2))
                .addOutput(TestProtos.value("y", ElementType.FLOAT, 2))
                .addNode(NodeProto.newBuilder().setOpType("Relu").addInput("undefined").addOutput("y")).build();
        Path f = TestProtos.write(TestProtos.model(g), tmp.resolve("bad.onnx"));
        GraftException e = catchThrowableOfType(GraftException.class, () -> OrtEngine.open(f));
        assertThat(e).isNotInstanceOf(UnsupportedOpsException.class);
        assertThat(e.code()).isEqualTo(GraftException.Code.MODEL);
        assertThat(e.getMessage()).startsWith("ONNX Runtime cannot load " + f + ": ").contains("undefined");
        // files that are not models at all get the reader's message
        Path junk = TestProtos.write(new byte[] {1, 2, 3}, tmp.resolve("junk.onnx"));
        assertThatThrownBy(() -> OrtEngine.open(junk)).isInstanceOf(GraftException.class).hasMessageStartingWith(junk + " is not a valid ONNX model");
    }

    @ParameterizedTest
    @EnumSource(value = ElementType.class, names = {"FLOAT", "DOUBLE", "FLOAT16", "BFLOAT16", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16",
            "UINT32", "UINT64", "BOOL"})
    void everyElementTypeRoundTripsBitExactly(ElementType type) {
        Path f = TestProtos.write(TestProtos.identityModel(type, 2, 3), tmp.resolve(type + ".onnx"));
        try (OrtEngine e = OrtEngine.open(f)) {
            INDArray in = Nd4j.createUninitialized(type.nd4j().orElseThrow(), 2, 3);
            ByteBuffer b = in.data().asNio().order(ByteOrder.nativeOrder());
            for (int i = 0; i < b.capacity(); i++) {
                b.put(i, type == ElementType.BOOL ? (byte) (i % 2) : (byte) (i * 37 + 11));
            }
            INDArray out = e.run(Map.of("x", in)).get("y");
            assertThat(out.dataType()).isEqualTo(in.dataType());
            assertThat(out.shape()).containsExactly(2, 3);
            ByteBuffer o = out.data().asNio();
            for (int i = 0; i < b.capacity(); i++) {
                assertThat(o.get(i)).as(type + " byte " + i).isEqualTo(b.get(i));
            }
            java.lang.ref.Reference.reachabilityFence(in); // the NIO views do not keep ND4J's buffers alive
            java.lang.ref.Reference.reachabilityFence(out);
        }
    }

    @Test
    void scalarsAndEmptyTensors() {
        Path s = TestProtos.write(TestProtos.identityModel(ElementType.INT64), tmp.resolve("scalar.onnx"));
        try (OrtEngine e = OrtEngine.open(s)) {
            INDArray out = e.run(Map.of("x", Nd4j.scalar(42L))).get("y");
            assertThat(out.rank()).isZero();
            assertThat(out.getLong(0)).isEqualTo(42L);
        }
        Path z = TestProtos.write(TestProtos.identityModel(ElementType.FLOAT, -1, 3), tmp.resolve("empty.onnx"));
        try (OrtEngine e = OrtEngine.open(z)) {
            INDArray out = e.run(Map.of("x", Nd4j.create(DataType.FLOAT, 0, 3))).get("y");
            assertThat(out.isEmpty()).isTrue();
            assertThat(out.shape()).containsExactly(0, 3);
        }
    }

    @Test
    void internalsAreAvailableWithThePinnedVersion() {
        assertThat(OrtInternals.outputViewAvailable()).isTrue();
        assertThat(OrtInternals.unsignedInputsAvailable()).isTrue();
    }

    @Test
    void closedEnginesRefuseToRunAndCloseTwiceQuietly() {
        OrtEngine e = OrtEngine.open(MODEL);
        e.close();
        e.close();
        assertThatThrownBy(() -> e.run(feed("x", x(), "bias", bias()))).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void runsFromSeveralThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<INDArray>> fs = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                fs.add(pool.submit(() -> engine.run(feed("x", x(), "bias", bias())).get("y")));
            }
            for (Future<INDArray> f : fs) {
                assertThat(f.get().ravel().toFloatVector()).containsExactly(2, 0, 12, 1, 2, 3);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void optionsAreChecked() {
        assertThatThrownBy(() -> OrtEngine.Options.DEFAULT.withIntraOpThreads(0)).isInstanceOf(GraftException.class)
                .hasMessage("ONNX Runtime intra-op threads must be at least 1, got 0");
        try (OrtEngine e = OrtEngine.open(MODEL, OrtEngine.Options.DEFAULT.withIntraOpThreads(2))) {
            assertThat(e.run(feed("x", x(), "bias", bias())).get("y").ravel().toFloatVector()).containsExactly(2, 0, 12, 1, 2, 3);
        }
    }

    @Test
    void theOrtFactoryIsRegistered() {
        InferenceEngineFactory f = InferenceEngineFactory.find("ort", getClass().getClassLoader()).orElseThrow();
        assertThat(f).isInstanceOf(OrtEngineFactory.class);
        try (InferenceEngine e = f.open(MODEL)) {
            assertThat(e).isInstanceOf(OrtEngine.class);
        }
    }
}
