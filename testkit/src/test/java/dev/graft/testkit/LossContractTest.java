package dev.graft.testkit;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.data.Target;
import dev.graft.api.loss.Loss;
import dev.graft.api.loss.LossProvider;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LossContract passes correct losses in every label form and fails broken ones, naming the provider. */
class LossContractTest {
    static final Target.Classes THREE = new Target.Classes(List.of("a", "b", "c"));
    static final Target.Classes TWO = new Target.Classes(List.of("no", "yes"));

    /** A configurable test loss: scale * the loss the function builds. */
    abstract static class TestLoss<C extends Record> implements LossProvider<C> {
        @Override
        public String version() {
            return "1.0.0";
        }

        @Override
        public String apiVersion() {
            return GraftApi.VERSION;
        }

        @Override
        public String description() {
            return "a loss for tests";
        }
    }

    public record Scale(@Doc("multiplier") @Default("1.0") double scale,
                        @Doc("tags, to check lists round-trip") @Default("[]") List<String> tags) {
    }

    public record WithArray(@Doc("weights") double[] weights) {
    }

    static Loss loss(Loss.LabelFormat format, BiFunction<SDVariable, SDVariable, SDVariable> f, String rejects) {
        return new Loss() {
            @Override
            public LabelFormat labelFormat() {
                return format;
            }

            @Override
            public SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels) {
                return f.apply(output, labels);
            }

            @Override
            public String checkTarget(Target target) {
                return rejects;
            }
        };
    }

    public static final class ScaledSquares extends TestLoss<Scale> {
        @Override
        public String id() {
            return "scaled-squares";
        }

        @Override
        public Class<Scale> configType() {
            return Scale.class;
        }

        @Override
        public Loss create(Scale c) {
            return loss(Loss.LabelFormat.ONE_HOT, (o, y) -> o.sub(y).mul(o.sub(y)).mean().mul(c.scale()), null);
        }
    }

    /** Cross-entropy that takes class indices and one-hot encodes them itself; records the labels it saw. */
    public static final class IndexCrossEntropy extends TestLoss<Scale> {
        final List<long[]> labelShapes = new ArrayList<>();
        final List<double[]> labelValues = new ArrayList<>();

        @Override
        public String id() {
            return "index-cross-entropy";
        }

        @Override
        public Class<Scale> configType() {
            return Scale.class;
        }

        @Override
        public Loss create(Scale c) {
            return new Loss() {
                int classes;

                @Override
                public LabelFormat labelFormat() {
                    return LabelFormat.INDEX;
                }

                @Override
                public SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels) {
                    labelShapes.add(labels.getArr().shape());
                    labelValues.add(labels.getArr().toDoubleVector());
                    assertThat(labels.dataType()).isEqualTo(DataType.DOUBLE);
                    SDVariable y = sd.oneHot(null, labels.castTo(DataType.INT64), classes, 1, 1.0, 0.0, DataType.DOUBLE);
                    SDVariable shifted = output.sub(output.max(true, 1));
                    SDVariable logP = shifted.sub(sd.math().log(sd.math().exp(shifted).sum(true, 1)));
                    return y.mul(logP).sum(1).mean().neg().mul(c.scale());
                }

                @Override
                public String checkTarget(Target target) {
                    classes = ((Target.Classes) target).count();
                    return null;
                }
            };
        }
    }

    /** Binary cross-entropy on one logit, class indices [batch]. */
    public static final class OneLogit extends TestLoss<Scale> {
        final List<double[]> labelValues = new ArrayList<>();

        @Override
        public String id() {
            return "one-logit";
        }

        @Override
        public Class<Scale> configType() {
            return Scale.class;
        }

        @Override
        public Loss create(Scale c) {
            return new Loss() {
                @Override
                public LabelFormat labelFormat() {
                    return LabelFormat.INDEX;
                }

                @Override
                public SDVariable compute(SameDiff sd, SDVariable x, SDVariable labels) {
                    assertThat(labels.getArr().shape()).hasSize(1);
                    labelValues.add(labels.getArr().toDoubleVector());
                    SDVariable y = labels.reshape(-1, 1);
                    SDVariable softplus = sd.math().log(sd.math().exp(sd.math().abs(x).neg()).add(1.0));
                    return sd.nn().relu(x, 0).sub(x.mul(y)).add(softplus).mean().mul(c.scale());
                }

                @Override
                public String checkTarget(Target target) {
                    return target instanceof Target.Classes k && k.count() == 2 ? null : "needs two classes";
                }
            };
        }
    }

    public static final class Detached extends TestLoss<Scale> {
        @Override
        public String id() {
            return "detached";
        }

        @Override
        public Class<Scale> configType() {
            return Scale.class;
        }

        @Override
        public Loss create(Scale c) {
            // the squares are taken of a constant sharing the predictions' array: SameDiff sees no gradient
            return loss(Loss.LabelFormat.ONE_HOT, (o, y) -> {
                SDVariable d = o.getSameDiff().constant(o.getArr()).sub(y);
                return d.mul(d).mean().add(o.mean().mul(0)).mul(c.scale());
            }, null);
        }
    }

    public static final class RejectsEverything extends TestLoss<Scale> {
        @Override
        public String id() {
            return "picky";
        }

        @Override
        public Class<Scale> configType() {
            return Scale.class;
        }

        @Override
        public Loss create(Scale c) {
            return loss(Loss.LabelFormat.ONE_HOT, (o, y) -> o.mean(), "picky needs a target it never gets");
        }
    }

    public static final class ArrayConfig extends TestLoss<WithArray> {
        @Override
        public String id() {
            return "array-config";
        }

        @Override
        public Class<WithArray> configType() {
            return WithArray.class;
        }

        @Override
        public Loss create(WithArray c) {
            return loss(Loss.LabelFormat.ONE_HOT, (o, y) -> o.sub(y).mul(o.sub(y)).mean(), null);
        }
    }

    @Test
    void aCorrectLossPassesForRegressionAndOneHotClasses() {
        assertThatCode(() -> {
            LossContract.check(new ScaledSquares(), new Scale(2.0, List.of("x", "y")), Shape.of(2, 3),
                    new Target.Regression(Shape.of(2, 3)));
            LossContract.check(new ScaledSquares(), new Scale(1.0, List.of()), Shape.of(3), THREE);
        }).doesNotThrowAnyException();
    }

    @Test
    void indexLossesGetClassIndicesOfTheOutputsType() {
        IndexCrossEntropy provider = new IndexCrossEntropy();
        LossContract.check(provider, new Scale(1.5, List.of()), Shape.of(3), THREE, c -> c.batch(5));
        assertThat(provider.labelShapes).isNotEmpty().allSatisfy(s -> assertThat(s).containsExactly(5));
        assertThat(provider.labelValues).allSatisfy(v -> assertThat(Arrays.stream(v).boxed().toList()).allMatch(x -> x == 0 || x == 1 || x == 2));

        OneLogit oneLogit = new OneLogit();
        LossContract.check(oneLogit, new Scale(1.0, List.of()), Shape.of(1), TWO, c -> c.batch(8));
        assertThat(oneLogit.labelValues).isNotEmpty().allSatisfy(v -> assertThat(Arrays.stream(v).boxed().toList()).hasSize(8)
                .allMatch(x -> x == 0 || x == 1));
        assertThat(oneLogit.labelValues.get(0)).contains(0.0, 1.0);
    }

    @Test
    void wrongGradientsFailNamingTheProvider() {
        assertThatThrownBy(() -> LossContract.check(new Detached(), new Scale(1.0, List.of()), Shape.of(3),
                new Target.Regression(Shape.of(3))))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("loss 'detached' with Scale[scale=1.0, tags=[]]: ");
    }

    @Test
    void aRejectedTargetFailsWithTheLossesReason() {
        assertThatThrownBy(() -> LossContract.check(new RejectsEverything(), new Scale(1.0, List.of()), Shape.of(3), THREE))
                .isInstanceOf(AssertionError.class)
                .hasMessage("loss 'picky' with Scale[scale=1.0, tags=[]]: checkTarget rejects Classes[names=[a, b, c]]:"
                        + " picky needs a target it never gets");
    }

    @Test
    void aConfigThatDoesNotRoundTripFails() {
        assertThatThrownBy(() -> LossContract.check(new ArrayConfig(), new WithArray(new double[] {1, 2}), Shape.of(3),
                new Target.Regression(Shape.of(3))))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("the config does not round-trip through the config binder")
                .hasMessageContaining("(array components compare by identity; use List)");
    }

    @Test
    void anIndexLossNeedsAFittingOutput() {
        assertThatThrownBy(() -> LossContract.check(new IndexCrossEntropy(), new Scale(1.0, List.of()), Shape.of(2, 2), THREE))
                .isInstanceOf(AssertionError.class)
                .hasMessage("loss 'index-cross-entropy' with Scale[scale=1.0, tags=[]]: a loss with index labels for 3 classes needs an output of [3] or one value per example, got [2, 2]");
    }
}
