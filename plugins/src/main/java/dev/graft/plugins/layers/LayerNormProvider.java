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
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Arrays;
import java.util.List;

/**
 * {@code layer-norm}: layer normalisation over the last {@code axes} axes of each example, PyTorch's
 * {@code nn.LayerNorm(normalized_shape)} where {@code normalized_shape} is those trailing axes.
 *
 * <p>{@code y = (x - mean) / sqrt(var + eps) * gamma + beta}, with the mean and the biased variance
 * taken over the last {@code axes} axes of each example separately (default 1: the features of
 * {@code [F]} vectors and of every step of {@code [T, F]} sequences). The same in training and
 * inference; no running statistics.
 *
 * <p>Parameters with {@code elementwise-affine} (the default): {@code gamma} (role
 * {@link ParamRole#GAMMA}, ones) and {@code beta} (role {@link ParamRole#BETA}, zeros), each shaped like
 * the normalised axes, e.g. {@code [F]}, or {@code [C, H, W]} for {@code axes: 3} on images.
 */
public final class LayerNormProvider implements LayerProvider<LayerNormProvider.Config> {

    /** Options of {@code layer-norm}. */
    public record Config(
            @Doc("how many trailing axes to normalise over, at least 1") @Default("1") int axes,
            @Doc("added to the variance before the square root, > 0") @Default("1e-5") double eps,
            @Doc("whether to learn gamma and beta shaped like the normalised axes") @Default("true") boolean elementwiseAffine) {
        public Config {
            if (axes <= 0) {
                throw new IllegalArgumentException("axes must be a positive integer (the number of trailing axes), got " + axes);
            }
            if (!(eps > 0) || Double.isInfinite(eps)) {
                throw new IllegalArgumentException("eps must be a finite positive number, got " + eps);
            }
        }
    }

    public LayerNormProvider() {
    }

    @Override
    public String id() {
        return "layer-norm";
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
        return "layer normalisation over the last axes of each example";
    }

    @Override
    public Layer create(Config config) {
        return new Layer() {
            /** The normalised (trailing) dimensions. */
            private long[] normalised(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (config.axes() > in.rank()) {
                    throw new IllegalArgumentException("layer-norm over the last " + config.axes() + " axes needs an input"
                            + " of rank " + config.axes() + " or more, got " + in);
                }
                return Arrays.copyOfRange(in.dims(), in.rank() - config.axes(), in.rank());
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                normalised(inputs);
                return inputs.get(0);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                long[] dims = normalised(inputs);
                if (!config.elementwiseAffine()) {
                    return List.of();
                }
                long size = Shape.of(dims).size();
                Fan fan = new Fan(size, size);
                return List.of(ParamSpec.of("gamma", ParamRole.GAMMA, InitSpec.of("ones"), fan, dims),
                        ParamSpec.of("beta", ParamRole.BETA, InitSpec.of("zeros"), fan, dims));
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                SameDiff sd = ctx.sd();
                Shape shape = ctx.inputShapes().get(0);
                int rank = shape.rank();
                long[] dims = normalised(ctx.inputShapes());
                // [batch * leading, normalised size, 1]: the statistics reduce axes 1 and 2 whatever the number of
                // normalised axes (ND4J fails on a reduction along one axis of size 1; see package-info)
                SDVariable x = inputs.get(0).reshape(-1, Shape.of(dims).size(), 1);
                SDVariable centred = x.sub(x.mean(true, 1, 2));
                SDVariable var = centred.mul(centred).mean(true, 1, 2);
                SDVariable y = centred.div(sd.math().sqrt(var.add(config.eps()))).reshape(shape.withBatch(-1));
                if (!config.elementwiseAffine()) {
                    return y;
                }
                long[] broadcast = new long[rank + 1];
                Arrays.fill(broadcast, 1);
                System.arraycopy(dims, 0, broadcast, broadcast.length - dims.length, dims.length);
                return y.mul(ctx.param("gamma").reshape(broadcast)).add(ctx.param("beta").reshape(broadcast));
            }
        };
    }
}
