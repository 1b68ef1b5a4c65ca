package dev.graft.testkit;

import dev.graft.api.GraftApi;
import dev.graft.api.Mode;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.init.Fan;
import dev.graft.api.init.InitSpec;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamRole;
import dev.graft.api.layer.ParamSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The layer contract passes well-behaved layers and names what is wrong with the others. */
class LayerContractTest {

    /**
     * A configurable test provider: {@code y = x * scale + b} per feature, with the behaviour under test
     * supplied as the forward pass.
     */
    public static class Scale implements LayerProvider<Scale.Config> {
        public record Config(@Doc("multiplier") @Default("2.0") double factor,
                             @Doc("how the layer is initialised") @Default("zeros") InitSpec biasInit,
                             @Doc("axis sizes, for the round-trip") @Default("[1, 2]") int[] sizes) {
        }

        private final BiFunction<LayerContext, SDVariable, SDVariable> forward;

        public Scale() {
            this((ctx, x) -> x.mul(2.0).add(ctx.param("b")));
        }

        Scale(BiFunction<LayerContext, SDVariable, SDVariable> forward) {
            this.forward = forward;
        }

        @Override
        public String id() {
            return "scale";
        }

        @Override
        public String version() {
            return "1.0.0";
        }

        @Override
        public String apiVersion() {
            return GraftApi.VERSION;
        }

        @Override
        public Class<Config> configType() {
            return Config.class;
        }

        @Override
        public String description() {
            return "scales and shifts";
        }

        @Override
        public Layer create(Config c) {
            return new Layer() {
                @Override
                public Shape outputShape(List<Shape> in) {
                    return in.get(0);
                }

                @Override
                public List<ParamSpec> params(List<Shape> in) {
                    long n = in.get(0).dim(0);
                    return List.of(ParamSpec.of("b", ParamRole.BIAS, c.biasInit(), new Fan(n, n), n));
                }

                @Override
                public SDVariable forward(LayerContext ctx, List<SDVariable> in) {
                    return forward.apply(ctx, in.get(0));
                }
            };
        }
    }

    static final Scale.Config CONFIG = new Scale.Config(2.0, new InitSpec("normal", java.util.Map.of("std", 0.5)), new int[] {1, 2});

    @Test
    void aWellBehavedLayerPassesAndSaysWhatItUses() {
        LayerContract.Report r = LayerContract.check(new Scale(), CONFIG, Shape.of(4));
        assertThat(r.train().elementsChecked()).isEqualTo(3 * 4 + 4);
        assertThat(r.infer()).isNotNull();
        assertThat(r.usesMasks()).isFalse();
        assertThat(r.updatesState()).isFalse();
    }

    @Test
    void aLayerThatBehavesDifferentlyInTrainingWithoutMasksFails() {
        Scale sneaky = new Scale((ctx, x) -> (ctx.mode() == Mode.TRAIN ? x.mul(3.0) : x.mul(2.0)).add(ctx.param("b")));
        assertThatThrownBy(() -> LayerContract.check(sneaky, CONFIG, Shape.of(4)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("layer 'scale' with config {factor=2.0, bias-init={type=normal, std=0.5}, sizes=[1, 2]}"
                        + " on inputs [[4]] breaks the layer contract")
                .hasMessageContaining("train vs infer: the layer uses neither masks nor state updates, but its TRAIN output"
                        + " differs from its INFER output");
    }

    @Test
    void masksMayMakeTrainingDiffer() {
        Scale dropoutLike = new Scale((ctx, x) -> {
            SDVariable y = x.add(ctx.param("b"));
            return ctx.mode() == Mode.TRAIN ? y.mul(ctx.bernoulliMask("m", ctx.inputShapes().get(0), 0.5)).mul(2.0) : y;
        });
        LayerContract.Report r = LayerContract.check(dropoutLike, CONFIG, Shape.of(5));
        assertThat(r.usesMasks()).isTrue();
    }

    @Test
    void aNonDeterministicInferenceFails() {
        Scale noisy = new Scale((ctx, x) -> x.add(ctx.param("b")).add(ctx.sd().constant(Nd4j.rand(DataType.DOUBLE, 1, 4))));
        assertThatThrownBy(() -> LayerContract.check(noisy, CONFIG, Shape.of(4)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("two INFER runs on the same inputs and parameters differ");
    }

    @Test
    void aFloat64ConstantFailsTheFloat32Item() {
        // a float64 constant as the first operand makes the result float64 even in a float32 graph
        Scale doubles = new Scale((ctx, x) -> ctx.sd().constant(Nd4j.ones(DataType.DOUBLE, 1, 4)).add(x.add(ctx.param("b"))));
        assertThatThrownBy(() -> LayerContract.check(doubles, CONFIG, Shape.of(4)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("float32 INFER");
    }

    /** A config whose compact constructor is not idempotent does not survive unbind and bind. */
    public static final class Doubling implements LayerProvider<Doubling.Config> {
        public record Config(@Doc("a factor that doubles on every construction") double factor) {
            public Config {
                factor = factor * 2;
            }
        }

        @Override
        public String id() {
            return "doubling";
        }

        @Override
        public String version() {
            return "1.0.0";
        }

        @Override
        public String apiVersion() {
            return GraftApi.VERSION;
        }

        @Override
        public Class<Config> configType() {
            return Config.class;
        }

        @Override
        public String description() {
            return "broken config";
        }

        @Override
        public Layer create(Config c) {
            return new Scale((ctx, x) -> x.mul(c.factor()).add(ctx.param("b"))).create(CONFIG);
        }
    }

    @Test
    void aConfigThatDoesNotRoundTripFails() {
        assertThatThrownBy(() -> LayerContract.check(new Doubling(), new Doubling.Config(1.0), Shape.of(3)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("config round-trip: unbind then bind (via {factor=2.0}) changes factor (2.0 became 4.0)")
                // the layer made from the changed config computes something else after loading
                .hasMessageContaining("save/load: the INFER output with the loaded parameters (and the round-tripped config)"
                        + " differs from the output before saving");
    }

    @Test
    void arrayComponentsAreComparedElementWise() {
        assertThat(LayerContract.differences(CONFIG, new Scale.Config(2.0, CONFIG.biasInit(), new int[] {1, 2}))).isEmpty();
        assertThat(LayerContract.differences(CONFIG, new Scale.Config(2.0, CONFIG.biasInit(), new int[] {1, 3})))
                .containsExactly("sizes ([1, 2] became [1, 3])");
    }

    @Test
    void gradientFailuresInEitherModeAreReportedTogetherWithTheOtherItems() {
        Scale frozen = new Scale((ctx, x) -> x.mul(2.0).add(ctx.sd().constant(ctx.param("b").getArr())));
        assertThatThrownBy(() -> LayerContract.check(frozen, CONFIG, Shape.of(4)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("gradient check in TRAIN: ")
                .hasMessageContaining("gradient check in INFER: ")
                .hasMessageContaining("trainable parameter node.b gets no gradient");
    }

    @Test
    void statefulLayersPassAndTheirUpdatesAreChecked() {
        LayerContract.Report r = LayerContract.of(new GradientCheckTest.RunningMean(), GradientCheckTest.RunningMean.CONFIG)
                .inputs(Shape.of(3))
                .check();
        assertThat(r.updatesState()).isTrue();
        assertThat(r.usesMasks()).isFalse();
    }

    @Test
    void aLayerThatFailsOnABatchOfOneFails() {
        // x - mean over the batch: ND4J 1.0.0-M2.1 throws when the reduced axis has size 1
        Scale centring = new Scale((ctx, x) -> x.sub(x.mean(true, 0)).add(ctx.param("b")));
        assertThatThrownBy(() -> LayerContract.check(centring, CONFIG, Shape.of(4)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("gradient check in TRAIN with a batch of one: ")
                .hasMessageContaining("INFER forward with a batch of one failed");
    }

    @Test
    void inputsAreRequired() {
        assertThatThrownBy(() -> LayerContract.of(new Scale(), CONFIG).check())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("call inputs(Shape...) before check()");
    }
}
