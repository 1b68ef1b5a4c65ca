package dev.graft.onnx.imports;

import onnx.Onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A read-only view of an ONNX {@code NodeProto} with typed attribute access. */
public final class OnnxNode {
    private final Onnx.NodeProto proto;
    private final int opset;

    public OnnxNode(Onnx.NodeProto proto, int opset) {
        this.proto = proto;
        this.opset = opset;
    }

    /** The node's name, or a description built from its op type and first output when it has none. */
    public String name() {
        return proto.getName().isEmpty() ? opType() + "(" + (proto.getOutputCount() > 0 ? proto.getOutput(0) : "?") + ")" : proto.getName();
    }

    public String opType() {
        return proto.getOpType();
    }

    public String domain() {
        return proto.getDomain();
    }

    /** The opset of this node's domain in the model. */
    public int opset() {
        return opset;
    }

    /** Input value names; an empty name marks an omitted optional input. */
    public List<String> inputs() {
        return proto.getInputList();
    }

    /** The {@code i}-th input name, or empty when absent or omitted. */
    public Optional<String> input(int i) {
        return i < proto.getInputCount() && !proto.getInput(i).isEmpty() ? Optional.of(proto.getInput(i)) : Optional.empty();
    }

    public List<String> outputs() {
        return proto.getOutputList();
    }

    private Optional<Onnx.AttributeProto> attr(String name) {
        return proto.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst();
    }

    public boolean has(String name) {
        return attr(name).isPresent();
    }

    public long attrInt(String name, long dflt) {
        return attr(name).map(Onnx.AttributeProto::getI).orElse(dflt);
    }

    public float attrFloat(String name, float dflt) {
        return attr(name).map(Onnx.AttributeProto::getF).orElse(dflt);
    }

    public String attrString(String name, String dflt) {
        return attr(name).map(a -> a.getS().toStringUtf8()).orElse(dflt);
    }

    public long[] attrInts(String name, long[] dflt) {
        return attr(name).map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray()).orElse(dflt);
    }

    public float[] attrFloats(String name, float[] dflt) {
        Optional<Onnx.AttributeProto> a = attr(name);
        if (a.isEmpty()) {
            return dflt;
        }
        float[] out = new float[a.get().getFloatsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get().getFloats(i);
        }
        return out;
    }

    /** A tensor-valued attribute ({@code Constant}'s {@code value}). */
    public Optional<Onnx.TensorProto> attrTensor(String name) {
        return attr(name).filter(Onnx.AttributeProto::hasT).map(Onnx.AttributeProto::getT);
    }

    /** The names of all attributes, for messages. */
    public List<String> attributeNames() {
        List<String> out = new ArrayList<>();
        proto.getAttributeList().forEach(a -> out.add(a.getName()));
        return out;
    }

    public Onnx.NodeProto proto() {
        return proto;
    }

    @Override
    public String toString() {
        return "node '" + name() + "' (" + (domain().isEmpty() ? "" : domain() + ".") + opType() + ", opset " + opset + ")";
    }
}
