package com.example.graft;

import dev.graft.api.GraftApi;
import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.imports.OnnxOpConverter;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * A third-party ONNX op converter: imports {@code QuickGelu} of ONNX Runtime's {@code com.microsoft}
 * domain (version 1, attribute {@code alpha}), which transformer exports optimised for ONNX Runtime
 * contain and Graft's built-in converters (standard ONNX ops) lack, onto this jar's
 * {@link QuickGeluProvider quick-gelu} layer. Registered in
 * {@code META-INF/services/dev.graft.onnx.imports.OnnxOpConverter}; the jar depends on
 * graft-onnx-bridge as {@code provided} (the Graft installation supplies it).
 *
 * <p>What a converter does: read the node's input from the {@link ImportContext} (a value the graph
 * computes, or a constant the importer already knows), emit Graft layer nodes for it, and bind the
 * node's output name to what it emitted. A QuickGelu of a constant is computed here, so the value stays
 * a constant for whatever reads it. The op is element-wise, so it does not care which axis the import
 * takes as the batch ({@link ImportContext#batchFirst()}).
 */
public final class QuickGeluConverter implements OnnxOpConverter {
    /** ONNX Runtime's default alpha (the float attribute's value). */
    static final float ALPHA = 1.702f;

    @Override
    public String id() {
        return "onnx-ms-quick-gelu";
    }

    @Override
    public String version() {
        return "1.0.0";
    }

    @Override
    public String apiVersion() {
        return GraftApi.VERSION;
    }

    @Override
    public String description() {
        return "ONNX Runtime's com.microsoft.QuickGelu as the quick-gelu layer of the sample plugin";
    }

    @Override
    public String domain() {
        return "com.microsoft";
    }

    @Override
    public String opType() {
        return "QuickGelu";
    }

    @Override
    public int minOpset() {
        return 1;
    }

    @Override
    public int maxOpset() {
        return 1;
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        String in = node.input(0).orElseThrow(() -> new IllegalArgumentException("QuickGelu needs an input"));
        // as written: 1.702f is the double 1.7020000219345093, read back as 1.702
        double alpha = Double.parseDouble(Float.toString(node.attrFloat("alpha", ALPHA)));
        ImportContext.Value x = ctx.value(in);
        String out = node.outputs().get(0);
        if (x.isConstant()) {
            INDArray c = x.constant().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup();
            for (long i = 0; i < c.length(); i++) {
                double v = c.getDouble(i);
                c.putScalar(i, v / (1 + Math.exp(-alpha * v)));
            }
            ctx.bindConstant(out, c.castTo(x.constant().dataType()));
            return;
        }
        String name = ctx.emit("quick-gelu", Map.of("alpha", alpha), List.of(x.node()), Map.of(),
                node.proto().getName().isEmpty() ? "quick_gelu" : node.proto().getName());
        ctx.bind(out, name);
    }
}
