package dev.graft.runtime.io;

import dev.graft.runtime.GraftException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small, checked container of named arrays (parameters, optimizer state, transform state).
 *
 * <p>Layout: the magic {@code GRAFTTNS}, a format version, the entry count, then per entry the name
 * (modified UTF-8), the data type (1 = float32, 2 = float64), the rank and dimensions, and the values
 * in C order, little-endian. Reading validates every count against the bytes left, so a truncated or
 * corrupt file gives a clear error and never an enormous allocation. Writing goes to a temporary file
 * that is moved into place, so a failed save never leaves a half-written file behind.
 */
public final class TensorFile {
    private static final long MAGIC = 0x4752414654544E53L; // "GRAFTTNS"
    private static final int VERSION = 1;

    private TensorFile() {
    }

    public static void write(Path file, Map<String, INDArray> arrays) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream os = Files.newOutputStream(tmp); DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
                out.writeLong(MAGIC);
                out.writeInt(VERSION);
                out.writeInt(arrays.size());
                for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
                    INDArray a = e.getValue();
                    boolean dbl = a.dataType() == DataType.DOUBLE;
                    out.writeUTF(e.getKey());
                    out.writeByte(dbl ? 2 : 1);
                    long[] shape = a.shape();
                    out.writeInt(shape.length);
                    for (long d : shape) {
                        out.writeLong(d);
                    }
                    INDArray c = a.dataType() == DataType.DOUBLE || a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
                    if (dbl) {
                        double[] v = c.dup('c').data().asDouble();
                        ByteBuffer bb = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                        bb.asDoubleBuffer().put(v);
                        out.write(bb.array());
                    } else {
                        float[] v = c.dup('c').data().asFloat();
                        ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                        bb.asFloatBuffer().put(v);
                        out.write(bb.array());
                    }
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
            throw new GraftException(GraftException.Code.IO, "cannot write " + file + ": " + e.getMessage());
        }
    }

    public static Map<String, INDArray> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new GraftException(GraftException.Code.MODEL, "missing file " + file);
        }
        long remaining;
        try {
            remaining = Files.size(file);
        } catch (IOException e) {
            throw new GraftException(GraftException.Code.IO, "cannot read " + file + ": " + e.getMessage());
        }
        try (InputStream is = Files.newInputStream(file); DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
            if (remaining < 16 || in.readLong() != MAGIC) {
                throw corrupt(file, "not a Graft tensor file (bad magic)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw corrupt(file, "unsupported version " + version);
            }
            int n = in.readInt();
            remaining -= 16;
            if (n < 0 || n > remaining / 8) {
                throw corrupt(file, "entry count " + n + " does not fit the file size");
            }
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                int type = in.readByte();
                int rank = in.readInt();
                remaining -= 2 + name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1 + 4;
                if ((type != 1 && type != 2) || rank < 0 || rank > 8) {
                    throw corrupt(file, "entry '" + name + "' has bad type " + type + " or rank " + rank);
                }
                long[] shape = new long[rank];
                long count = 1;
                for (int d = 0; d < rank; d++) {
                    shape[d] = in.readLong();
                    if (shape[d] < 0 || (shape[d] > 0 && count > Long.MAX_VALUE / shape[d])) {
                        throw corrupt(file, "entry '" + name + "' has a bad dimension " + shape[d]);
                    }
                    count *= shape[d];
                }
                remaining -= 8L * rank;
                int width = type == 2 ? 8 : 4;
                if (count > remaining / width || count > Integer.MAX_VALUE / width) {
                    throw corrupt(file, "entry '" + name + "' claims " + count + " values but the file holds fewer");
                }
                byte[] bytes = new byte[(int) (count * width)];
                in.readFully(bytes);
                remaining -= bytes.length;
                ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                INDArray arr;
                if (type == 2) {
                    double[] v = new double[(int) count];
                    bb.asDoubleBuffer().get(v);
                    arr = Nd4j.create(v, shape, DataType.DOUBLE);
                } else {
                    float[] v = new float[(int) count];
                    bb.asFloatBuffer().get(v);
                    arr = Nd4j.create(v, shape, DataType.FLOAT);
                }
                if (out.put(name, arr) != null) {
                    throw corrupt(file, "entry '" + name + "' appears twice");
                }
            }
            return out;
        } catch (EOFException e) {
            throw corrupt(file, "the file is truncated");
        } catch (IOException e) {
            throw new GraftException(GraftException.Code.IO, "cannot read " + file + ": " + e.getMessage());
        }
    }

    private static GraftException corrupt(Path file, String why) {
        return new GraftException(GraftException.Code.MODEL, file + " is corrupt: " + why);
    }
}
