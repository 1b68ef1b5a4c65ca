package dev.graft.onnx;

import dev.graft.onnx.ort.OrtEngineFactory;
import dev.graft.runtime.GraftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InferenceEngineFactoryTest {
    @TempDir
    Path tmp;

    /** A second engine calling itself "ort". */
    public static final class Impostor implements InferenceEngineFactory {
        @Override
        public String name() {
            return "ort";
        }

        @Override
        public InferenceEngine open(Path model) {
            throw new UnsupportedOperationException();
        }
    }

    /** An engine whose constructor throws. */
    public static final class Broken implements InferenceEngineFactory {
        public Broken() {
            throw new IllegalStateException("cannot start");
        }

        @Override
        public String name() {
            return "broken";
        }

        @Override
        public InferenceEngine open(Path model) {
            throw new UnsupportedOperationException();
        }
    }

    private ClassLoader withServices(String... classes) throws Exception {
        Path services = Files.createDirectories(tmp.resolve("META-INF/services"));
        Files.writeString(services.resolve(InferenceEngineFactory.class.getName()), String.join("\n", classes) + "\n");
        return new URLClassLoader(new URL[] {tmp.toUri().toURL()}, getClass().getClassLoader());
    }

    @Test
    void ortIsFoundAndNativeIsNotYet() {
        InferenceEngineFactory.Discovery d = InferenceEngineFactory.discover(getClass().getClassLoader());
        assertThat(d.factories().get("ort")).isInstanceOf(OrtEngineFactory.class);
        assertThat(d.broken()).isEmpty();
    }

    @Test
    void twoEnginesWithOneNameAreAnError() throws Exception {
        ClassLoader l = withServices(Impostor.class.getName());
        assertThatThrownBy(() -> InferenceEngineFactory.discover(l)).isInstanceOf(GraftException.class)
                .hasMessage("two inference engines share a name:" + System.lineSeparator() + "  - 'ort' is offered by both "
                        + OrtEngineFactory.class.getName() + " and " + Impostor.class.getName());
    }

    @Test
    void aBrokenEngineIsReportedAndTheOthersStillLoad() throws Exception {
        InferenceEngineFactory.Discovery d = InferenceEngineFactory.discover(withServices(Broken.class.getName()));
        assertThat(d.factories()).containsKey("ort").doesNotContainKey("broken");
        assertThat(d.broken()).singleElement().asString().contains(Broken.class.getName()).contains("cannot start");
    }
}
