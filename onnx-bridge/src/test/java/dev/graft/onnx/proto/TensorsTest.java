package dev.graft.onnx.proto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.runtime.GraftException;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.ByteOrder;

import static dev.graft.onnx.proto.TestProtos.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TensorProto -> INDArray against tensors written by the onnx Python package (make_test_files.py). */
class TensorsTest {
    private static final JsonNode EXPECTED;

    static {
        try {
            EXPECTED = new ObjectMapper().readTree(resource("tensors/expected.json").toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"float", "double", "float16", "int8", "int16", "int32", "int64", "uint8", "bool"})
    void rawTypedAndScalarFormsGiveTheSameValues(String type) {
        JsonNode want = EXPECTED.get(type);
        ElementType et = ElementType.valueOf(type.toUpperCase());
        for (String form : new String[] {"raw", "typed"}) {
            INDArray a = OnnxFiles.readArray(resource("tensors/" + type + "_" + form + ".pb"));
            assertThat(a.dataType()).as(type + " " + form).isEqualTo(et.nd4j().orElseThrow());
            assertThat(a.shape()).as(type + " " + form).containsExactly(2, 3);
            assertThat(a.ordering()).isEqualTo('c');
            for (int i = 0; i < 6; i++) {
                assertValue(a, i, want.get("values").get(i), et, type + " " + form + " [" + i + "]");
            }
        }
        INDArray s = OnnxFiles.readArray(resource("tensors/" + type + "_scalar.pb"));
        assertThat(s.rank()).as(type + " scalar").isZero();
        assertThat(s.dataType()).isEqualTo(et.nd4j().orElseThrow());
        assertValue(s, 0, want.get("values").get(1), et, type + " scalar");
    }

    private static void assertValue(INDArray a, int i, JsonNode want, ElementType et, String what) {
        INDArray flat = a.reshape(a.length());
        switch (et) {
            case FLOAT, DOUBLE, FLOAT16 -> {
                double got = et == ElementType.FLOAT16 ? flat.castTo(DataType.DOUBLE).getDouble(i) : flat.getDouble(i);
                assertThat(got).as(what).isEqualTo(want.asDouble());
            }
            case BOOL -> assertThat(flat.getInt(i)).as(what).isEqualTo(want.asInt());
            case INT64 -> assertThat(flat.getLong(i)).as(what).isEqualTo(want.asLong());
            default -> assertThat(flat.getLong(i)).as(what).isEqualTo(want.asLong());
        }
    }

    @Test
    void zeroSizedTensorsBecomeEmptyArraysOfThatShape() {
        TensorProto t = TensorProto.newBuilder().setName("e").setDataType(ElementType.INT64.code()).addDims(2).addDims(0).addDims(5).build();
        INDArray a = Tensors.toArray(t);
        assertThat(a.isEmpty()).isTrue();
        assertThat(a.shape()).containsExactly(2, 0, 5);
        assertThat(a.dataType()).isEqualTo(DataType.INT64);
    }

    @Test
    void unsignedAndBfloat16AreReadBitExactly() {
        byte[] u32 = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 0, 0, 0};
        INDArray a = Tensors.toArray(TestProtos.raw("u", ElementType.UINT32, new long[] {2}, u32));
        assertThat(a.dataType()).isEqualTo(DataType.UINT32);
        assertThat(a.data().asNio().order(ByteOrder.nativeOrder()).getInt(0)).isEqualTo(-1);
        TensorProto typed = TensorProto.newBuilder().setName("u").setDataType(ElementType.UINT64.code()).addDims(1).addUint64Data(-1L).build();
        INDArray t = Tensors.toArray(typed);
        assertThat(t.data().asNio().order(ByteOrder.nativeOrder()).getLong(0)).isEqualTo(-1L);
        java.lang.ref.Reference.reachabilityFence(a);
        java.lang.ref.Reference.reachabilityFence(t);
        TensorProto bf = TensorProto.newBuilder().setName("b").setDataType(ElementType.BFLOAT16.code()).addDims(1).addInt32Data(0x3fc0).build();
        INDArray b = Tensors.toArray(bf);
        assertThat(b.dataType()).isEqualTo(DataType.BFLOAT16);
        assertThat(b.castTo(DataType.FLOAT).getFloat(0)).isEqualTo(1.5f);
    }

    @Test
    void packedArraysAreRecognised() {
        INDArray m = org.nd4j.linalg.factory.Nd4j.createUninitialized(DataType.FLOAT, 2, 10, 1);
        assertThat(Tensors.isPacked(m)).isTrue(); // ND4J's own default-stride check says no (stride 1 on the last 1)
        assertThat(Tensors.packed(m)).isSameAs(m);
        INDArray f = m.dup('f');
        assertThat(Tensors.isPacked(f)).isFalse();
        INDArray view = org.nd4j.linalg.factory.Nd4j.rand(DataType.FLOAT, 4, 3).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        assertThat(Tensors.isPacked(view)).isFalse();
        assertThat(Tensors.packed(view)).isEqualTo(view);
        assertThat(Tensors.isPacked(org.nd4j.linalg.factory.Nd4j.scalar(1f))).isTrue();
    }

    @Test
    void unsupportedTypesAreNamed() {
        TensorProto c = TensorProto.newBuilder().setName("c").setDataType(ElementType.COMPLEX64.code()).addDims(1).addFloatData(1).addFloatData(2).build();
        assertThatThrownBy(() -> Tensors.toArray(c)).isInstanceOf(GraftException.class)
                .hasMessage("tensor 'c' holds complex64 elements, which Graft cannot convert to ND4J arrays");
        TensorProto u = TensorProto.newBuilder().setName("u").setDataType(0).addDims(1).build();
        assertThatThrownBy(() -> Tensors.toArray(u)).hasMessage("tensor 'u' has no element type (data_type is UNDEFINED)");
        TensorProto x = TensorProto.newBuilder().setName("x").setDataType(99).addDims(1).build();
        assertThatThrownBy(() -> Tensors.toArray(x)).hasMessage("tensor 'x' has element type 99, which ONNX does not define");
        TensorProto neg = TensorProto.newBuilder().setName("n").setDataType(1).addDims(-2).build();
        assertThatThrownBy(() -> Tensors.toArray(neg)).hasMessage("tensor 'n' has a negative dimension: [-2]");
        TensorProto over = TensorProto.newBuilder().setName("o").setDataType(1).addDims(Long.MAX_VALUE).addDims(4).build();
        assertThatThrownBy(() -> Tensors.declaredBytes(over)).hasMessageContaining("more elements than a 64-bit count can hold");
    }
}
