package dev.graft.plugins.layers;

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
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code batch-norm}: batch normalisation per feature or per channel, PyTorch's {@code BatchNorm1d} /
 * {@code BatchNorm2d} and ONNX's {@code BatchNormalization}.
 *
 * <p>The statistics are per index of the first per-example axis: per feature for {@code [F]} inputs,
 * per channel for {@code [C, L]} sequences and {@code [C, H, W]} images; they are taken over the batch
 * and every other axis. With {@code C} that size:
 * <ul>
 *   <li>In training: {@code y = (x - mean) / sqrt(var + eps) * gamma + beta} with the batch mean and the
 *       <em>biased</em> batch variance. After each step Graft stores
 *       {@code running_mean = (1 - momentum) * running_mean + momentum * mean} and
 *       {@code running_var = (1 - momentum) * running_var + momentum * var_unbiased}, where
 *       {@code var_unbiased = var * n / (n - 1)} and {@code n} is the number of values per channel in the
 *       batch (PyTorch's convention; note that Keras' {@code momentum} is PyTorch's {@code 1 - momentum}).
 *       When {@code n = 1} the unbiased variance uses {@code n - 1 = 1} instead of failing.</li>
 *   <li>In inference: {@code y = (x - running_mean) / sqrt(running_var + eps) * gamma + beta}.</li>
 * </ul>
 *
 * <p>Parameters: with {@code affine} (the default) {@code gamma} {@code [C]} (role {@link ParamRole#GAMMA},
 * initialised to ones) and {@code beta} {@code [C]} (role {@link ParamRole#BETA}, zeros); always
 * {@code running_mean} {@code [C]} (zeros) and {@code running_var} {@code [C]} (ones), role
 * {@link ParamRole#RUNNING_STAT}, not trainable, written through {@link LayerContext#updateState}.
 *
 * <p>ND4J's {@code nn.batchNorm} cannot be differentiated in 1.0.0-M2.1 (its backward op loses the
 * axis), so the layer is composed from means, a square root and a division.
 */
public final class BatchNormProvider implements LayerProvider<BatchNormProvider.Config> {

    /** Options of {@code batch-norm}. */
    public record Config(
            @Doc("weight of the batch statistics in the running statistics, in [0, 1] (PyTorch convention)")
            @Default("0.1") double momentum,
            @Doc("added to the variance before the square root, > 0") @Default("1e-5") double eps,
            @Doc("whether to learn a scale gamma and a shift beta per channel") @Default("true") boolean affine) {
        public Config {
            if (!(momentum >= 0 && momentum <= 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
            }
            if (!(eps > 0) || Double.isInfinite(eps)) {
                throw new IllegalArgumentException("eps must be a finite positive number, got " + eps);
            }
        }
    }

    public BatchNormProvider() {
    }

    @Override
    public String id() {
        return "batch-norm";
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
        return "batch normalisation per feature or channel, with running statistics for inference";
    }

    @Override
    public Layer create(Config config) {
        return new BatchNorm(config);
    }

    private static final class BatchNorm implements Layer {
        private final Config config;

        BatchNorm(Config config) {
            this.config = config;
        }

        private static long channels(List<Shape> inputs) {
            Shape in = inputs.get(0);
            if (in.rank() == 0) {
                throw new IllegalArgumentException("batch-norm expects [features], [channels, length] or"
                        + " [channels, height, width], got " + in);
            }
            return in.dim(0);
        }

        @Override
        public Shape outputShape(List<Shape> inputs) {
            channels(inputs);
            return inputs.get(0);
        }

        @Override
        public List<ParamSpec> params(List<Shape> inputs) {
            long c = channels(inputs);
            Fan fan = new Fan(c, c);
            List<ParamSpec> params = new ArrayList<>();
            if (config.affine()) {
                params.add(ParamSpec.of("gamma", ParamRole.GAMMA, InitSpec.of("ones"), fan, c));
                params.add(ParamSpec.of("beta", ParamRole.BETA, InitSpec.of("zeros"), fan, c));
            }
            params.add(new ParamSpec("running_mean", ParamRole.RUNNING_STAT, new long[] {c}, InitSpec.of("zeros"), fan, false));
            params.add(new ParamSpec("running_var", ParamRole.RUNNING_STAT, new long[] {c}, InitSpec.of("ones"), fan, false));
            return params;
        }

        @Override
        public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
            SameDiff sd = ctx.sd();
            Shape shape = ctx.inputShapes().get(0);
            long c = channels(ctx.inputShapes());
            // [batch, C, spatial, 1]: the statistics are always a reduction over the three axes 0, 2, 3, also for
            // [F] inputs and batches of one (ND4J fails on a reduction along one axis of size 1; see package-info)
            SDVariable x = inputs.get(0).reshape(-1, c, shape.size() / c, 1);
            int[] axes = {0, 2, 3};
            long[] perChannel = {1, c, 1, 1};

            SDVariable normalised;
            if (ctx.mode() == Mode.TRAIN) {
                SDVariable mean = x.mean(true, axes);
                SDVariable centred = x.sub(mean);
                SDVariable squares = centred.mul(centred);
                SDVariable var = squares.mean(true, axes);
                normalised = centred.div(sd.math().sqrt(var.add(config.eps())));

                double m = config.momentum();
                SDVariable n = sd.onesLike(x).sum(axes);
                SDVariable unbiased = squares.sum(axes).div(sd.math().clipByValue(n.sub(1.0), 1.0, Float.MAX_VALUE));
                ctx.updateState("running_mean", ctx.param("running_mean").mul(1 - m).add(mean.reshape(c).mul(m)));
                ctx.updateState("running_var", ctx.param("running_var").mul(1 - m).add(unbiased.mul(m)));
            } else {
                SDVariable mean = ctx.param("running_mean").reshape(perChannel);
                SDVariable var = ctx.param("running_var").reshape(perChannel);
                normalised = x.sub(mean).div(sd.math().sqrt(var.add(config.eps())));
            }
            SDVariable y = config.affine()
                    ? normalised.mul(ctx.param("gamma").reshape(perChannel)).add(ctx.param("beta").reshape(perChannel))
                    : normalised;
            return y.reshape(shape.withBatch(-1));
        }
    }
}
