package dev.graft.onnx.export;

import dev.graft.api.PluginKind;
import dev.graft.runtime.plugin.KindContributor;

import java.util.List;

/** Registers the export plugin kinds: {@code onnx-export}, {@code onnx-export-transform}, {@code onnx-export-loss}. */
public final class ExportKinds implements KindContributor {
    @Override
    public List<PluginKind<?>> kinds() {
        return List.of(OnnxExport.LAYER_EXPORTERS, OnnxExport.TRANSFORM_EXPORTERS, OnnxExport.PREDICTION_EXPORTERS);
    }
}
