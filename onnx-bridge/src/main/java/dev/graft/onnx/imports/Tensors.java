package dev.graft.onnx.imports;

import dev.graft.runtime.GraftException;
import onnx.Onnx;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ONNX initializers and constants as ND4J arrays: float, double, int32 and int64 tensors (raw data or
 * typed fields). Integer tensors become INT64 arrays (shape arithmetic); float and double keep their
 * type. External data and other element types are reported as unsupported here.
 */
final class Tensors {
    private Tensors() {
    }

    static INDArray toArray(Onnx.TensorProto t, String origin) {
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new GraftException(GraftException.Code.MODEL, origin + ": tensor '" + t.getName() + "' has a negative dimension");
            }
            count = Math.multiplyExact(count, d);
        }
        if (t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": tensor '" + t.getName()
                    + "' keeps its data in an external file, which native import does not read yet");
        }
        ByteBuffer raw = t.getRawData().isEmpty() ? null : t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int type = t.getDataType();
        if (count > Integer.MAX_VALUE) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": tensor '" + t.getName() + "' has " + count + " values, too many");
        }
        int n = (int) count;
        INDArray out;
        switch (type) {
            case 1 -> { // FLOAT
                float[] v = new float[n];
                if (raw != null) {
                    need(raw, n * 4L, t, origin);
                    raw.asFloatBuffer().get(v);
                } else {
                    need(t.getFloatDataCount(), n, t, origin);
                    for (int i = 0; i < n; i++) {
                        v[i] = t.getFloatData(i);
                    }
                }
                out = Nd4j.createFromArray(v);
            }
            case 11 -> { // DOUBLE
                double[] v = new double[n];
                if (raw != null) {
                    need(raw, n * 8L, t, origin);
                    raw.asDoubleBuffer().get(v);
                } else {
                    need(t.getDoubleDataCount(), n, t, origin);
                    for (int i = 0; i < n; i++) {
                        v[i] = t.getDoubleData(i);
                    }
                }
                out = Nd4j.createFromArray(v);
            }
            case 6, 7 -> { // INT32, INT64
                long[] v = new long[n];
                if (raw != null) {
                    need(raw, n * (type == 6 ? 4L : 8L), t, origin);
                    for (int i = 0; i < n; i++) {
                        v[i] = type == 6 ? raw.getInt() : raw.getLong();
                    }
                } else if (type == 6) {
                    need(t.getInt32DataCount(), n, t, origin);
                    for (int i = 0; i < n; i++) {
                        v[i] = t.getInt32Data(i);
                    }
                } else {
                    need(t.getInt64DataCount(), n, t, origin);
                    for (int i = 0; i < n; i++) {
                        v[i] = t.getInt64Data(i);
                    }
                }
                out = Nd4j.createFromArray(v);
            }
            default -> throw new GraftException(GraftException.Code.MODEL, origin + ": tensor '" + t.getName() + "' has element type "
                    + type + " (" + Onnx.TensorProto.DataType.forNumber(type) + "), which native import does not read");
        }
        return shape.length == 0 ? out.reshape() : out.reshape('c', shape);
    }

    private static void need(ByteBuffer raw, long bytes, Onnx.TensorProto t, String origin) {
        if (raw.remaining() != bytes) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": tensor '" + t.getName() + "' should hold " + bytes
                    + " bytes of data but holds " + raw.remaining());
        }
    }

    private static void need(int have, int want, Onnx.TensorProto t, String origin) {
        if (have != want) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": tensor '" + t.getName() + "' should hold " + want
                    + " values but holds " + have);
        }
    }
}
