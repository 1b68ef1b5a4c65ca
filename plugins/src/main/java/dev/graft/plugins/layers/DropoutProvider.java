package dev.graft.plugins.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Mode;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;

/**
 * {@code dropout}: inverted dropout. In training each element is zeroed with probability
 * {@code rate} and the survivors are scaled by {@code 1 / (1 - rate)}, so the expected output equals
 * the input: {@code y = x * mask / (1 - rate)} with a fresh seeded Bernoulli mask
 * ({@link LayerContext#bernoulliMask}, key {@code mask}) every step. In inference, and for
 * {@code rate = 0}, it is the identity. Same as PyTorch's {@code nn.Dropout(p=rate)}.
 *
 * <p>ND4J's own {@code nn.dropout} op has no backward pass in 1.0.0-M2.1, hence the explicit mask.
 */
public final class DropoutProvider implements LayerProvider<DropoutProvider.Config> {

    /** Options of {@code dropout}. */
    public record Config(@Doc("probability of zeroing each element in training, in [0, 1)") @Default("0.5") double rate) {
        public Config {
            if (!(rate >= 0 && rate < 1)) {
                throw new IllegalArgumentException("rate must be in [0, 1) (0 keeps everything), got " + rate);
            }
        }
    }

    public DropoutProvider() {
    }

    @Override
    public String id() {
        return "dropout";
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
        return "inverted dropout: zeroes elements with probability rate in training, identity in inference";
    }

    @Override
    public Layer create(Config config) {
        return new Dropout(config.rate());
    }

    private static final class Dropout implements Layer {
        private final double rate;

        Dropout(double rate) {
            this.rate = rate;
        }

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
            SDVariable x = inputs.get(0);
            if (ctx.mode() != Mode.TRAIN || rate == 0) {
                // a new variable, not the input itself, so the node has an output of its own in the graph
                return ctx.sd().identity(x);
            }
            double keep = 1 - rate;
            Shape shape = ctx.inputShapes().get(0);
            return x.mul(ctx.bernoulliMask("mask", shape, keep)).div(keep);
        }
    }
}
