package dev.graft.testkit;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Builds real plugin jars inside a test: compiles Java sources against the test's class path and
 * packs the classes with {@code META-INF/services} files. Used to test discovery the way users meet
 * it: a jar dropped in a plugin directory, loaded by its own class loader.
 *
 * <pre>{@code
 * Path jar = PluginJars.build(tmp.resolve("my-plugin.jar"),
 *         Map.of("p.MyLayer", "package p; public class MyLayer implements ... { ... }"),
 *         Map.of("dev.graft.api.layer.LayerProvider", "p.MyLayer"));
 * }</pre>
 */
public final class PluginJars {
    private PluginJars() {
    }

    /**
     * @param jar      the jar to write
     * @param sources  fully qualified class name to Java source
     * @param services service interface name to the provider class names (one per line)
     * @return the jar
     */
    public static Path build(Path jar, Map<String, String> sources, Map<String, String> services) {
        try {
            Path work = Files.createTempDirectory("graft-plugin-src");
            Path src = work.resolve("src");
            Path classes = work.resolve("classes");
            Files.createDirectories(classes);
            List<Path> files = new ArrayList<>();
            for (Map.Entry<String, String> e : sources.entrySet()) {
                Path f = src.resolve(e.getKey().replace('.', '/') + ".java");
                Files.createDirectories(f.getParent());
                Files.writeString(f, e.getValue());
                files.add(f);
            }
            if (!files.isEmpty()) {
                compile(files, classes);
            }
            Files.createDirectories(jar.toAbsolutePath().getParent());
            try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os)) {
                try (Stream<Path> s = Files.walk(classes)) {
                    for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                        out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                        out.write(Files.readAllBytes(p));
                        out.closeEntry();
                    }
                }
                for (Map.Entry<String, String> e : services.entrySet()) {
                    out.putNextEntry(new JarEntry("META-INF/services/" + e.getKey()));
                    out.write((e.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
                    out.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void compile(List<Path> files, Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler: run the tests on a JDK, not a JRE");
        }
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", out.toString(), "-cp", System.getProperty("java.class.path"), "--release", "17", "-proc:none");
            boolean ok = javac.getTask(null, fm, diags, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
            if (!ok) {
                StringBuilder sb = new StringBuilder("compiling the test plugin failed:");
                for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
                    sb.append('\n').append(d);
                }
                throw new IllegalStateException(sb.toString());
            }
        }
    }
}
