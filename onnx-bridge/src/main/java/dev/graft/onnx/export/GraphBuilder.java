package dev.graft.onnx.export;

import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The graph being exported: nodes, initializers and unique names. Names made while a Graft node is
 * exported start with that node's name ({@code conv1/Conv}), so the ONNX graph reads like the model.
 */
final class GraphBuilder implements OnnxGraph {
    private final int opset;
    private final List<Onnx.NodeProto.Builder> nodes = new ArrayList<>();
    private final List<Onnx.TensorProto> initializers = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private String scope = "";

    GraphBuilder(int opset) {
        this.opset = opset;
    }

    @Override
    public int opset() {
        return opset;
    }

    /** Names made from now on start with {@code scope + "/"} (none for an empty scope). */
    void scope(String scope) {
        this.scope = scope;
    }

    /** Claims a name no value may take. */
    void reserve(String name) {
        names.add(name);
    }

    String unique(String hint) {
        String base = scope.isEmpty() ? hint : scope + "/" + hint;
        String name = base;
        int i = 1;
        while (!names.add(name)) {
            name = base + "_" + (++i);
        }
        return name;
    }

    /** An initializer under {@code name} exactly if it is free, else under a unique variant. */
    String initializer(String name, INDArray value) {
        String n = name;
        int i = 1;
        while (!names.add(n)) {
            n = name + "_" + (++i);
        }
        initializers.add(tensor(n, value));
        return n;
    }

    /** Whether {@code name} is a value of the graph (an input, a constant or a node output). */
    boolean known(String name) {
        return names.contains(name);
    }

    @Override
    public Node op(String opType) {
        return new NodeImpl(opType);
    }

    @Override
    public String constant(String hint, INDArray value) {
        String name = unique(hint);
        initializers.add(tensor(name, value));
        return name;
    }

    @Override
    public String longs(String hint, long... values) {
        return constant(hint, Nd4j.createFromArray(values.clone()));
    }

    @Override
    public String floats(String hint, long[] shape, float... values) {
        return constant(hint, Nd4j.createFromArray(values.clone()).reshape('c', shape));
    }

    @Override
    public String scalar(String hint, double value) {
        return constant(hint, Nd4j.scalar(DataType.FLOAT, (float) value));
    }

    /** Renames a value computed by a node (its producer's output and every use). */
    boolean renameComputed(String from, String to) {
        boolean produced = nodes.stream().anyMatch(n -> n.getOutputList().contains(from));
        if (!produced) {
            return false;
        }
        for (Onnx.NodeProto.Builder n : nodes) {
            for (int i = 0; i < n.getOutputCount(); i++) {
                if (n.getOutput(i).equals(from)) {
                    n.setOutput(i, to);
                }
            }
            for (int i = 0; i < n.getInputCount(); i++) {
                if (n.getInput(i).equals(from)) {
                    n.setInput(i, to);
                }
            }
        }
        return true;
    }

    /** Writes the nodes and initializers into {@code graph}. */
    void into(Onnx.GraphProto.Builder graph) {
        nodes.forEach(n -> graph.addNode(n.build()));
        graph.addAllInitializer(initializers);
    }

    /** A tensor proto of an ND4J array: float32 for floating point, int64 for integers, bool for booleans. */
    static Onnx.TensorProto tensor(String name, INDArray value) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name);
        for (long d : value.shape()) {
            t.addDims(d);
        }
        DataType type = value.dataType();
        long n = value.length();
        if (type.isFPType()) {
            float[] v = value.castTo(DataType.FLOAT).dup('c').data().asFloat();
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(4 * n)).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v, 0, (int) n);
            t.setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(b.array()));
        } else if (type == DataType.BOOL) {
            byte[] bytes = new byte[(int) n];
            INDArray flat = value.dup('c').reshape(n);
            for (int i = 0; i < n; i++) {
                bytes[i] = (byte) (flat.getDouble(i) != 0 ? 1 : 0);
            }
            t.setDataType(Onnx.TensorProto.DataType.BOOL_VALUE).setRawData(ByteString.copyFrom(bytes));
        } else if (type.isIntType()) {
            long[] v = value.castTo(DataType.LONG).dup('c').data().asLong();
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(8 * n)).order(ByteOrder.LITTLE_ENDIAN);
            b.asLongBuffer().put(v, 0, (int) n);
            t.setDataType(Onnx.TensorProto.DataType.INT64_VALUE).setRawData(ByteString.copyFrom(b.array()));
        } else {
            throw new IllegalArgumentException("cannot store a " + type + " array as an ONNX constant");
        }
        return t.build();
    }

    private final class NodeImpl implements Node {
        private final Onnx.NodeProto.Builder node;

        NodeImpl(String opType) {
            this.node = Onnx.NodeProto.newBuilder().setOpType(opType);
        }

        @Override
        public Node input(String... names) {
            for (String n : names) {
                if (n == null) {
                    throw new IllegalArgumentException(node.getOpType() + ": an input name is null (use \"\" to omit an optional input)");
                }
                node.addInput(n);
            }
            return this;
        }

        private Onnx.AttributeProto.Builder attr(String name, Onnx.AttributeProto.AttributeType type) {
            return Onnx.AttributeProto.newBuilder().setName(name).setType(type);
        }

        @Override
        public Node attr(String name, long value) {
            node.addAttribute(attr(name, Onnx.AttributeProto.AttributeType.INT).setI(value));
            return this;
        }

        @Override
        public Node attr(String name, double value) {
            node.addAttribute(attr(name, Onnx.AttributeProto.AttributeType.FLOAT).setF((float) value));
            return this;
        }

        @Override
        public Node attr(String name, String value) {
            node.addAttribute(attr(name, Onnx.AttributeProto.AttributeType.STRING).setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)));
            return this;
        }

        @Override
        public Node ints(String name, long... values) {
            Onnx.AttributeProto.Builder a = attr(name, Onnx.AttributeProto.AttributeType.INTS);
            for (long v : values) {
                a.addInts(v);
            }
            node.addAttribute(a);
            return this;
        }

        @Override
        public Node floats(String name, float... values) {
            Onnx.AttributeProto.Builder a = attr(name, Onnx.AttributeProto.AttributeType.FLOATS);
            for (float v : values) {
                a.addFloats(v);
            }
            node.addAttribute(a);
            return this;
        }

        @Override
        public String output() {
            return outputs(1).get(0);
        }

        @Override
        public List<String> outputs(int count) {
            if (count < 1) {
                throw new IllegalArgumentException(node.getOpType() + ": a node has at least one output");
            }
            String first = unique(node.getOpType());
            List<String> out = new ArrayList<>();
            out.add(first);
            for (int i = 1; i < count; i++) {
                out.add(unique(node.getOpType() + "_out" + i));
            }
            node.setName(first).addAllOutput(out);
            nodes.add(node);
            return out;
        }
    }
}
