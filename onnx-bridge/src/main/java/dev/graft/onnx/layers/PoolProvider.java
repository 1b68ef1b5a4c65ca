package dev.graft.onnx.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * {@code onnx-pool}: max or average pooling of examples {@code [C, s1, ..., sn]} over any number of
 * spatial axes, with strides, dilations and padding given per axis, as ONNX's {@code MaxPool} and
 * {@code AveragePool} where the {@code max-pool*} / {@code avg-pool*} layers do not reach (3-D
 * windows, dilations). The input is padded (with the lowest float for max, zeros for average), then
 * every offset of the window is a strided slice, and the slices are combined by a pairwise max or a
 * sum divided by the window size (so padding counts in the mean). {@code argmax} gives, for each output,
 * the flat index within its channel plane of the unpadded input ({@code h * W + w}, or {@code w * H +
 * h} with {@code column-major}) of the first window element holding the maximum, as a float holding a
 * whole number (gradient 0): MaxPool's {@code Indices} without their plane offset. No parameters.
 */
public final class PoolProvider implements LayerProvider<PoolProvider.Config> {

    /** The poolings; {@code argmax} gives where {@code max} found its value. */
    public enum Op { MAX, AVG, ARGMAX }

    /** Options of {@code onnx-pool}. */
    public record Config(
            @Doc("max, avg or argmax") Op op,
            @Doc("window size per spatial axis") List<Integer> kernel,
            @Doc("step per spatial axis") List<Integer> strides,
            @Doc("spacing of the window's elements per spatial axis (1: adjacent)") List<Integer> dilations,
            @Doc("padding [begin per axis..., end per axis...]") List<Long> pads,
            @Doc("for argmax: count positions column-major (the first spatial axis fastest) instead of row-major")
            @Default("false") boolean columnMajor) {
        public Config {
            if (op == null) {
                throw new IllegalArgumentException("op must be max, avg or argmax");
            }
            if (kernel == null || kernel.isEmpty()) {
                throw new IllegalArgumentException("kernel must list the window size of each spatial axis, got " + kernel);
            }
            int n = kernel.size();
            for (List<Integer> v : java.util.Arrays.asList(kernel, strides, dilations)) {
                if (v == null || v.size() != n || v.stream().anyMatch(d -> d == null || d <= 0)) {
                    throw new IllegalArgumentException("kernel, strides and dilations must be " + n + " positive integers each, got "
                            + kernel + ", " + strides + ", " + dilations);
                }
            }
            if (pads == null || pads.size() != 2 * n || pads.stream().anyMatch(p -> p == null || p < 0)) {
                throw new IllegalArgumentException("pads must be " + 2 * n + " non-negative amounts [begins..., ends...], got " + pads);
            }
            kernel = List.copyOf(kernel);
            strides = List.copyOf(strides);
            dilations = List.copyOf(dilations);
            pads = List.copyOf(pads);
        }

        /** Row-major positions (the only kind max and avg use). */
        public Config(Op op, List<Integer> kernel, List<Integer> strides, List<Integer> dilations, List<Long> pads) {
            this(op, kernel, strides, dilations, pads, false);
        }
    }

    public PoolProvider() {
    }

    @Override
    public String id() {
        return "onnx-pool";
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
        return "max or average pooling over any number of spatial axes, with dilations and padding";
    }

    @Override
    public Layer create(Config config) {
        int n = config.kernel().size();
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (in.rank() != n + 1) {
                    throw new IllegalArgumentException("onnx-pool with a " + n + "-D window needs examples [C, " + n + " spatial axes], got " + in);
                }
                long[] out = in.dims();
                for (int i = 0; i < n; i++) {
                    long span = in.dim(i + 1) + config.pads().get(i) + config.pads().get(n + i)
                            - ((long) config.dilations().get(i) * (config.kernel().get(i) - 1) + 1);
                    if (span < 0) {
                        throw new IllegalArgumentException("onnx-pool: the window " + config.kernel() + " does not fit the input " + in);
                    }
                    out[i + 1] = span / config.strides().get(i) + 1;
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
                boolean max = config.op() != Op.AVG;
                SDVariable x = inputs.get(0);
                if (config.pads().stream().anyMatch(p -> p > 0)) {
                    int[][] amounts = new int[n + 2][2];
                    for (int i = 0; i < n; i++) {
                        amounts[i + 2][0] = config.pads().get(i).intValue();
                        amounts[i + 2][1] = config.pads().get(n + i).intValue();
                    }
                    x = ctx.sd().nn().pad(x, ctx.sd().constant(Nd4j.createFromArray(amounts)), PadMode.CONSTANT, max ? -Float.MAX_VALUE : 0.0);
                }
                int windows = 1;
                for (int k : config.kernel()) {
                    windows *= k;
                }
                List<SDVariable> slices = new java.util.ArrayList<>();
                List<int[]> offsets = new java.util.ArrayList<>();
                int[] offset = new int[n];
                for (int w = 0; w < windows; w++) {
                    SDIndex[] index = new SDIndex[n + 2];
                    index[0] = SDIndex.all();
                    index[1] = SDIndex.all();
                    for (int i = 0; i < n; i++) {
                        long start = (long) offset[i] * config.dilations().get(i);
                        long stride = config.strides().get(i);
                        long end = start + (out.dim(i + 1) - 1) * stride + 1;
                        index[i + 2] = stride == 1 ? SDIndex.interval(start, end) : SDIndex.interval(start, stride, end);
                    }
                    slices.add(x.get(index));
                    offsets.add(offset.clone());
                    for (int i = n - 1; i >= 0; i--) {
                        if (++offset[i] < config.kernel().get(i)) {
                            break;
                        }
                        offset[i] = 0;
                    }
                }
                SDVariable acc = slices.get(0);
                for (int w = 1; w < windows; w++) {
                    acc = max ? ctx.sd().math().max(acc, slices.get(w)) : acc.add(slices.get(w));
                }
                if (config.op() == Op.AVG) {
                    return acc.div(windows);
                }
                if (config.op() == Op.MAX) {
                    return acc;
                }
                // argmax: the first window position (in window order) that holds the maximum, as its index in the unpadded plane
                SDVariable found = null;
                SDVariable result = null;
                for (int w = 0; w < windows; w++) {
                    SDVariable s = ctx.sd().math().sign(slices.get(w).sub(acc));
                    SDVariable equal = ctx.sd().math().abs(s).rsub(1.0);
                    SDVariable take = found == null ? equal : equal.mul(found.rsub(1.0));
                    SDVariable where = ctx.sd().constant(positions(in, out, offsets.get(w)).castTo(x.dataType()));
                    SDVariable part = take.mul(where);
                    result = result == null ? part : result.add(part);
                    found = found == null ? take : found.add(take);
                }
                return result;
            }

            /** The flat index in the unpadded input plane of window position {@code offset} for every output position. */
            private org.nd4j.linalg.api.ndarray.INDArray positions(Shape in, Shape out, int[] offset) {
                long[] outSpatial = java.util.Arrays.copyOfRange(out.dims(), 1, n + 1);
                long count = 1;
                for (long d : outSpatial) {
                    count *= d;
                }
                double[] v = new double[(int) count];
                long[] o = new long[n];
                for (int p = 0; p < count; p++) {
                    long flat = 0;
                    long scale = 1;
                    for (int step = 0; step < n; step++) {
                        int i = config.columnMajor() ? step : n - 1 - step;
                        long at = o[i] * config.strides().get(i) + (long) offset[i] * config.dilations().get(i) - config.pads().get(i);
                        flat += at * scale;
                        scale *= in.dim(i + 1);
                    }
                    v[p] = flat;
                    for (int i = n - 1; i >= 0; i--) {
                        if (++o[i] < outSpatial[i]) {
                            break;
                        }
                        o[i] = 0;
                    }
                }
                long[] shape = new long[n + 2];
                shape[0] = 1;
                shape[1] = 1;
                System.arraycopy(outSpatial, 0, shape, 2, n);
                return Nd4j.createFromArray(v).reshape('c', shape);
            }
        };
    }
}
