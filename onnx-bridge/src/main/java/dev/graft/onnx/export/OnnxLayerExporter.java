package dev.graft.onnx.export;

import dev.graft.api.Plugin;
import dev.graft.api.Shape;
import dev.graft.api.config.NoConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * Writes one kind of Graft layer as ONNX operators. Exporters are plugins of kind {@code onnx-export}
 * whose {@link #id()} is the id of the layer plugin they export ({@code dense}, {@code conv2d}, ...): a
 * jar that adds a layer adds its exporter by listing an implementation in
 * {@code META-INF/services/dev.graft.onnx.export.OnnxLayerExporter}.
 *
 * <p>{@link #export} receives the node's inputs as ONNX value names with the batch as first axis,
 * the node's config (defaults filled in), its parameter values and its shapes, and returns the name of
 * a value equal to the layer's inference-mode output, {@code [batch, ...outputShape]}. It may return
 * an input name unchanged when the layer is the identity at inference (dropout). It throws
 * {@link IllegalArgumentException} when the node uses something it cannot write (the exporter names
 * what, the export adds the node); nothing is written in that case.
 *
 * <pre>{@code
 * public final class ScaleExporter implements OnnxLayerExporter {
 *     public String id() { return "scale"; }          // the layer's id
 *     ...
 *     public String export(Context ctx) {
 *         double factor = ((Number) ctx.config().get("factor")).doubleValue();
 *         return ctx.op("Mul").input(ctx.input(), ctx.scalar("factor", factor)).output();
 *     }
 * }
 * }</pre>
 */
public interface OnnxLayerExporter extends Plugin<NoConfig> {

    /** Writes the node and returns the name of its output value. */
    String export(Context ctx);

    @Override
    default Class<NoConfig> configType() {
        return NoConfig.class;
    }

    /** One node being exported, and the graph to write it into. */
    interface Context extends OnnxGraph {
        /** The node's name in the Graft model. */
        String nodeName();

        /** The layer plugin id. */
        String layer();

        /**
         * The node's config as the layer's config record sees it: every key in kebab-case with its
         * default filled in (absent keys default to nothing), enums as their kebab-case names, numbers as
         * {@link Number}s and lists as {@link List}s.
         */
        Map<String, Object> config();

        /**
         * The node's config bound to the layer's own config record, for exporters that ship with their
         * layer and know its type.
         *
         * @throws IllegalArgumentException if the layer's config type is not {@code type}
         */
        <R extends Record> R config(Class<R> type);

        /** The input value names, in the node's input order. */
        List<String> inputs();

        /** The first input's name. */
        default String input() {
            return inputs().get(0);
        }

        /** Per-example input shapes (no batch axis). */
        List<Shape> inputShapes();

        /** The first input's per-example shape. */
        default Shape inputShape() {
            return inputShapes().get(0);
        }

        /** The per-example output shape the Graft layer produces. */
        Shape outputShape();

        /** The name of an initializer holding one of the node's parameters by short name ({@code W}). */
        String param(String name);

        /** A parameter's value by short name; the export does not change it. */
        INDArray paramValue(String name);
    }
}
