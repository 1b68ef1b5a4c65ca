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
 *       integer type); {@code not-zero}: 1 where {@code x != 0}, else 0 (a cast to bool); {@code floor},
 *       {@code ceil}, {@code round} (half to even, as ONNX's {@code Round}), {@code sign}. Their
 *       gradient is 0;</li>
 *   <li>{@code sin}, {@code cos}, {@code tan}, {@code asin}, {@code acos}, {@code atan}, {@code sinh},
 *       {@code cosh}, {@code asinh}, {@code acosh}, {@code atanh};</li>
 *   <li>{@code selu}: {@code beta * (x > 0 ? x : alpha * (exp(x) - 1))} (ONNX's gamma is {@code beta});
 *       {@code celu}: {@code max(0, x) + min(0, alpha * (exp(x / alpha) - 1))};
 *       {@code thresholded-relu}: {@code x > alpha ? x : 0}; {@code shrink}: {@code x - beta} where
 *       {@code x > alpha}, {@code x + beta} where {@code x < -alpha}, else 0 (ONNX's lambd is
 *       {@code alpha}, its bias {@code beta});</li>
 *   <li>{@code not}: {@code 1 - x} on 0/1 values (ONNX's {@code Not} of bools).</li>
 * </ul>
 */
public final class UnaryProvider implements LayerProvider<UnaryProvider.Config> {

    /** The functions. */
    public enum Op { SQRT, EXP, LOG, NEG, ABS, RECIPROCAL, ERF, SOFTPLUS, SOFTSIGN, HARD_SIGMOID, HARD_SWISH, CLIP, TRUNC, NOT_ZERO,
        FLOOR, CEIL, ROUND, SIGN, SIN, COS, TAN, ASIN, ACOS, ATAN, SINH, COSH, ASINH, ACOSH, ATANH, SELU, CELU, THRESHOLDED_RELU, SHRINK, NOT }

    /** Options of {@code onnx-unary}. */
    public record Config(
            @Doc("the function: sqrt, exp, log, neg, abs, reciprocal, erf, softplus, softsign, hard-sigmoid, hard-swish, clip, trunc, not-zero, floor, ceil, round, sign, sin, cos, tan, asin, acos, atan, sinh, cosh,"
                    + " asinh, acosh, atanh, selu, celu, thresholded-relu, shrink or not")
            Op op,
            @Doc("slope of hard-sigmoid; alpha of selu and celu; threshold of thresholded-relu; lambd of shrink") @Default("0.2") double alpha,
            @Doc("offset of hard-sigmoid; gamma of selu; bias of shrink") @Default("0.5") double beta,
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
        return "element-wise functions of ONNX without a Graft layer: sqrt, exp, log, trigonometric, rounding, selu, clip, ...";
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
                    case FLOOR -> sd.math().floor(x);
                    case CEIL -> sd.math().ceil(x);
                    case ROUND -> roundHalfEven(sd, x);
                    case SIGN -> sd.math().sign(x);
                    case SIN -> sd.math().sin(x);
                    case COS -> sd.math().cos(x);
                    case TAN -> sd.math().tan(x);
                    case ASIN -> sd.math().asin(x);
                    case ACOS -> sd.math().acos(x);
                    case ATAN -> sd.math().atan(x);
                    case SINH -> sd.math().sinh(x);
                    case COSH -> sd.math().cosh(x);
                    case ASINH -> sd.math().asinh(x);
                    case ACOSH -> sd.math().acosh(x);
                    case ATANH -> sd.math().atanh(x);
                    case SELU -> selu(sd, x, config.alpha(), config.beta());
                    case CELU -> sd.nn().relu(x, 0).add(sd.nn().relu(sd.math().exp(x.div(config.alpha())).sub(1.0).mul(config.alpha()).neg(), 0).neg());
                    case THRESHOLDED_RELU -> x.mul(step(sd, x.sub(config.alpha())));
                    case SHRINK -> x.sub(config.beta()).mul(step(sd, x.sub(config.alpha())))
                            .add(x.add(config.beta()).mul(step(sd, x.add(config.alpha()).neg())));
                    case NOT -> x.rsub(1.0);
                };
            }
        };
    }

    /** 1 where {@code v > 0}, else 0, from arithmetic whose gradient is defined (0). */
    private static SDVariable step(SameDiff sd, SDVariable v) {
        SDVariable s = sd.math().sign(v);
        // sign is -1, 0 or 1: (sign + sign^2) / 2 is 1 for positive v, 0 otherwise
        return s.add(s.mul(s)).div(2.0);
    }

    private static SDVariable selu(SameDiff sd, SDVariable x, double alpha, double gamma) {
        SDVariable pos = sd.nn().relu(x, 0);
        SDVariable neg = sd.math().exp(sd.nn().relu(x.neg(), 0).neg()).sub(1.0).mul(alpha);
        return pos.add(neg).mul(gamma);
    }

    /** Round half to even: the floor, plus one above .5, plus one at exactly .5 when the floor is odd. */
    private static SDVariable roundHalfEven(SameDiff sd, SDVariable x) {
        SDVariable t = sd.math().floor(x);
        SDVariable d = x.sub(t);
        SDVariable s = sd.math().sign(d.sub(0.5));
        SDVariable up = s.add(s.mul(s)).div(2.0);
        SDVariable half = sd.math().abs(s).rsub(1.0);
        SDVariable odd = t.sub(sd.math().floor(t.div(2.0)).mul(2.0));
        return t.add(up).add(half.mul(odd));
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
