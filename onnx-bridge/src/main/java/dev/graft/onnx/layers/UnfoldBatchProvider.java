package dev.graft.onnx.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;

/**
 * {@code onnx-unfold-batch}: undoes {@code onnx-fold-batch}, {@code [batch * n, ...rest]} to
 * {@code [batch, n, ...rest]}: the per-example output shape is {@code [n, ...rest]}. No parameters.
 */
public final class UnfoldBatchProvider implements LayerProvider<UnfoldBatchProvider.Config> {

    /** Options of {@code onnx-unfold-batch}. */
    public record Config(@Doc("how many rows onnx-fold-batch merged into the batch, per example") long n) {
        public Config {
            if (n <= 0) {
                throw new IllegalArgumentException("n must be positive, got " + n);
            }
        }
    }

    public UnfoldBatchProvider() {
    }

    @Override
    public String id() {
        return "onnx-unfold-batch";
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
        return "splits the batch back into examples of n rows (after onnx-fold-batch)";
    }

    @Override
    public Layer create(Config config) {
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                long[] out = new long[in.rank() + 1];
                out[0] = config.n();
                System.arraycopy(in.dims(), 0, out, 1, in.rank());
                return Shape.of(out);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                return inputs.get(0).reshape(outputShape(ctx.inputShapes()).withBatch(-1));
            }
        };
    }
}
