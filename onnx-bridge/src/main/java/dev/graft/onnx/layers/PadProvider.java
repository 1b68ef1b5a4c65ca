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
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * {@code onnx-pad}: pads each example with a constant, ONNX's {@code Pad} in {@code constant} mode
 * on the non-batch axes. {@code pads} is ONNX's layout without the batch axis: the amounts added
 * before each axis, then the amounts added after each axis: {@code [0, 1, 1, 0, 2, 2]} on a
 * {@code [C, H, W]} example adds one row above, one column on the left, two rows below and two
 * columns on the right of every channel. {@code value} fills the new elements. No parameters.
 */
public final class PadProvider implements LayerProvider<PadProvider.Config> {

    /** Options of {@code onnx-pad}. */
    public record Config(
            @Doc("non-negative amounts: before each per-example axis, then after each axis") List<Integer> pads,
            @Doc("the value of the added elements") @Default("0.0") double value) {
        public Config {
            if (pads == null || pads.isEmpty() || pads.size() % 2 != 0 || pads.stream().anyMatch(p -> p == null || p < 0)) {
                throw new IllegalArgumentException("pads must be an even number of non-negative amounts [before..., after...], got " + pads);
            }
            pads = List.copyOf(pads);
            if (Double.isNaN(value)) {
                throw new IllegalArgumentException("value must be a number, got NaN");
            }
        }
    }

    public PadProvider() {
    }

    @Override
    public String id() {
        return "onnx-pad";
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
        return "pads each example with a constant value, ONNX Pad layout [before..., after...] without the batch axis";
    }

    @Override
    public Layer create(Config config) {
        List<Integer> pads = config.pads();
        int rank = pads.size() / 2;
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (in.rank() != rank) {
                    throw new IllegalArgumentException("onnx-pad: pads " + pads + " are for inputs of rank " + rank + ", got " + in);
                }
                long[] out = in.dims();
                for (int i = 0; i < rank; i++) {
                    out[i] += pads.get(i) + pads.get(i + rank);
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
                outputShape(ctx.inputShapes());
                int[][] amounts = new int[rank + 1][2];
                for (int i = 0; i < rank; i++) {
                    amounts[i + 1][0] = pads.get(i);
                    amounts[i + 1][1] = pads.get(i + rank);
                }
                return ctx.sd().nn().pad(inputs.get(0), ctx.sd().constant(Nd4j.createFromArray(amounts)), PadMode.CONSTANT, config.value());
            }
        };
    }
}
