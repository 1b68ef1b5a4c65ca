package dev.graft.cli;

import dev.graft.api.Plugin;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.RecordBinder;
import dev.graft.runtime.plugin.PluginInfo;
import dev.graft.runtime.plugin.PluginRegistry;
import dev.graft.runtime.plugin.PluginPath;
import dev.graft.runtime.plugin.PluginStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = {"List the plugins found on the class path and the plugin path, with their status.",
                "Exits non-zero when any provider is broken (failed, incompatible or duplicate)."})
final class PluginsCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--describe", paramLabel = "ID", description = "show the config keys of the plugins with this id")
    String describe;

    @Override
    public Integer call() {
        List<Path> entries = common.pluginPath();
        GuiceFlags.preferReflection(entries);
        PluginRegistry reg = PluginRegistry.discover(PluginPath.classLoader(entries, PluginsCommand.class.getClassLoader()));
        PrintStream out = Main.stdout(spec);
        if (describe != null) {
            return describe(reg, out);
        }
        int kindWidth = Math.max(12, reg.all().stream().mapToInt(p -> p.kind().name().length()).max().orElse(0));
        String row = "%-" + kindWidth + "s %-24s %-8s %-12s %s%n";
        out.printf(row, "KIND", "ID", "VERSION", "STATUS", "SOURCE");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (PluginInfo p : reg.all()) {
            out.printf(row, p.kind().name(), p.id(), p.version(), p.status().label(), shortSource(p.source()));
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("id", p.id());
            j.put("kind", p.kind().name());
            j.put("version", p.version());
            j.put("api_version", p.apiVersion());
            j.put("source", p.source());
            j.put("status", p.status().label());
            j.put("description", p.description());
            if (p.problem() != null) {
                j.put("problem", p.problem());
            }
            rows.add(j);
        }
        List<String> problems = reg.problems();
        if (!problems.isEmpty()) {
            spec.commandLine().getErr().println("error: " + problems.size() + " plugin problem" + (problems.size() == 1 ? "" : "s") + ":");
            problems.forEach(p -> spec.commandLine().getErr().println("  - " + p));
        }
        if (common.json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("plugins", rows);
            j.put("problems", problems);
            out.println(Common.json(j));
        }
        return problems.isEmpty() ? 0 : GraftException.Code.PLUGIN.exitCode();
    }

    private int describe(PluginRegistry reg, PrintStream out) {
        List<Map<String, Object>> found = new ArrayList<>();
        for (PluginInfo p : reg.all()) {
            if (!p.id().equals(describe) || p.provider() == null) {
                continue;
            }
            Plugin<?> pl = p.provider();
            out.printf("%s '%s' %s: %s%n  from %s%n", p.kind().name(), p.id(), p.version(), p.description(), p.source());
            List<Map<String, Object>> keys = new ArrayList<>();
            var docs = RecordBinder.describe(pl.configType());
            if (docs.isEmpty()) {
                out.println("  (no options)");
            }
            for (RecordBinder.KeyDoc d : docs) {
                out.printf("  %-18s %-14s %-20s %s%n", d.key(), d.type(), d.required() ? "required" : "default " + d.defaultValue(), d.doc());
                Map<String, Object> k = new LinkedHashMap<>();
                k.put("key", d.key());
                k.put("type", d.type());
                k.put("required", d.required());
                k.put("default", d.defaultValue());
                k.put("doc", d.doc());
                keys.add(k);
            }
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("id", p.id());
            j.put("kind", p.kind().name());
            j.put("keys", keys);
            found.add(j);
        }
        if (found.isEmpty()) {
            throw new GraftException(GraftException.Code.USAGE, "no usable plugin has id '" + describe + "'"
                    + dev.graft.runtime.util.Names.didYouMean(describe, reg.all().stream().map(PluginInfo::id).distinct().toList()));
        }
        if (common.json) {
            out.println(Common.json(Map.of("plugins", found)));
        }
        return 0;
    }

    private static String shortSource(String s) {
        int i = s.lastIndexOf('/');
        return i >= 0 && i < s.length() - 1 ? s.substring(i + 1) : s;
    }

    static boolean healthy(PluginInfo p) {
        return p.status() == PluginStatus.LOADED;
    }
}
