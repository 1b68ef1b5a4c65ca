package dev.graft.runtime.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.graft.runtime.GraftException;

/** JSON (de)serialisation of {@link ModelIR}. */
public final class ModelJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private ModelJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String write(ModelIR ir) {
        try {
            return MAPPER.writeValueAsString(ir);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise model IR", e);
        }
    }

    /** Parses model JSON; {@code origin} names the file in messages. */
    public static ModelIR read(String json, String origin) {
        ModelIR ir;
        try {
            ir = MAPPER.readValue(json, ModelIR.class);
        } catch (JsonProcessingException e) {
            throw new GraftException(GraftException.Code.MODEL, origin + " is not a valid Graft model description: " + e.getOriginalMessage());
        }
        if (ir == null || !ModelIR.FORMAT.equals(ir.format())) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": unsupported model format '" + (ir == null ? null : ir.format())
                    + "' (this Graft reads " + ModelIR.FORMAT + ")");
        }
        if (ir.input() == null || ir.nodes().isEmpty() || ir.output() == null) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": model description lacks input, nodes or output");
        }
        if ((ir.loss() == null) != (ir.target() == null)) {
            throw new GraftException(GraftException.Code.MODEL, origin + ": a model has both a loss and a target, or neither (imported models)");
        }
        return ir;
    }
}
