package dev.graft.plugins.layers;

import dev.graft.api.Shape;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Arrays;
import java.util.List;

/**
 * The pooling layers' shared validation and forward pass; 1-D pooling runs as 2-D pooling of height 1.
 */
final class Pooling {
    private Pooling() {
    }

    /** Validates kernel, stride (null: the kernel) and padding for {@code dims} spatial axes. */
    static void validate(List<Integer> kernel, List<Integer> stride, List<String> padding, int dims) {
        int[] k = Windows.sizes("kernel", kernel, dims);
        if (stride != null) {
            Windows.sizes("stride", stride, dims);
        }
        Windows.Padding p = Windows.Padding.parse("padding", padding, dims);
        if (p.amounts() != null) {
            for (int i = 0; i < dims; i++) {
                if (2 * p.amounts()[i] > k[i]) {
                    String text = dims == 1 ? String.valueOf(p.amounts()[0]) : Arrays.toString(p.amounts());
                    String kt = dims == 1 ? String.valueOf(k[0]) : Arrays.toString(k);
                    throw new IllegalArgumentException("padding " + text + " must be at most half the kernel " + kt
                            + ", so that every window overlaps the input");
                }
            }
        }
    }

    /** A pooling layer over {@code dims} (1 or 2) spatial axes. */
    static Layer layer(String id, boolean max, int dims, List<Integer> kernel, List<Integer> stride, List<String> padding) {
        int[] k = Windows.sizes("kernel", kernel, dims);
        int[] s = stride == null ? k : Windows.sizes("stride", stride, dims);
        Windows.Padding p = Windows.Padding.parse("padding", padding, dims);
        // as 2-D
        int[] k2 = dims == 2 ? k : new int[] {1, k[0]};
        int[] s2 = dims == 2 ? s : new int[] {1, s[0]};
        return new Layer() {
            private long[][] pads(long[] sizes) {
                long[][] pads = p.resolve(sizes, k, s);
                return dims == 2 ? pads : new long[][] {{0, 0}, pads[0]};
            }

            private long[] outSizes(List<Shape> inputs) {
                long[] sizes = Windows.spatial(Windows.requireRank(id, inputs, dims));
                long[][] pads = p.resolve(sizes, k, s);
                return Windows.outputSizes(id, sizes, k, s, Windows.ones(dims), pads);
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                long[] out = outSizes(inputs);
                long channels = inputs.get(0).dim(0);
                return dims == 2 ? Shape.of(channels, out[0], out[1]) : Shape.of(channels, out[0]);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outSizes(inputs);
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                Shape in = ctx.inputShapes().get(0);
                long[] out = outSizes(ctx.inputShapes());
                long[] sizes = Windows.spatial(in);
                SDVariable x = inputs.get(0);
                if (dims == 1) {
                    x = x.reshape(-1, in.dim(0), 1, in.dim(1));
                }
                SDVariable y = Convolutions.pool2d(ctx.sd(), x, max, k2, s2, pads(sizes));
                return dims == 1 ? y.reshape(-1, in.dim(0), out[0]) : y;
            }
        };
    }
}
