package dev.graft.onnx.proto;

import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.shade.protobuf.ByteString;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small hand-built ONNX protos for tests, and the committed test resources. */
public final class TestProtos {
    private TestProtos() {
    }

    /** A committed file under src/test/resources/onnx. */
    public static Path resource(String name) {
        try {
            var url = TestProtos.class.getResource("/onnx/" + name);
            if (url == null) {
                throw new IllegalArgumentException("no test resource onnx/" + name);
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A tensor value info; dims of -1 become symbolic dimensions named "N". */
    public static ValueInfoProto value(String name, ElementType type, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N") : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.code()).setShape(shape)))
                .build();
    }

    /** A float tensor with raw little-endian data. */
    public static TensorProto floats(String name, long[] dims, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        b.flip();
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(ElementType.FLOAT.code()).setRawData(ByteString.copyFrom(b));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A tensor of any type with the given raw bytes. */
    public static TensorProto raw(String name, ElementType type, long[] dims, byte[] rawLittleEndian) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.code()).setRawData(ByteString.copyFrom(rawLittleEndian));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A float tensor whose data is in an external file. */
    public static TensorProto external(String name, long[] dims, String location, Long offset, Long length) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(ElementType.FLOAT.code())
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location));
        if (offset != null) {
            t.addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(offset.toString()));
        }
        if (length != null) {
            t.addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(length.toString()));
        }
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A model y = Add(x, w) over float [dims] with the given initializer w (opset 13). */
    public static ModelProto addModel(TensorProto w, long... dims) {
        GraphProto g = GraphProto.newBuilder().setName("add")
                .addInput(value("x", ElementType.FLOAT, dims))
                .addOutput(value("y", ElementType.FLOAT, dims))
                .addInitializer(w)
                .addNode(NodeProto.newBuilder().setOpType("Add").setName("add").addInput("x").addInput(w.getName()).addOutput("y"))
                .build();
        return model(g);
    }

    /** A model y = Identity(x) of the given type and shape (opset 13). */
    public static ModelProto identityModel(ElementType type, long... dims) {
        GraphProto g = GraphProto.newBuilder().setName("identity")
                .addInput(value("x", type, dims))
                .addOutput(value("y", type, dims))
                .addNode(NodeProto.newBuilder().setOpType("Identity").setName("id").addInput("x").addOutput("y"))
                .build();
        return model(g);
    }

    public static ModelProto model(GraphProto g) {
        return ModelProto.newBuilder().setIrVersion(7).setProducerName("graft-tests").setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).build();
    }

    public static Path write(ModelProto m, Path file) {
        return write(m.toByteArray(), file);
    }

    public static Path write(TensorProto t, Path file) {
        return write(t.toByteArray(), file);
    }

    public static Path write(byte[] bytes, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] littleEndianFloats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }
}
