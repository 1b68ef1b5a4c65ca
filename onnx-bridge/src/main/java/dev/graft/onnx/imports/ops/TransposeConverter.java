package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;
import dev.graft.onnx.imports.OnnxNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code Transpose} (opsets 7-17): of a computed value with {@code perm[0] = 0} (the batch stays
 * first) as {@code onnx-transpose} (the identity permutation binds the input); of a constant at
 * import (e.g. PyTorch's {@code Linear} weight before a MatMul). Rejected: permutations that move
 * the batch axis, including the default (reversing) one.
 */
public final class TransposeConverter extends OpConverter {
    public TransposeConverter() {
        super("Transpose", 7, 17, "ONNX Transpose keeping the batch axis first as onnx-transpose, folded for constants");
    }

    @Override
    public void convert(OnnxNode node, ImportContext ctx) {
        if (BatchViews.transpose(node, ctx)) {
            return;
        }
        ImportContext.Value x = input(ctx, node, 0);
        int r = x.isConstant() ? x.constant().rank() : fullRank(x);
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
        if (perm[0] != 0) {
            throw new IllegalArgumentException("perm " + Arrays.toString(perm) + " moves the batch axis; native import supports"
                    + " permutations that keep axis 0 first");
        }
        List<Integer> p = new ArrayList<>();
        boolean identity = true;
        for (int i = 1; i < r; i++) {
            p.add((int) perm[i] - 1);
            identity &= perm[i] == i;
        }
        if (identity) {
            ctx.bind(out(node), x.node());
            return;
        }
        emit(ctx, node, "onnx-transpose", Map.of("perm", p), x.node(), Map.of());
    }
}
