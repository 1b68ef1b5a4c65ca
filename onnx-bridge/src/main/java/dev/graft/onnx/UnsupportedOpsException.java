package dev.graft.onnx;

import dev.graft.runtime.GraftException;

import java.util.List;
import java.util.Objects;

/**
 * An engine cannot run some of a model's operators. Thrown when the model is opened (never halfway
 * through a run), listing every offending node so that one attempt shows the whole gap. The
 * conformance runner reports such a test as {@code unsupported} rather than {@code error}.
 */
public class UnsupportedOpsException extends GraftException {

    /**
     * One node whose operator is missing.
     *
     * @param nodeName the node's name in the graph ({@code ""} when it has none)
     * @param domain the operator's domain, {@code "ai.onnx"} for the default domain (never {@code ""})
     * @param opType the operator, {@code "Conv"}
     * @param opset the opset version the model imports for that domain
     */
    public record Op(String nodeName, String domain, String opType, long opset) {
        public Op {
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(opType, "opType");
            domain = domain == null || domain.isEmpty() ? "ai.onnx" : domain;
        }

        /** "Conv (ai.onnx opset 13, node 'conv1')". */
        @Override
        public String toString() {
            return opType + " (" + domain + " opset " + opset + (nodeName.isEmpty() ? "" : ", node '" + nodeName + "'") + ")";
        }
    }

    private final List<Op> ops;

    /**
     * @param headline what cannot be run, e.g. "the native engine cannot run 2 operators of model.onnx"
     * @param ops every node whose operator is missing (at least one)
     */
    public UnsupportedOpsException(String headline, List<Op> ops) {
        super(Code.MODEL, headline, ops.stream().map(Op::toString).toList(), null);
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("an UnsupportedOpsException lists at least one op");
        }
        this.ops = List.copyOf(ops);
    }

    /** The nodes whose operators are missing, in graph order. */
    public List<Op> ops() {
        return ops;
    }
}
