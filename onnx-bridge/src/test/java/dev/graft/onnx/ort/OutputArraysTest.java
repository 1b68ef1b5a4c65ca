package dev.graft.onnx.ort;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;

class OutputArraysTest {

    @Test
    void arraysHaveTheLayoutNd4jGivesUninitialisedArrays() {
        OutputArrays maker = new OutputArrays();
        Object[][] cases = {
                {DataType.FLOAT, new long[] {128, 10}}, {DataType.FLOAT, new long[] {1, 10}}, {DataType.DOUBLE, new long[] {2, 3, 4}},
                {DataType.INT64, new long[] {5}}, {DataType.BOOL, new long[] {1}}, {DataType.FLOAT16, new long[] {3, 1}},
                {DataType.UINT8, new long[] {2, 1, 3, 1}}, {DataType.FLOAT, new long[] {}}, {DataType.FLOAT, new long[] {0, 3}},
        };
        for (Object[] c : cases) {
            DataType dt = (DataType) c[0];
            long[] shape = (long[]) c[1];
            INDArray a = maker.uninitialized(dt, shape);
            INDArray reference = Nd4j.createUninitialized(dt, shape);
            assertThat(a.shapeInfoDataBuffer().asLong()).as(dt + " " + java.util.Arrays.toString(shape))
                    .containsExactly(reference.shapeInfoDataBuffer().asLong());
            assertThat(a.shape()).containsExactly(shape);
            assertThat(a.dataType()).isEqualTo(dt);
            assertThat(a.ordering()).isEqualTo('c');
            assertThat(a.isView()).isFalse();
            assertThat(a.length()).isEqualTo(reference.length());
            assertThat(a.data().length()).isEqualTo(reference.data().length());
        }
    }

    @Test
    void everyArrayHasItsOwnDataAndWorksInNd4jOperations() {
        OutputArrays maker = new OutputArrays();
        INDArray a = maker.uninitialized(DataType.FLOAT, new long[] {2, 3});
        INDArray b = maker.uninitialized(DataType.FLOAT, new long[] {2, 3});
        assertThat(a.shapeInfoDataBuffer()).isSameAs(b.shapeInfoDataBuffer()); // shared, as ND4J's own cache shares it
        assertThat(a.data()).isNotSameAs(b.data());
        a.assign(Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}}));
        b.assign(7f);
        assertThat(a.ravel().toFloatVector()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(a.add(1f).toFloatMatrix()).isEqualTo(new float[][] {{2, 3, 4}, {5, 6, 7}});
        assertThat(a.transpose().toFloatMatrix()).isEqualTo(new float[][] {{1, 4}, {2, 5}, {3, 6}});
        assertThat(a.reshape(3, 2).toFloatMatrix()).isEqualTo(new float[][] {{1, 2}, {3, 4}, {5, 6}});
        assertThat(a.sum(1).toFloatVector()).containsExactly(6, 15);
        a.muli(2f);
        assertThat(a.getFloat(1, 2)).isEqualTo(12f);
        assertThat(b.ravel().toFloatVector()).containsOnly(7f);
        a.close(); // closing one array frees its data only
        assertThat(b.ravel().toFloatVector()).containsOnly(7f);
        assertThat(maker.uninitialized(DataType.FLOAT, new long[] {2, 3}).assign(1f).sumNumber().floatValue()).isEqualTo(6f);
    }

    @Test
    void shapesAndTypesMayChangeFromCallToCall() {
        OutputArrays maker = new OutputArrays();
        long[][] shapes = {{2, 3}, {5, 3}, {2, 3}, {5, 3, 1}};
        for (long[] s : shapes) {
            INDArray a = maker.uninitialized(DataType.FLOAT, s);
            assertThat(a.shape()).containsExactly(s);
            assertThat(a.stride()).containsExactly(Nd4j.createUninitialized(DataType.FLOAT, s).stride());
        }
        INDArray d = maker.uninitialized(DataType.DOUBLE, new long[] {5, 3, 1});
        assertThat(d.dataType()).isEqualTo(DataType.DOUBLE);
        assertThat(d.data().dataType()).isEqualTo(DataType.DOUBLE);
        // the shape given is not kept: changing it afterwards changes nothing
        long[] mine = {4, 2};
        maker.uninitialized(DataType.INT32, mine);
        mine[0] = 9;
        assertThat(maker.uninitialized(DataType.INT32, new long[] {4, 2}).shape()).containsExactly(4, 2);
    }
}
