package dev.graft.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The third-party plugin sample (samples/custom-plugin), built as a jar by Maven and copied to
 * target/test-plugins, reaches the tests only through the plugin path, as it reaches users.
 */
class CustomPluginSampleTest {
    private static final Path PLUGINS = Path.of("target", "test-plugins").toAbsolutePath();
    private static final Path CONFIG = Path.of("..", "samples", "configs", "digits-scaled-tanh.yaml").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void theSampleJarIsNotOnTheTestClassPath() {
        assertThatClassIsAbsent("com.example.graft.ScaledTanhProvider");
    }

    private static void assertThatClassIsAbsent(String name) {
        try {
            Class.forName(name);
            throw new AssertionError(name + " must not be on the test class path");
        } catch (ClassNotFoundException expected) {
            // good
        }
    }

    @Test
    void withoutThePluginTheLayerIsUnknown() {
        CliRunner r = CliRunner.run("train", CONFIG.toString(), "--set", "training.epochs=1");
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("unknown layer 'scaled-tanh'");
    }

    @Test
    void withThePluginDirectoryTrainPicksItUp() throws Exception {
        assertThat(Files.list(PLUGINS).anyMatch(p -> p.toString().endsWith(".jar"))).isTrue();
        CliRunner list = CliRunner.run("plugins", "--json", "--plugins", PLUGINS.toString());
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.lastLine()).contains("\"id\":\"scaled-tanh\"").contains("graft-sample-custom-plugin");
        CliRunner r = CliRunner.run("train", CONFIG.toString(), "--plugins", PLUGINS.toString(), "--out", tmp.resolve("m").toString(),
                "--set", "training.epochs=8", "--set", "training.progress=none", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(new ObjectMapper().readTree(r.lastLine()).get("metrics").get("accuracy").asDouble()).isGreaterThan(0.85);
        assertThat(Files.readString(tmp.resolve("m").resolve("model.json"))).contains("scaled-tanh");
    }
}
