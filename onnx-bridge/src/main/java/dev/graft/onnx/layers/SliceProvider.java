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

import java.util.ArrayList;
import java.util.List;

/**
 * {@code onnx-slice}: keeps a regular range of each example along some axes, ONNX's {@code Slice}
 * (and {@code Gather} of constant indices) on non-batch axes. For each listed per-example axis
 * {@code axes[i]} it keeps the elements {@code starts[i], starts[i] + steps[i], ...} before
 * {@code ends[i]} (exclusive), as Python's {@code x[start:end:step]} with non-negative, in-range bounds
 * and a positive step. Other axes are kept whole. No parameters.
 */
public final class SliceProvider implements LayerProvider<SliceProvider.Config> {

    /** Options of {@code onnx-slice}. */
    public record Config(
            @Doc("the per-example axes to slice (0 is the first axis after the batch)") List<Integer> axes,
            @Doc("first kept index on each axis, >= 0") List<Long> starts,
            @Doc("end (exclusive) on each axis, > start") List<Long> ends,
            @Doc("step on each axis, >= 1; absent: 1") @Default(Default.NULL) List<Long> steps) {
        public Config {
            if (axes == null || starts == null || ends == null || axes.isEmpty() || axes.size() != starts.size() || axes.size() != ends.size()
                    || (steps != null && steps.size() != axes.size())) {
                throw new IllegalArgumentException("axes, starts, ends (and steps) must be non-empty lists of the same length, got axes "
                        + axes + ", starts " + starts + ", ends " + ends + ", steps " + steps);
            }
            axes = List.copyOf(axes);
            starts = List.copyOf(starts);
            ends = List.copyOf(ends);
            steps = steps == null ? null : List.copyOf(steps);
            for (int i = 0; i < axes.size(); i++) {
                if (axes.get(i) < 0 || axes.subList(0, i).contains(axes.get(i))) {
                    throw new IllegalArgumentException("axes must be distinct per-example axes >= 0, got " + axes);
                }
                if (starts.get(i) < 0 || ends.get(i) <= starts.get(i)) {
                    throw new IllegalArgumentException("each slice needs 0 <= start < end, got starts " + starts + " and ends " + ends);
                }
                if (steps != null && steps.get(i) < 1) {
                    throw new IllegalArgumentException("steps must be >= 1, got " + steps);
                }
            }
        }
    }

    public SliceProvider() {
    }

    @Override
    public String id() {
        return "onnx-slice";
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
        return "keeps a range start:end:step of each example along some axes, like x[:, 1:3]";
    }

    @Override
    public Layer create(Config config) {
        return new Layer() {
            private long step(int i) {
                return config.steps() == null ? 1 : config.steps().get(i);
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                long[] out = in.dims();
                for (int i = 0; i < config.axes().size(); i++) {
                    int a = config.axes().get(i);
                    if (a >= in.rank()) {
                        throw new IllegalArgumentException("onnx-slice: axis " + a + " is out of range for the input " + in);
                    }
                    if (config.ends().get(i) > in.dim(a)) {
                        throw new IllegalArgumentException("onnx-slice: end " + config.ends().get(i) + " is beyond axis " + a + " of the input " + in);
                    }
                    out[a] = (config.ends().get(i) - config.starts().get(i) + step(i) - 1) / step(i);
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
                outputShape(ctx.inputShapes());
                List<SDIndex> index = new ArrayList<>();
                index.add(SDIndex.all());
                for (int d = 0; d < in.rank(); d++) {
                    int i = config.axes().indexOf(d);
                    index.add(i < 0 ? SDIndex.all()
                            : step(i) == 1 ? SDIndex.interval(config.starts().get(i), config.ends().get(i))
                            : SDIndex.interval(config.starts().get(i), step(i), config.ends().get(i)));
                }
                return inputs.get(0).get(index.toArray(new SDIndex[0]));
            }
        };
    }
}
