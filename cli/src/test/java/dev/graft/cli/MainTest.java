package dev.graft.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    private static final List<String> ALL = List.of("plugins", "train", "finetune", "eval", "predict", "summary", "tune", "import", "export",
            "onnx-test", "info", "bench", "demo", "help");

    @Test
    void aNamedCommandIsTheOnlyOneBuiltAnythingElseGetsAll() {
        assertThat(Main.commandLine(new String[] {"train", "x.yaml"}).getSubcommands()).containsOnlyKeys("train");
        assertThat(Main.commandLine(new String[] {"onnx-test"}).getSubcommands()).containsOnlyKeys("onnx-test");
        for (String[] args : List.of(new String[0], new String[] {"--help"}, new String[] {"help", "train"}, new String[] {"trian"},
                new String[] {"--version"})) {
            assertThat(Main.commandLine(args).getSubcommands().keySet()).as(String.join(" ", args)).containsExactlyElementsOf(ALL);
        }
    }

    @Test
    void usageListsEveryCommandAndEachCommandHasItsOwnHelp() {
        CliRunner all = CliRunner.run("--help");
        assertThat(all.exit()).isZero();
        for (String c : ALL) {
            assertThat(all.out()).contains("  " + c + " ");
        }
        CliRunner help = CliRunner.run("help", "train");
        CliRunner direct = CliRunner.run("train", "--help");
        assertThat(direct.exit()).isZero();
        assertThat(direct.out()).startsWith("Usage: graft train ").contains("--timing").isEqualTo(help.out());
    }

    @Test
    void aMisspeltCommandIsSuggestedFromAllOfThem() {
        CliRunner r = CliRunner.run("trian", "x.yaml");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("trian").contains("train");
    }
}
