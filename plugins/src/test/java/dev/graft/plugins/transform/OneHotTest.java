package dev.graft.plugins.transform;

import dev.graft.api.PluginException;
import dev.graft.api.data.Transform;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** one-hot: blocks in place of the listed columns, unseen values, state round-trip, clear errors. */
class OneHotTest {
    static Transform oneHot(Integer... columns) {
        return new OneHotProvider().create(new OneHotProvider.Config(List.of(columns), 100));
    }

    // column 0 numeric, column 1 categories {3, 5, 7}, column 2 numeric, column 3 categories {0, 1}
    static final INDArray TRAIN = Nd4j.createFromArray(new float[][] {
            {0.5f, 7, 2, 1}, {1.5f, 3, 4, 0}, {2.5f, 7, 6, 0}, {3.5f, 5, 8, 1}});

    @Test
    void listedColumnsBecomeBlocksInPlace() {
        Transform.Fitted f = oneHot(1).fit(TRAIN);
        INDArray out = f.apply(Nd4j.createFromArray(new float[][] {{0.5f, 7, 2, 1}, {9, 3, 9, 9}}));
        assertThat(out.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(out.shape()).containsExactly(2, 6);
        assertThat(out.getRow(0).toDoubleVector()).containsExactly(0.5, 0, 0, 1, 2, 1);
        assertThat(out.getRow(1).toDoubleVector()).containsExactly(9, 1, 0, 0, 9, 9);
    }

    @Test
    void severalColumnsKeepTheirOrderWhateverTheConfigOrder() {
        Transform.Fitted f = oneHot(3, 1).fit(TRAIN);
        // x0, x1=3, x1=5, x1=7, x2, x3=0, x3=1
        assertThat(f.apply(TRAIN).getRow(3).toDoubleVector()).containsExactly(3.5, 0, 1, 0, 8, 0, 1);
        assertThat(f.apply(TRAIN).shape()).containsExactly(4, 7);
        assertThat(f.state().keySet()).containsExactly("width", "columns", "categories/3", "categories/1");
        assertThat(f.state().get("categories/1").toDoubleVector()).containsExactly(3, 5, 7);
        assertThat(f.state().get("width").getDouble(0)).isEqualTo(4.0);
    }

    @Test
    void unseenValuesGiveAnAllZeroBlock() {
        Transform.Fitted f = oneHot(1).fit(TRAIN);
        assertThat(f.apply(Nd4j.createFromArray(new float[][] {{0, 4, 0, 0}})).toDoubleVector())
                .containsExactly(0, 0, 0, 0, 0, 0);
        assertThat(f.apply(Nd4j.createFromArray(new float[][] {{0, -0.0f, 0, 0}})).toDoubleVector())
                .containsExactly(0, 0, 0, 0, 0, 0);
    }

    @Test
    void theInputIsNotModifiedAndEmptyBatchesWork() {
        INDArray before = TRAIN.dup();
        Transform.Fitted f = oneHot(1, 3).fit(TRAIN);
        f.apply(TRAIN);
        assertThat(TRAIN).isEqualTo(before);
        assertThat(f.apply(Nd4j.zeros(DataType.FLOAT, 0, 4)).shape()).containsExactly(0, 7);
    }

    @Test
    void restoreGivesTheSameTransform() {
        Transform t = oneHot(1, 3);
        Transform.Fitted fitted = t.fit(TRAIN);
        Transform.Fitted restored = t.restore(fitted.state());
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 5, 2, 0}, {1, 6, 2, 1}});
        assertThat(restored.apply(x)).isEqualTo(fitted.apply(x));
        assertThat(restored.state().keySet()).isEqualTo(fitted.state().keySet());
    }

    @Test
    void badShapesAndDataAreRejected() {
        assertThatThrownBy(() -> oneHot(0).fit(Nd4j.zeros(DataType.FLOAT, 3, 1, 2, 2)))
                .isInstanceOf(PluginException.class)
                .hasMessage("one-hot needs flat examples [features], as from a CSV file; got examples of shape [1, 2, 2]");
        assertThatThrownBy(() -> oneHot(4).fit(TRAIN))
                .isInstanceOf(PluginException.class)
                .hasMessage("one-hot: column 4 does not exist; the examples have 4 features (columns 0 to 3)");
        INDArray withNaN = TRAIN.dup();
        withNaN.putScalar(2, 1, Float.NaN);
        assertThatThrownBy(() -> oneHot(1).fit(withNaN))
                .hasMessage("one-hot: column 1 holds NaN in training row 2; categories must be finite numbers");
        INDArray many = Nd4j.linspace(DataType.FLOAT, 1, 8, 8).reshape(4, 2);
        assertThatThrownBy(() -> new OneHotProvider().create(new OneHotProvider.Config(List.of(0), 3)).fit(many))
                .hasMessage("one-hot: column 0 has 4 distinct values in the training data, more than max-categories (3);"
                        + " is it categorical? If so, raise max-categories");
        assertThatThrownBy(() -> oneHot(1).fit(TRAIN).apply(Nd4j.zeros(DataType.FLOAT, 2, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("one-hot was fitted on examples of 4 features, got examples of 5 features");
    }

    @Test
    void badStateAndConfigsAreRejected() {
        Map<String, INDArray> state = oneHot(1).fit(TRAIN).state();
        assertThatThrownBy(() -> oneHot(1, 3).restore(state))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("one-hot state for columns [1, 3] must have exactly the keys [categories/1, categories/3, columns,"
                        + " width], got [categories/1, columns, width]");
        Map<String, INDArray> unsorted = new java.util.HashMap<>(state);
        unsorted.put("categories/1", Nd4j.createFromArray(5.0, 3.0));
        assertThatThrownBy(() -> oneHot(1).restore(unsorted))
                .hasMessage("one-hot state 'categories/1' must hold finite values in increasing order, got [5.0, 3.0]");
        Map<String, INDArray> narrow = new java.util.HashMap<>(state);
        narrow.put("width", Nd4j.scalar(1.0));
        assertThatThrownBy(() -> oneHot(1).restore(narrow)).hasMessage("one-hot state lists column 1 but 'width' is 1");

        assertThatThrownBy(() -> new OneHotProvider.Config(List.of(), 100))
                .hasMessage("columns must list at least one feature index");
        assertThatThrownBy(() -> new OneHotProvider.Config(List.of(1, -1), 100))
                .hasMessage("columns must be feature indices >= 0, got -1");
        assertThatThrownBy(() -> new OneHotProvider.Config(List.of(2, 2), 100)).hasMessage("columns lists 2 twice");
        assertThatThrownBy(() -> new OneHotProvider.Config(List.of(2), 1))
                .hasMessage("max-categories must be a whole number >= 2, got 1");
    }
}
