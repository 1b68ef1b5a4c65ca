package dev.graft.onnx.imports;

import dev.graft.api.PluginKind;
import dev.graft.runtime.plugin.KindContributor;

import java.util.List;

/** Registers the {@code onnx-op} plugin kind with the runtime. */
public final class OnnxKinds implements KindContributor {
    @Override
    public List<PluginKind<?>> kinds() {
        return List.of(OnnxImporter.KIND);
    }
}
