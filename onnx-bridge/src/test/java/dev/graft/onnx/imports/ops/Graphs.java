package dev.graft.onnx.imports.ops;

import onnx.Onnx;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Small ONNX graphs built in code, for converter tests: {@link #of} has one input {@code x} [N, ...] and
 * one output {@code y}; {@link #whole} starts empty, for inputs and outputs of any type and static shape.
 */
final class Graphs {
    private final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder().setName("test");
    private final int opset;
    private final List<String> domains = new ArrayList<>();

    private Graphs(int opset) {
        this.opset = opset;
    }

    /** A graph at {@code opset} without inputs or outputs yet. */
    static Graphs whole(int opset) {
        return new Graphs(opset);
    }

    /** Adds a data input of an element type ({@code TensorProto.DataType} number) and static shape. */
    Graphs input(String name, int elemType, long... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        graph.addInput(Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))));
        return this;
    }

    /** Adds a graph output of an element type (its shape left to inference). */
    Graphs output(String name, int elemType) {
        graph.addOutput(Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(elemType))));
        return this;
    }

    /** Writes the model to {@code file}, for engines that open files. */
    java.nio.file.Path write(java.nio.file.Path file) throws java.io.IOException {
        java.nio.file.Files.write(file, build().toByteArray());
        return file;
    }

    private Graphs(int opset, long... exampleShape) {
        this.opset = opset;
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (long d : exampleShape) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        graph.addInput(Onnx.ValueInfoProto.newBuilder().setName("x").setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))));
        graph.addOutput(Onnx.ValueInfoProto.newBuilder().setName("y"));
    }

    /** A graph at {@code opset} whose input has the given per-example shape. */
    static Graphs of(int opset, long... exampleShape) {
        return new Graphs(opset, exampleShape);
    }

    /**
     * Adds a node; {@code attrs} are name / value pairs (Long or Integer, Float or Double, String, long[],
     * float[]).
     */
    Graphs node(String op, String name, List<String> inputs, List<String> outputs, Object... attrs) {
        return node("", op, name, inputs, outputs, attrs);
    }

    Graphs node(String domain, String op, String name, List<String> inputs, List<String> outputs, Object... attrs) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(name).setDomain(domain)
                .addAllInput(inputs).addAllOutput(outputs);
        for (int i = 0; i < attrs.length; i += 2) {
            Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName((String) attrs[i]);
            Object v = attrs[i + 1];
            if (v instanceof Long || v instanceof Integer) {
                a.setType(Onnx.AttributeProto.AttributeType.INT).setI(((Number) v).longValue());
            } else if (v instanceof Float || v instanceof Double) {
                a.setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(((Number) v).floatValue());
            } else if (v instanceof String s) {
                a.setType(Onnx.AttributeProto.AttributeType.STRING).setS(ByteString.copyFrom(s, StandardCharsets.UTF_8));
            } else if (v instanceof long[] l) {
                a.setType(Onnx.AttributeProto.AttributeType.INTS);
                for (long x : l) {
                    a.addInts(x);
                }
            } else if (v instanceof float[] f) {
                a.setType(Onnx.AttributeProto.AttributeType.FLOATS);
                for (float x : f) {
                    a.addFloats(x);
                }
            } else {
                throw new IllegalArgumentException("attribute type " + v);
            }
            n.addAttribute(a);
        }
        graph.addNode(n);
        if (!domain.isEmpty() && !domains.contains(domain)) {
            domains.add(domain);
        }
        return this;
    }

    /** A float initializer. */
    Graphs floats(String name, float[] values, long... shape) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(1);
        for (long d : shape) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        graph.addInitializer(t);
        return this;
    }

    /** An int64 initializer. */
    Graphs longs(String name, long[] values, long... shape) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(7);
        for (long d : shape) {
            t.addDims(d);
        }
        for (long v : values) {
            t.addInt64Data(v);
        }
        graph.addInitializer(t);
        return this;
    }

    Onnx.ModelProto build() {
        Onnx.ModelProto.Builder m = Onnx.ModelProto.newBuilder().setIrVersion(7).setGraph(graph)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
        for (String d : domains) {
            m.addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain(d).setVersion(1));
        }
        return m.build();
    }
}
