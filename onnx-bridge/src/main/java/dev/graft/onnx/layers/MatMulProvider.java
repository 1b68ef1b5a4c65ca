package dev.graft.onnx.layers;

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
import java.util.Arrays;
import java.util.List;

/**
 * {@code onnx-matmul}: ONNX's {@code MatMul} where {@code dense} does not fit.
 *
 * <ul>
 *   <li>With {@code units}: one input {@code [..., K]} of any rank and a weight {@code W}
 *       {@code [K, units]} (and with {@code use-bias} a bias {@code b} {@code [units]}), applied to the
 *       last axis: {@code [T, K] -> [T, units]}. This is PyTorch's {@code nn.Linear} on sequences
 *       (weight stored {@code [in, out]} like {@code dense}'s).</li>
 *   <li>Without: two inputs {@code [..., T, K]} and {@code [..., K, S]} with the same leading axes,
 *       multiplied as matrices per example and leading index: {@code [..., T, S]} (attention scores,
 *       for instance).</li>
 * </ul>
 */
public final class MatMulProvider implements LayerProvider<MatMulProvider.Config> {

    /** Options of {@code onnx-matmul}. */
    public record Config(
            @Doc("output size of the learned weight [K, units]; absent: the layer multiplies its two inputs")
            @Default(Default.NULL) Integer units,
            @Doc("whether to add a learned bias [units] (with units only)") @Default("false") boolean useBias,
            @Doc("initializer of the weight") @Default("xavier-uniform") InitSpec weightInit) {
        public Config {
            if (units != null && units <= 0) {
                throw new IllegalArgumentException("units must be a positive integer, got " + units);
            }
            if (units == null && useBias) {
                throw new IllegalArgumentException("use-bias needs units (a product of two inputs has no bias)");
            }
            if (weightInit == null) {
                throw new IllegalArgumentException("weight-init must name an initializer");
            }
        }
    }

    public MatMulProvider() {
    }

    @Override
    public String id() {
        return "onnx-matmul";
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
        return "matrix product on the last axis with a learned weight, or of two inputs per example";
    }

    @Override
    public Layer create(Config config) {
        Integer units = config.units();
        return new Layer() {
            @Override
            public int arity() {
                return units == null ? 2 : 1;
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape a = inputs.get(0);
                if (units != null) {
                    long[] out = a.dims();
                    out[out.length - 1] = units;
                    return Shape.of(out);
                }
                Shape b = inputs.get(1);
                int r = a.rank();
                if (r < 2 || b.rank() != r) {
                    throw new IllegalArgumentException("onnx-matmul of two inputs needs inputs of the same rank >= 2, got " + a + " and " + b);
                }
                if (!Arrays.equals(Arrays.copyOf(a.dims(), r - 2), Arrays.copyOf(b.dims(), r - 2)) || a.dim(r - 1) != b.dim(r - 2)) {
                    throw new IllegalArgumentException("onnx-matmul cannot multiply " + a + " by " + b
                            + ": the leading axes must be equal and the last axis of the first must match the second's axis " + (r - 2));
                }
                long[] out = a.dims();
                out[r - 1] = b.dim(r - 1);
                return Shape.of(out);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                List<ParamSpec> out = new ArrayList<>();
                if (units != null) {
                    Shape a = inputs.get(0);
                    long k = a.dim(a.rank() - 1);
                    Fan fan = new Fan(k, units);
                    out.add(ParamSpec.of("W", ParamRole.WEIGHT, config.weightInit(), fan, k, units));
                    if (config.useBias()) {
                        out.add(ParamSpec.of("b", ParamRole.BIAS, InitSpec.of("zeros"), fan, units));
                    }
                }
                return out;
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                Shape a = ctx.inputShapes().get(0);
                Shape out = outputShape(ctx.inputShapes());
                int r = a.rank();
                if (units != null) {
                    long k = a.dim(r - 1);
                    SDVariable y = inputs.get(0).reshape(-1, k).mmul(ctx.param("W"));
                    if (config.useBias()) {
                        y = y.add(ctx.param("b"));
                    }
                    return y.reshape(out.withBatch(-1));
                }
                Shape b = ctx.inputShapes().get(1);
                SDVariable x = inputs.get(0).reshape(-1, a.dim(r - 2), a.dim(r - 1));
                SDVariable w = inputs.get(1).reshape(-1, b.dim(r - 2), b.dim(r - 1));
                return x.mmul(w).reshape(out.withBatch(-1));
            }
        };
    }
}
