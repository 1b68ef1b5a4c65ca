package dev.graft.testkit;

import dev.graft.api.Mode;
import dev.graft.api.Shape;
import dev.graft.api.data.Target;
import dev.graft.api.init.Fan;
import dev.graft.api.init.InitSpec;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.ParamRole;
import dev.graft.api.layer.ParamSpec;
import dev.graft.api.loss.Loss;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gradient check passes correct layers and losses and fails broken ones, saying why. */
class GradientCheckTest {

    /** A dense layer whose forward is supplied by the test, so each test can break it differently. */
    static Layer linear(int units, BiFunction<LayerContext, SDVariable, SDVariable> forward) {
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                return Shape.of(units);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                long in = inputs.get(0).dim(0);
                return List.of(
                        ParamSpec.of("W", ParamRole.WEIGHT, InitSpec.of("xavier-uniform"), new Fan(in, units), in, units),
                        ParamSpec.of("b", ParamRole.BIAS, InitSpec.of("zeros"), new Fan(in, units), units));
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                return forward.apply(ctx, inputs.get(0));
            }
        };
    }

    static Layer stateless(BiFunction<LayerContext, SDVariable, SDVariable> forward) {
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                return inputs.get(0);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                return forward.apply(ctx, inputs.get(0));
            }
        };
    }

    @Test
    void aCorrectDenseLayerPasses() {
        Layer dense = linear(4, (ctx, x) -> x.mmul(ctx.param("W")).add(ctx.param("b")));
        GradientCheck.Result r = GradientCheck.layer(dense).inputs(Shape.of(5)).batch(3).check();
        // 15 input elements, 20 weights, 4 biases: all below the default cap of 40 per array
        assertThat(r.elementsChecked()).isEqualTo(15 + 20 + 4);
        assertThat(r.maxRelativeError()).isLessThan(1e-7);
    }

    @Test
    void largeArraysAreSampled() {
        Layer dense = linear(30, (ctx, x) -> x.mmul(ctx.param("W")).add(ctx.param("b")));
        GradientCheck.Result r = GradientCheck.layer(dense).inputs(Shape.of(20)).batch(2).maxPerArray(10).check();
        assertThat(r.elementsChecked()).isEqualTo(10 + 10 + 10);
    }

    @Test
    void smoothActivationsPassOnRank3Inputs() {
        GradientCheck.layer(stateless((ctx, x) -> ctx.sd().math().tanh(x))).inputs(Shape.of(2, 3, 2)).check();
        GradientCheck.layer(stateless((ctx, x) -> ctx.sd().nn().softmax(x, -1))).inputs(Shape.of(2, 5)).check();
    }

    @Test
    void reluPassesWithInputsAwayFromTheKink() {
        GradientCheck.layer(stateless((ctx, x) -> ctx.sd().nn().relu(x, 0)))
                .inputs(Shape.of(8))
                .inputValues(ValueGenerator.awayFromZero(0.1, 1))
                .check();
    }

    @Test
    void aParameterUsedThroughItsArrayFails() {
        // W enters the graph twice: once as a variable (differentiated) and once as a constant built
        // from its array (which SameDiff treats as fixed). The analytic gradient is half the true one.
        Layer broken = linear(3, (ctx, x) -> {
            SDVariable w = ctx.param("W");
            SDVariable frozenCopy = ctx.sd().constant(w.getArr());
            return x.mmul(w).add(x.mmul(frozenCopy)).add(ctx.param("b"));
        });
        assertThatThrownBy(() -> GradientCheck.layer(broken).inputs(Shape.of(4)).check())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("gradient check failed")
                .hasMessageContaining("worst: node.W[")
                .hasMessageContaining("numeric=")
                .hasMessageContaining("analytic=");
    }

    @Test
    void aParameterCutOffFromTheGraphFails() {
        Layer broken = linear(3, (ctx, x) -> x.mmul(ctx.sd().constant(ctx.param("W").getArr())).add(ctx.param("b")));
        assertThatThrownBy(() -> GradientCheck.layer(broken).inputs(Shape.of(4)).check())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("trainable parameter node.W gets no gradient");
    }

    @Test
    void anOpWithABrokenBackwardPassFails() {
        // nn.logSoftmax has no working gradient in ND4J 1.0.0-M2.1 (ND4J-NOTES.md)
        Layer broken = stateless((ctx, x) -> ctx.sd().nn().logSoftmax(x, 1));
        assertThatThrownBy(() -> GradientCheck.layer(broken).inputs(Shape.of(4)).check())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("SameDiff failed to compute gradients");
    }

    @Test
    void randomnessInsideTheGraphFails() {
        // nn.dropout draws a new mask on every run: the function the check sees is not even fixed
        Layer random = stateless((ctx, x) -> ctx.sd().nn().dropout(x, 0.5));
        assertThatThrownBy(() -> GradientCheck.layer(random).inputs(Shape.of(4)).check())
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void aWrongOutputShapeFails() {
        Layer liar = new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                return Shape.of(7);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                return inputs.get(0).mul(2);
            }
        };
        assertThatThrownBy(() -> GradientCheck.layer(liar).inputs(Shape.of(4)).batch(2).check())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("forward produced shape [2, 4] but outputShape says [7]");
    }

    @Test
    void aLayerThatReadsTheStaticBatchSizeFails() {
        // fine on variables of a known batch size; on the runtime's placeholders the batch dimension is -1
        Layer staticBatch = stateless((ctx, x) -> x.add(ctx.sd().constant(Nd4j.ones(DataType.DOUBLE, x.getShape()))));
        assertThatThrownBy(() -> GradientCheck.layer(staticBatch).inputs(Shape.of(4)).batch(2).check())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("placeholders with an unknown batch dimension (shape [-1, 4])");
        GradientCheck.layer(staticBatch).inputs(Shape.of(4)).batch(2).checkDynamicBatch(false).check();
    }

    @Test
    void dropoutStyleMasksAreFixedSoTheCheckSeesOneFunction() {
        Layer dropout = stateless((ctx, x) -> ctx.mode() == Mode.TRAIN
                ? x.mul(ctx.bernoulliMask("mask", Shape.of(6), 0.5)).div(0.5)
                : x);
        GradientCheck.layer(dropout).inputs(Shape.of(6)).mode(Mode.TRAIN).check();
        GradientCheck.layer(dropout).inputs(Shape.of(6)).mode(Mode.INFER).check();
    }

    @Test
    void masksExistOnlyInTraining() {
        Layer alwaysMasks = stateless((ctx, x) -> x.mul(ctx.bernoulliMask("mask", Shape.of(3), 0.5)));
        assertThatThrownBy(() -> GradientCheck.layer(alwaysMasks).inputs(Shape.of(3)).mode(Mode.INFER).check())
                .isInstanceOf(AssertionError.class)
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("masks exist only in TRAIN mode");
    }

    static Loss meanSquared() {
        return new Loss() {
            @Override
            public SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels) {
                SDVariable d = output.sub(labels);
                return d.mul(d).mean();
            }

            @Override
            public String checkTarget(Target target) {
                return null;
            }
        };
    }

    @Test
    void aCorrectLossPasses() {
        GradientCheck.Result r = GradientCheck.loss(meanSquared()).output(Shape.of(3)).batch(4).check();
        assertThat(r.elementsChecked()).isEqualTo(12);
        GradientCheck.loss(meanSquared()).output(Shape.of(3))
                .target(new Target.Classes(List.of("a", "b", "c"))).check();
    }

    @Test
    void aLossThatDetachesThePredictionsFails() {
        Loss broken = new Loss() {
            @Override
            public SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels) {
                SDVariable d = sd.constant(output.getArr()).sub(labels);
                return d.mul(d).mean().add(output.mean().mul(0));
            }

            @Override
            public String checkTarget(Target target) {
                return null;
            }
        };
        assertThatThrownBy(() -> GradientCheck.loss(broken).output(Shape.of(3)).check())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("worst: predictions[");
    }

    @Test
    void aLossThatRejectsTheTargetFailsWithItsReason() {
        Loss classesOnly = new Loss() {
            @Override
            public SDVariable compute(SameDiff sd, SDVariable output, SDVariable labels) {
                return output.sum();
            }

            @Override
            public String checkTarget(Target target) {
                return target instanceof Target.Classes ? null : "needs class labels";
            }
        };
        assertThatThrownBy(() -> GradientCheck.loss(classesOnly).output(Shape.of(3)).check())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("the loss rejects the target: needs class labels");
    }

    @Test
    void aClassTargetNeedsAMatchingOutput() {
        assertThatThrownBy(() -> GradientCheck.loss(meanSquared()).output(Shape.of(4))
                .target(new Target.Classes(List.of("a", "b", "c"))).check())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("for a target with 3 classes the output shape must be [3], got [4]");
    }

    @Test
    void testLayerContextNamesTheDeclaredParameters() {
        SameDiff sd = SameDiff.create();
        SDVariable w = sd.var("fc.W", Nd4j.ones(DataType.DOUBLE, 2, 2));
        var ctx = new TestLayerContext(sd, "fc", Mode.TRAIN, Map.of("W", w), 2, 1, java.util.List.of(dev.graft.api.Shape.of(3)));
        assertThat(ctx.param("W")).isSameAs(w);
        assertThatThrownBy(() -> ctx.param("V"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("layer fc has no parameter 'V'; its declared parameters are [W]");
        SDVariable m = ctx.bernoulliMask("m", Shape.of(1000), 0.3);
        INDArray mask = ctx.mask("m");
        assertThat(m.getShape()).containsExactly(2, 1000);
        assertThat(mask.meanNumber().doubleValue()).isBetween(0.25, 0.35);
        assertThatThrownBy(() -> ctx.bernoulliMask("m", Shape.of(3), 0.5))
                .hasMessageContaining("asked twice for the mask 'm'");
    }

    /**
     * A layer with state: {@code y = x * w} in training, where it also moves its running mean towards
     * the batch mean, and {@code y = (x - running_mean) * w} in inference.
     */
    public static final class RunningMean implements dev.graft.api.layer.LayerProvider<RunningMean.Config> {
        public record Config(@dev.graft.api.config.Doc("weight of the batch mean") @dev.graft.api.config.Default("0.1")
                             double momentum) {
        }

        static final Config CONFIG = new Config(0.1);

        @Override
        public String id() {
            return "running-mean";
        }

        @Override
        public String version() {
            return "1.0.0";
        }

        @Override
        public String apiVersion() {
            return dev.graft.api.GraftApi.VERSION;
        }

        @Override
        public Class<Config> configType() {
            return Config.class;
        }

        @Override
        public String description() {
            return "centres by a running mean";
        }

        @Override
        public Layer create(Config c) {
            return stateful(c.momentum(), (ctx, batchMean) -> ctx.updateState("running_mean",
                    ctx.param("running_mean").mul(1 - c.momentum()).add(batchMean.mul(c.momentum()))));
        }
    }

    static Layer stateful(double momentum, java.util.function.BiConsumer<LayerContext, SDVariable> update) {
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                return inputs.get(0);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                long n = inputs.get(0).dim(0);
                return List.of(ParamSpec.of("w", ParamRole.WEIGHT, InitSpec.of("ones"), new Fan(n, n), n),
                        new ParamSpec("running_mean", ParamRole.RUNNING_STAT, new long[] {n}, InitSpec.of("zeros"),
                                new Fan(n, n), false));
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                SDVariable x = inputs.get(0);
                if (ctx.mode() == Mode.TRAIN) {
                    // the batch mean over two axes: ND4J 1.0.0-M2.1 cannot reduce a single axis of size 1 (batch 1)
                    long n = ctx.inputShapes().get(0).dim(0);
                    update.accept(ctx, x.reshape(-1, n, 1).mean(0, 2));
                    return x.mul(ctx.param("w"));
                }
                return x.sub(ctx.param("running_mean")).mul(ctx.param("w"));
            }
        };
    }

    @Test
    void layersWithStateUpdatesPassInBothModes() {
        Layer layer = new RunningMean().create(RunningMean.CONFIG);
        GradientCheck.Result train = GradientCheck.layer(layer).inputs(Shape.of(3)).mode(Mode.TRAIN).check();
        // the running mean is not trainable: only the input (9) and w (3) are differentiated
        assertThat(train.elementsChecked()).isEqualTo(9 + 3);
        GradientCheck.layer(layer).inputs(Shape.of(3)).mode(Mode.INFER).check();
    }

    @Test
    void layerRunnerReturnsTheStateUpdatesOfATrainingStep() {
        Layer layer = new RunningMean().create(RunningMean.CONFIG);
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {3, 6, 9}});
        INDArray running = Nd4j.createFromArray(10.0, 20.0, 30.0);
        LayerRunner.Output step = LayerRunner.of(layer).mode(Mode.TRAIN).param("running_mean", running).run(x);
        assertThat(step.stateUpdates()).containsOnlyKeys("running_mean");
        assertThat(step.stateUpdates().get("running_mean").toDoubleVector())
                .containsExactly(new double[] {9.2, 18.4, 27.6}, org.assertj.core.api.Assertions.within(1e-12));
        LayerRunner.Output infer = LayerRunner.of(layer).param("running_mean", running).run(x);
        assertThat(infer.stateUpdates()).isEmpty();
    }

    @Test
    void aStateUpdateOfTheWrongShapeFails() {
        Layer wrong = stateful(0.1, (ctx, mean) -> ctx.updateState("running_mean", mean.mean()));
        assertThatThrownBy(() -> GradientCheck.layer(wrong).inputs(Shape.of(3)).check())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("the state update of running_mean has shape [] but the parameter is declared with"
                        + " shape [3]");
        assertThatThrownBy(() -> LayerRunner.of(wrong).mode(Mode.TRAIN).run(Nd4j.ones(DataType.DOUBLE, 2, 3)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("the state update of running_mean has shape []");
    }

    @Test
    void onlyNonTrainableParametersMayBeUpdatedAndOnlyOnce() {
        Layer trainable = stateful(0.1, (ctx, mean) -> ctx.updateState("w", mean));
        assertThatThrownBy(() -> GradientCheck.layer(trainable).inputs(Shape.of(3)).check())
                .isInstanceOf(AssertionError.class)
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer node updates 'w', which is trainable");
        Layer twice = stateful(0.1, (ctx, mean) -> {
            ctx.updateState("running_mean", mean);
            ctx.updateState("running_mean", mean);
        });
        assertThatThrownBy(() -> GradientCheck.layer(twice).inputs(Shape.of(3)).check())
                .hasMessageContaining("updates 'running_mean' twice");
        Layer undeclared = stateful(0.1, (ctx, mean) -> ctx.updateState("running_var", mean));
        assertThatThrownBy(() -> GradientCheck.layer(undeclared).inputs(Shape.of(3)).check())
                .hasMessageContaining("updates 'running_var', which it did not declare");
    }

    @Test
    void stateIsUpdatedOnlyInTraining() {
        Layer always = new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                return inputs.get(0);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                return stateful(0.1, (c, m) -> { }).params(inputs);
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                ctx.updateState("running_mean", inputs.get(0).mean(0));
                return inputs.get(0).mul(ctx.param("w"));
            }
        };
        GradientCheck.layer(always).inputs(Shape.of(3)).mode(Mode.TRAIN).check();
        assertThatThrownBy(() -> GradientCheck.layer(always).inputs(Shape.of(3)).mode(Mode.INFER).check())
                .isInstanceOf(AssertionError.class)
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("state is updated only in TRAIN mode");
    }

    @Test
    void oneParameterCanHaveItsOwnValueDomain() {
        // sqrt of a parameter is only defined for positive values
        Layer root = new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                return inputs.get(0);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                long n = inputs.get(0).dim(0);
                return List.of(ParamSpec.of("v", ParamRole.OTHER, InitSpec.of("ones"), new Fan(n, n), n),
                        ParamSpec.of("w", ParamRole.WEIGHT, InitSpec.of("ones"), new Fan(n, n), n));
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                return inputs.get(0).div(ctx.sd().math().sqrt(ctx.param("v"))).mul(ctx.param("w"));
            }
        };
        assertThatThrownBy(() -> GradientCheck.layer(root).inputs(Shape.of(4)).check())
                .isInstanceOf(AssertionError.class);
        GradientCheck.layer(root).inputs(Shape.of(4)).paramValues("v", ValueGenerator.uniform(0.5, 2)).check();
        assertThatThrownBy(() -> GradientCheck.layer(root).inputs(Shape.of(4)).paramValues("V", ValueGenerator.constant(1)).check())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("paramValues was given for 'V', which the layer does not declare; it declares [v, w]");
    }

    @Test
    void layerRunnerComputesWithGivenParameters() {
        Layer dense = linear(2, (ctx, x) -> x.mmul(ctx.param("W")).add(ctx.param("b")));
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}});
        LayerRunner.Output out = LayerRunner.of(dense)
                .param("W", Nd4j.createFromArray(new double[][] {{1, 0}, {0, 1}}))
                .param("b", Nd4j.createFromArray(0.5, -0.5))
                .run(x);
        assertThat(out.output().toDoubleMatrix()).isEqualTo(new double[][] {{1.5, 1.5}, {3.5, 3.5}});
        assertThatThrownBy(() -> LayerRunner.of(dense).param("V", x).run(x))
                .hasMessageContaining("declares no parameter 'V'");
    }
}
