package dev.graft.runtime.engine;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Map;

/**
 * 2-D convolution and its gradient for planned graphs ({@link GraphPlan}), as im2col (ND4J's native
 * {@code im2col} / {@code col2im} ops) plus one BLAS matrix product per example, into buffers made
 * once. ND4J's own {@code conv2d} / {@code conv2d_bp} ops compute the same values but route the
 * products through its slow generic matrix path (measured: 10 to 25 times slower on the benchmark
 * CNN). Used for float NCHW convolutions with weights in ND4J's {@code [kH, kW, in, out]} layout and
 * explicit padding; anything else runs the op itself.
 *
 * <p>The gradient step reuses the forward step's column buffer when both see the same input and
 * weight arrays (the forward ran earlier in the same plan run, and nothing writes the buffer
 * between them).
 */
final class ConvKernels {
    private ConvKernels() {
    }

    /** The geometry of one convolution: iArgs {@code [kH, kW, sH, sW, pH, pW, dH, dW, same, format, wFormat]}. */
    record Geometry(int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW, int bS, int iC, int iH, int iW, int oC, int oH, int oW) {
        int k() {
            return iC * kH * kW;
        }

        int n() {
            return oH * oW;
        }
    }

    /** Columns and reordered weights of a forward step, for the gradient step to reuse. */
    record Shared(INDArray x, INDArray w, Geometry g, INDArray col, INDArray wMat) {
    }

    static Geometry geometry(long[] iArgs, INDArray x, INDArray w) {
        if (iArgs.length < 9 || x.rank() != 4 || w.rank() != 4) {
            return null;
        }
        int format = iArgs.length > 9 ? (int) iArgs[9] : 0;
        int wFormat = iArgs.length > 10 ? (int) iArgs[10] : 0;
        if (iArgs[8] != 0 || format != 0 || wFormat != 0) {
            return null; // SAME padding, NHWC or other weight layouts: the op itself
        }
        int kH = (int) iArgs[0];
        int kW = (int) iArgs[1];
        if (kH <= 0 || kW <= 0 || w.size(0) != kH || w.size(1) != kW || w.size(2) != x.size(1)) {
            return null;
        }
        int sH = (int) iArgs[2];
        int sW = (int) iArgs[3];
        int pH = (int) iArgs[4];
        int pW = (int) iArgs[5];
        int dH = (int) iArgs[6];
        int dW = (int) iArgs[7];
        int iH = (int) x.size(2);
        int iW = (int) x.size(3);
        int oH = (iH + 2 * pH - dH * (kH - 1) - 1) / sH + 1;
        int oW = (iW + 2 * pW - dW * (kW - 1) - 1) / sW + 1;
        if (oH <= 0 || oW <= 0) {
            return null;
        }
        return new Geometry(kH, kW, sH, sW, pH, pW, dH, dW, (int) x.size(0), (int) x.size(1), iH, iW, (int) w.size(3), oH, oW);
    }

    static boolean contiguous(INDArray a) {
        if (a == null || a.dataType() != DataType.FLOAT || a.ordering() != 'c' || a.offset() != 0 || a.length() == 0) {
            return false;
        }
        return Arrays.equals(a.stride(), Nd4j.getStrides(a.shape(), 'c'));
    }

    private static FloatPointer[] slices(INDArray a, int count, long stride) {
        FloatPointer base = new FloatPointer(a.data().addressPointer());
        FloatPointer[] p = new FloatPointer[count];
        for (int i = 0; i < count; i++) {
            p[i] = new FloatPointer(base).position(i * stride);
        }
        return p;
    }

    private static DynamicCustomOp im2col(INDArray x, INDArray col, Geometry g) {
        return DynamicCustomOp.builder("im2col").addInputs(x).addOutputs(col)
                .addIntegerArguments(g.kH(), g.kW(), g.sH(), g.sW(), g.pH(), g.pW(), g.dH(), g.dW(), 0)
                .addFloatingPointArguments(0.0).build();
    }

    private static DynamicCustomOp col2im(INDArray col, INDArray x, Geometry g) {
        return DynamicCustomOp.builder("col2im").addInputs(col).addOutputs(x)
                .addIntegerArguments(g.sH(), g.sW(), g.pH(), g.pW(), g.iH(), g.iW(), g.dH(), g.dW(), 0).build();
    }

    /**
     * The forward step {@code z = conv(x, w) + b}, or {@code null} when the arrays do not fit this
     * kernel. Records its buffers in {@code shared} under {@code z}.
     */
    static GraphPlan.Kernel forward(long[] iArgs, INDArray x, INDArray w, INDArray b, INDArray z, Map<INDArray, Shared> shared) {
        Geometry g = geometry(iArgs, x, w);
        if (g == null || !contiguous(x) || !contiguous(z) || w.dataType() != DataType.FLOAT
                || !Arrays.equals(z.shape(), new long[] {g.bS(), g.oC(), g.oH(), g.oW()})
                || (b != null && (b.dataType() != DataType.FLOAT || b.length() != g.oC()))) {
            return null;
        }
        int k = g.k();
        int n = g.n();
        INDArray col = Nd4j.create(DataType.FLOAT, new long[] {g.bS(), g.iC(), g.kH(), g.kW(), g.oH(), g.oW()}, 'c');
        INDArray wMat = Nd4j.create(DataType.FLOAT, new long[] {g.oC(), g.iC(), g.kH(), g.kW()}, 'c');
        DynamicCustomOp toCols = im2col(x, col, g);
        FloatPointer[] cols = slices(col, g.bS(), (long) k * n);
        FloatPointer[] outs = slices(z, g.bS(), (long) g.oC() * n);
        FloatPointer pw = new FloatPointer(wMat.data().addressPointer());
        INDArray z3 = z.reshape('c', g.bS(), g.oC(), n);
        INDArray b1 = b == null ? null : b.reshape(g.oC());
        BroadcastAddOp addBias = b == null ? null : new BroadcastAddOp(z3, b1, z3, 1);
        shared.put(x, new Shared(x, w, g, col, wMat));
        int oC = g.oC();
        return () -> {
            Nd4j.exec(toCols);
            wMat.assign(w.permute(3, 2, 0, 1));
            for (int i = 0; i < g.bS(); i++) {
                openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, openblas_nolapack.CblasNoTrans,
                        oC, n, k, 1f, pw, k, cols[i], n, 0f, outs[i], n);
            }
            if (addBias != null) {
                Nd4j.exec(addBias);
            }
            return true;
        };
    }

    /**
     * The gradient step: from {@code dz}, the gradients {@code dx}, {@code dw} and (with a bias)
     * {@code db}; {@code null} when the arrays do not fit this kernel.
     */
    static GraphPlan.Kernel backward(long[] iArgs, INDArray x, INDArray w, INDArray dz, INDArray dx, INDArray dw, INDArray db,
                                     boolean needDx, Map<INDArray, Shared> shared) {
        Geometry g = geometry(iArgs, x, w);
        if (g == null || !contiguous(x) || !contiguous(dz) || !contiguous(dx) || !contiguous(dw) || w.dataType() != DataType.FLOAT
                || !Arrays.equals(dz.shape(), new long[] {g.bS(), g.oC(), g.oH(), g.oW()}) || !Arrays.equals(dx.shape(), x.shape())
                || !Arrays.equals(dw.shape(), w.shape()) || (db != null && (!contiguous(db) || db.length() != g.oC()))) {
            return null;
        }
        int k = g.k();
        int n = g.n();
        int oC = g.oC();
        Shared f = shared.get(x);
        boolean reuse = f != null && f.w() == w && f.g().equals(g);
        INDArray col = reuse ? f.col() : Nd4j.create(DataType.FLOAT, new long[] {g.bS(), g.iC(), g.kH(), g.kW(), g.oH(), g.oW()}, 'c');
        INDArray wMat = reuse ? f.wMat() : Nd4j.create(DataType.FLOAT, new long[] {oC, g.iC(), g.kH(), g.kW()}, 'c');
        DynamicCustomOp toCols = reuse ? null : im2col(x, col, g);
        // the input's gradient (not needed at the first layer) is left out
        INDArray dcol = needDx ? Nd4j.create(DataType.FLOAT, col.shape(), 'c') : col;
        INDArray dwMat = Nd4j.create(DataType.FLOAT, new long[] {oC, g.iC(), g.kH(), g.kW()}, 'c');
        DynamicCustomOp fromCols = col2im(dcol, dx, g);
        FloatPointer[] cols = slices(col, g.bS(), (long) k * n);
        FloatPointer[] dcols = slices(dcol, g.bS(), (long) k * n);
        FloatPointer[] dzs = slices(dz, g.bS(), (long) oC * n);
        FloatPointer pw = new FloatPointer(wMat.data().addressPointer());
        FloatPointer pdw = new FloatPointer(dwMat.data().addressPointer());
        INDArray dwView = dw.permute(3, 2, 0, 1);
        INDArray db1 = db == null ? null : db.reshape(oC);
        INDArray dz3 = dz.reshape('c', g.bS(), oC, n);
        return () -> {
            if (toCols != null) {
                Nd4j.exec(toCols);
                wMat.assign(w.permute(3, 2, 0, 1));
            }
            for (int i = 0; i < g.bS(); i++) {
                // dW += dz_i [oC, n] . col_i^T [n, k]
                openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, openblas_nolapack.CblasTrans,
                        oC, k, n, 1f, dzs[i], n, cols[i], n, i == 0 ? 0f : 1f, pdw, k);
                if (needDx) {
                    // dcol_i [k, n] = W^T [k, oC] . dz_i [oC, n]
                    openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans, openblas_nolapack.CblasNoTrans,
                            k, n, oC, 1f, pw, k, dzs[i], n, 0f, dcols[i], n);
                }
            }
            dwView.assign(dwMat);
            if (needDx) {
                dx.assign(0);
                Nd4j.exec(fromCols);
            }
            if (db1 != null) {
                dz3.sum(db1, 0, 2);
            }
            return true;
        };
    }
}
