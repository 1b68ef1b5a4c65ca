package dev.graft.plugins.layers;

import dev.graft.api.Shape;
import dev.graft.api.init.InitSpec;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.ParamRole;
import dev.graft.api.layer.ParamSpec;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.testkit.LayerRunner;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static dev.graft.plugins.layers.ConvolutionLayersTest.configError;
import static dev.graft.plugins.layers.LayerContractsTest.m;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Embedding and LSTM: shapes, parameters, edge cases (values: PyTorchReferenceTest). */
class SequenceLayersTest {

    static Layer embedding(Map<String, Object> config) {
        return new EmbeddingProvider().create(RecordBinder.bind(EmbeddingProvider.Config.class, config, "", "embedding"));
    }

    static final INDArray TABLE = Nd4j.arange(15).castTo(DataType.DOUBLE).reshape(5, 3);

    @Test
    void embeddingLooksUpRows() {
        Layer layer = embedding(m("vocab-size", 5, "dim", 3));
        assertThat(layer.outputShape(List.of(Shape.of(7)))).isEqualTo(Shape.of(7, 3));
        assertThat(layer.outputShape(List.of(Shape.of(2, 7)))).isEqualTo(Shape.of(2, 7, 3));
        INDArray ids = Nd4j.createFromArray(new double[][] {{4, 0, 2}});
        INDArray y = LayerRunner.of(layer).param("W", TABLE).run(ids).output();
        assertThat(y.shape()).containsExactly(1, 3, 3);
        assertThat(y.slice(0).toDoubleMatrix()).isEqualTo(new double[][] {{12, 13, 14}, {0, 1, 2}, {6, 7, 8}});
    }

    @Test
    void idsAreRoundedAndOutOfRangeIdsGiveZeroRows() {
        Layer layer = embedding(m("vocab-size", 5, "dim", 3));
        INDArray ids = Nd4j.createFromArray(new double[][] {{1.9999, 5, -1, 0.2, 100}});
        INDArray y = LayerRunner.of(layer).param("W", TABLE).run(ids).output();
        assertThat(y.slice(0).toDoubleMatrix()).isEqualTo(new double[][] {{6, 7, 8}, {0, 0, 0}, {0, 0, 0}, {0, 1, 2}, {0, 0, 0}});
        // float32, as in the runtime
        INDArray y32 = LayerRunner.of(layer).param("W", TABLE.castTo(DataType.FLOAT)).run(ids.castTo(DataType.FLOAT)).output();
        assertThat(y32.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(y32.castTo(DataType.DOUBLE)).isEqualTo(y);
    }

    @Test
    void embeddingTableAndValidation() {
        List<ParamSpec> params = embedding(m("vocab-size", 100, "dim", 8)).params(List.of(Shape.of(10)));
        assertThat(params).hasSize(1);
        assertThat(params.get(0).name()).isEqualTo("W");
        assertThat(params.get(0).role()).isEqualTo(ParamRole.EMBEDDING);
        assertThat(params.get(0).shape()).containsExactly(100, 8);
        assertThat(params.get(0).init()).isEqualTo(InitSpec.of("normal"));
        assertThat(embedding(m("vocab-size", 10, "dim", 2, "weight-init", m("type", "normal", "std", 0.02)))
                .params(List.of(Shape.of(3))).get(0).init()).isEqualTo(new InitSpec("normal", Map.of("std", 0.02)));
        assertThat(configError(EmbeddingProvider.Config.class, m("vocab-size", 0, "dim", 3)))
                .contains("vocab-size must be a positive integer, got 0");
        assertThat(configError(EmbeddingProvider.Config.class, m("vocab-size", 3, "dim", -3)))
                .contains("dim must be a positive integer, got -3");
        assertThat(configError(EmbeddingProvider.Config.class, m("vocab-size", 3, "dim", 3, "weight-init", "Normal")))
                .contains("'Normal' is not an initializer id");
    }

    static Layer lstm(Map<String, Object> config) {
        return new LstmProvider().create(RecordBinder.bind(LstmProvider.Config.class, config, "", "lstm"));
    }

    @Test
    void lstmShapesAndParameters() {
        assertThat(lstm(m("units", 8)).outputShape(List.of(Shape.of(20, 3)))).isEqualTo(Shape.of(20, 8));
        assertThat(lstm(m("units", 8, "return-sequences", false)).outputShape(List.of(Shape.of(20, 3)))).isEqualTo(Shape.of(8));
        List<ParamSpec> params = lstm(m("units", 8)).params(List.of(Shape.of(20, 3)));
        assertThat(params).extracting(ParamSpec::name).containsExactly("W", "R", "b");
        assertThat(params).extracting(ParamSpec::role).containsExactly(ParamRole.WEIGHT, ParamRole.WEIGHT, ParamRole.BIAS);
        assertThat(params.get(0).shape()).containsExactly(3, 32);
        assertThat(params.get(1).shape()).containsExactly(8, 32);
        assertThat(params.get(2).shape()).containsExactly(32);
        assertThat(params).extracting(p -> p.init().id()).containsExactly("xavier-uniform", "orthogonal", "zeros");
        assertThat(LstmProvider.Config.of(8)).isEqualTo(RecordBinder.bind(LstmProvider.Config.class, m("units", 8), "", "x"));
    }

    @Test
    void lstmValidation() {
        assertThatThrownBy(() -> lstm(m("units", 4)).outputShape(List.of(Shape.of(12))))
                .hasMessage("lstm expects a sequence [time steps, features], got [12]");
        assertThat(configError(LstmProvider.Config.class, m("units", 0))).contains("units must be a positive integer, got 0");
        assertThat(configError(LstmProvider.Config.class, m("units", 2, "recurrent-init", m("std", 1))))
                .contains("an initializer needs 'type' (its id)");
    }

    @Test
    void lstmWithZeroWeightsKeepsAZeroState() {
        // z = 0: i = f = o = 1/2, g = 0, so c and h stay 0; with a bias on g the state grows step by step
        Layer layer = lstm(m("units", 2));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 4);
        INDArray zero = LayerRunner.of(layer).param("W", Nd4j.zeros(DataType.DOUBLE, 4, 8))
                .param("R", Nd4j.zeros(DataType.DOUBLE, 2, 8)).param("b", Nd4j.zeros(DataType.DOUBLE, 8)).run(x).output();
        assertThat(zero.amaxNumber().doubleValue()).isZero();
        INDArray b = Nd4j.createFromArray(0.0, 0, 0, 0, 1, 1, 0, 0);
        INDArray grown = LayerRunner.of(layer).param("W", Nd4j.zeros(DataType.DOUBLE, 4, 8))
                .param("R", Nd4j.zeros(DataType.DOUBLE, 2, 8)).param("b", b).run(x).output();
        double g = Math.tanh(1);
        double c1 = 0.5 * g;
        double c2 = 0.5 * c1 + 0.5 * g;
        assertThat(grown.getDouble(0, 0, 0)).isCloseTo(0.5 * Math.tanh(c1), org.assertj.core.api.Assertions.within(1e-12));
        assertThat(grown.getDouble(1, 1, 1)).isCloseTo(0.5 * Math.tanh(c2), org.assertj.core.api.Assertions.within(1e-12));
    }
}
