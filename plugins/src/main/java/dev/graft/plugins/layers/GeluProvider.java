package dev.graft.plugins.layers;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;

/**
 * {@code gelu}: the Gaussian error linear unit {@code x * Phi(x)}, element-wise, any input shape
 * (PyTorch's {@code nn.GELU(approximate)}).
 * <ul>
 *   <li>{@code approximate: none} (the default): exactly {@code 0.5 * x * (1 + erf(x / sqrt(2)))}.</li>
 *   <li>{@code approximate: tanh}: {@code 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))},
 *       as in GPT-2 and BERT implementations.</li>
 * </ul>
 * Both are composed from {@code erf} / {@code tanh}; ND4J's own {@code nn.gelu} is yet another
 * approximation and is not used.
 */
public final class GeluProvider implements LayerProvider<GeluProvider.Config> {

    /** How GELU is computed. */
    public enum Approximate {
        /** The exact form with erf. */
        NONE,
        /** The tanh approximation. */
        TANH
    }

    /** Options of {@code gelu}. */
    public record Config(@Doc("none for the exact erf form, tanh for the tanh approximation")
                         @Default("none") Approximate approximate) {
        public Config {
            if (approximate == null) {
                throw new IllegalArgumentException("approximate must be none or tanh, got null");
            }
        }
    }

    public GeluProvider() {
    }

    @Override
    public String id() {
        return "gelu";
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
        return "Gaussian error linear unit x * Phi(x), exact (erf) or with the tanh approximation";
    }

    @Override
    public Layer create(Config config) {
        return new Layer() {
            @Override
            public Shape outputShape(List<Shape> inputs) {
                return inputs.get(0);
            }

            @Override
            public List<ParamSpec> params(List<Shape> inputs) {
                return List.of();
            }

            @Override
            public SDVariable forward(LayerContext ctx, List<SDVariable> inputs) {
                SameDiff sd = ctx.sd();
                SDVariable x = inputs.get(0);
                SDVariable phi2;
                if (config.approximate() == Approximate.TANH) {
                    SDVariable inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
                    phi2 = sd.math().tanh(inner).add(1.0);
                } else {
                    phi2 = sd.math().erf(x.mul(1 / Math.sqrt(2))).add(1.0);
                }
                return x.mul(0.5).mul(phi2);
            }
        };
    }
}
