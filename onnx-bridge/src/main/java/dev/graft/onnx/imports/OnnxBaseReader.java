package dev.graft.onnx.imports;

import dev.graft.runtime.base.BaseModel;
import dev.graft.runtime.base.BaseModelReader;
import dev.graft.runtime.plugin.PluginRegistry;
import dev.graft.onnx.proto.OnnxFiles;

import java.nio.file.Path;

/**
 * Reads ONNX models as base models of fine-tuning experiments ({@code base: {onnx: FILE}}), through
 * {@link OnnxImporter}: the file is checked, every node converted, the initializers become the
 * parameters.
 */
public final class OnnxBaseReader implements BaseModelReader {

    public OnnxBaseReader() {
    }

    @Override
    public String format() {
        return "onnx";
    }

    @Override
    public BaseModel read(Path file, String origin, PluginRegistry registry) {
        OnnxImporter.Imported imported = OnnxImporter.importModel(OnnxFiles.readModel(file), registry, origin, file.toAbsolutePath().getParent());
        return new BaseModel(imported.ir(), imported.params(), origin);
    }
}
