package dev.graft.onnx.export;

import dev.graft.api.Plugin;
import dev.graft.api.Shape;
import dev.graft.api.config.NoConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Writes a fitted feature transform as ONNX operators in front of the model, so that the exported
 * model takes raw features as {@code TrainedModel.predict} does. Plugins of kind
 * {@code onnx-export-transform} whose {@link #id()} is the transform plugin's id
 * ({@code standardize}); listed in {@code META-INF/services/dev.graft.onnx.export.OnnxTransformExporter}.
 */
public interface OnnxTransformExporter extends Plugin<NoConfig> {

    /** Writes the transform and returns the name of its output value. */
    String export(Context ctx);

    @Override
    default Class<NoConfig> configType() {
        return NoConfig.class;
    }

    /** One fitted transform being exported. */
    interface Context extends OnnxGraph {
        /** Its position among the model's transforms (0 is applied first). */
        int index();

        /** The transform plugin id. */
        String transform();

        /** Its config, defaults filled in (see {@link OnnxLayerExporter.Context#config()}). */
        Map<String, Object> config();

        /** The fitted state the transform saved (what {@code Transform.Fitted.state()} returns). */
        Map<String, INDArray> state();

        /** The input value, {@code [batch, ...inputShape]}, float32. */
        String input();

        /** Per-example shape of the features it receives. */
        Shape inputShape();

        /** Per-example shape of the features it produces. */
        Shape outputShape();
    }
}
