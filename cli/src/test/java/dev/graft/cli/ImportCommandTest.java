package dev.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** graft import --check / --out, then summary and predict on the imported model, and both engines on the .onnx file. */
class ImportCommandTest {
    private static final Path MLP = Path.of("..", "onnx-bridge", "src", "test", "resources", "models", "mlp_op13.onnx").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void importsSummarisesAndPredictsLikeOnnxRuntime() throws Exception {
        CliRunner check = CliRunner.run("import", MLP.toString(), "--check", "--json");
        assertThat(check.exit()).as(check.err()).isZero();
        assertThat(new ObjectMapper().readTree(check.lastLine()).get("complete").asBoolean()).isTrue();

        Path out = tmp.resolve("imported");
        CliRunner imp = CliRunner.run("import", MLP.toString(), "--out", out.toString(), "--json");
        assertThat(imp.exit()).as(imp.err()).isZero();

        CliRunner summary = CliRunner.run("summary", out.toString());
        assertThat(summary.exit()).as(summary.err()).isZero();
        assertThat(summary.out()).contains("dense").contains("loss none");

        StringBuilder row = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            row.append(i == 0 ? "" : ",").append(0.1 * (i - 3));
        }
        Path csv = tmp.resolve("rows.csv");
        Files.writeString(csv, row + "\n" + row + "\n");
        JsonNode ort = new ObjectMapper().readTree(CliRunner.run("predict", MLP.toString(), csv.toString(), "--json").lastLine());
        CliRunner nat = CliRunner.run("predict", MLP.toString(), csv.toString(), "--engine", "native", "--json");
        assertThat(nat.exit()).as(nat.err()).isZero();
        JsonNode native1 = new ObjectMapper().readTree(nat.lastLine());
        CliRunner dir = CliRunner.run("predict", out.toString(), csv.toString(), "--json");
        assertThat(dir.exit()).as(dir.err()).isZero();
        String outName = outputField(ort.get("predictions").get(0));
        JsonNode a = ort.get("predictions").get(0).get(outName);
        JsonNode b = native1.get("predictions").get(0).get(outName);
        JsonNode c = new ObjectMapper().readTree(dir.lastLine()).get("predictions").get(0).get("prediction");
        assertThat(a.size()).isEqualTo(4);
        for (int k = 0; k < 4; k++) {
            assertThat(b.get(k).asDouble()).isCloseTo(a.get(k).asDouble(), org.assertj.core.data.Offset.offset(1e-4));
            assertThat(c.get(k).asDouble()).isCloseTo(a.get(k).asDouble(), org.assertj.core.data.Offset.offset(1e-4));
        }

        // an output with several axes per example ([batch, 2, 4]) prints each example flattened, from the model directory too
        Path grid = MLP.resolveSibling("elementwise_op13.onnx");
        Path gridDir = tmp.resolve("grid");
        assertThat(CliRunner.run("import", grid.toString(), "--out", gridDir.toString()).exit()).isZero();
        JsonNode gridOrt = new ObjectMapper().readTree(CliRunner.run("predict", grid.toString(), csv.toString(), "--json").lastLine());
        CliRunner gridRun = CliRunner.run("predict", gridDir.toString(), csv.toString(), "--json");
        assertThat(gridRun.exit()).as(gridRun.err()).isZero();
        for (int r = 0; r < 2; r++) {
            JsonNode want = gridOrt.get("predictions").get(r).get(outputField(gridOrt.get("predictions").get(r)));
            JsonNode got = new ObjectMapper().readTree(gridRun.lastLine()).get("predictions").get(r).get("prediction");
            assertThat(want.size()).isEqualTo(8);
            assertThat(got.size()).isEqualTo(8);
            for (int k = 0; k < 8; k++) {
                assertThat(got.get(k).asDouble()).isCloseTo(want.get(k).asDouble(), org.assertj.core.data.Offset.offset(1e-4));
            }
        }

        Files.writeString(csv, "1,2,3\n");
        CliRunner bad = CliRunner.run("predict", MLP.toString(), csv.toString(), "--engine", "native");
        assertThat(bad.isCleanError()).as(bad.err()).isTrue();
        assertThat(bad.err()).contains("line 1 has 3 values").contains("8");
    }

    private static String outputField(JsonNode n) {
        var it = n.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!f.equals("row")) {
                return f;
            }
        }
        throw new AssertionError("no output field in " + n);
    }

    /** x float [2, 3] summed over axis 0 (opset 11, axes an attribute): whole tensors only. */
    private Path columnSums() throws java.io.IOException {
        onnx.Onnx.TensorShapeProto.Builder shape = onnx.Onnx.TensorShapeProto.newBuilder()
                .addDim(onnx.Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(2))
                .addDim(onnx.Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(3));
        onnx.Onnx.TypeProto.Builder floats = onnx.Onnx.TypeProto.newBuilder().setTensorType(onnx.Onnx.TypeProto.Tensor.newBuilder().setElemType(1));
        onnx.Onnx.GraphProto g = onnx.Onnx.GraphProto.newBuilder().setName("sums")
                .addInput(onnx.Onnx.ValueInfoProto.newBuilder().setName("x").setType(onnx.Onnx.TypeProto.newBuilder()
                        .setTensorType(onnx.Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))))
                .addOutput(onnx.Onnx.ValueInfoProto.newBuilder().setName("y").setType(floats))
                .addNode(onnx.Onnx.NodeProto.newBuilder().setOpType("ReduceSum").setName("sum").addInput("x").addOutput("y")
                        .addAttribute(onnx.Onnx.AttributeProto.newBuilder().setName("axes").setType(onnx.Onnx.AttributeProto.AttributeType.INTS).addInts(0))
                        .addAttribute(onnx.Onnx.AttributeProto.newBuilder().setName("keepdims").setType(onnx.Onnx.AttributeProto.AttributeType.INT).setI(0)))
                .build();
        Path file = tmp.resolve("sums.onnx");
        Files.write(file, onnx.Onnx.ModelProto.newBuilder().setIrVersion(7).setGraph(g)
                .addOpsetImport(onnx.Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(11)).build().toByteArray());
        return file;
    }

    @Test
    void theBatchAxisOfImportAndNativePredict() throws Exception {
        Path model = columnSums();
        CliRunner first = CliRunner.run("import", model.toString(), "--out", tmp.resolve("first").toString(), "--batch-axis", "first");
        assertThat(first.isCleanError()).as(first.err()).isTrue();
        assertThat(first.err()).contains("node 'sum'", "batch axis");
        CliRunner none = CliRunner.run("import", model.toString(), "--out", tmp.resolve("none").toString(), "--batch-axis", "none", "--json");
        assertThat(none.exit()).as(none.err()).isZero();
        assertThat(new ObjectMapper().readTree(none.lastLine()).get("batch_axis").asText()).isEqualTo("none");

        Path csv = tmp.resolve("tensors.csv");
        Files.writeString(csv, "1,2,3,4,5,6\n0,0,1,0,0,1\n");
        CliRunner p = CliRunner.run("predict", model.toString(), csv.toString(), "--engine", "native", "--batch-axis", "none", "--json");
        assertThat(p.exit()).as(p.err()).isZero();
        JsonNode preds = new ObjectMapper().readTree(p.lastLine()).get("predictions");
        assertThat(preds.get(0).get("y").toString()).isEqualTo("[5.0,7.0,9.0]");
        assertThat(preds.get(1).get("y").toString()).isEqualTo("[0.0,0.0,2.0]");
        // the saved model takes one whole tensor per row too
        CliRunner dir = CliRunner.run("predict", tmp.resolve("none").toString(), csv.toString(), "--json");
        assertThat(dir.exit()).as(dir.err()).isZero();
        assertThat(new ObjectMapper().readTree(dir.lastLine()).get("predictions").get(0).get("prediction").toString()).isEqualTo("[5.0,7.0,9.0]");

        CliRunner ort = CliRunner.run("predict", model.toString(), csv.toString(), "--batch-axis", "none");
        assertThat(ort.isCleanError()).isTrue();
        assertThat(ort.err()).contains("--batch-axis applies to --engine native only");
        CliRunner bad = CliRunner.run("import", model.toString(), "--check", "--batch-axis", "sideways");
        assertThat(bad.exit()).as(bad.err()).isEqualTo(2);
        assertThat(bad.err()).contains("--batch-axis must be first, none or auto, got 'sideways'");
    }
}
