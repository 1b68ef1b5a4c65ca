package dev.graft.onnx.imports.ops;

import dev.graft.onnx.imports.ImportContext;

import java.util.Arrays;

/** Constants turned into layer parameters. */
final class Params {
    private Params() {
    }

    /**
     * A constant that broadcasts to a vector of {@code n} values along the last axis ({@code []},
     * {@code [1]}, {@code [n]}, {@code [1, n]}, ...), as that vector. Anything with more than one
     * element outside the last axis is refused.
     */
    static Const vector(Const c, long n, String what) {
        c.noBatch(what);
        for (int i = 0; i < c.rank() - 1; i++) {
            if (c.shape[i] != 1) {
                throw new IllegalArgumentException(what + " has shape " + Arrays.toString(c.shape) + "; native import needs it to"
                        + " broadcast to [" + n + "] (one value per output, the same for every example)");
            }
        }
        long last = c.rank() == 0 ? 1 : c.shape[c.rank() - 1];
        if (last == n) {
            return c.reshape(n);
        }
        if (last == 1) {
            double v = c.doubles(what)[0];
            double[] out = new double[(int) n];
            Arrays.fill(out, v);
            return Const.reals(new long[] {n}, out, c.type);
        }
        throw new IllegalArgumentException(what + " has shape " + Arrays.toString(c.shape) + ", which does not broadcast to [" + n + "]");
    }

    /**
     * The per-example form of a constant operand of a computed value {@code x} under ONNX
     * broadcasting. When the first dimension is the batch, a leading axis aligned with the batch axis
     * must be 1 and is dropped, and constants with more axes than the value are refused (broadcasting
     * would move the batch axis). Under batch axis NONE the constant is used as it is (it may have more
     * axes than {@code x}; the caller reshapes {@code x} up). A scalar becomes {@code [1]} unless
     * {@code x} is a scalar too.
     */
    static Const perExample(ImportContext ctx, Const c, ImportContext.Value x, String what) {
        c.noBatch(what);
        if (ctx.batchFirst()) {
            int full = x.shape().rank() + 1;
            if (c.rank() > full) {
                throw new IllegalArgumentException(what + " has shape " + Arrays.toString(c.shape) + ", more axes than the computed operand"
                        + " (" + full + " with the batch); broadcasting would move the batch axis");
            }
            if (c.rank() == full) {
                if (c.shape[0] != 1) {
                    throw new IllegalArgumentException(what + " has shape " + Arrays.toString(c.shape) + ": its first axis lines up with the"
                            + " batch axis and is not 1, so the result would depend on the batch size");
                }
                c = c.reshape(Arrays.copyOfRange(c.shape, 1, c.rank()));
            }
        }
        if (c.rank() == 0 && x.shape().rank() > 0) {
            c = c.reshape(1);
        }
        return c;
    }

    /**
     * The FIRST_DIM form of {@link #perExample(ImportContext, Const, ImportContext.Value, String)}.
     *
     * @deprecated the per-example form depends on the import's batch axis
     */
    @Deprecated
    static Const perExample(Const c, ImportContext.Value x, String what) {
        c.noBatch(what);
        int full = x.shape().rank() + 1;
        if (c.rank() > full) {
            throw new IllegalArgumentException(what + " has shape " + Arrays.toString(c.shape) + ", more axes than the computed operand"
                    + " (" + full + " with the batch); broadcasting would move the batch axis");
        }
        if (c.rank() == full) {
            if (c.shape[0] != 1) {
                throw new IllegalArgumentException(what + " has shape " + Arrays.toString(c.shape) + ": its first axis lines up with the"
                        + " batch axis and is not 1, so the result would depend on the batch size");
            }
            c = c.reshape(Arrays.copyOfRange(c.shape, 1, c.rank()));
        }
        if (c.rank() == 0) {
            c = c.reshape(1);
        }
        return c;
    }

    /** {@code shape} with leading 1s up to {@code rank}. */
    static long[] padTo(long[] shape, int rank) {
        return Const.pad(shape, Math.max(rank, shape.length));
    }

    static java.util.List<Long> list(long[] dims) {
        return Arrays.stream(dims).boxed().toList();
    }
}
