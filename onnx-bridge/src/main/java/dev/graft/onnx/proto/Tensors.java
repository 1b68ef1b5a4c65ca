package dev.graft.onnx.proto;

import dev.graft.runtime.GraftException;
import onnx.Onnx.TensorProto;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * {@code TensorProto} to ND4J array.
 *
 * <p>Reads every element type that has an ND4J counterpart (see {@link ElementType}: float, double,
 * float16, bfloat16, int8/16/32/64, uint8/16/32/64, bool), from {@code raw_data} (little-endian, as
 * ONNX stores it; converted to the machine's order), from the typed repeated field the ONNX spec
 * assigns to the type ({@code float_data}, {@code int32_data} for the small integer types, bool and
 * the bit patterns of float16/bfloat16, {@code int64_data}, {@code double_data}, {@code uint64_data}
 * for uint32/uint64), or from external data inside a given directory. A tensor with no dimensions is a
 * scalar (rank-0 array); a tensor with a zero dimension is an ND4J empty array of that shape. String,
 * complex and 8/4-bit tensors are rejected with a message naming the tensor and its type.
 *
 * <p>The destination array is allocated once, at its final size, after the declared size has been
 * checked against the data actually present, and the bytes are copied into its off-heap buffer
 * directly (external data is read straight from the file into it).
 */
public final class Tensors {
    /** ND4J's buffers are addressed with an int through NIO; larger tensors cannot be converted. */
    static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 16;

    private Tensors() {
    }

    /**
     * Whether the array's elements lie in its buffer in c order, packed, from the start, so the
     * buffer can be handed to native code as is. Size-1 dimensions may have any stride (ND4J gives a
     * trailing 1 of shape [2, 10, 1] a stride of 1, which its own default-stride check rejects).
     */
    public static boolean isPacked(INDArray a) {
        if (a.isEmpty() || a.offset() != 0 || a.data() == null || a.data().length() != a.length()) {
            return false;
        }
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] > 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /**
     * The array itself when {@link #isPacked packed}, else a packed c-order copy. Whoever reads the
     * copy's buffer through NIO must keep the returned array reachable meanwhile: ND4J frees a
     * buffer when its array is collected, and a NIO view does not keep it alive.
     */
    public static INDArray packed(INDArray a) {
        return a.isEmpty() || isPacked(a) ? a : a.dup('c');
    }

    /** The tensor's dimensions. */
    public static long[] shape(TensorProto t) {
        long[] s = new long[t.getDimsCount()];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.getDims(i);
        }
        return s;
    }

    /**
     * The number of elements the dimensions declare.
     *
     * @throws GraftException code {@code MODEL} for a negative dimension or a count beyond {@code long}
     */
    public static long elementCount(TensorProto t) {
        long n = 1;
        for (int i = 0; i < t.getDimsCount(); i++) {
            long d = t.getDims(i);
            if (d < 0) {
                throw GraftException.model("tensor '" + t.getName() + "' has a negative dimension: " + Arrays.toString(shape(t)));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw GraftException.model("tensor '" + t.getName() + "' declares " + Arrays.toString(shape(t))
                        + ", more elements than a 64-bit count can hold");
            }
        }
        return n;
    }

    /**
     * The bytes the tensor's data takes, from its declared dimensions and element type alone (nothing
     * is read or allocated); 0 for strings (their size is that of {@code string_data}, already in memory).
     */
    public static long declaredBytes(TensorProto t) {
        long n = elementCount(t);
        try {
            return type(t).map(et -> et.bytesFor(n)).orElse(0L);
        } catch (ArithmeticException e) {
            throw GraftException.model("tensor '" + t.getName() + "' declares " + Arrays.toString(shape(t)) + " " + ElementType.nameOf(t.getDataType())
                    + " elements, more bytes than a 64-bit count can hold");
        }
    }

    /** "'w' float [2, 3]". */
    public static String describe(TensorProto t) {
        return "'" + t.getName() + "' " + ElementType.nameOf(t.getDataType()) + " " + Arrays.toString(shape(t));
    }

    static java.util.Optional<ElementType> type(TensorProto t) {
        return ElementType.fromCode(t.getDataType());
    }

    /** Converts a tensor whose data is inside the proto; external data is rejected (use {@link #toArray(TensorProto, Path)}). */
    public static INDArray toArray(TensorProto t) {
        return toArray(t, null, "");
    }

    /**
     * Converts a tensor, reading external data from files inside {@code baseDir} (the model's directory).
     *
     * @throws GraftException code {@code MODEL}: unsupported element type, data that does not match
     *     the declared shape, external data outside {@code baseDir}
     */
    public static INDArray toArray(TensorProto t, Path baseDir) {
        return toArray(t, baseDir, "");
    }

    /** As {@link #toArray(TensorProto, Path)}, with the file the tensor comes from named in messages ({@code source}, may be ""). */
    public static INDArray toArray(TensorProto t, Path baseDir, String source) {
        String what = "tensor '" + t.getName() + "'" + (source.isEmpty() ? "" : " of " + source);
        ElementType et = type(t).orElseThrow(() -> GraftException.model(what + " has element type " + t.getDataType() + ", which ONNX does not define"));
        if (et == ElementType.UNDEFINED) {
            throw GraftException.model(what + " has no element type (data_type is UNDEFINED)");
        }
        if (!et.isSupported()) {
            throw GraftException.model(what + " holds " + et.onnxName() + " elements, which Graft cannot convert to ND4J arrays"
                    + (et == ElementType.STRING ? " (string tensors are not supported)" : ""));
        }
        DataType dt = et.nd4j().orElseThrow();
        long[] shape = shape(t);
        long n = elementCount(t);
        long bytes = et.bytesFor(n);
        if (bytes > MAX_ARRAY_BYTES) {
            throw GraftException.model(what + " is " + Sizes.bytes(bytes) + " " + Arrays.toString(shape) + "; tensors over 2 GB cannot be converted");
        }
        boolean external = t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
        ExternalData ext = null;
        if (external) {
            if (baseDir == null) {
                throw GraftException.model(what + " keeps its data in an external file, but no model directory was given to resolve it in");
            }
            ext = ExternalData.resolve(t, baseDir, source);
            ext.checkSize(bytes, what);
        } else {
            checkEmbeddedSize(t, et, n, what);
        }
        if (n == 0) {
            return Nd4j.create(dt, shape);
        }
        INDArray arr = Nd4j.createUninitialized(dt, shape);
        ByteBuffer dst = arr.data().asNio().order(ByteOrder.nativeOrder());
        if (dst.capacity() != bytes) {
            throw new IllegalStateException("ND4J gave a " + dst.capacity() + "-byte buffer for " + what + " (" + bytes + " bytes)");
        }
        if (external) {
            readExternal(ext, dst, what);
            if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN && et.bits() > 8) {
                swapInPlace(dst, et.bits() / 8);
            }
        } else if (!t.getRawData().isEmpty()) {
            copyLittleEndian(t.getRawData().asReadOnlyByteBuffer(), dst, et.bits() / 8);
        } else {
            copyTyped(t, et, n, dst);
        }
        return arr;
    }

    /** Checks that the data held in the proto matches the declared shape, without allocating. */
    static void checkEmbeddedSize(TensorProto t, ElementType et, long n, String what) {
        if (!t.getRawData().isEmpty()) {
            long want = et.bytesFor(n);
            if (et != ElementType.STRING && t.getRawData().size() != want) {
                throw GraftException.model(what + " declares " + Arrays.toString(shape(t)) + " " + et.onnxName() + " = " + want
                        + " bytes, but its raw_data holds " + t.getRawData().size() + " bytes");
            }
            return;
        }
        String field;
        long have;
        long want = n;
        switch (et) {
            case FLOAT -> { field = "float_data"; have = t.getFloatDataCount(); }
            case COMPLEX64 -> { field = "float_data"; have = t.getFloatDataCount(); want = 2 * n; }
            case DOUBLE -> { field = "double_data"; have = t.getDoubleDataCount(); }
            case COMPLEX128 -> { field = "double_data"; have = t.getDoubleDataCount(); want = 2 * n; }
            case INT64 -> { field = "int64_data"; have = t.getInt64DataCount(); }
            case UINT32, UINT64 -> { field = "uint64_data"; have = t.getUint64DataCount(); }
            case INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16, BFLOAT16 -> { field = "int32_data"; have = t.getInt32DataCount(); }
            case STRING -> { field = "string_data"; have = t.getStringDataCount(); }
            default -> {
                return; // types of later IR versions: nothing to check here, conversion rejects them
            }
        }
        if (have != want) {
            throw GraftException.model(what + " declares " + Arrays.toString(shape(t)) + " = " + n + " " + et.onnxName() + " elements, but "
                    + (have == 0 ? "holds no data (no raw_data, no " + field + ")" : "its " + field + " holds " + have + " values"));
        }
    }

    private static void readExternal(ExternalData ext, ByteBuffer dst, String what) {
        try (FileChannel ch = FileChannel.open(ext.file(), StandardOpenOption.READ)) {
            long pos = ext.offset();
            while (dst.hasRemaining()) {
                int r = ch.read(dst, pos);
                if (r < 0) {
                    throw GraftException.model(what + ": " + ext.location() + " ended after " + (pos - ext.offset()) + " of the "
                            + dst.capacity() + " bytes the tensor needs");
                }
                pos += r;
            }
        } catch (IOException e) {
            throw new GraftException(GraftException.Code.IO, what + ": cannot read its external data from " + ext.file() + ": " + e.getMessage(), e);
        }
    }

    /** Reverses the byte order of each element in place (external data is little-endian; only big-endian machines need this). */
    static void swapInPlace(ByteBuffer b, int width) {
        for (int i = 0; i + width <= b.capacity(); i += width) {
            for (int j = 0; j < width / 2; j++) {
                byte x = b.get(i + j);
                b.put(i + j, b.get(i + width - 1 - j));
                b.put(i + width - 1 - j, x);
            }
        }
    }

    /** Copies little-endian elements of {@code width} bytes into a buffer in the machine's order. */
    static void copyLittleEndian(ByteBuffer src, ByteBuffer dst, int width) {
        src = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer d = dst.duplicate().order(ByteOrder.nativeOrder());
        d.clear();
        if (width == 1 || ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            d.put(src);
            return;
        }
        switch (width) {
            case 2 -> d.asShortBuffer().put(src.asShortBuffer());
            case 4 -> d.asIntBuffer().put(src.asIntBuffer());
            case 8 -> d.asLongBuffer().put(src.asLongBuffer());
            default -> throw new IllegalArgumentException("element width " + width);
        }
    }

    private static void copyTyped(TensorProto t, ElementType et, long count, ByteBuffer dst) {
        int n = Math.toIntExact(count);
        switch (et) {
            case FLOAT -> {
                for (int i = 0; i < n; i++) {
                    dst.putFloat(i * 4, t.getFloatData(i));
                }
            }
            case DOUBLE -> {
                for (int i = 0; i < n; i++) {
                    dst.putDouble(i * 8, t.getDoubleData(i));
                }
            }
            case INT64 -> {
                for (int i = 0; i < n; i++) {
                    dst.putLong(i * 8, t.getInt64Data(i));
                }
            }
            case UINT64 -> {
                for (int i = 0; i < n; i++) {
                    dst.putLong(i * 8, t.getUint64Data(i));
                }
            }
            case UINT32 -> {
                for (int i = 0; i < n; i++) {
                    dst.putInt(i * 4, (int) t.getUint64Data(i));
                }
            }
            case INT32 -> {
                for (int i = 0; i < n; i++) {
                    dst.putInt(i * 4, t.getInt32Data(i));
                }
            }
            case INT16, UINT16, FLOAT16, BFLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    dst.putShort(i * 2, (short) t.getInt32Data(i));
                }
            }
            case INT8, UINT8 -> {
                for (int i = 0; i < n; i++) {
                    dst.put(i, (byte) t.getInt32Data(i));
                }
            }
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    dst.put(i, (byte) (t.getInt32Data(i) != 0 ? 1 : 0));
                }
            }
            default -> throw new IllegalStateException("no typed field for " + et);
        }
    }
}
