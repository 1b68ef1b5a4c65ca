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
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/**
 * {@code onnx-arg}: the index of the largest ({@code max}) or smallest ({@code min}) element of each
 * example along one axis, ONNX's {@code ArgMax} / {@code ArgMin}, as a float holding a whole number;
 * with {@code select-last-index} the last of equal elements, else the first; with {@code keepdims} the
 * axis stays as size 1. Its gradient is 0: the indices are tied to the input through a zero term, so
 * that a loss that depends only on them still differentiates. No parameters.
 */
public final class ArgProvider implements LayerProvider<ArgProvider.Config> {

    /** Which extreme. */
    public enum Op { MAX, MIN }

    /** Options of {@code onnx-arg}. */
    public record Config(
            @Doc("max or min") Op op,
            @Doc("the per-example axis (0 is the first axis after the batch)") int axis,
            @Doc("whether to keep the axis with size 1") @Default("true") boolean keepdims,
            @Doc("whether ties give the last index") @Default("false") boolean selectLastIndex) {
        public Config {
            if (op == null) {
                throw new IllegalArgumentException("op must be max or min");
            }
            if (axis < 0) {
                throw new IllegalArgumentException("axis must be a per-example axis >= 0, got " + axis);
            }
        }
    }

    public ArgProvider() {
    }

    @Override
    public String id() {
        return "onnx-arg";
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
        return "the index of the largest or smallest element along one axis of each example";
    }

    @Override
    public Layer create(Config config) {
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (config.axis() >= in.rank()) {
                    throw new IllegalArgumentException("onnx-arg: axis " + config.axis() + " is out of range for the input " + in);
                }
                long[] d = in.dims();
                if (config.keepdims()) {
                    d[config.axis()] = 1;
                    return Shape.of(d);
                }
                long[] out = new long[d.length - 1];
                for (int i = 0, k = 0; i < d.length; i++) {
                    if (i != config.axis()) {
                        out[k++] = d[i];
                    }
                }
                return Shape.of(out);
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
                int axis = config.axis() + 1;
                SDVariable x = inputs.get(0);
                DataType type = x.dataType();
                if (config.selectLastIndex()) {
                    x = ctx.sd().reverse(x, axis);
                }
                SDVariable idx = (config.op() == Op.MAX ? ctx.sd().argmax(x, true, axis) : ctx.sd().argmin(x, true, axis)).castTo(type);
                if (config.selectLastIndex()) {
                    idx = idx.rsub(in.dim(config.axis()) - 1.0);
                }
                // indices do not depend differentiably on x: tie them to x through a zero term (sign is finite for infinite x), so
                // that a loss that depends on them still differentiates, with a gradient of 0
                SDVariable zero = ctx.sd().math().sign(inputs.get(0)).mul(0.0).sum(true, axis);
                return idx.add(zero).reshape(out.withBatch(-1));
            }
        };
    }
}
