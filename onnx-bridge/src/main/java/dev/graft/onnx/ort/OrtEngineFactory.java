package dev.graft.onnx.ort;

import dev.graft.onnx.InferenceEngine;
import dev.graft.onnx.InferenceEngineFactory;

import java.nio.file.Path;

/** The {@code ort} engine: {@link OrtEngine} with its default options. */
public final class OrtEngineFactory implements InferenceEngineFactory {
    /** The name {@code graft onnx-test --engine} knows this engine by. */
    public static final String NAME = "ort";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public InferenceEngine open(Path model) {
        return OrtEngine.open(model);
    }
}
