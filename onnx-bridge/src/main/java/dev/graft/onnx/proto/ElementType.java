package dev.graft.onnx.proto;

import org.nd4j.linalg.api.buffer.DataType;

import java.util.Optional;

/**
 * ONNX tensor element types ({@code TensorProto.DataType}) and the ND4J type each is read into.
 *
 * <p>Every numeric ONNX type of IR version 8 that ND4J can hold has an exact ND4J counterpart, so
 * no value is widened or rounded: {@code float16} is ND4J {@code FLOAT16} (alias {@code HALF}),
 * {@code bfloat16} is {@code BFLOAT16}, {@code bool} is ND4J {@code BOOL} (one byte per element, 0 or
 * 1, the same layout as ONNX), {@code uint8} is {@code UINT8} ({@code UBYTE}), {@code int8} is {@code
 * INT8} ({@code BYTE}), {@code int16} is {@code INT16} ({@code SHORT}), {@code int32} is {@code INT32}
 * ({@code INT}), {@code int64} is {@code INT64} ({@code LONG}; ND4J prints the alias names), and
 * {@code uint16/32/64} are ND4J's {@code UINT16/UINT32/UINT64} (few ND4J ops accept those three;
 * they are read so that engines can be fed and tests compared). {@code string}, the complex types and the 8- and 4-bit types of later IR
 * versions have no ND4J counterpart ({@link #nd4j()} is empty) and are rejected by name wherever a
 * tensor of them is converted.
 */
public enum ElementType {
    UNDEFINED(0, "undefined", 0, null),
    FLOAT(1, "float", 32, DataType.FLOAT),
    UINT8(2, "uint8", 8, DataType.UINT8),
    INT8(3, "int8", 8, DataType.INT8),
    UINT16(4, "uint16", 16, DataType.UINT16),
    INT16(5, "int16", 16, DataType.INT16),
    INT32(6, "int32", 32, DataType.INT32),
    INT64(7, "int64", 64, DataType.INT64),
    STRING(8, "string", 0, null),
    BOOL(9, "bool", 8, DataType.BOOL),
    FLOAT16(10, "float16", 16, DataType.FLOAT16),
    DOUBLE(11, "double", 64, DataType.DOUBLE),
    UINT32(12, "uint32", 32, DataType.UINT32),
    UINT64(13, "uint64", 64, DataType.UINT64),
    COMPLEX64(14, "complex64", 64, null),
    COMPLEX128(15, "complex128", 128, null),
    BFLOAT16(16, "bfloat16", 16, DataType.BFLOAT16),
    FLOAT8E4M3FN(17, "float8e4m3fn", 8, null),
    FLOAT8E4M3FNUZ(18, "float8e4m3fnuz", 8, null),
    FLOAT8E5M2(19, "float8e5m2", 8, null),
    FLOAT8E5M2FNUZ(20, "float8e5m2fnuz", 8, null),
    UINT4(21, "uint4", 4, null),
    INT4(22, "int4", 4, null),
    FLOAT4E2M1(23, "float4e2m1", 4, null);

    private static final ElementType[] BY_CODE = new ElementType[24];

    static {
        for (ElementType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final String onnxName;
    private final int bits;
    private final DataType nd4j;

    ElementType(int code, String onnxName, int bits, DataType nd4j) {
        this.code = code;
        this.onnxName = onnxName;
        this.bits = bits;
        this.nd4j = nd4j;
    }

    /** The {@code TensorProto.DataType} number. */
    public int code() {
        return code;
    }

    /** The ONNX name, as numpy and the ONNX docs spell it: {@code float}, {@code int64}, {@code float16}. */
    public String onnxName() {
        return onnxName;
    }

    /** Bits per element in {@code raw_data}; 0 for {@code string} (variable) and {@code undefined}. */
    public int bits() {
        return bits;
    }

    /** The ND4J type a tensor of this type becomes, or empty when ND4J cannot hold it. */
    public Optional<DataType> nd4j() {
        return Optional.ofNullable(nd4j);
    }

    /** Whether tensors of this type can be converted to and from ND4J arrays. */
    public boolean isSupported() {
        return nd4j != null;
    }

    /** float, double, float16, bfloat16 (compared with a tolerance; the others exactly). */
    public boolean isFloatingPoint() {
        return this == FLOAT || this == DOUBLE || this == FLOAT16 || this == BFLOAT16;
    }

    /** Bytes taken by {@code count} elements in {@code raw_data} (4-bit types pack two per byte). */
    public long bytesFor(long count) {
        if (bits >= 8) {
            return Math.multiplyExact(count, (long) (bits / 8));
        }
        return bits == 4 ? (count + 1) / 2 : 0;
    }

    /** The element type with this {@code TensorProto.DataType} number, or empty for numbers ONNX does not define. */
    public static Optional<ElementType> fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? Optional.ofNullable(BY_CODE[code]) : Optional.empty();
    }

    /** The ONNX element type an ND4J array of this type is fed as, or empty (UTF8, COMPRESSED, UNKNOWN). */
    public static Optional<ElementType> fromNd4j(DataType type) {
        for (ElementType t : values()) {
            if (t.nd4j == type && type != null) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** "float (ND4J FLOAT)": for messages that should make sense to both an ONNX and an ND4J user. */
    public String describe() {
        return nd4j == null ? onnxName : onnxName + " (ND4J " + nd4j + ")";
    }

    /** A message-friendly name for a type number, known or not: "float", "type 42". */
    public static String nameOf(int code) {
        return fromCode(code).map(ElementType::onnxName).orElse("element type " + code);
    }

    @Override
    public String toString() {
        return onnxName;
    }
}
