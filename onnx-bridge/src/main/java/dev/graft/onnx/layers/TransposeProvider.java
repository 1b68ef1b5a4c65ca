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
 * {@code onnx-transpose}: permutes the axes of each example, ONNX's {@code Transpose} with a
 * permutation that keeps the batch axis first. {@code perm} counts without the batch axis:
 * {@code [1, 0]} turns {@code [C, L]} into {@code [L, C]}; output axis {@code i} is input axis
 * {@code perm[i]}. No parameters.
 */
public final class TransposeProvider implements LayerProvider<TransposeProvider.Config> {

    /** Options of {@code onnx-transpose}. */
    public record Config(@Doc("the per-example permutation: output axis i is input axis perm[i]") List<Integer> perm) {
        public Config {
            if (perm == null || perm.isEmpty() || perm.stream().anyMatch(java.util.Objects::isNull)) {
                throw new IllegalArgumentException("perm must be a permutation of 0..rank-1 such as [1, 0], got " + perm);
            }
            perm = List.copyOf(perm);
            boolean[] seen = new boolean[perm.size()];
            for (int p : perm) {
                if (p < 0 || p >= perm.size() || seen[p]) {
                    throw new IllegalArgumentException("perm must be a permutation of 0.." + (perm.size() - 1) + ", got " + perm);
                }
                seen[p] = true;
            }
        }
    }

    public TransposeProvider() {
    }

    @Override
    public String id() {
        return "onnx-transpose";
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
        return "permutes the axes of each example, e.g. [C, L] -> [L, C] with perm [1, 0]";
    }

    @Override
    public Layer create(Config config) {
        List<Integer> perm = config.perm();
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (in.rank() != perm.size()) {
                    throw new IllegalArgumentException("onnx-transpose: perm " + perm + " needs an input of rank " + perm.size() + ", got " + in);
                }
                long[] out = new long[perm.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = in.dim(perm.get(i));
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
                int[] p = new int[perm.size() + 1];
                for (int i = 0; i < perm.size(); i++) {
                    p[i + 1] = perm.get(i) + 1;
                }
                return inputs.get(0).permute(p);
            }
        };
    }
}
