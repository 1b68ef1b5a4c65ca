package dev.graft.onnx.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.NoConfig;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Arrays;
import java.util.List;

/**
 * {@code onnx-fold-batch}: merges the first axis of each example into the batch, {@code [batch, N,
 * ...rest]} to {@code [batch * N, ...rest]}, so that a layer that works on batches of examples
 * ({@code conv2d}, the pooling layers, {@code batch-norm}) sees the N rows of an ONNX tensor imported
 * whole ({@link dev.graft.onnx.imports.BatchAxis#NONE}) as its batch. Always followed, after that
 * layer, by {@code onnx-unfold-batch} with the same N, which restores the batch; the pair is a
 * reshape, so gradients flow through it. This is the one kind of layer whose output batch differs
 * from its input's: its per-example output shape is {@code rest}, for a batch N times larger. No
 * parameters.
 */
public final class FoldBatchProvider implements LayerProvider<NoConfig> {

    public FoldBatchProvider() {
    }

    @Override
    public String id() {
        return "onnx-fold-batch";
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
    public Class<NoConfig> configType() {
        return NoConfig.class;
    }

    @Override
    public String description() {
        return "merges the first axis of each example into the batch (undone by onnx-unfold-batch)";
    }

    @Override
    public Layer create(NoConfig config) {
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (in.rank() < 2) {
                    throw new IllegalArgumentException("onnx-fold-batch needs examples of rank 2 or more, got " + in);
                }
                return Shape.of(Arrays.copyOfRange(in.dims(), 1, in.rank()));
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                outputShape(inputs);
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                return inputs.get(0).reshape(outputShape(ctx.inputShapes()).withBatch(-1));
            }
        };
    }
}
