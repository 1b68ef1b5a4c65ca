package dev.graft.plugins.layers;

import dev.graft.api.GraftApi;
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
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code dense}: a fully connected layer, {@code y = x W + b}.
 *
 * <p>The input must be flat, one example of shape {@code [in]}; put a {@code flatten} node in front
 * of images. Parameters: {@code W} of shape {@code [in, units]} (role {@link ParamRole#WEIGHT},
 * fan-in {@code in}, fan-out {@code units}, initialised by {@code weight-init}, default
 * {@code xavier-uniform}) and, unless {@code use-bias = false}, {@code b} of shape {@code [units]}
 * (role {@link ParamRole#BIAS}, initialised by {@code bias-init}, default {@code zeros}). An
 * initializer is written as its id ({@code he-normal}) or with options
 * ({@code {type: normal, std: 0.02}}). The output has shape {@code [units]}; no activation is applied.
 * This is PyTorch's {@code nn.Linear} with the weight stored transposed ({@code [in, out]}).
 */
public final class DenseProvider implements LayerProvider<DenseProvider.Config> {

    /** Options of {@code dense}. */
    public record Config(
            @Doc("number of output units") int units,
            @Doc("whether to add a learned bias vector") @Default("true") boolean useBias,
            @Doc("initializer of the weight matrix: an id, or {type: id, ...options}") @Default("xavier-uniform") InitSpec weightInit,
            @Doc("initializer of the bias vector: an id, or {type: id, ...options}") @Default("zeros") InitSpec biasInit) {
        public Config {
            if (units <= 0) {
                throw new IllegalArgumentException("units must be a positive integer, got " + units);
            }
            Ids.requireInit("weight-init", weightInit);
            Ids.requireInit("bias-init", biasInit);
        }

        /** {@code units} outputs with a bias and the default initializers. */
        public static Config of(int units) {
            return new Config(units, true, InitSpec.of("xavier-uniform"), InitSpec.of("zeros"));
        }
    }

    public DenseProvider() {
    }

    @Override
    public String id() {
        return "dense";
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
        return "fully connected layer y = xW + b on a flat input";
    }

    @Override
    public Layer create(Config config) {
        return new Dense(config);
    }

    private static final class Dense implements Layer {
        private final Config config;

        Dense(Config config) {
            this.config = config;
        }

        private long inputSize(List<Shape> inputs) {
            Shape in = inputs.get(0);
            if (in.rank() != 1) {
                throw new IllegalArgumentException("dense expects a flat input of rank 1, got " + in
                        + "; add a flatten node before it");
            }
            return in.dim(0);
        }

        @Override
        public Shape outputShape(List<Shape> inputs) {
            inputSize(inputs);
            return Shape.of(config.units());
        }

        @Override
        public List<ParamSpec> params(List<Shape> inputs) {
            long in = inputSize(inputs);
            Fan fan = new Fan(in, config.units());
            List<ParamSpec> params = new ArrayList<>();
            params.add(ParamSpec.of("W", ParamRole.WEIGHT, config.weightInit(), fan, in, config.units()));
            if (config.useBias()) {
                params.add(ParamSpec.of("b", ParamRole.BIAS, config.biasInit(), fan, config.units()));
            }
            return params;
        }

        @Override
        public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
            SDVariable y = inputs.get(0).mmul(ctx.param("W"));
            return config.useBias() ? y.add(ctx.param("b")) : y;
        }
    }
}
