package dev.graft.runtime.model;

import dev.graft.runtime.GraftException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelJsonTest {
    static ModelIR sample() {
        return new ModelIR(ModelIR.FORMAT, new ModelIR.InputIR("input", List.of(1L, 28L, 28L)),
                List.of(new ModelIR.NodeIR("flatten1", "flatten", "1.0.0", Map.of(), List.of("input")),
                        new ModelIR.NodeIR("fc1", "dense", "1.0.0", Map.of("units", 10, "use-bias", true, "weight-init", "he-uniform"), List.of("flatten1"))),
                "fc1", new ModelIR.PluginIR("softmax-cross-entropy", "1.0.0", Map.of()),
                new ModelIR.TargetIR("classes", List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), null),
                List.of(new ModelIR.PluginIR("standardize", "1.0.0", Map.of())));
    }

    @Test
    void roundTripsWithIdsAndVersionsButNoClassNames() {
        String json = ModelJson.write(sample());
        assertThat(json).contains("\"plugin\" : \"dense\"").contains("\"version\" : \"1.0.0\"").doesNotContain("dev.graft");
        assertThat(ModelJson.read(json, "m.json")).isEqualTo(sample());
    }

    @Test
    void rejectsOtherFormatsAndBrokenJson() {
        String json = ModelJson.write(sample()).replace("graft-model/1", "graft-model/9");
        assertThatThrownBy(() -> ModelJson.read(json, "m.json")).isInstanceOf(GraftException.class).hasMessageContaining("graft-model/9");
        assertThatThrownBy(() -> ModelJson.read("{\"nodes\": [", "m.json")).isInstanceOf(GraftException.class)
                .hasMessageContaining("m.json is not a valid Graft model description");
        assertThatThrownBy(() -> ModelJson.read(ModelJson.write(sample()).replace("\"output\"", "\"outputz\""), "m.json"))
                .hasMessageContaining("outputz");
    }

    @Test
    void extraOutputsRoundTripAndFilesWithoutThemStillLoad() {
        ModelIR s = sample();
        ModelIR two = new ModelIR(s.format(), s.input(), s.nodes(), s.output(), null, null, List.of(), List.of(), List.of("flatten1"));
        String json = ModelJson.write(two);
        assertThat(json).contains("\"extraOutputs\" : [ \"flatten1\" ]");
        assertThat(ModelJson.read(json, "m.json").extraOutputs()).containsExactly("flatten1");
        // a file written before extra outputs existed has no such field: it loads with none, and one output is written without it
        String old = ModelJson.write(s);
        assertThat(old).doesNotContain("extraOutputs");
        assertThat(ModelJson.read(old, "m.json").extraOutputs()).isEmpty();
    }
}
