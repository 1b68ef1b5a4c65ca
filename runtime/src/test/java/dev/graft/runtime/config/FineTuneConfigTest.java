package dev.graft.runtime.config;

import dev.graft.runtime.GraftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The base and head sections of fine-tuning experiments, in both file formats, and their errors. */
class FineTuneConfigTest {
    @TempDir
    Path tmp;

    static final String YAML = """
            data: {dataset: digits}
            base:
              onnx: models/pretrained.onnx
              cut-at: Relu_2
              freeze: ["conv*", "bn1*.gamma"]
              batch-norm: update
              lr: 0.0001
            head:
              layers:
                - {type: dense, units: 16, name: h1}
                - relu
                - {type: dense, units: 10, name: out, inputs: [relu1]}
            loss: softmax-cross-entropy
            optimizer: {type: adam, lr: 0.01}
            """;

    static final String PROPS = """
            data.dataset = digits
            base.onnx = models/pretrained.onnx
            base.cut-at = Relu_2
            base.freeze.0 = conv*
            base.freeze.1 = bn1*.gamma
            base.batch-norm = update
            base.lr = 0.0001
            head.layers.0.type = dense
            head.layers.0.units = 16
            head.layers.0.name = h1
            head.layers.1 = relu
            head.layers.2.type = dense
            head.layers.2.units = 10
            head.layers.2.name = out
            head.layers.2.inputs = relu1
            loss = softmax-cross-entropy
            optimizer.type = adam
            optimizer.lr = 0.01
            """;

    private Experiment parse(String text, ConfigFiles.Format f, String... overrides) {
        return ExperimentParser.parse(ConfigFiles.read(new StringReader(text), f, List.of(overrides), "test"), tmp, "t");
    }

    private GraftException error(String text, String... overrides) {
        try {
            parse(text, ConfigFiles.Format.YAML, overrides);
        } catch (GraftException e) {
            assertThat(e.code()).isEqualTo(GraftException.Code.CONFIG);
            return e;
        }
        throw new AssertionError("no error for:\n" + text + " " + List.of(overrides));
    }

    @Test
    void baseAndHeadParseAlikeInBothFormats() {
        for (ConfigFiles.Format f : ConfigFiles.Format.values()) {
            Experiment e = parse(f == ConfigFiles.Format.YAML ? YAML : PROPS, f);
            assertThat(e.fineTunes()).isTrue();
            BaseConfig b = e.base();
            assertThat(b.onnx()).isEqualTo("models/pretrained.onnx");
            assertThat(b.cutAt()).isEqualTo("Relu_2");
            assertThat(b.freeze()).containsExactly("conv*", "bn1*.gamma");
            assertThat(b.freezeAllButLast()).isNull();
            assertThat(b.batchNorm()).isEqualTo(BaseConfig.BatchNormPolicy.UPDATE);
            assertThat(b.lr()).isEqualTo(1e-4);
            assertThat(e.nodes()).extracting(NodeConfig::name).containsExactly("h1", "relu1", "out");
            assertThat(e.nodes().get(0).inputs()).as("the head's first node reads the base").containsExactly(Experiment.BASE);
            assertThat(e.nodes().get(1).inputs()).containsExactly("h1");
            assertThat(e.nodes().get(2).inputs()).containsExactly("relu1");
            assertThat(e.output()).isEqualTo("out");
        }
    }

    @Test
    void defaultsAndAHeadlessBase() {
        Experiment e = parse("""
                data: {dataset: digits}
                base: {onnx: m.onnx, freeze-all-but-last: 2}
                loss: mse
                optimizer: sgd
                """, ConfigFiles.Format.YAML);
        assertThat(e.base().cutAt()).isNull();
        assertThat(e.base().freeze()).isEmpty();
        assertThat(e.base().freezeAllButLast()).isEqualTo(2);
        assertThat(e.base().batchNorm()).as("default").isEqualTo(BaseConfig.BatchNormPolicy.FROZEN);
        assertThat(e.base().lr()).isNull();
        assertThat(e.nodes()).isEmpty();
        assertThat(e.output()).as("no head: the base's output is the model's").isNull();
        Experiment plain = parse(ConfigTest.YAML, ConfigFiles.Format.YAML);
        assertThat(plain.fineTunes()).isFalse();
    }

    @Test
    void overridesReachTheBaseSection() {
        Experiment e = parse(YAML, ConfigFiles.Format.YAML, "base.batch-norm=frozen", "base.cut-at=flatten_Flatten");
        assertThat(e.base().batchNorm()).isEqualTo(BaseConfig.BatchNormPolicy.FROZEN);
        assertThat(e.base().cutAt()).isEqualTo("flatten_Flatten");
    }

    @Test
    void modelAndBaseTogetherAreRefused() {
        String msg = error("""
                data: {dataset: digits}
                base: {onnx: m.onnx}
                model: {layers: [{type: dense, units: 3}]}
                loss: mse
                optimizer: sgd
                """).getMessage();
        assertThat(msg).contains("model: a fine-tuning experiment (with a base section) takes no model section").contains("head");
    }

    @Test
    void aHeadNeedsABase() {
        String msg = error("""
                data: {dataset: digits}
                model: {layers: [{type: dense, units: 3}]}
                head: {layers: [{type: dense, units: 3}]}
                loss: mse
                optimizer: sgd
                """).getMessage();
        assertThat(msg).contains("head: needs a base section");
    }

    @Test
    void withoutBaseTheModelIsStillRequired() {
        assertThat(error("""
                data: {dataset: digits}
                loss: mse
                optimizer: sgd
                """).getMessage()).contains("model: required section is missing");
    }

    @Test
    void badBaseValuesAreNamed() {
        String base = """
                data: {dataset: digits}
                base: %s
                loss: mse
                optimizer: sgd
                """;
        assertThat(error(base.formatted("{cut-at: x}")).getMessage()).contains("base.onnx: required key").contains("pretrained ONNX model");
        assertThat(error(base.formatted("{onnx: m.onnx, freez: [a]}")).getMessage())
                .contains("base.freez: unknown key").contains("did you mean 'freeze'");
        assertThat(error(base.formatted("{onnx: m.onnx, batch-norm: sometimes}")).getMessage())
                .contains("base.batch-norm").contains("sometimes").contains("frozen").contains("update");
        assertThat(error(base.formatted("{onnx: m.onnx, freeze: [a], freeze-all-but-last: 1}")).getMessage())
                .contains("base").contains("give freeze (patterns) or freeze-all-but-last (a count), not both");
        assertThat(error(base.formatted("{onnx: m.onnx, freeze-all-but-last: -1}")).getMessage())
                .contains("freeze-all-but-last must be 0 or more, got -1");
        assertThat(error(base.formatted("{onnx: m.onnx, lr: -0.1}")).getMessage()).contains("lr must be a finite number >= 0");
        assertThat(error(base.formatted("m.onnx")).getMessage()).contains("base: must be a section of keys");
    }

    @Test
    void headNodesMayReadTheBaseButNotUnknownNodes() {
        String head = """
                data: {dataset: digits}
                base: {onnx: m.onnx}
                head: {layers: [%s]}
                loss: mse
                optimizer: sgd
                """;
        Experiment ok = parse(head.formatted("{type: dense, units: 4, name: a}, {type: add, inputs: [a, base]}"), ConfigFiles.Format.YAML);
        assertThat(ok.nodes().get(1).inputs()).containsExactly("a", "base");
        assertThat(error(head.formatted("{type: dense, units: 4, inputs: [bas]}")).getMessage())
                .contains("head.layers[0].inputs: unknown node 'bas'").contains("did you mean 'base'").contains("'base' (the base model's output)");
        assertThat(error(head.formatted("{type: dense, units: 4, name: base}")).getMessage())
                .contains("head.layers[0].name: 'base' is not a valid node name").contains("'base' are reserved");
        assertThat(error(head.formatted("")).getMessage()).contains("head: must list the new layers").contains("leave head out");
        assertThat(error(head.formatted("{type: dense, units: 4}") + "\n", "head.output=nope").getMessage())
                .contains("head.output: unknown node 'nope'");
    }
}
