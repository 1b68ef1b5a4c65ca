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

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code onnx-reduce}: ONNX's {@code ReduceMean}, {@code ReduceSum}, {@code ReduceMax},
 * {@code ReduceMin}, {@code ReduceSumSquare}, {@code ReduceL2}, {@code ReduceL1}, {@code ReduceLogSum},
 * {@code ReduceLogSumExp} (computed with the maximum subtracted) and {@code ReduceProd} over some axes of each example
 * (never the batch). {@code axes} count without the batch axis; with {@code keepdims} the reduced
 * axes stay as size 1 ({@code [C, H, W]} over {@code [1, 2]} gives {@code [C, 1, 1]}), without they
 * are removed (every axis removed leaves a scalar per example). No parameters.
 *
 * <p>The reduced axes are moved to the end and merged, and the reduction always runs over two axes
 * of a {@code [batch, kept, reduced, 1]} view: ND4J 1.0.0-M2.1 fails on a reduction along one axis of
 * size 1 and on negative axes.
 */
public final class ReduceProvider implements LayerProvider<ReduceProvider.Config> {

    /** The reductions. */
    public enum Op { MEAN, SUM, MAX, MIN, SUM_SQUARE, L2, L1, LOG_SUM, LOG_SUM_EXP, PROD }

    /** Options of {@code onnx-reduce}. */
    public record Config(
            @Doc("the reduction: mean, sum, max, min, sum-square, l2, l1, log-sum, log-sum-exp or prod") Op op,
            @Doc("the per-example axes to reduce (0 is the first axis after the batch)") List<Integer> axes,
            @Doc("whether to keep the reduced axes with size 1") @Default("true") boolean keepdims) {
        public Config {
            if (op == null) {
                throw new IllegalArgumentException("op must be one of mean, sum, max, min, sum-square, l2, l1, log-sum, log-sum-exp, prod");
            }
            if (axes == null || axes.isEmpty() || axes.stream().anyMatch(a -> a == null || a < 0)) {
                throw new IllegalArgumentException("axes must be a non-empty list of per-example axes >= 0, got " + axes);
            }
            axes = List.copyOf(new TreeSet<>(axes));
        }
    }

    public ReduceProvider() {
    }

    @Override
    public String id() {
        return "onnx-reduce";
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
        return "mean, sum, max, min, sum of squares, L1 / L2 norm, log-sum(-exp) or product over some axes of each example";
    }

    /** log(sum(exp(x))) over axes 2 and 3 of the view, shifted by the maximum so that exp never overflows. */
    private static SDVariable logSumExp(LayerContext ctx, SDVariable x) {
        SDVariable m = x.max(true, 2, 3);
        SDVariable s = ctx.sd().math().log(ctx.sd().math().exp(x.sub(m)).sum(true, 2, 3)).add(m);
        return s.sum(2, 3);
    }

    @Override
    public Layer create(Config config) {
        List<Integer> axes = config.axes();
        return new Layer() {
            private void check(Shape in) {
                if (axes.get(axes.size() - 1) >= in.rank()) {
                    throw new IllegalArgumentException("onnx-reduce: axes " + axes + " are out of range for the input " + in);
                }
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                check(in);
                List<Long> out = new ArrayList<>();
                for (int i = 0; i < in.rank(); i++) {
                    if (!axes.contains(i)) {
                        out.add(in.dim(i));
                    } else if (config.keepdims()) {
                        out.add(1L);
                    }
                }
                return Shape.of(out.stream().mapToLong(Long::longValue).toArray());
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                Shape in = ctx.inputShapes().get(0);
                Shape out = outputShape(ctx.inputShapes());
                int[] perm = new int[in.rank() + 1];
                int k = 1;
                long kept = 1;
                long reduced = 1;
                for (int i = 0; i < in.rank(); i++) {
                    if (!axes.contains(i)) {
                        perm[k++] = i + 1;
                        kept *= in.dim(i);
                    }
                }
                for (int a : axes) {
                    perm[k++] = a + 1;
                    reduced *= in.dim(a);
                }
                SDVariable x = inputs.get(0);
                boolean moved = false;
                for (int i = 0; i < perm.length; i++) {
                    moved |= perm[i] != i;
                }
                if (moved) {
                    x = x.permute(perm);
                }
                x = x.reshape(-1, kept, reduced, 1);
                SDVariable y = switch (config.op()) {
                    case MEAN -> x.mean(2, 3);
                    case SUM -> x.sum(2, 3);
                    case MAX -> x.max(2, 3);
                    case MIN -> x.min(2, 3);
                    case SUM_SQUARE -> x.mul(x).sum(2, 3);
                    case L2 -> ctx.sd().math().sqrt(x.mul(x).sum(2, 3));
                    case L1 -> ctx.sd().math().abs(x).sum(2, 3);
                    case LOG_SUM -> ctx.sd().math().log(x.sum(2, 3));
                    case LOG_SUM_EXP -> logSumExp(ctx, x);
                    case PROD -> x.prod(2, 3);
                };
                return y.reshape(out.withBatch(-1));
            }
        };
    }
}
