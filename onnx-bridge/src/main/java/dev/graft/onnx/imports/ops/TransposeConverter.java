package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code Transpose} (opsets 1-17) as {@code onnx-transpose} (the identity permutation binds the
 * input); of a constant at import (e.g. PyTorch's {@code Linear} weight before a MatMul). When the
 * first dimension is the batch the permutation must keep it first ({@code perm[0] = 0}); under batch
 * axis NONE any permutation is possible.
 */
public final class TransposeConverter extends OpConverter {
    public TransposeConverter() {
        super("Transpose", 1, 17, "ONNX Transpose as onnx-transpose, folded for constants");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        if (BatchViews.transpose(node, ctx)) {
            return;
        }
        ImportContext.Value x = input(ctx, node, 0);
        int r = x.isConstant() ? x.constant().rank() : fullRank(ctx, x);
        long[] perm = node.attrInts("perm", null);
        if (perm == null) {
            perm = new long[r];
            for (int i = 0; i < r; i++) {
                perm[i] = r - 1 - i;
            }
        }
        if (perm.length != r) {
            throw new IllegalArgumentException("perm " + Arrays.toString(perm) + " does not fit a tensor of rank " + r);
        }
        if (x.isConstant()) {
            ctx.bindConstant(out(node), Const.of(x.constant()).transpose(Arrays.stream(perm).mapToInt(v -> (int) v).toArray()).toArray());
            return;
        }
        int b = batchAxes(ctx);
        if (b == 1 && perm[0] != 0) {
            throw new IllegalArgumentException("perm " + Arrays.toString(perm) + " moves the batch axis; native import supports"
                    + " permutations that keep axis 0 first when the first dimension is the batch");
        }
        List<Integer> p = new ArrayList<>();
        boolean identity = true;
        for (int i = b; i < r; i++) {
            p.add((int) perm[i] - b);
            identity &= perm[i] == i;
        }
        if (identity) {
            ctx.bind(out(node), x.node());
            return;
        }
        emit(ctx, node, "onnx-transpose", Map.of("perm", p), x.node(), Map.of());
    }
}
