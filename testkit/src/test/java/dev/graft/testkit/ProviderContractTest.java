package dev.graft.testkit;

import dev.graft.api.GraftApi;
import dev.graft.api.Shape;
import dev.graft.api.config.Default;
import dev.graft.api.config.Doc;
import dev.graft.api.config.NoConfig;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerContext;
import dev.graft.api.layer.LayerProvider;
import dev.graft.api.layer.ParamSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProviderContractTest {

    public static final class Good implements LayerProvider<Good.Config> {
        public record Config(@Doc("multiplier") @Default("2.0") double factor,
                             @Doc("optional label") @Default(Default.NULL) String label) {
        }

        @Override
        public String id() {
            return "scale-by";
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
            return "multiplies its input by a constant";
        }

        @Override
        public Layer create(Config c) {
            return new Layer() {
                @Override
                public Shape outputShape(List<Shape> in) {
                    return in.get(0);
                }

                @Override
                public List<ParamSpec> params(List<Shape> in) {
                    return List.of();
                }

                @Override
                public SDVariable forward(LayerContext ctx, List<SDVariable> in) {
                    return in.get(0).mul(c.factor());
                }
            };
        }
    }

    public static final class Bad implements LayerProvider<Bad.Config> {
        public record Config(double factor, @Doc("count") @Default(Default.NULL) int count) {
        }

        private Bad(int x) {
        }

        static Bad make() {
            return new Bad(1);
        }

        @Override
        public String id() {
            return "Scale_By";
        }

        @Override
        public String version() {
            return "";
        }

        @Override
        public String apiVersion() {
            return "2.0";
        }

        @Override
        public Class<Config> configType() {
            return Config.class;
        }

        @Override
        public String description() {
            return "two\nlines";
        }

        @Override
        public Layer create(Config c) {
            throw new UnsupportedOperationException();
        }
    }

    public static final class NotARecordConfig implements LayerProvider<NoConfig> {
        @Override
        public String id() {
            return "x";
        }

        @Override
        public String version() {
            return "1";
        }

        @Override
        public String apiVersion() {
            return "one";
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Class<NoConfig> configType() {
            return (Class) String.class;
        }

        @Override
        public String description() {
            return "d";
        }

        @Override
        public Layer create(NoConfig c) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aGoodProviderPasses() {
        assertThatCode(() -> ProviderContract.check(new Good())).doesNotThrowAnyException();
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> ProviderContract.check(Bad.make()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("id must be lower-kebab-case (like leaky-relu), got 'Scale_By'")
                .hasMessageContaining("version must not be empty")
                .hasMessageContaining("apiVersion 2.0 is not compatible with the API on the class path (1.0)")
                .hasMessageContaining("config component 'factor' of Config needs a @Doc sentence")
                .hasMessageContaining("config component 'count' is a primitive int and cannot default to null")
                .hasMessageContaining("description must be one line")
                .hasMessageContaining("needs a public no-argument constructor or an @Inject constructor");
    }

    @Test
    void malformedApiVersionsAndNonRecordConfigsAreReported() {
        assertThatThrownBy(() -> ProviderContract.check(new NotARecordConfig()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("apiVersion: API version must look like 1.0, got 'one'")
                .hasMessageContaining("configType must be a record, got java.lang.String");
    }

    @Test
    void servicesMustListSomething() {
        assertThatThrownBy(() -> ProviderContract.checkServices(LayerProvider.class))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no dev.graft.api.layer.LayerProvider found");
        assertThatThrownBy(() -> ProviderContract.checkServices(String.class))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
