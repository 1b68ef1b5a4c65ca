package dev.graft.cli;

import dev.graft.testkit.PluginJars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class GuiceFlagsTest {
    @TempDir
    Path tmp;

    /** A layer provider whose id() a plugin's Guice module intercepts (AOP needs bytecode generation). */
    private static final String PROVIDER = PluginDiscoveryTest.layerSource("aop", "Intercepted", "plain-layer", "1.0", "");
    private static final String MODULE = """
            package aop;
            import com.google.inject.matcher.Matchers;
            public class AopModule extends com.google.inject.AbstractModule {
                @Override protected void configure() {
                    bindInterceptor(Matchers.subclassesOf(Intercepted.class), Matchers.any(),
                            (org.aopalliance.intercept.MethodInterceptor) inv ->
                                    inv.getMethod().getName().equals("id") ? "intercepted-layer" : inv.proceed());
                }
            }
            """;

    private Path aopJar(Path dir) {
        return PluginJars.build(dir.resolve("aop.jar"), Map.of("aop.Intercepted", PROVIDER, "aop.AopModule", MODULE),
                Map.of("dev.graft.api.layer.LayerProvider", "aop.Intercepted", "com.google.inject.Module", "aop.AopModule"));
    }

    @Test
    void findsModuleRegistrationsOnlyWhereThereAreSome() throws IOException {
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        Path plainJar = PluginJars.build(plain.resolve("plain.jar"), Map.of("p.P", "package p; public class P { }"), Map.of());
        assertThat(GuiceFlags.registersModules(getClass().getClassLoader(), List.of())).isFalse();
        assertThat(GuiceFlags.registersModules(getClass().getClassLoader(), List.of(plainJar))).isFalse();
        Path aop = aopJar(Files.createDirectories(tmp.resolve("aop")));
        assertThat(GuiceFlags.registersModules(getClass().getClassLoader(), List.of(plainJar, aop))).isTrue();
    }

    /**
     * In a fresh JVM (Guice reads the flag once): a plugin module's method interceptor still works,
     * because the jar registering it keeps bytecode generation on; and a bad plugin path leaves the
     * decision to discovery, which reports it.
     */
    @Test
    void aPluginModuleThatInterceptsMethodsStillWorksInTheCommand() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plugins"));
        aopJar(dir);
        Result r = graft("plugins", "--json", "--plugins", dir.toString());
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).contains("\"id\":\"intercepted-layer\"").doesNotContain("plain-layer");
    }

    @Test
    void withoutModulesTheCommandTurnsBytecodeGenerationOffUnlessTheUserSetIt() throws Exception {
        String probe = """
                package probe;
                public class Probe implements dev.graft.api.layer.LayerProvider<dev.graft.api.config.NoConfig> {
                    public String id() { return "flag-" + String.valueOf(System.getProperty("guice_bytecode_gen_option")).toLowerCase(); }
                    public String version() { return "0.1.0"; }
                    public String apiVersion() { return "1.0"; }
                    public Class<dev.graft.api.config.NoConfig> configType() { return dev.graft.api.config.NoConfig.class; }
                    public String description() { return "reports the flag"; }
                    public dev.graft.api.layer.Layer create(dev.graft.api.config.NoConfig c) { throw new UnsupportedOperationException(); }
                }
                """;
        Path dir = Files.createDirectories(tmp.resolve("probe"));
        PluginJars.build(dir.resolve("probe.jar"), Map.of("probe.Probe", probe), Map.of("dev.graft.api.layer.LayerProvider", "probe.Probe"));
        Result r = graft("plugins", "--json", "--plugins", dir.toString());
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).contains("\"id\":\"flag-disabled\"");
        Result kept = graft("-Dguice_bytecode_gen_option=ENABLED", "plugins", "--json", "--plugins", dir.toString());
        assertThat(kept.exit).as(kept.err).isZero();
        assertThat(kept.out).contains("\"id\":\"flag-enabled\"");
    }

    private record Result(int exit, String out, String err) {
    }

    /** Runs the command in a new JVM with this test's class path; a leading -D argument goes to the JVM. */
    private Result graft(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        int i = 0;
        while (i < args.length && args[i].startsWith("-D")) {
            cmd.add(args[i++]);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args).subList(i, args.length));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
        pb.environment().remove("GRAFT_PLUGIN_PATH");
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8));
    }
}
