package dev.graft.onnx.conformance;

import dev.graft.onnx.proto.ElementType;
import org.nd4j.linalg.api.ndarray.INDArray;
import dev.graft.onnx.proto.Tensors;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;

/**
 * One output compared with its reference: element types must be equal, shapes must be equal,
 * floating-point values must be {@link Tolerance#close close}, integer and bool values equal.
 *
 * @param matches whether the output passes
 * @param maxAbsError the largest |actual - expected| over elements where both are finite (0 for an
 *     empty output; NaN when the types or shapes differ, so nothing was compared)
 * @param message why it does not match ({@code ""} when it does)
 */
public record Comparison(boolean matches, double maxAbsError, String message) {

    /**
     * Compares an engine's output with the reference.
     *
     * @param what how to name the output in the message ("output 'y'")
     */
    public static Comparison of(String what, INDArray actual, INDArray expected, Tolerance tol) {
        ElementType at = ElementType.fromNd4j(actual.dataType()).orElse(ElementType.UNDEFINED);
        ElementType et = ElementType.fromNd4j(expected.dataType()).orElse(ElementType.UNDEFINED);
        if (at != et || at == ElementType.UNDEFINED) {
            return new Comparison(false, Double.NaN, what + " is " + name(at, actual) + " but the reference is " + name(et, expected));
        }
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            return new Comparison(false, Double.NaN, what + " has shape " + Arrays.toString(actual.shape()) + " but the reference has "
                    + Arrays.toString(expected.shape()));
        }
        long n = expected.length();
        if (n == 0 || expected.isEmpty()) {
            return new Comparison(true, 0, "");
        }
        INDArray ap = Tensors.packed(actual);
        INDArray ep = Tensors.packed(expected);
        try {
            return compare(what, ap, ep, n, et, tol);
        } finally {
            Reference.reachabilityFence(ap);
            Reference.reachabilityFence(ep);
        }
    }

    private static Comparison compare(String what, INDArray actual, INDArray expected, long n, ElementType et, Tolerance tol) {
        ByteBuffer a = actual.data().asNio().order(ByteOrder.nativeOrder());
        ByteBuffer e = expected.data().asNio().order(ByteOrder.nativeOrder());
        double maxAbs = 0;
        long bad = 0;
        long firstBad = -1;
        double worst = -1;
        long worstAt = -1;
        for (long i = 0; i < n; i++) {
            int k = (int) i;
            double x;
            double y;
            boolean ok;
            if (et.isFloatingPoint()) {
                x = real(a, k, et);
                y = real(e, k, et);
                ok = tol.close(x, y);
            } else {
                long xi = integer(a, k, et);
                long yi = integer(e, k, et);
                ok = xi == yi;
                x = et == ElementType.UINT64 ? unsigned(xi) : xi;
                y = et == ElementType.UINT64 ? unsigned(yi) : yi;
            }
            double d = Math.abs(x - y);
            if (Double.isFinite(x) && Double.isFinite(y) && d > maxAbs) {
                maxAbs = d;
            }
            if (!ok) {
                bad++;
                if (firstBad < 0) {
                    firstBad = i;
                }
                double score = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                if (score > worst) {
                    worst = score;
                    worstAt = i;
                }
            }
        }
        if (bad == 0) {
            return new Comparison(true, maxAbs, "");
        }
        String rule = et.isFloatingPoint()
                ? String.format(Locale.ROOT, " (|actual - expected| <= %s + %s * |expected|)", tol.atol(), tol.rtol())
                : " (compared exactly)";
        String msg = String.format(Locale.ROOT, "%s: %d of %d elements differ%s; the largest difference is at %s: %s, expected %s",
                what, bad, n, rule, index(worstAt, expected.shape()), value(a, (int) worstAt, et), value(e, (int) worstAt, et));
        return new Comparison(false, maxAbs, msg);
    }

    private static String name(ElementType t, INDArray a) {
        return t == ElementType.UNDEFINED ? "ND4J " + a.dataType() : t.onnxName();
    }

    static double real(ByteBuffer b, int i, ElementType t) {
        return switch (t) {
            case FLOAT -> b.getFloat(i * 4);
            case DOUBLE -> b.getDouble(i * 8);
            case FLOAT16 -> halfToFloat(b.getShort(i * 2));
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    static long integer(ByteBuffer b, int i, ElementType t) {
        return switch (t) {
            case INT8 -> b.get(i);
            case UINT8 -> b.get(i) & 0xffL;
            case BOOL -> b.get(i) != 0 ? 1 : 0;
            case INT16 -> b.getShort(i * 2);
            case UINT16 -> b.getShort(i * 2) & 0xffffL;
            case INT32 -> b.getInt(i * 4);
            case UINT32 -> b.getInt(i * 4) & 0xffffffffL;
            case INT64, UINT64 -> b.getLong(i * 8);
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    private static double unsigned(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }

    private static String value(ByteBuffer b, int i, ElementType t) {
        if (t.isFloatingPoint()) {
            return Double.toString(real(b, i, t));
        }
        long v = integer(b, i, t);
        return switch (t) {
            case BOOL -> v != 0 ? "true" : "false";
            case UINT64 -> Long.toUnsignedString(v);
            default -> Long.toString(v);
        };
    }

    private static String index(long flat, long[] shape) {
        if (shape.length == 0) {
            return "[]";
        }
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return Arrays.toString(idx);
    }

    /** IEEE 754 half precision to float (Float.float16ToFloat arrives only in Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant / 1024f * (float) Math.pow(2, -14);
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
