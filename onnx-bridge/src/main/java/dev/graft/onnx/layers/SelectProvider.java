package dev.graft.onnx.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * {@code onnx-select}: moves elements of each example to fixed places, given as pairs of flat
 * (row-major) positions: output element {@code targets[i]} receives input element {@code sources[i]};
 * several pairs with one target add up, and targets no pair names are 0. ONNX's {@code GatherElements},
 * {@code GatherND}, the scatter ops and {@code OneHot} with indices known at import are such moves.
 * Computed as a product with the 0 / 1 matrix of the pairs ({@code [input size, output size]}, at most
 * 2<sup>24</sup> entries), which differentiates where ND4J's gather does not. No parameters.
 */
public final class SelectProvider implements LayerProvider<SelectProvider.Config> {

    /** The largest selection matrix. */
    public static final long MAX_ENTRIES = 1L << 24;

    /** Options of {@code onnx-select}. */
    public record Config(
            @Doc("flat input positions, one per pair") List<Long> sources,
            @Doc("flat output positions, one per pair") List<Long> targets,
            @Doc("the per-example output shape ([] for a scalar)") List<Long> shape) {
        public Config {
            if (sources == null || targets == null || sources.size() != targets.size()) {
                throw new IllegalArgumentException("sources and targets must be lists of the same length, got " + sources + " and " + targets);
            }
            if (shape == null || shape.stream().anyMatch(d -> d == null || d <= 0)) {
                throw new IllegalArgumentException("shape must be a list of positive sizes, got " + shape);
            }
            long size = shape.stream().reduce(1L, Math::multiplyExact);
            for (int i = 0; i < sources.size(); i++) {
                if (sources.get(i) == null || sources.get(i) < 0 || targets.get(i) == null || targets.get(i) < 0 || targets.get(i) >= size) {
                    throw new IllegalArgumentException("pair " + i + " (" + sources.get(i) + " -> " + targets.get(i) + ") is out of range for an"
                            + " output of " + size + " elements");
                }
            }
            sources = List.copyOf(sources);
            targets = List.copyOf(targets);
            shape = List.copyOf(shape);
        }
    }

    public SelectProvider() {
    }

    @Override
    public String id() {
        return "onnx-select";
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
        return "moves elements of each example to fixed places (gather / scatter with indices known at import)";
    }

    @Override
    public Layer create(Config config) {
        Shape out = Shape.of(config.shape().stream().mapToLong(Long::longValue).toArray());
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (config.sources().stream().anyMatch(s -> s >= in.size())) {
                    throw new IllegalArgumentException("onnx-select: a source position is beyond the input " + in);
                }
                if (in.size() * out.size() > MAX_ENTRIES) {
                    throw new IllegalArgumentException("onnx-select: moving " + in.size() + " into " + out.size() + " elements needs a selection"
                            + " matrix of more than 2^24 entries");
                }
                return out;
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
                double[][] m = new double[(int) in.size()][(int) out.size()];
                for (int i = 0; i < config.sources().size(); i++) {
                    m[config.sources().get(i).intValue()][config.targets().get(i).intValue()] += 1;
                }
                SDVariable x = inputs.get(0);
                SDVariable s = ctx.sd().constant(Nd4j.createFromArray(m).castTo(x.dataType()));
                return x.reshape(-1, in.size()).mmul(s).reshape(out.withBatch(-1));
            }
        };
    }
}
