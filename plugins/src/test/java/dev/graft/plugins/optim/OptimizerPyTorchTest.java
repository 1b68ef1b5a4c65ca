package dev.graft.plugins.optim;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.api.optim.Optimizer;
import dev.graft.api.optim.OptimizerProvider;
import dev.graft.api.optim.Param;
import dev.graft.api.optim.ParamGroup;
import dev.graft.runtime.config.RecordBinder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The optimizers reproduce PyTorch 1.13's {@code torch.optim} optimizers bit for bit, in float32 and in
 * float64. {@code optim_reference.py} (beside the JSON in the test resources) stepped each optimizer
 * five times on a 4x25 parameter and recorded the weights after every step and the state after the
 * last. Graft computes in the parameter's element type with the operations rounded as PyTorch's CPU
 * kernels round them (fused multiply-adds where those use them), and Java's arithmetic is the same on
 * every machine, so the comparison is exact.
 */
class OptimizerPyTorchTest {
    private static Map<String, Object> reference;

    static final Map<String, OptimizerProvider<?>> PROVIDERS = Map.of("sgd", new SgdProvider(), "adam", new AdamProvider(),
            "adamw", new AdamWProvider(), "rmsprop", new RmspropProvider(), "adagrad", new AdagradProvider());

    @SuppressWarnings("unchecked")
    static synchronized Map<String, Object> reference() throws IOException {
        if (reference == null) {
            try (InputStream in = OptimizerPyTorchTest.class.getResourceAsStream("optim_reference.json")) {
                reference = new ObjectMapper().readValue(in, Map.class);
            }
        }
        return reference;
    }

    @SuppressWarnings("unchecked")
    static Stream<Arguments> cases() throws IOException {
        return ((List<Map<String, Object>>) reference().get("cases")).stream().map(c -> Arguments.of(c.get("name"), c));
    }

    /** The JSON numbers as an array of the type; float32 values must survive the round trip exactly. */
    static INDArray array(Object values, long[] shape, DataType type) {
        List<?> list = (List<?>) values;
        double[] d = new double[list.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = ((Number) list.get(i)).doubleValue();
            if (type == DataType.FLOAT) {
                assertThat((double) (float) d[i]).as("a float32 reference value").isEqualTo(d[i]);
            }
        }
        INDArray a = Nd4j.createFromArray(d).reshape('c', shape);
        return type == DataType.FLOAT ? a.castTo(DataType.FLOAT) : a;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorchExactly(String name, Map<String, Object> c) throws IOException {
        long[] shape = ((List<Number>) reference().get("shape")).stream().mapToLong(Number::longValue).toArray();
        String typeName = (String) c.get("type");
        DataType type = "float32".equals(typeName) ? DataType.FLOAT : DataType.DOUBLE;
        OptimizerProvider provider = PROVIDERS.get((String) c.get("optimizer"));
        Optimizer opt = provider.create(RecordBinder.bind(provider.configType(), (Map<String, Object>) c.get("config"), name, name));
        INDArray w = array(((Map<String, Object>) reference().get("w0")).get(typeName), shape, type);
        List<Object> grads = (List<Object>) ((Map<String, Object>) reference().get("grads")).get(typeName);
        List<Object> after = (List<Object>) c.get("after");
        for (int s = 0; s < grads.size(); s++) {
            Param p = new Param("fc.W", w, array(grads.get(s), shape, type));
            opt.step(List.of(new ParamGroup("default", List.of(p), opt.learningRate(), opt.weightDecay(), false)), s + 1);
            assertSame(name + ", weights after step " + (s + 1), w, array(after.get(s), shape, type));
        }
        Map<String, INDArray> state = opt.state();
        Map<String, Object> expectedState = (Map<String, Object>) c.get("state");
        assertThat(state.keySet().stream().filter(k -> !k.endsWith("/step")).map(k -> k.substring("fc.W/".length())))
                .as(name + " state slots").containsExactlyInAnyOrderElementsOf(expectedState.keySet());
        expectedState.forEach((slot, values) -> assertSame(name + ", state " + slot, state.get("fc.W/" + slot), array(values, shape, type)));
    }

    /** Every element equal, compared as float64 values of the arrays' own type. */
    static void assertSame(String what, INDArray actual, INDArray expected) {
        assertThat(actual.dataType()).as(what).isEqualTo(expected.dataType());
        assertThat(actual.shape()).as(what).containsExactly(expected.shape());
        double[] a = Nd4j.toFlattened('c', actual).toDoubleVector();
        double[] e = Nd4j.toFlattened('c', expected).toDoubleVector();
        assertThat(a).as(what).containsExactly(e);
    }
}
