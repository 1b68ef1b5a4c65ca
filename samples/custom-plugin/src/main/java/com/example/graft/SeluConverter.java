package com.example.graft;

import dev.graft.api.GraftApi;
import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;
import dev.graft.onnx.imports.OnnxOpConverter;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * A third-party ONNX op converter: imports {@code Selu} (opsets 7-17, attributes {@code alpha} and
 * {@code gamma}), which Graft's built-in converters lack, onto this jar's {@link SeluProvider selu}
 * layer. Registered in {@code META-INF/services/dev.graft.onnx.imports.OnnxOpConverter}; the jar
 * depends on graft-onnx-bridge as {@code provided} (the Graft installation supplies it).
 *
 * <p>What a converter does: read the node's input from the {@link ImportContext} (a value the graph
 * computes, or a constant the importer already knows), emit Graft layer nodes for it, and bind the
 * node's output name to what it emitted. A Selu of a constant is computed here, so the value stays a
 * constant for whatever reads it.
 */
public final class SeluConverter implements OnnxOpConverter {
    /** ONNX's default alpha and gamma (the float attributes' values). */
    static final float ALPHA = 1.67326319217681884765625f;
    static final float GAMMA = 1.05070102214813232421875f;

    @Override
    public String id() {
        return "onnx-selu";
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
        return "ONNX Selu as the selu layer of the sample plugin";
    }

    @Override
    public String domain() {
        return "";
    }

    @Override
    public String opType() {
        return "Selu";
    }

    @Override
    public int minOpset() {
        return 7;
    }

    @Override
    public int maxOpset() {
        return 17;
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        String in = node.input(0).orElseThrow(() -> new IllegalArgumentException("Selu needs an input"));
        // as written: 1.6732632f is the double 1.67326319217681884765625, read back as 1.6732632
        double alpha = Double.parseDouble(Float.toString(node.attrFloat("alpha", ALPHA)));
        double gamma = Double.parseDouble(Float.toString(node.attrFloat("gamma", GAMMA)));
        ImportContext.Value x = ctx.value(in);
        String out = node.outputs().get(0);
        if (x.isConstant()) {
            INDArray c = x.constant().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup();
            for (long i = 0; i < c.length(); i++) {
                double v = c.getDouble(i);
                c.putScalar(i, gamma * (v > 0 ? v : alpha * (Math.exp(v) - 1)));
            }
            ctx.bindConstant(out, c.castTo(x.constant().dataType()));
            return;
        }
        String name = ctx.emit("selu", Map.of("alpha", alpha, "gamma", gamma), List.of(x.node()), Map.of(),
                node.proto().getName().isEmpty() ? "selu" : node.proto().getName());
        ctx.bind(out, name);
    }
}
