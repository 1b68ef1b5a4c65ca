package dev.graft.runtime.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SplitsTest {
    private static final long[] IDX = {4, 0, 3, 3, 1};

    /** Row i of the result is row idx[i] of a, read element by element. */
    private static void assertRows(INDArray original, INDArray got) {
        INDArray a = original.dup('c');
        assertThat(got.size(0)).isEqualTo(IDX.length);
        for (int i = 0; i < IDX.length; i++) {
            INDArray want = (a.rank() == 1 ? a.getScalar(IDX[i]) : a.get(NDArrayIndex.point(IDX[i]))).dup('c');
            INDArray row = (got.rank() == 1 ? got.getScalar(i) : got.get(NDArrayIndex.point(i))).dup('c');
            assertThat(row.reshape(row.length()).toFloatVector()).containsExactly(want.reshape(want.length()).toFloatVector());
        }
    }

    private static INDArray dest(INDArray a) {
        long[] s = a.shape().clone();
        s[0] = IDX.length;
        return Nd4j.create(a.dataType(), s, 'c');
    }

    @Test
    void copyRowsFillsRangesOfTheDestination() {
        for (INDArray a : new INDArray[] {Nd4j.rand(DataType.FLOAT, 5, 1, 3, 2), Nd4j.rand(DataType.FLOAT, 5, 7), Nd4j.rand(DataType.FLOAT, 5)}) {
            INDArray d = dest(a);
            assertThat(Splits.rowCopies(a, d)).isTrue();
            Splits.copyRows(a, IDX, 3, 5, d);
            Splits.copyRows(a, IDX, 0, 3, d);
            assertRows(a, d);
            assertThatThrownBy(() -> Splits.copyRows(a, IDX, 4, 6, d)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> Splits.copyRows(a, new long[] {0, 5}, 0, 2, d)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("row 5 of 5");
        }
        // other row shapes, other types, column-major: not by row copies
        assertThat(Splits.rowCopies(Nd4j.rand(DataType.FLOAT, 5, 7), Nd4j.create(DataType.FLOAT, 5, 6))).isFalse();
        assertThat(Splits.rowCopies(Nd4j.rand(DataType.FLOAT, 5, 7), Nd4j.create(DataType.DOUBLE, 5, 7))).isFalse();
        assertThat(Splits.rowCopies(Nd4j.rand(DataType.FLOAT, 5, 7).dup('f'), Nd4j.create(DataType.FLOAT, 5, 7))).isFalse();
    }

    @Test
    void selectIntoCopiesTheRowsOfDenseArraysOfAnyRank() {
        for (INDArray a : new INDArray[] {Nd4j.rand(DataType.FLOAT, 5, 1, 3, 2), Nd4j.rand(DataType.FLOAT, 5, 7), Nd4j.rand(DataType.FLOAT, 5)}) {
            INDArray d = dest(a);
            assertThat(Splits.selectInto(a, IDX, d)).isSameAs(d);
            assertRows(a, d);
            assertThat(d).isEqualTo(Splits.select(a, IDX));
        }
    }

    @Test
    void selectIntoAlsoCopiesFromViewsAndColumnMajorArrays() {
        INDArray big = Nd4j.rand(DataType.FLOAT, 8, 6);
        INDArray view = big.get(NDArrayIndex.interval(2, 7), NDArrayIndex.interval(1, 5));
        INDArray fOrder = Nd4j.rand(DataType.FLOAT, 5, 4).dup('f');
        for (INDArray a : new INDArray[] {view, fOrder}) {
            INDArray d = dest(a);
            Splits.selectInto(a, IDX, d);
            assertRows(a, d);
        }
    }

    @Test
    void selectIntoRefusesRowsOutsideTheArrayAndDestinationsThatDoNotFit() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 5, 3);
        assertThatThrownBy(() -> Splits.selectInto(a, new long[] {0, 5}, Nd4j.create(DataType.FLOAT, 2, 3)))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Splits.selectInto(a, IDX, Nd4j.create(DataType.FLOAT, 4, 3)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
