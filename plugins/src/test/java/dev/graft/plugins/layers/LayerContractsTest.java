package dev.graft.plugins.layers;

import dev.graft.api.Shape;
import dev.graft.api.layer.LayerProvider;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.testkit.LayerContract;
import dev.graft.testkit.ValueGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every built-in layer, in representative configurations, through the testkit's {@link LayerContract}:
 * gradients in both modes, config and save/load round-trips, train vs infer, float32. The configs are
 * written as a user writes them in an experiment file and bound by the runtime's binder.
 */
class LayerContractsTest {

    private static final ValueGenerator AWAY_FROM_KINK = ValueGenerator.awayFromZero(0.1, 1);

    /** One configuration of one layer. */
    record Case(String id, Map<String, Object> config, Shape[] inputs, UnaryOperator<LayerContract.Check<Record>> options) {
        @Override
        public String toString() {
            return id + " " + config + " on " + Arrays.stream(inputs).map(Shape::toString).collect(Collectors.joining(", "));
        }
    }

    static Case c(String id, Map<String, Object> config, Shape... inputs) {
        return new Case(id, config, inputs, UnaryOperator.identity());
    }

    static Case c(String id, Map<String, Object> config, UnaryOperator<LayerContract.Check<Record>> options, Shape... inputs) {
        return new Case(id, config, inputs, options);
    }

    /** An ordered map from alternating keys and values. */
    static Map<String, Object> m(Object... kv) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put((String) kv[i], kv[i + 1]);
        }
        return out;
    }

    static List<Case> cases() {
        return List.of(
                c("dense", m("units", 4), Shape.of(5)),
                c("dense", m("units", 3, "use-bias", false, "weight-init", m("type", "normal", "std", 0.5)), Shape.of(2)),
                c("relu", m(), o -> o.inputValues(AWAY_FROM_KINK), Shape.of(7)),
                c("leaky-relu", m("alpha", 0.2), o -> o.inputValues(AWAY_FROM_KINK), Shape.of(2, 3)),
                c("sigmoid", m(), Shape.of(2, 3)),
                c("tanh", m(), Shape.of(6)),
                c("softmax", m(), Shape.of(2, 5)),
                c("dropout", m("rate", 0.3), Shape.of(10)),
                c("flatten", m(), Shape.of(2, 3, 2)),

                c("conv2d", m("filters", 3, "kernel", 3), Shape.of(2, 5, 5)),
                c("conv2d", m("filters", 4, "kernel", List.of(3, 2), "stride", List.of(2, 1), "padding", List.of(1, 0),
                        "dilation", List.of(1, 2)), Shape.of(2, 6, 5)),
                // general groups (split and concatenate), asymmetric "same" padding (explicit pad)
                c("conv2d", m("filters", 4, "kernel", 3, "stride", 2, "padding", "same", "groups", 2, "use-bias", false),
                        Shape.of(4, 7, 6)),
                // depthwise with channel multiplier 2
                c("conv2d", m("filters", 4, "kernel", 2, "padding", "same", "groups", 2, "bias-init", "ones"), Shape.of(2, 4, 4)),
                c("conv1d", m("filters", 3, "kernel", 3, "stride", 2, "padding", "same"), Shape.of(2, 7)),
                c("conv1d", m("filters", 4, "kernel", 2, "groups", 2, "dilation", 2, "padding", 1), Shape.of(2, 6)),

                c("max-pool2d", m("kernel", 2), Shape.of(2, 4, 4)),
                c("max-pool2d", m("kernel", 3, "stride", 2, "padding", 1), Shape.of(2, 5, 5)),
                c("max-pool2d", m("kernel", 3, "stride", 2, "padding", "same"), Shape.of(1, 6, 5)),
                c("avg-pool2d", m("kernel", 3, "stride", 2, "padding", 1), Shape.of(2, 5, 5)),
                c("avg-pool2d", m("kernel", List.of(2, 3), "padding", "same"), Shape.of(2, 5, 5)),
                c("max-pool1d", m("kernel", 2), Shape.of(2, 6)),
                c("max-pool1d", m("kernel", 3, "stride", 1, "padding", "same"), Shape.of(2, 5)),
                c("avg-pool1d", m("kernel", 3, "stride", 2, "padding", 1), Shape.of(2, 7)),
                c("global-avg-pool", m(), Shape.of(3, 4, 4)),
                c("global-avg-pool", m(), Shape.of(3, 5)),

                c("batch-norm", m(), o -> o.batch(4).paramValues("running_var", ValueGenerator.uniform(0.5, 1.5)), Shape.of(4)),
                c("batch-norm", m("momentum", 0.2, "eps", 1e-3), o -> o.paramValues("running_var", ValueGenerator.uniform(0.5, 1.5)),
                        Shape.of(3, 5)),
                c("batch-norm", m("affine", false), o -> o.batch(2).paramValues("running_var", ValueGenerator.uniform(0.5, 1.5)),
                        Shape.of(3, 2, 2)),
                c("layer-norm", m(), Shape.of(2, 5)),
                c("layer-norm", m("axes", 2, "elementwise-affine", false), Shape.of(2, 3, 4)),
                c("layer-norm", m("axes", 3, "eps", 1e-3), Shape.of(2, 2, 3)),

                c("embedding", m("vocab-size", 6, "dim", 3),
                        o -> o.inputValues(rng -> rng.nextInt(6)).checkInputs(false), Shape.of(4)),
                c("embedding", m("vocab-size", 5, "dim", 2, "weight-init", m("type", "normal", "std", 0.02)),
                        o -> o.inputValues(rng -> rng.nextInt(5)).checkInputs(false), Shape.of(2, 3)),
                c("lstm", m("units", 3), Shape.of(4, 2)),
                c("lstm", m("units", 2, "return-sequences", false, "recurrent-init", m("type", "orthogonal", "gain", 0.5)),
                        Shape.of(3, 4)),
                c("lstm", m("units", 1), Shape.of(3, 2)),
                c("lstm", m("units", 1, "return-sequences", false), Shape.of(2, 3)),

                c("elu", m("alpha", 0.5), o -> o.inputValues(AWAY_FROM_KINK), Shape.of(2, 4)),
                c("gelu", m(), Shape.of(6)),
                c("gelu", m("approximate", "tanh"), Shape.of(2, 3)),
                c("silu", m(), Shape.of(5)),
                c("log-softmax", m(), Shape.of(2, 5)),

                c("add", m(), Shape.of(3, 2), Shape.of(3, 2), Shape.of(3, 2)),
                c("concat", m(), Shape.of(2, 3), Shape.of(4, 3)),
                c("concat", m("axis", -1), Shape.of(2, 3), Shape.of(2, 1)),
                c("reshape", m("shape", List.of(3, -1)), Shape.of(12)),
                c("reshape", m("shape", List.of(2, 2, 3)), Shape.of(3, 4)));
    }

    static Map<String, LayerProvider<?>> providers() {
        Map<String, LayerProvider<?>> out = new LinkedHashMap<>();
        for (LayerProvider<?> p : ServiceLoader.load(LayerProvider.class)) {
            out.put(p.id(), p);
        }
        return out;
    }

    static Stream<Arguments> contractCases() {
        return cases().stream().map(Arguments::of);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @ParameterizedTest(name = "{0}")
    @MethodSource("contractCases")
    void followsTheLayerContract(Case c) {
        LayerProvider provider = providers().get(c.id());
        assertThat(provider).as("provider " + c.id()).isNotNull();
        Record config = RecordBinder.bind(provider.configType(), c.config(), "model.layers[0]", "layer '" + c.id() + "'");
        LayerContract.Check<Record> check = LayerContract.of(provider, config).inputs(c.inputs()).maxPerArray(24);
        LayerContract.Report report = c.options().apply(check).check();
        assertThat(report.usesMasks()).isEqualTo(c.id().equals("dropout"));
        assertThat(report.updatesState()).isEqualTo(c.id().equals("batch-norm"));
    }

    @Test
    void everyRegisteredLayerHasACase() {
        var covered = cases().stream().map(Case::id).collect(Collectors.toCollection(TreeSet::new));
        assertThat(covered).containsExactlyInAnyOrderElementsOf(new TreeSet<>(providers().keySet()));
    }
}
