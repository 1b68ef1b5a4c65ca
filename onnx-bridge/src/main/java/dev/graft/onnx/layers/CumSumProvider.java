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
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * {@code onnx-cumsum}: running sums of each example along one axis, ONNX's {@code CumSum}:
 * {@code exclusive} leaves each element out of its own sum, {@code reverse} sums from the end. No
 * parameters. It is computed as a product with a triangular matrix of ones along that axis: ND4J
 * 1.0.0-M2.1's {@code cumsum} op gives wrong gradients.
 */
public final class CumSumProvider implements LayerProvider<CumSumProvider.Config> {

    /** Options of {@code onnx-cumsum}. */
    public record Config(
            @Doc("the per-example axis (0 is the first axis after the batch)") int axis,
            @Doc("whether each sum leaves its own element out") @Default("false") boolean exclusive,
            @Doc("whether to sum from the end") @Default("false") boolean reverse) {
        public Config {
            if (axis < 0) {
                throw new IllegalArgumentException("axis must be a per-example axis >= 0, got " + axis);
            }
        }
    }

    public CumSumProvider() {
    }

    @Override
    public String id() {
        return "onnx-cumsum";
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
        return "running sums along one axis of each example";
    }

    @Override
    public Layer create(Config config) {
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (config.axis() >= in.rank()) {
                    throw new IllegalArgumentException("onnx-cumsum: axis " + config.axis() + " is out of range for the input " + in);
                }
                return in;
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
                // ND4J 1.0.0-M2.1's cumsum gets its gradient wrong: a product with a triangular matrix of ones instead,
                // the summed axis moved last
                int r = in.rank();
                int a = config.axis();
                int[] perm = new int[r + 1];
                for (int i = 0, k = 0; i <= r; i++) {
                    if (i != a + 1) {
                        perm[k++] = i;
                    }
                }
                perm[r] = a + 1;
                int[] back = new int[r + 1];
                for (int i = 0; i <= r; i++) {
                    back[perm[i]] = i;
                }
                long n = in.dim(a);
                double[][] u = new double[(int) n][(int) n];
                for (int k = 0; k < n; k++) {
                    for (int j = 0; j < n; j++) {
                        boolean summed = config.reverse() ? (config.exclusive() ? k > j : k >= j) : (config.exclusive() ? k < j : k <= j);
                        u[k][j] = summed ? 1 : 0;
                    }
                }
                SDVariable x = inputs.get(0);
                SDVariable moved = a == r - 1 ? x : x.permute(perm);
                long[] movedShape = new long[r + 1];
                movedShape[0] = -1;
                for (int i = 1; i <= r; i++) {
                    movedShape[i] = in.withBatch(1)[perm[i]];
                }
                SDVariable tri = ctx.sd().constant(Nd4j.createFromArray(u).castTo(x.dataType()));
                SDVariable y = moved.reshape(-1, n).mmul(tri).reshape(movedShape);
                return a == r - 1 ? y : y.permute(back);
            }
        };
    }
}
