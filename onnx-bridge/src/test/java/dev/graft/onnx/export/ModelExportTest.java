package dev.graft.onnx.export;

import dev.graft.api.data.Examples;
import dev.graft.runtime.Graft;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.config.Experiment;
import dev.graft.runtime.engine.Network;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole models: trained through the normal trainer with feature transforms, exported, and run by ONNX
 * Runtime on <em>raw</em> features, against {@code TrainedModel.predict} on the same raw features.
 */
class ModelExportTest {
    @TempDir
    Path tmp;

    private static Graft graft() {
        return Fixtures.graft();
    }

    private TrainedModel train(String yaml, String... overrides) throws Exception {
        Path file = tmp.resolve("exp.yaml");
        Files.writeString(file, yaml);
        Experiment exp = graft().experiment(file, overrides);
        return graft().train(exp);
    }

    private INDArray rows(INDArray features, int n) {
        return features.get(NDArrayIndex.interval(0, n)).dup();
    }

    @Test
    void mlpWithStandardizeTakesRawFeatures() throws Exception {
        TrainedModel m = train("""
                data: {dataset: digits, test-split: 0.2, transforms: [standardize]}
                model:
                  layers:
                    - {type: dense, units: 32, name: fc1}
                    - relu
                    - {type: dense, units: 10, name: out}
                loss: softmax-cross-entropy
                optimizer: {type: adam, lr: 0.01}
                training: {epochs: 2, batch-size: 64, seed: 5, progress: none}
                """);
        assertThat(m.transforms()).hasSize(1);
        Path file = tmp.resolve("mlp.onnx");
        OnnxExport.Result r = OnnxExport.export(m, graft().plugins(), file, OnnxExport.Options.DEFAULT);
        assertThat(r.predictions()).isTrue();
        Examples test = graft().split(graft().experiment(tmp.resolve("exp.yaml"))).splits().test();
        INDArray raw = rows(test.features(), 40);
        assertThat(Fixtures.maxDiff(m.transform(raw), raw)).as("the transform changes the features").isGreaterThan(1);
        INDArray expected = m.predict(raw);
        INDArray actual = Fixtures.ort(file, Map.of(Network.INPUT, raw));
        assertThat(Fixtures.maxDiff(actual, expected)).isLessThan(1e-4);
        // probabilities: each row sums to 1
        assertThat(actual.sum(1).sub(1).amaxNumber().doubleValue()).isLessThan(1e-5);
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(file));
        assertThat(proto.getMetadataPropsList()).extracting(Onnx.StringStringEntryProto::getKey, Onnx.StringStringEntryProto::getValue)
                .contains(org.assertj.core.groups.Tuple.tuple("graft.output", "predictions of loss softmax-cross-entropy"),
                        org.assertj.core.groups.Tuple.tuple("graft.classes", "[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]"));

        // without the transform in front, the file would not match: the transform matters
        INDArray standardized = m.transform(raw);
        assertThat(Fixtures.maxDiff(Fixtures.ort(file, Map.of(Network.INPUT, standardized)), expected)).isGreaterThan(1e-2);

        // raw output: the logits, which softmax turns into predict()'s probabilities
        Path logitsFile = tmp.resolve("logits.onnx");
        OnnxExport.Result raw1 = OnnxExport.export(m, graft().plugins(), logitsFile, OnnxExport.Options.DEFAULT.withRawOutput(true));
        assertThat(raw1.predictions()).isFalse();
        INDArray logits = Fixtures.ort(logitsFile, Map.of(Network.INPUT, raw));
        INDArray soft = Nd4j.nn().softmax(logits.castTo(DataType.DOUBLE), 1);
        assertThat(Fixtures.maxDiff(soft, expected)).isLessThan(1e-4);
        assertThat(Fixtures.maxDiff(logits, expected)).isGreaterThan(0.1);

        OnnxExport.Check check = OnnxExport.check(m, logitsFile, graft().plugins(), OnnxExport.Options.DEFAULT.withRawOutput(true), 6, 1);
        // random normal inputs, standardised by features of tiny spread, give logits in the thousands: compare relatively
        assertThat(check.within(1e-4, 1e-5)).as(check.toString()).isTrue();
        assertThat(check.maxAbs()).isGreaterThan(0.1);
        assertThat(check.examples()).isEqualTo(6);
    }

    @Test
    void oneHotAndMinMaxAreWrittenInFront() throws Exception {
        StringBuilder csv = new StringBuilder("colour,size,weight,label\n");
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            int colour = new int[] {3, 5, 9}[rng.nextInt(3)];
            double size = rng.nextDouble() * 20 - 5;
            double weight = rng.nextDouble() * 100;
            int label = (colour == 9 || size > 5) ? 1 : 0;
            csv.append(colour).append(',').append(String.format("%.3f", size)).append(',').append(String.format("%.2f", weight))
                    .append(',').append(label).append('\n');
        }
        Files.writeString(tmp.resolve("data.csv"), csv);
        TrainedModel m = train("""
                data:
                  dataset: {type: csv, path: data.csv, label: label}
                  transforms: [{type: one-hot, columns: [0]}, min-max]
                model:
                  layers:
                    - {type: dense, units: 8}
                    - tanh
                    - {type: dense, units: 1}
                loss: binary-cross-entropy
                optimizer: {type: adam, lr: 0.02}
                training: {epochs: 3, batch-size: 32, progress: none}
                """);
        assertThat(m.network().inputShape().dims()).containsExactly(5);
        Path file = tmp.resolve("tab.onnx");
        OnnxExport.export(m, graft().plugins(), file, OnnxExport.Options.DEFAULT);
        // seen categories, an unseen one (7) and one between (4.5), values outside the training range
        INDArray raw = Nd4j.createFromArray(new float[][] {{3, 1.5f, 20}, {5, -9, 150}, {9, 12, 0}, {7, 3, 50}, {4.5f, 30, -10}, {0, 0, 0}});
        INDArray expected = m.predict(raw);
        assertThat(Fixtures.maxDiff(Fixtures.ort(file, Map.of(Network.INPUT, raw)), expected)).isLessThan(1e-5);
        assertThat(expected.shape()).containsExactly(6, 1);
    }

    @Test
    void cnnWithBatchNormAfterTraining() throws Exception {
        TrainedModel m = train("""
                data: {dataset: {type: digits, layout: image}, test-split: 0.2}
                model:
                  layers:
                    - {type: conv2d, filters: 6, kernel: 3, padding: same, name: conv1}
                    - {type: batch-norm, name: bn1}
                    - relu
                    - {type: max-pool2d, kernel: 2}
                    - {type: conv2d, filters: 8, kernel: 3, stride: 2, padding: same, name: conv2}
                    - {type: batch-norm, name: bn2, momentum: 0.3}
                    - relu
                    - flatten
                    - {type: dropout, rate: 0.25}
                    - {type: dense, units: 10, name: out}
                loss: softmax-cross-entropy
                optimizer: {type: adam, lr: 0.01}
                training: {epochs: 1, batch-size: 64, seed: 2, progress: none}
                """);
        INDArray mean = m.network().params().get("bn1.running_mean");
        INDArray var = m.network().params().get("bn1.running_var");
        assertThat(mean.amaxNumber().doubleValue()).as("running mean moved from 0").isGreaterThan(0.05);
        assertThat(var.sub(1).amaxNumber().doubleValue()).as("running variance moved from 1").isGreaterThan(0.05);
        Path file = tmp.resolve("cnn.onnx");
        OnnxExport.export(m, graft().plugins(), file, OnnxExport.Options.DEFAULT);
        Examples test = graft().split(graft().experiment(tmp.resolve("exp.yaml"))).splits().test();
        INDArray raw = rows(test.features(), 32);
        INDArray expected = m.predict(raw);
        assertThat(Fixtures.maxDiff(Fixtures.ort(file, Map.of(Network.INPUT, raw)), expected)).isLessThan(1e-4);
        // the exported graph uses the inference form: one BatchNormalization per layer, no Dropout
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(file));
        List<String> ops = proto.getGraph().getNodeList().stream().map(Onnx.NodeProto::getOpType).toList();
        assertThat(ops).filteredOn("BatchNormalization"::equals).hasSize(2);
        assertThat(ops).doesNotContain("Dropout");
    }

    @Test
    void layerNormAndGeluClassifier() {
        Fixtures.Spec spec = Fixtures.spec("ln-gelu", 4, 6)
                .node("proj", "onnx-matmul", Map.of("units", 8, "use-bias", true))
                .node("ln", "layer-norm")
                .node("act", "gelu")
                .node("flat", "flatten")
                .node("out", "dense", Map.of("units", 3))
                .classes(3).train(4);
        TrainedModel m = spec.build(9);
        for (int opset : new int[] {13, 17}) {
            Path file = tmp.resolve("ln" + opset + ".onnx");
            OnnxExport.export(m, graft().plugins(), file, OnnxExport.Options.DEFAULT.withOpset(opset));
            Map<String, INDArray> in = spec.inputs(7, 4);
            INDArray expected = m.predict(in.get(Network.INPUT));
            assertThat(Fixtures.maxDiff(Fixtures.ort(file, in), expected)).as("opset " + opset).isLessThan(1e-4);
            assertThat(expected.sum(1).sub(1).amaxNumber().doubleValue()).isLessThan(1e-5);
        }
    }

    @Test
    void inputAndOutputHaveASymbolicBatchAndRunAtAnyBatchSize() throws Exception {
        Fixtures.Spec spec = Fixtures.spec("mlp", 5).node("fc", "dense", Map.of("units", 3)).node("act", "tanh");
        TrainedModel m = spec.build(2);
        Path file = tmp.resolve("mlp.onnx");
        OnnxExport.export(m, graft().plugins(), file, OnnxExport.Options.DEFAULT);
        Onnx.ModelProto proto = Onnx.ModelProto.parseFrom(Files.readAllBytes(file));
        assertThat(proto.getOpsetImport(0).getVersion()).isEqualTo(17);
        assertThat(proto.getIrVersion()).isEqualTo(8);
        Onnx.ValueInfoProto in = proto.getGraph().getInput(0);
        Onnx.ValueInfoProto out = proto.getGraph().getOutput(0);
        assertThat(in.getName()).isEqualTo("input");
        assertThat(out.getName()).isEqualTo("output");
        assertThat(in.getType().getTensorType().getShape().getDim(0).getDimParam()).isEqualTo("batch");
        assertThat(in.getType().getTensorType().getShape().getDim(1).getDimValue()).isEqualTo(5);
        assertThat(out.getType().getTensorType().getShape().getDim(0).getDimParam()).isEqualTo("batch");
        assertThat(out.getType().getTensorType().getShape().getDim(1).getDimValue()).isEqualTo(3);
        assertThat(proto.getGraph().getInitializerList()).extracting(Onnx.TensorProto::getName).contains("fc.W", "fc.b");
        for (int batch : new int[] {1, 9}) {
            Map<String, INDArray> x = spec.inputs(batch, batch);
            assertThat(Fixtures.maxDiff(Fixtures.ort(file, x), m.predict(x.get(Network.INPUT)))).isLessThan(1e-5);
        }
    }

    @Test
    void modelsWithSeveralInputsKeepTheirInputNames() {
        Fixtures.Spec spec = Fixtures.spec("two", 3).extraInput("side", 3)
                .node("a", "tanh").node("sum", "add", Map.of(), "a", "side").node("fc", "dense", Map.of("units", 2));
        TrainedModel m = spec.build(4);
        Path file = tmp.resolve("two.onnx");
        OnnxExport.Result r = OnnxExport.export(m.network().ir(), m.network().params(), graft().plugins(), file,
                OnnxExport.Options.DEFAULT, "two");
        assertThat(r.inputs()).containsExactly("input", "side");
        Map<String, INDArray> in = spec.inputs(4, 2);
        assertThat(Fixtures.maxDiff(Fixtures.ort(file, in), m.network().predict(in, 512))).isLessThan(1e-5);
    }
}
