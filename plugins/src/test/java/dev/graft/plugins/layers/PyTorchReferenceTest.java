package dev.graft.plugins.layers;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.api.Mode;
import dev.graft.api.layer.Layer;
import dev.graft.api.layer.LayerProvider;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.testkit.LayerRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layers compute what PyTorch computes, in float64. {@code pytorch_reference.py} (beside the JSON in
 * the test resources) produced the inputs, parameters and outputs with Debian's python3-torch; each case
 * names a layer, a config as written in an experiment file, the mode, and for batch normalisation the
 * running statistics after one training step.
 */
class PyTorchReferenceTest {

    static final double TOLERANCE = 1e-10;

    @SuppressWarnings("unchecked")
    static Stream<Arguments> cases() throws IOException {
        try (InputStream in = PyTorchReferenceTest.class.getResourceAsStream("pytorch_reference.json")) {
            Map<String, Object> root = new ObjectMapper().readValue(in, Map.class);
            return ((List<Map<String, Object>>) root.get("cases")).stream().map(c -> Arguments.of(c.get("name"), c));
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name, Map<String, Object> c) {
        LayerProvider provider = LayerContractsTest.providers().get((String) c.get("layer"));
        assertThat(provider).as((String) c.get("layer")).isNotNull();
        Record config = RecordBinder.bind(provider.configType(), (Map<String, Object>) c.get("config"), name, name);
        Layer layer = provider.create(config);
        Mode mode = "train".equals(c.get("mode")) ? Mode.TRAIN : Mode.INFER;
        LayerRunner runner = LayerRunner.of(layer).mode(mode);
        ((Map<String, Object>) c.get("params")).forEach((k, v) -> runner.param(k, array(v)));
        INDArray[] inputs = ((List<Object>) c.get("inputs")).stream().map(PyTorchReferenceTest::array).toArray(INDArray[]::new);
        LayerRunner.Output out = runner.run(inputs);
        assertClose(name + " output", out.output(), array(c.get("output")));
        Map<String, Object> state = (Map<String, Object>) c.get("state");
        if (state != null) {
            assertThat(out.stateUpdates()).containsOnlyKeys(state.keySet());
            state.forEach((k, v) -> assertClose(name + " " + k, out.stateUpdates().get(k), array(v)));
        }
    }

    static void assertClose(String what, INDArray actual, INDArray expected) {
        assertThat(actual.shape()).as(what + " shape").containsExactly(expected.shape());
        double worst = actual.sub(expected).amaxNumber().doubleValue();
        assertThat(worst).as(what + ": max |graft - pytorch|").isLessThan(TOLERANCE * (1 + expected.amaxNumber().doubleValue()));
    }

    /** A float64 array from nested JSON lists. */
    static INDArray array(Object nested) {
        List<Long> shape = new ArrayList<>();
        Object o = nested;
        while (o instanceof List<?> l) {
            shape.add((long) l.size());
            o = l.isEmpty() ? null : l.get(0);
        }
        List<Double> values = new ArrayList<>();
        flatten(nested, values);
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        long[] s = shape.stream().mapToLong(Long::longValue).toArray();
        return Nd4j.create(v, s, DataType.DOUBLE);
    }

    private static void flatten(Object o, List<Double> out) {
        if (o instanceof List<?> l) {
            l.forEach(e -> flatten(e, out));
        } else {
            out.add(((Number) o).doubleValue());
        }
    }
}
