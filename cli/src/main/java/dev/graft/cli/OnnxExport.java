package dev.graft.cli;

import dev.graft.runtime.TrainedModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Writes a Graft model as an ONNX file, for the demo's export-and-serve step ({@code graft demo
 * finetune}). An exporter offers itself by listing its implementation in
 * {@code META-INF/services/dev.graft.cli.OnnxExport}; without one the demo says that it skips the step.
 */
public interface OnnxExport {

    /**
     * Writes {@code model} (its network, with the fitted feature transforms if the format carries them)
     * to {@code file}, with one input taking raw features {@code [batch, ...]} and one output from which
     * the class is the arg-max.
     */
    void write(TrainedModel model, Path file);

    /** The exporter on the class path, if there is one. */
    static Optional<OnnxExport> find(ClassLoader loader) {
        List<OnnxExport> all = new ArrayList<>();
        ServiceLoader.load(OnnxExport.class, loader).forEach(all::add);
        if (all.size() > 1) {
            throw new IllegalStateException("several ONNX exporters are registered: " + all.stream().map(e -> e.getClass().getName()).toList());
        }
        return all.stream().findFirst();
    }
}
