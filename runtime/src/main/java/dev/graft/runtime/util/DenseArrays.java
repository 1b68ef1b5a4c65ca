package dev.graft.runtime.util;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Which arrays native code may read and write in place through their buffer's address: the one test
 * the planned executor's kernels and the trainer's batch copy share.
 */
public final class DenseArrays {
    private DenseArrays() {
    }

    /**
     * Whether the array's elements are the first {@code length} elements of its buffer, in row-major
     * order from the buffer's start, and there is at least one.
     */
    public static boolean rowMajor(INDArray a) {
        if (a == null || a.length() == 0 || a.ordering() != 'c' || a.offset() != 0 || a.data().offset() != 0) {
            return false;
        }
        return Arrays.equals(a.stride(), Nd4j.getStrides(a.shape(), 'c'));
    }

    /** {@link #rowMajor} and of type {@code FLOAT}: what the BLAS and the float kernels take. */
    public static boolean floats(INDArray a) {
        return a != null && a.dataType() == DataType.FLOAT && rowMajor(a);
    }
}
