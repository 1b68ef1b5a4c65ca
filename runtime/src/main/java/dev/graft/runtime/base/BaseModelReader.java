package dev.graft.runtime.base;

import dev.graft.runtime.GraftException;
import dev.graft.runtime.plugin.PluginRegistry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Reads pretrained models of one format for fine-tuning ({@code base.onnx} in an experiment). Found
 * with {@link ServiceLoader}: a module lists its reader in
 * {@code META-INF/services/dev.graft.runtime.base.BaseModelReader}; the ONNX bridge provides
 * {@code onnx}.
 */
public interface BaseModelReader {

    /** The format, as the key of the {@code base} section names it, e.g. {@code onnx}. */
    String format();

    /**
     * Reads a model file into Graft's IR with its parameters.
     *
     * @param file     the file (resolved against the experiment's directory)
     * @param origin   how to name the file in messages
     * @param registry the plugins to build the graph from
     * @throws GraftException for a file that is missing, unreadable or not a model Graft can import
     */
    BaseModel read(Path file, String origin, PluginRegistry registry);

    /**
     * The reader for a format on the loader's class path.
     *
     * @throws GraftException code {@code CONFIG} when no reader handles the format (naming the module to add),
     *     code {@code PLUGIN} when two readers claim it
     */
    static BaseModelReader find(String format, ClassLoader loader) {
        List<BaseModelReader> found = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        var it = ServiceLoader.load(BaseModelReader.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                BaseModelReader r = it.next();
                if (r.format().equals(format)) {
                    found.add(r);
                }
            } catch (ServiceConfigurationError e) {
                broken.add(e.getMessage());
            }
        }
        if (found.size() > 1) {
            throw new GraftException(GraftException.Code.PLUGIN, "two readers of base models claim the format '" + format + "': "
                    + found.stream().map(r -> r.getClass().getName()).toList());
        }
        if (found.isEmpty()) {
            throw new GraftException(GraftException.Code.CONFIG, "base." + format + ": no reader of " + format
                    + " models is on the class path (the ONNX reader is in the graft-onnx-bridge module)"
                    + (broken.isEmpty() ? "" : "; readers that failed to load: " + broken));
        }
        return found.get(0);
    }
}
