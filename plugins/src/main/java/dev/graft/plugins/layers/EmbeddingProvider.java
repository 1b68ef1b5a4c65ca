package dev.graft.plugins.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.init.Fan;
import dev.graft.api.init.InitSpec;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamRole;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/**
 * {@code embedding}: looks token ids up in a table of vectors, PyTorch's {@code nn.Embedding}.
 *
 * <p>Input one example {@code [L]} of token ids written as floats (Graft feeds every input as floats),
 * output {@code [L, dim]} where row {@code i} is row {@code id_i} of the table {@code W}. Inputs of any
 * rank work the same way: {@code [d1, ..., dk] -> [d1, ..., dk, dim]}.
 *
 * <p>Ids are rounded to the nearest integer. An id outside {@code [0, vocab-size)} gives a row of zeros
 * (no error: the one-hot row of an out-of-range id is all zeros), so reserve an id for unknown tokens
 * if the data can contain them. The input gets no gradient (ids are not differentiable).
 *
 * <p>Parameter {@code W} of shape {@code [vocab-size, dim]}, role {@link ParamRole#EMBEDDING}, fan-in
 * {@code vocab-size}, fan-out {@code dim}, initialised by {@code weight-init}: by default
 * {@code normal}, N(0, 1), as PyTorch initialises embeddings; {@code {type: normal, std: 0.02}} is the
 * usual choice for transformers.
 *
 * <p>The lookup is {@code oneHot(ids) x W}: ND4J's {@code gather} cannot be differentiated in
 * 1.0.0-M2.1. The one-hot matrix has {@code batch * L * vocab-size} entries, which is fine for the small
 * to medium vocabularies this layer is meant for.
 */
public final class EmbeddingProvider implements LayerProvider<EmbeddingProvider.Config> {

    /** Options of {@code embedding}. */
    public record Config(
            @Doc("number of distinct token ids; valid ids are 0 to vocab-size - 1") int vocabSize,
            @Doc("length of each embedding vector") int dim,
            @Doc("initializer of the table [vocab-size, dim]; normal is N(0, 1) as in PyTorch")
            @Default("normal") InitSpec weightInit) {
        public Config {
            if (vocabSize <= 0) {
                throw new IllegalArgumentException("vocab-size must be a positive integer, got " + vocabSize);
            }
            if (dim <= 0) {
                throw new IllegalArgumentException("dim must be a positive integer, got " + dim);
            }
            Ids.requireInit("weight-init", weightInit);
        }
    }

    public EmbeddingProvider() {
    }

    @Override
    public String id() {
        return "embedding";
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
        return "looks token ids [L] up in a learned table: [L] -> [L, dim]";
    }

    @Override
    public Layer create(Config config) {
        return new Layer() {
            private Shape check(List<Shape> inputs) {
                Shape in = inputs.get(0);
                if (in.rank() == 0) {
                    throw new IllegalArgumentException("embedding expects token ids such as [length], got " + in);
                }
                return in;
            }

            @Override
            public Shape outputShape(List<Shape> inputs) {
                long[] in = check(inputs).dims();
                long[] out = java.util.Arrays.copyOf(in, in.length + 1);
                out[in.length] = config.dim();
                return Shape.of(out);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                check(inputs);
                return List.of(ParamSpec.of("W", ParamRole.EMBEDDING, config.weightInit(),
                        new Fan(config.vocabSize(), config.dim()), config.vocabSize(), config.dim()));
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                SameDiff sd = ctx.sd();
                SDVariable w = ctx.param("W");
                SDVariable ids = sd.math().round(inputs.get(0)).castTo(DataType.INT32);
                SDVariable oneHot = sd.oneHot(ids, config.vocabSize(), -1, 1.0, 0.0, w.dataType());
                SDVariable rows = oneHot.reshape(-1, config.vocabSize()).mmul(w);
                return rows.reshape(outputShape(ctx.inputShapes()).withBatch(-1));
            }
        };
    }
}
