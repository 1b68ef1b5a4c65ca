package dev.graft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.testkit.PluginJars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Discovery as users meet it: jars in plugin directories, listed by {@code graft plugins}. */
class PluginDiscoveryTest {
    @TempDir
    Path tmp;

    static String layerSource(String pkg, String cls, String id, String api, String ctorBody) {
        return """
                package %s;
                import dev.graft.api.*; import dev.graft.api.config.NoConfig; import dev.graft.api.layer.*;
                import java.util.List; import org.nd4j.autodiff.samediff.SDVariable;
                public class %s implements LayerProvider<NoConfig> {
                    public %s() { %s }
                    public String id() { return "%s"; }
                    public String version() { return "0.1.0"; }
                    public String apiVersion() { return "%s"; }
                    public Class<NoConfig> configType() { return NoConfig.class; }
                    public String description() { return "test layer"; }
                    public Layer create(NoConfig c) {
                        return new Layer() {
                            public Shape outputShape(List<Shape> in) { return in.get(0); }
                            public List<ParamSpec> params(List<Shape> in) { return List.of(); }
                            public SDVariable forward(LayerContext ctx, List<SDVariable> in) { return in.get(0); }
                        };
                    }
                }
                """.formatted(pkg, cls, cls, ctorBody, id, api);
    }

    private Path jar(Path dir, String name, String pkg, String cls, String id, String api, String ctor) {
        return PluginJars.build(dir.resolve(name), Map.of(pkg + "." + cls, layerSource(pkg, cls, id, api, ctor)),
                Map.of("dev.graft.api.layer.LayerProvider", pkg + "." + cls));
    }

    @Test
    void listsAtLeastOneProviderOfEachKindAsJson() throws Exception {
        CliRunner r = CliRunner.run("plugins", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        Set<String> kinds = new HashSet<>();
        for (JsonNode p : j.get("plugins")) {
            assertThat(p.has("id") && p.has("kind") && p.has("version") && p.has("source") && p.has("status")).isTrue();
            assertThat(p.get("status").asText()).isEqualTo("loaded");
            kinds.add(p.get("kind").asText());
        }
        assertThat(kinds).contains("layer", "loss", "optimizer", "dataset", "initializer", "metric", "transform");
    }

    @Test
    void twoJarsWithTheSameIdAreAHardErrorNamingBothJars() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        jar(dir, "one.jar", "one", "Twin", "twin", "1.0", "");
        jar(dir, "two.jar", "two", "Twin", "twin", "1.0", "");
        CliRunner r = CliRunner.run("plugins", "--plugins", dir.toString());
        assertThat(r.exit()).isEqualTo(4);
        assertThat(r.err()).contains("duplicate layer id 'twin'").contains("one.jar").contains("two.jar");
        CliRunner t = CliRunner.run("train", "whatever.yaml", "--plugins", dir.toString());
        assertThat(t.isCleanError()).as(t.err()).isTrue();
        assertThat(t.err()).contains("duplicate layer id 'twin'").contains("one.jar").contains("two.jar");
    }

    @Test
    void aThrowingProviderIsReportedWithItsJarAndCauseWhileOthersLoad() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        jar(dir, "broken.jar", "bad", "Boom", "boom", "1.0", "throw new IllegalStateException(\"license file missing\");");
        jar(dir, "fine.jar", "good", "Fine", "fine-layer", "1.0", "");
        CliRunner r = CliRunner.run("plugins", "--json", "--plugins", dir.toString());
        assertThat(r.exit()).isEqualTo(4);
        assertThat(r.err()).contains("broken.jar").contains("license file missing");
        JsonNode j = new ObjectMapper().readTree(r.lastLine());
        boolean fineLoaded = false;
        boolean boomFailed = false;
        for (JsonNode p : j.get("plugins")) {
            fineLoaded |= p.get("id").asText().equals("fine-layer") && p.get("status").asText().equals("loaded");
            boomFailed |= p.get("id").asText().equals("bad.Boom") && p.get("status").asText().equals("failed");
        }
        assertThat(fineLoaded).isTrue();
        assertThat(boomFailed).isTrue();
        CliRunner t = CliRunner.run("train", "whatever.yaml", "--plugins", dir.toString());
        assertThat(t.isCleanError()).as(t.err()).isTrue();
        assertThat(t.err()).contains("license file missing");
    }

    @Test
    void aPluginBuiltForAnotherApiMajorIsIncompatible() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        jar(dir, "future.jar", "fut", "Future", "future-layer", "2.0", "");
        CliRunner r = CliRunner.run("plugins", "--plugins", dir.toString());
        assertThat(r.exit()).isEqualTo(4);
        assertThat(r.err()).contains("future-layer").contains("built for Graft API 2.0").contains("offers API 1.0");
    }

    @Test
    void aJarMayContributeAGuiceModuleWhoseBindingsProvidersInject() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        String module = """
                package wired;
                public class WiringModule extends com.google.inject.AbstractModule {
                    @Override protected void configure() {
                        bind(String.class).annotatedWith(com.google.inject.name.Names.named("wired.id")).toInstance("wired-layer");
                    }
                }
                """;
        String provider = layerSource("wired", "Wired", "ID", "1.0", "")
                .replace("public Wired() {  }", "private final String id; @jakarta.inject.Inject public Wired(@com.google.inject.name.Named(\"wired.id\") String id) { this.id = id; }")
                .replace("return \"ID\";", "return id;");
        PluginJars.build(dir.resolve("wired.jar"), Map.of("wired.WiringModule", module, "wired.Wired", provider),
                Map.of("dev.graft.api.layer.LayerProvider", "wired.Wired", "com.google.inject.Module", "wired.WiringModule"));
        CliRunner r = CliRunner.run("plugins", "--json", "--plugins", dir.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.lastLine()).contains("\"id\":\"wired-layer\"");
    }

    @Test
    void aMissingPluginDirectoryIsAClearError() {
        CliRunner r = CliRunner.run("train", "x.yaml", "--plugins", tmp.resolve("nope").toString());
        assertThat(r.isCleanError()).as(r.err()).isTrue();
        assertThat(r.err()).contains("nope").contains("does not exist");
    }

    @Test
    void describeShowsConfigKeys() {
        CliRunner r = CliRunner.run("plugins", "--describe", "dense");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("units").contains("required");
    }

    @Test
    @SuppressWarnings("rawtypes")
    void theInjectorBindsEveryUsableProviderByKindAndIdAndIsBuiltOnce() {
        dev.graft.runtime.plugin.PluginRegistry reg = dev.graft.runtime.Graft.create().plugins();
        com.google.inject.Injector injector = reg.injector();
        assertThat(reg.injector()).isSameAs(injector);
        Map<String, dev.graft.api.layer.LayerProvider> layers = injector.getInstance(com.google.inject.Key.get(
                new com.google.inject.TypeLiteral<Map<String, dev.graft.api.layer.LayerProvider>>() { },
                com.google.inject.name.Names.named("layer")));
        assertThat(layers).isEqualTo((Map) reg.providers(dev.graft.api.PluginKind.LAYER)).containsKey("dense");
        assertThat(layers.get("dense")).isSameAs(reg.get(dev.graft.api.PluginKind.LAYER, "dense", null));
        assertThat(injector.getInstance(dev.graft.runtime.plugin.PluginRegistry.class)).isSameAs(reg);
    }
}
