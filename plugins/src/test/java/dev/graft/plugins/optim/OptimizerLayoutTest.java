package dev.graft.plugins.optim;

import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Arrays the update loops cannot use in place (views, column-major layouts, gradients of another
 * element type, saved state in another layout or type) give the same result, element for element,
 * as dense row-major arrays; the scratch copies they go through are not state.
 */
class OptimizerLayoutTest {
    static final long[] SHAPE = {3, 4};

    static INDArray values(int seed, DataType type) {
        double[] v = new double[12];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.sin(seed * 7.0 + i * 1.3) * (i % 3 == 0 ? 0.01 : 1.0);
        }
        return Nd4j.createFromArray(v).reshape('c', SHAPE).castTo(type);
    }

    static Map<String, Supplier<Optimizer>> all() {
        Map<String, Supplier<Optimizer>> all = new java.util.LinkedHashMap<>(OptimizersTest.withState());
        all.put("sgd plain", () -> OptimizersTest.sgd(0.1, 0, false, 0.01));
        return all;
    }

    /** Three steps with the given weights and gradients made by {@code grad}; returns the weights' values. */
    static double[] run(Optimizer opt, INDArray w, java.util.function.IntFunction<INDArray> grad) {
        for (int s = 0; s < 3; s++) {
            Param p = new Param("fc.W", w, grad.apply(s));
            opt.step(List.of(new ParamGroup("default", List.of(p), 0.05, 0.01, false)), s + 1);
        }
        return Nd4j.toFlattened('c', w).toDoubleVector();
    }

    @Test
    void aWeightViewIsUpdatedInPlaceLikeADenseWeight() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (var e : all().entrySet()) {
                double[] dense = run(e.getValue().get(), values(0, type), s -> values(s + 1, type));
                // the weight is the middle 3x4 block of a 5x6 array: a strided view with an offset
                INDArray big = Nd4j.valueArrayOf(new long[] {5, 6}, 9.0, type);
                INDArray view = big.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(1, 5));
                view.assign(values(0, type));
                double[] viewed = run(e.getValue().get(), view, s -> values(s + 1, type));
                assertThat(viewed).as(e.getKey() + " " + type).containsExactly(dense);
                assertThat(Nd4j.toFlattened('c', big.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(1, 5))).toDoubleVector())
                        .as(e.getKey() + " " + type + ": the update reached the underlying array").containsExactly(dense);
                INDArray outside = big.dup();
                outside.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(1, 5)).assign(9.0);
                assertThat(Nd4j.toFlattened('c', outside).toDoubleVector())
                        .as(e.getKey() + " " + type + ": elements outside the view untouched").containsOnly(9.0);
            }
        }
    }

    @Test
    void columnMajorWeightsAndGradientsGiveTheSameResult() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (var e : all().entrySet()) {
                double[] dense = run(e.getValue().get(), values(0, type), s -> values(s + 1, type));
                INDArray w = values(0, type).dup('f');
                double[] fOrder = run(e.getValue().get(), w, s -> values(s + 1, type).dup('f'));
                assertThat(fOrder).as(e.getKey() + " " + type).containsExactly(dense);
                assertThat(w.ordering()).isEqualTo('f');
                double[] mixed = run(e.getValue().get(), values(0, type), s -> values(s + 1, type).dup('f'));
                assertThat(mixed).as(e.getKey() + " " + type + ", row-major weights, column-major gradients").containsExactly(dense);
            }
        }
    }

    @Test
    void aGradientOfAnotherElementTypeIsConvertedToTheParameters() {
        for (var e : all().entrySet()) {
            double[] dense = run(e.getValue().get(), values(0, DataType.FLOAT), s -> values(s + 1, DataType.FLOAT));
            INDArray w = values(0, DataType.FLOAT);
            double[] mixed = run(e.getValue().get(), w, s -> values(s + 1, DataType.FLOAT).castTo(DataType.DOUBLE));
            assertThat(mixed).as(e.getKey()).containsExactly(dense);
            assertThat(w.dataType()).isEqualTo(DataType.FLOAT);
        }
    }

    @Test
    void savedStateInAnotherLayoutOrTypeContinuesIdentically() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (var e : all().entrySet()) {
                if (e.getKey().equals("sgd plain")) {
                    continue;
                }
                Optimizer straight = e.getValue().get();
                double[] expected = run(straight, values(0, type), s -> values(s + 1, type));

                Optimizer first = e.getValue().get();
                INDArray w = values(0, type);
                Param p = new Param("fc.W", w, values(1, type));
                first.step(List.of(new ParamGroup("default", List.of(p), 0.05, 0.01, false)), 1);
                Map<String, INDArray> saved = new HashMap<>();
                DataType other = type == DataType.FLOAT ? DataType.DOUBLE : DataType.FLOAT;
                // float32 state saved as float64 is exact; float64 state is only re-laid out, column-major
                first.state().forEach((k, v) -> saved.put(k, k.endsWith("/step") ? v
                        : type == DataType.FLOAT ? v.castTo(other).dup('f') : v.dup('f')));
                Optimizer resumed = e.getValue().get();
                resumed.loadState(saved);
                for (int s = 1; s < 3; s++) {
                    Param q = new Param("fc.W", w, values(s + 1, type));
                    resumed.step(List.of(new ParamGroup("default", List.of(q), 0.05, 0.01, false)), s + 1);
                }
                assertThat(Nd4j.toFlattened('c', w).toDoubleVector()).as(e.getKey() + " " + type).containsExactly(expected);
                Map<String, INDArray> state = resumed.state();
                assertThat(state.keySet()).as(e.getKey()).isEqualTo(straight.state().keySet());
                state.forEach((k, v) -> {
                    if (!k.endsWith("/step")) {
                        assertThat(v.dataType()).as(e.getKey() + " " + k).isEqualTo(type);
                        assertThat(Nd4j.toFlattened('c', v).toDoubleVector()).as(e.getKey() + " " + k)
                                .containsExactly(Nd4j.toFlattened('c', straight.state().get(k)).toDoubleVector());
                    }
                });
            }
        }
    }

    @Test
    void scratchCopiesAreNotState() {
        for (var e : all().entrySet()) {
            Optimizer opt = e.getValue().get();
            Optimizer dense = e.getValue().get();
            run(opt, values(0, DataType.FLOAT).dup('f'), s -> values(s + 1, DataType.DOUBLE));
            run(dense, values(0, DataType.FLOAT), s -> values(s + 1, DataType.FLOAT));
            assertThat(opt.state().keySet()).as(e.getKey()).isEqualTo(dense.state().keySet());
        }
    }

    @Test
    void parametersOfOtherElementTypesAreRejected() {
        for (var e : all().entrySet()) {
            INDArray w = Nd4j.zeros(DataType.HALF, 2);
            Param p = new Param("fc.W", w, Nd4j.zeros(DataType.HALF, 2));
            String id = e.getKey().split(" ")[0];
            assertThatThrownBy(() -> e.getValue().get().step(List.of(new ParamGroup("default", List.of(p), 0.1, 0, false)), 1))
                    .as(e.getKey())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(id + " updates FLOAT and DOUBLE parameters, but fc.W is HALF");
        }
    }
}
