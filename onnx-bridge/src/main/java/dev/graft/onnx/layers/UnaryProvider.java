package dev.graft.onnx.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;

/**
 * {@code onnx-unary}: ONNX's element-wise functions that have no Graft layer of their own. Any input
 * shape, the same output shape, no parameters, the same in training and inference.
 *
 * <ul>
 *   <li>{@code sqrt}, {@code exp}, {@code log}, {@code neg}, {@code abs}, {@code reciprocal}
 *       ({@code 1 / x}), {@code erf}, {@code softplus} ({@code log(1 + exp(x))}, computed as
 *       {@code relu(x) + log(1 + exp(-|x|))} so it never overflows), {@code softsign}
 *       ({@code x / (1 + |x|)});</li>
 *   <li>{@code hard-sigmoid}: {@code max(0, min(1, alpha * x + beta))} (ONNX defaults alpha 0.2,
 *       beta 0.5; PyTorch's {@code hardsigmoid} is alpha 1/6);</li>
 *   <li>{@code hard-swish}: {@code x * max(0, min(1, x / 6 + 0.5))};</li>
 *   <li>{@code clip}: {@code min(max(x, min), max)}, either bound optional;</li>
 *   <li>{@code trunc}: the integer part ({@code sign(x) * floor(|x|)}, ONNX's cast of a real to an
 *       integer type); {@code not-zero}: 1 where {@code x != 0}, else 0 (a cast to bool). Their
 *       gradient is 0.</li>
 * </ul>
 */
public final class UnaryProvider implements LayerProvider<UnaryProvider.Config> {

    /** The functions. */
    public enum Op { SQRT, EXP, LOG, NEG, ABS, RECIPROCAL, ERF, SOFTPLUS, SOFTSIGN, HARD_SIGMOID, HARD_SWISH, CLIP, TRUNC, NOT_ZERO }

    /** Options of {@code onnx-unary}. */
    public record Config(
            @Doc("the function: sqrt, exp, log, neg, abs, reciprocal, erf, softplus, softsign, hard-sigmoid, hard-swish, clip, trunc or not-zero")
            Op op,
            @Doc("slope of hard-sigmoid") @Default("0.2") double alpha,
            @Doc("offset of hard-sigmoid") @Default("0.5") double beta,
            @Doc("lower bound of clip; absent: none") @Default(Default.NULL) Double min,
            @Doc("upper bound of clip; absent: none") @Default(Default.NULL) Double max) {
        public Config {
            if (op == null) {
                throw new IllegalArgumentException("op must name a function such as sqrt or clip");
            }
            if (!Double.isFinite(alpha) || !Double.isFinite(beta)) {
                throw new IllegalArgumentException("alpha and beta must be finite numbers, got " + alpha + " and " + beta);
            }
            if (min != null && max != null && min > max) {
                throw new IllegalArgumentException("min (" + min + ") must not be greater than max (" + max + ")");
            }
            if (op != Op.CLIP && (min != null || max != null)) {
                throw new IllegalArgumentException("min and max apply to clip only");
            }
        }

        /** The function with its default options. */
        public static Config of(Op op) {
            return new Config(op, 0.2, 0.5, null, null);
        }
    }

    public UnaryProvider() {
    }

    @Override
    public String id() {
        return "onnx-unary";
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
        return "element-wise sqrt, exp, log, neg, abs, reciprocal, erf, softplus, softsign, hard sigmoid, hard swish, clip, trunc or not-zero";
    }

    @Override
    public Layer create(Config config) {
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
                SameDiff sd = ctx.sd();
                SDVariable x = inputs.get(0);
                return switch (config.op()) {
                    case SQRT -> sd.math().sqrt(x);
                    case EXP -> sd.math().exp(x);
                    case LOG -> sd.math().log(x);
                    case NEG -> x.neg();
                    case ABS -> sd.math().abs(x);
                    case RECIPROCAL -> x.rdiv(1.0);
                    case ERF -> sd.math().erf(x);
                    case SOFTPLUS -> sd.nn().relu(x, 0).add(sd.math().log(sd.math().exp(sd.math().abs(x).neg()).add(1.0)));
                    case SOFTSIGN -> x.div(sd.math().abs(x).add(1.0));
                    case HARD_SIGMOID -> hardSigmoid(sd, x, config.alpha(), config.beta());
                    case HARD_SWISH -> x.mul(hardSigmoid(sd, x, 1.0 / 6, 0.5));
                    case CLIP -> clip(sd, x, config.min(), config.max());
                    case TRUNC -> sd.math().sign(x).mul(sd.math().floor(sd.math().abs(x)));
                    case NOT_ZERO -> sd.math().abs(sd.math().sign(x));
                };
            }
        };
    }

    private static SDVariable hardSigmoid(SameDiff sd, SDVariable x, double alpha, double beta) {
        return sd.math().clipByValue(x.mul(alpha).add(beta), 0.0, 1.0);
    }

    private static SDVariable clip(SameDiff sd, SDVariable x, Double min, Double max) {
        if (min == null && max == null) {
            return sd.identity(x);
        }
        return sd.math().clipByValue(x, min == null ? -Double.MAX_VALUE : min, max == null ? Double.MAX_VALUE : max);
    }
}
