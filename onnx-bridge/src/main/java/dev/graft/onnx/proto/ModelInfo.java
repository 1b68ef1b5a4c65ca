package dev.graft.onnx.proto;

import dev.graft.onnx.InferenceEngine.Dim;
import dev.graft.onnx.InferenceEngine.IoSpec;
import dev.graft.onnx.InferenceEngine.Kind;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** What a {@code ModelProto} declares: its inputs and outputs as {@link IoSpec}s, its opsets and the operators it uses. */
public final class ModelInfo {
    /** The ONNX default domain, written {@code ""} in files. */
    public static final String DEFAULT_DOMAIN = "ai.onnx";

    private ModelInfo() {
    }

    /**
     * An operator a model uses.
     *
     * @param domain {@code "ai.onnx"} for the default domain (files write it as {@code ""})
     * @param opType {@code "Conv"}
     * @param opset the version the model imports for the domain; -1 when it imports none
     */
    public record OpUse(String domain, String opType, long opset) {
        public OpUse {
            Objects.requireNonNull(opType, "opType");
            domain = normalizeDomain(domain);
        }

        /** "ai.onnx::Conv:13". */
        @Override
        public String toString() {
            return domain + "::" + opType + ":" + opset;
        }
    }

    /** {@code ""} and {@code "ai.onnx"} are one domain; this returns {@code "ai.onnx"} for both. */
    public static String normalizeDomain(String domain) {
        return domain == null || domain.isEmpty() ? DEFAULT_DOMAIN : domain;
    }

    /** The names of the graph's initializers. */
    public static Set<String> initializerNames(GraphProto g) {
        Set<String> s = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            s.add(t.getName());
        }
        for (var sp : g.getSparseInitializerList()) {
            s.add(sp.getValues().getName());
        }
        return s;
    }

    /** The graph inputs a caller feeds, in order: inputs that are also initializers are left out. */
    public static List<IoSpec> inputs(ModelProto m) {
        Set<String> inits = initializerNames(m.getGraph());
        List<IoSpec> out = new ArrayList<>();
        for (ValueInfoProto v : m.getGraph().getInputList()) {
            if (!inits.contains(v.getName())) {
                out.add(spec(v));
            }
        }
        return out;
    }

    /** The graph outputs, in order. */
    public static List<IoSpec> outputs(ModelProto m) {
        List<IoSpec> out = new ArrayList<>();
        for (ValueInfoProto v : m.getGraph().getOutputList()) {
            out.add(spec(v));
        }
        return out;
    }

    /** A value's declared type and shape. Negative sizes some exporters write count as unknown dimensions. */
    public static IoSpec spec(ValueInfoProto v) {
        TypeProto t = v.getType();
        return switch (t.getValueCase()) {
            case TENSOR_TYPE -> tensorSpec(v.getName(), Kind.TENSOR, t.getTensorType().getElemType(), t.getTensorType().hasShape(),
                    t.getTensorType().getShape());
            case SPARSE_TENSOR_TYPE -> tensorSpec(v.getName(), Kind.SPARSE_TENSOR, t.getSparseTensorType().getElemType(),
                    t.getSparseTensorType().hasShape(), t.getSparseTensorType().getShape());
            case SEQUENCE_TYPE -> new IoSpec(v.getName(), Kind.SEQUENCE, innerType(t.getSequenceType().getElemType()), List.of(), false);
            case OPTIONAL_TYPE -> new IoSpec(v.getName(), Kind.OPTIONAL, innerType(t.getOptionalType().getElemType()), List.of(), false);
            case MAP_TYPE -> new IoSpec(v.getName(), Kind.MAP, innerType(t.getMapType().getValueType()), List.of(), false);
            default -> new IoSpec(v.getName(), Kind.UNKNOWN, ElementType.UNDEFINED, List.of(), false);
        };
    }

    private static ElementType innerType(TypeProto t) {
        return switch (t.getValueCase()) {
            case TENSOR_TYPE -> ElementType.fromCode(t.getTensorType().getElemType()).orElse(ElementType.UNDEFINED);
            case SEQUENCE_TYPE -> innerType(t.getSequenceType().getElemType());
            case OPTIONAL_TYPE -> innerType(t.getOptionalType().getElemType());
            default -> ElementType.UNDEFINED;
        };
    }

    private static IoSpec tensorSpec(String name, Kind kind, int elemType, boolean hasShape, TensorShapeProto shape) {
        ElementType et = ElementType.fromCode(elemType).orElse(ElementType.UNDEFINED);
        if (!hasShape) {
            return new IoSpec(name, kind, et, List.of(), false);
        }
        List<Dim> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension d : shape.getDimList()) {
            if (d.getValueCase() == TensorShapeProto.Dimension.ValueCase.DIM_VALUE && d.getDimValue() >= 0) {
                dims.add(Dim.fixed(d.getDimValue()));
            } else if (d.getValueCase() == TensorShapeProto.Dimension.ValueCase.DIM_PARAM) {
                dims.add(Dim.symbolic(d.getDimParam()));
            } else {
                dims.add(Dim.symbolic(""));
            }
        }
        return new IoSpec(name, kind, et, dims, true);
    }

    /** The opset version the model imports for a domain ({@code ""} and {@code "ai.onnx"} alike), or -1. */
    public static long opset(ModelProto m, String domain) {
        String d = normalizeDomain(domain);
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            if (normalizeDomain(o.getDomain()).equals(d)) {
                return o.getVersion();
            }
        }
        return -1;
    }

    /** The distinct operators the model's nodes use, subgraphs included, in order of first use. */
    public static List<OpUse> ops(ModelProto m) {
        Set<OpUse> ops = new LinkedHashSet<>();
        collect(m, m.getGraph(), ops);
        return List.copyOf(ops);
    }

    private static void collect(ModelProto m, GraphProto g, Set<OpUse> sink) {
        for (NodeProto n : g.getNodeList()) {
            sink.add(new OpUse(n.getDomain(), n.getOpType(), opset(m, n.getDomain())));
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collect(m, a.getG(), sink);
                }
                for (GraphProto sub : a.getGraphsList()) {
                    collect(m, sub, sink);
                }
            }
        }
    }
}
