package dev.graft.onnx.conformance;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ComparisonTest {
    private static final Tolerance TOL = Tolerance.DEFAULT;

    private static Comparison cmp(INDArray a, INDArray e) {
        return Comparison.of("output 'y'", a, e, TOL);
    }

    @Test
    void numpyAllcloseRule() {
        assertThat(TOL.close(1.0005, 1.0)).isTrue(); // 5e-4 <= 1e-5 + 1e-3
        assertThat(TOL.close(1.002, 1.0)).isFalse();
        assertThat(TOL.close(1e-5, 0)).isTrue();
        assertThat(TOL.close(2e-5, 0)).isFalse();
        assertThat(TOL.close(Double.NaN, Double.NaN)).isTrue();
        assertThat(TOL.close(Double.NaN, 1)).isFalse();
        assertThat(TOL.close(1, Double.NaN)).isFalse();
        assertThat(TOL.close(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY)).isTrue();
        assertThat(TOL.close(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)).isFalse();
        assertThat(TOL.close(1e300, Double.POSITIVE_INFINITY)).isFalse();
    }

    @Test
    void closeFloatsPassAndReportTheirLargestError() {
        Comparison c = cmp(Nd4j.createFromArray(1.0f, 2.0005f, Float.NaN), Nd4j.createFromArray(1.0f, 2.0f, Float.NaN));
        assertThat(c.matches()).isTrue();
        assertThat(c.maxAbsError()).isCloseTo(5e-4, within(1e-6));
        assertThat(c.message()).isEmpty();
    }

    @Test
    void distantFloatsFailWithTheWorstElement() {
        INDArray a = Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4.5f}});
        INDArray e = Nd4j.createFromArray(new float[][] {{1, 2.1f}, {3, 4}});
        Comparison c = cmp(a, e);
        assertThat(c.matches()).isFalse();
        assertThat(c.maxAbsError()).isCloseTo(0.5, within(1e-6));
        assertThat(c.message()).isEqualTo("output 'y': 2 of 4 elements differ (|actual - expected| <= 1.0E-5 + 0.001 * |expected|);"
                + " the largest difference is at [1, 1]: 4.5, expected 4.0");
        Comparison nan = cmp(Nd4j.createFromArray(Float.NaN), Nd4j.createFromArray(1f));
        assertThat(nan.matches()).isFalse();
        assertThat(nan.message()).endsWith("at [0]: NaN, expected 1.0");
    }

    @Test
    void shapesAndTypesMustMatch() {
        Comparison s = cmp(Nd4j.zeros(DataType.FLOAT, 2, 3), Nd4j.zeros(DataType.FLOAT, 3, 2));
        assertThat(s.matches()).isFalse();
        assertThat(s.maxAbsError()).isNaN();
        assertThat(s.message()).isEqualTo("output 'y' has shape [2, 3] but the reference has [3, 2]");
        assertThat(cmp(Nd4j.scalar(1f), Nd4j.createFromArray(1f)).message()).isEqualTo("output 'y' has shape [] but the reference has [1]");
        assertThat(cmp(Nd4j.zeros(DataType.INT32, 2), Nd4j.zeros(DataType.INT64, 2)).message())
                .isEqualTo("output 'y' is int32 but the reference is int64");
    }

    @Test
    void integersAndBoolsAreExact() {
        assertThat(cmp(Nd4j.createFromArray(1L, 2L), Nd4j.createFromArray(1L, 2L)).matches()).isTrue();
        Comparison c = cmp(Nd4j.createFromArray(1L, 3L), Nd4j.createFromArray(1L, 2L));
        assertThat(c.matches()).isFalse();
        assertThat(c.message()).isEqualTo("output 'y': 1 of 2 elements differ (compared exactly); the largest difference is at [1]: 3, expected 2");
        Comparison b = cmp(Nd4j.createFromArray(true, false), Nd4j.createFromArray(true, true));
        assertThat(b.message()).endsWith("at [1]: false, expected true");
        INDArray u = Nd4j.createUninitialized(DataType.UINT64, 1);
        u.data().asNio().order(java.nio.ByteOrder.nativeOrder()).putLong(0, -1L);
        INDArray v = Nd4j.createUninitialized(DataType.UINT64, 1);
        v.data().asNio().order(java.nio.ByteOrder.nativeOrder()).putLong(0, -2L);
        assertThat(cmp(u, v).message()).endsWith("at [0]: 18446744073709551615, expected 18446744073709551614");
    }

    @Test
    void emptyOutputsCompareByShape() {
        Comparison c = cmp(Nd4j.create(DataType.FLOAT, 2, 0), Nd4j.create(DataType.FLOAT, 2, 0));
        assertThat(c.matches()).isTrue();
        assertThat(c.maxAbsError()).isZero();
    }

    @Test
    void halfPrecisionDecoding() {
        float[] values = {0f, -0f, 1f, -2.5f, 65504f, 6.1035156e-05f, 5.9604645e-08f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        INDArray h = Nd4j.createFromArray(values).castTo(DataType.FLOAT16);
        java.nio.ByteBuffer b = h.data().asNio().order(java.nio.ByteOrder.nativeOrder());
        for (int i = 0; i < values.length; i++) {
            assertThat(Comparison.halfToFloat(b.getShort(i * 2))).as("value " + values[i]).isEqualTo(values[i]);
        }
        assertThat(Comparison.halfToFloat((short) 0x7e00)).isNaN();
        java.lang.ref.Reference.reachabilityFence(h);
        assertThat(cmp(h, h.dup()).matches()).isTrue();
    }
}
