package dev.graft.runtime.config;

import dev.graft.api.config.Default;
import dev.graft.runtime.GraftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {
    @TempDir
    Path tmp;

    static final String YAML = """
            data:
              dataset: {type: csv, path: d.csv, label: y}
              transforms: [standardize]
            model:
              layers:
                - {type: dense, units: 8, name: fc1}
                - relu
                - {type: dense, units: 3}
            loss: softmax-cross-entropy
            optimizer: {type: sgd, lr: 0.1, groups: [{params: [fc1.*], lr: 0.01}]}
            training: {epochs: 4, batch-size: 16, early-stopping: {patience: 2}}
            output: {dir: "out/${training.epochs}"}
            """;

    static final String PROPS = """
            data.dataset.type = csv
            data.dataset.path = d.csv
            data.dataset.label = y
            data.transforms.0 = standardize
            model.layers.0.type = dense
            model.layers.0.units = 8
            model.layers.0.name = fc1
            model.layers.1 = relu
            model.layers.2.type = dense
            model.layers.2.units = 3
            loss = softmax-cross-entropy
            optimizer.type = sgd
            optimizer.lr = 0.1
            optimizer.groups.0.params = fc1.*
            optimizer.groups.0.lr = 0.01
            training.epochs = 4
            training.batch-size = 16
            training.early-stopping.patience = 2
            output.dir = out/${training.epochs}
            """;

    private Experiment parse(String text, ConfigFiles.Format f, String... overrides) {
        return ExperimentParser.parse(ConfigFiles.read(new StringReader(text), f, List.of(overrides), "test"), tmp, "t");
    }

    @Test
    void yamlAndPropertiesGiveTheSameExperiment() {
        for (ConfigFiles.Format f : ConfigFiles.Format.values()) {
            Experiment e = parse(f == ConfigFiles.Format.YAML ? YAML : PROPS, f);
            assertThat(e.nodes()).extracting(NodeConfig::name).containsExactly("fc1", "relu1", "dense1");
            assertThat(e.nodes().get(2).inputs()).containsExactly("relu1");
            assertThat(e.nodes().get(0).inputs()).containsExactly("input");
            assertThat(e.output()).isEqualTo("dense1");
            assertThat(e.training().epochs()).isEqualTo(4);
            assertThat(e.training().batchSize()).isEqualTo(16);
            assertThat(e.early().patience()).isEqualTo(2);
            assertThat(e.groups()).hasSize(1);
            assertThat(e.groups().get(0).lr()).isEqualTo(0.01);
            assertThat(e.data().transforms()).extracting(PluginRef::id).containsExactly("standardize");
            assertThat(e.outputDir()).isEqualTo(Path.of("out/4"));
            assertThat(e.optimizer().options()).doesNotContainKey("groups");
        }
    }

    @Test
    void overridesApplyToBothFormatsIncludingListEntries() {
        for (ConfigFiles.Format f : ConfigFiles.Format.values()) {
            Experiment e = parse(f == ConfigFiles.Format.YAML ? YAML : PROPS, f, "training.epochs=9", "model.layers.0.units=32");
            assertThat(e.training().epochs()).isEqualTo(9);
            assertThat(String.valueOf(e.nodes().get(0).layer().options().get("units"))).isEqualTo("32");
            assertThat(e.outputDir()).isEqualTo(Path.of("out/9"));
        }
    }

    @Test
    void everyProblemIsReportedWithItsKeyPath() {
        String bad = YAML.replace("epochs: 4", "epochs: -1").replace("batch-size: 16", "batch-size: many")
                .replace("loss:", "los:").replace("patience: 2", "patience: 0");
        assertThatThrownBy(() -> parse(bad, ConfigFiles.Format.YAML))
                .isInstanceOf(GraftException.class)
                .hasMessageContaining("los: unknown section; did you mean 'loss'?")
                .hasMessageContaining("loss: required section is missing")
                .hasMessageContaining("training.batch-size: 'many' is not an integer")
                .hasMessageContaining("patience must be a positive integer, got 0");
    }

    @Test
    void negativeEpochsNamesTheKeyAndValue() {
        assertThatThrownBy(() -> parse(YAML.replace("epochs: 4", "epochs: -1"), ConfigFiles.Format.YAML))
                .hasMessageContaining("training").hasMessageContaining("epochs must be a positive integer, got -1");
    }

    @Test
    void graphReferencesAreChecked() {
        String bad = YAML.replace("- relu", "- {type: relu, inputs: [fc9]}");
        assertThatThrownBy(() -> parse(bad, ConfigFiles.Format.YAML))
                .hasMessageContaining("model.layers[1].inputs: unknown node 'fc9'; did you mean 'fc1'?");
        String dup = YAML.replace("- relu", "- {type: relu, name: fc1}");
        assertThatThrownBy(() -> parse(dup, ConfigFiles.Format.YAML)).hasMessageContaining("'fc1' is used by another node");
    }

    @Test
    void unresolvableInterpolationIsAnError() {
        assertThatThrownBy(() -> parse(YAML.replace("${training.epochs}", "${nope.key}"), ConfigFiles.Format.YAML))
                .hasMessageContaining("output.dir").hasMessageContaining("${nope.key}");
    }

    @Test
    void brokenYamlIsAClearError() {
        assertThatThrownBy(() -> parse("data: [unclosed", ConfigFiles.Format.YAML))
                .isInstanceOf(GraftException.class).hasMessageContaining("is not valid yaml");
    }

    @Test
    void fileFormatsAreChosenByExtension() throws Exception {
        Path y = tmp.resolve("x.yml");
        Files.writeString(y, YAML);
        assertThat(ConfigFiles.load(y, List.of())).containsKey("model");
        Path t = tmp.resolve("x.txt");
        Files.writeString(t, YAML);
        assertThatThrownBy(() -> ConfigFiles.load(t, List.of())).hasMessageContaining("use .yaml, .yml or .properties");
    }

    enum Colour { DARK_RED, BLUE }

    record Sample(int units, @Default("true") boolean useBias, @Default("0.5") double rate, @Default("blue") Colour colour,
                  @Default("[3, 3]") List<Integer> kernel, @Default(Default.NULL) String name) {
        Sample {
            if (units <= 0) {
                throw new IllegalArgumentException("units must be a positive integer, got " + units);
            }
        }
    }

    @Test
    void recordBindingConvertsDefaultsAndRoundTrips() {
        Sample s = RecordBinder.bind(Sample.class, Map.of("units", "5", "colour", "dark-red", "kernel", "[5, 7]"), "m", "layer 'x'");
        assertThat(s).isEqualTo(new Sample(5, true, 0.5, Colour.DARK_RED, List.of(5, 7), null));
        Map<String, Object> back = RecordBinder.unbind(s);
        assertThat(back).containsEntry("use-bias", true).containsEntry("colour", "dark-red").doesNotContainKey("name");
        assertThat(RecordBinder.bind(Sample.class, back, "m", "x")).isEqualTo(s);
    }

    @Test
    void recordBindingReportsUnknownMissingAndInvalid() {
        assertThatThrownBy(() -> RecordBinder.bind(Sample.class, Map.of("unit", 5), "model.layers[0]", "layer 'x'"))
                .hasMessageContaining("model.layers[0].unit: unknown key for layer 'x'; did you mean 'units'?")
                .hasMessageContaining("model.layers[0].units: required key for layer 'x' is missing");
        assertThatThrownBy(() -> RecordBinder.bind(Sample.class, Map.of("units", 0), "model.layers[0]", "layer 'x'"))
                .hasMessageContaining("model.layers[0] (layer 'x'): units must be a positive integer, got 0 (given units=0)");
        assertThatThrownBy(() -> RecordBinder.bind(Sample.class, Map.of("units", 2, "colour", "green"), "p", "x"))
                .hasMessageContaining("p.colour: 'green' is not allowed (allowed: dark-red, blue)");
        assertThatThrownBy(() -> RecordBinder.bind(Sample.class, Map.of("units", 2.5), "p", "x"))
                .hasMessageContaining("p.units: '2.5' is not an integer");
    }
}
