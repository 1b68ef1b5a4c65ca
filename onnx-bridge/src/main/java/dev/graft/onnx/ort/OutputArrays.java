package dev.graft.onnx.ort;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * New, uninitialised, c-ordered ND4J arrays for one output of an engine, made as cheaply as ND4J
 * allows: one data buffer per array, and ND4J's shape information (an off-heap buffer of its own,
 * which {@link Nd4j#createUninitialized} makes afresh for every array) shared by all the arrays of
 * the same type and shape, as ND4J's own shape-information cache shares it. The last layout is
 * remembered, so an output whose shape does not change from call to call costs no shape work at all.
 *
 * <p>This takes ND4J's CPU backend ({@code nd4j-native}, which Graft runs on); when another backend is
 * active, and for scalars and arrays without elements, arrays come from {@link Nd4j#createUninitialized}.
 * Arrays are made in the calling thread's current workspace, if any, as {@link
 * Nd4j#createUninitialized} makes them. Safe for use from several threads.
 */
final class OutputArrays {
    /** Whether ND4J's active backend is the CPU one, whose array constructor takes shared shape information (asked on first use, not when an engine opens). */
    private static final class Backend {
        static final boolean CPU = cpuBackend();
    }

    /** A type and shape, and ND4J's shape information for them (never modified; shared by every array of this layout). */
    private record Layout(DataType type, long[] shape, org.nd4j.linalg.cpu.nativecpu.buffer.LongBuffer info, long[] javaInfo) {
    }

    private volatile Layout last;

    /** An uninitialised c-ordered array of this type and shape; its contents are whatever the memory held. */
    INDArray uninitialized(DataType type, long[] shape) {
        if (shape.length == 0 || !Backend.CPU) {
            return Nd4j.createUninitialized(type, shape);
        }
        long length = 1;
        for (long d : shape) {
            if (d <= 0) {
                return Nd4j.createUninitialized(type, shape);
            }
            length = Math.multiplyExact(length, d);
        }
        Layout l = last;
        if (l == null || l.type() != type || !Arrays.equals(l.shape(), shape)) {
            Pair<DataBuffer, long[]> info = Nd4j.getShapeInfoProvider().createShapeInformation(shape, 'c', type);
            if (!(info.getFirst() instanceof org.nd4j.linalg.cpu.nativecpu.buffer.LongBuffer lb)) {
                return Nd4j.createUninitialized(type, shape);
            }
            l = new Layout(type, shape.clone(), lb, info.getSecond());
            last = l;
        }
        return new org.nd4j.linalg.cpu.nativecpu.NDArray(Nd4j.createBuffer(type, length, false), l.info(), l.javaInfo());
    }

    private static boolean cpuBackend() {
        try {
            return Nd4j.getNDArrayFactory() instanceof org.nd4j.linalg.cpu.nativecpu.CpuNDArrayFactory;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }
}
