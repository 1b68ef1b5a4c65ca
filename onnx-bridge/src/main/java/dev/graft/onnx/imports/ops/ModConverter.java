package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.List;
import java.util.Map;

/**
 * {@code Mod} (opsets 10-17): {@code a - t * b} with {@code t} the quotient {@code a / b} truncated
 * ({@code fmod = 1}, C's {@code fmod}, the sign of the dividend) or rounded down ({@code fmod = 0},
 * integers only, Python's {@code %}, the sign of the divisor), in {@code onnx-binary} and
 * {@code onnx-unary} nodes; folded when both operands are constants.
 */
public final class ModConverter extends OpConverter {
    public ModConverter() {
        super("Mod", 10, 17, "ONNX Mod as onnx-binary / onnx-unary arithmetic");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        ImportContext.Value a = input(ctx, node, 0);
        ImportContext.Value b = input(ctx, node, 1);
        boolean fmod = node.attrInt("fmod", 0) != 0;
        if (!fmod && !(a.isIntegral() && b.isIntegral())) {
            throw new IllegalArgumentException("fmod = 0 on " + a.type() + " values; ONNX requires fmod = 1 for floating-point types");
        }
        if (a.isConstant() && b.isConstant()) {
            ctx.bindConstant(out(node), Const.binary(Const.of(a.constant()), Const.of(b.constant()),
                    (p, q) -> fmod ? p % q : p - Math.floor(p / q) * q,
                    (p, q) -> fmod ? p % q : Math.floorMod(p, q), "Mod").toArray());
            return;
        }
        String h = hint(node);
        String q = Arithmetic.binary(ctx, "div", a, b, h + "_quotient");
        String t = ctx.emit("onnx-unary", Map.of("op", fmod ? "trunc" : "floor"), List.of(q), Map.of(), h + "_whole");
        ImportContext.Value tb = Arithmetic.value(ctx, Arithmetic.binary(ctx, "mul", Arithmetic.value(ctx, t, a.type()), b, h + "_multiple"),
                a.type());
        ctx.bind(out(node), Arithmetic.binary(ctx, "sub", a, tb, h), a.type());
    }
}
