package dev.graft.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Each user error gets one clear message, a non-zero exit and no stack trace. */
class CommandErrorsTest {
    @TempDir
    Path tmp;

    private static final String GOOD = """
            data: {dataset: digits}
            model:
              layers:
                - {type: dense, units: 10}
            loss: softmax-cross-entropy
            optimizer: {type: sgd, lr: 0.1}
            training: {epochs: 1, progress: none}
            """;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void misspeltKeyIsNamedWithTheNearestKey() throws IOException {
        Path cfg = write("bad.yaml", GOOD.replace("training: {epochs: 1", "training: {epochz: 1"));
        CliRunner r = CliRunner.run("train", cfg.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("training.epochz").contains("did you mean 'epochs'");
    }

    @Test
    void misspeltSectionIsAnError() throws IOException {
        Path cfg = write("bad.yaml", GOOD.replace("training:", "trainig:"));
        CliRunner r = CliRunner.run("train", cfg.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("trainig: unknown section; did you mean 'training'?");
    }

    @Test
    void unknownPluginIdListsKnownIdsAndNearest() throws IOException {
        Path cfg = write("bad.yaml", GOOD.replace("type: dense", "type: denes"));
        CliRunner r = CliRunner.run("train", cfg.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("model.layers[0]").contains("unknown layer 'denes'").contains("did you mean 'dense'")
                .contains("known layers:").contains("relu");
    }

    @Test
    void negativeLearningRateIsRejectedBeforeTraining() throws IOException {
        Path cfg = write("bad.yaml", GOOD.replace("lr: 0.1", "lr: -0.1"));
        CliRunner r = CliRunner.run("train", cfg.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("optimizer").contains("lr").contains("-0.1");
        assertThat(r.err()).doesNotContain("epoch 1");
    }

    @Test
    void missingDataFileIsNamed() throws IOException {
        Path cfg = write("bad.yaml", GOOD.replace("dataset: digits", "dataset: {type: csv, path: nowhere.csv, label: y}"));
        CliRunner r = CliRunner.run("train", cfg.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.exit()).isEqualTo(5);
        assertThat(r.err()).contains(tmp.resolve("nowhere.csv").toString());
    }

    @Test
    void nonNumericCsvCellIsNamedWithLineAndColumn() throws IOException {
        write("data.csv", "a,b,y\n1,2,0\n3,x7,1\n5,6,0\n7,8,1\n");
        Path cfg = write("bad.yaml", GOOD.replace("dataset: digits", "dataset: {type: csv, path: data.csv, label: y}")
                .replace("units: 10", "units: 2"));
        CliRunner r = CliRunner.run("train", cfg.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("data.csv").contains("line 3").contains("x7");
    }

    @Test
    void missingConfigFile() {
        CliRunner r = CliRunner.run("train", tmp.resolve("none.yaml").toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("does not exist");
    }

    @Test
    void badOverride() throws IOException {
        Path cfg = write("ok.yaml", GOOD);
        CliRunner r = CliRunner.run("train", cfg.toString(), "--set", "training.epochs");
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("key=value");
    }

    @Test
    void shapeMismatchNamesTheNode() throws IOException {
        Path cfg = write("bad.yaml", GOOD.replace("units: 10", "units: 7"));
        CliRunner r = CliRunner.run("train", cfg.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("dense1").contains("[7]").contains("10 classes");
    }

    @Test
    void anOutputDirectoryHoldingOtherFilesIsRefusedBeforeTraining() throws IOException {
        Path cfg = write("ok.yaml", GOOD);
        Path busy = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(busy.resolve("notes.txt"), "mine");
        CliRunner r = CliRunner.run("train", cfg.toString(), "--out", busy.toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("holds other files and no model.json");
        assertThat(r.err()).doesNotContain("epoch 1");
        assertThat(Files.readString(busy.resolve("notes.txt"))).isEqualTo("mine");
    }

    @Test
    void unknownCommandSuggests() {
        CliRunner r = CliRunner.run("trian");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("train");
    }
}
