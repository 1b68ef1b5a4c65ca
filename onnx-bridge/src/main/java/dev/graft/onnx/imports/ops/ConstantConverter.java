package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.proto.Tensors;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code Constant} (opsets 1-17): binds its output to the value, from {@code value} (a tensor),
 * {@code value_float}, {@code value_floats}, {@code value_int} or {@code value_ints}. A constant that
 * a layer uses as a parameter becomes trainable there. Rejected: sparse and string constants.
 */
public final class ConstantConverter extends OpConverter {
    public ConstantConverter() {
        super("Constant", 1, 17, "ONNX Constant: a value known at import");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        Const c;
        if (node.attrTensor("value").isPresent()) {
            c = Const.of(Tensors.toArray(node.attrTensor("value").get()));
        } else if (node.has("value_float")) {
            c = Const.reals(new long[0], new double[] {attrDouble(node, "value_float", 0)}, DataType.FLOAT);
        } else if (node.has("value_floats")) {
            float[] f = node.attrFloats("value_floats", new float[0]);
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            c = Const.reals(new long[] {f.length}, d, DataType.FLOAT);
        } else if (node.has("value_int")) {
            c = Const.ints(new long[0], new long[] {node.attrInt("value_int", 0)});
        } else if (node.has("value_ints")) {
            long[] v = node.attrInts("value_ints", new long[0]);
            c = Const.ints(new long[] {v.length}, v);
        } else {
            throw new IllegalArgumentException("the constant's attribute " + node.attributeNames()
                    + " is not supported (native import reads value, value_float(s) and value_int(s))");
        }
        ctx.bindConstant(out(node), c.toArray());
    }
}
