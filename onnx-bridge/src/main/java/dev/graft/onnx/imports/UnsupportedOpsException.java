package dev.graft.onnx.imports;

import dev.graft.runtime.GraftException;

import java.util.List;

/** The model uses ops no registered converter handles; lists every one of them. */
public final class UnsupportedOpsException extends GraftException {
    private final List<OnnxImporter.Unsupported> nodes;

    public UnsupportedOpsException(String origin, List<OnnxImporter.Unsupported> nodes) {
        super(Code.MODEL, origin + " uses " + nodes.size() + " node" + (nodes.size() == 1 ? "" : "s")
                + " no op converter handles (add a converter plugin, or serve the model with --engine ort):",
                nodes.stream().map(OnnxImporter.Unsupported::toString).toList(), null);
        this.nodes = List.copyOf(nodes);
    }

    public List<OnnxImporter.Unsupported> nodes() {
        return nodes;
    }
}
