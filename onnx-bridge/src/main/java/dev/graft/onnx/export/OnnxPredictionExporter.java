package dev.graft.onnx.export;

import dev.graft.api.Plugin;
import dev.graft.api.Shape;
import dev.graft.api.config.NoConfig;

import java.util.Map;

/**
 * Writes a loss's prediction function ({@code Loss.predictions}: softmax for
 * {@code softmax-cross-entropy}, sigmoid for {@code binary-cross-entropy}, the identity for
 * {@code mse}) behind the model output. Plugins of kind {@code onnx-export-loss} whose {@link #id()} is
 * the loss plugin's id; listed in {@code META-INF/services/dev.graft.onnx.export.OnnxPredictionExporter}.
 */
public interface OnnxPredictionExporter extends Plugin<NoConfig> {

    /** Writes the prediction function and returns the name of its output (or the input for the identity). */
    String export(Context ctx);

    @Override
    default Class<NoConfig> configType() {
        return NoConfig.class;
    }

    /** The model output being turned into predictions. */
    interface Context extends OnnxGraph {
        /** The loss plugin id. */
        String loss();

        /** The loss config, defaults filled in. */
        Map<String, Object> config();

        /** The raw model output, {@code [batch, ...shape]}. */
        String input();

        /** Per-example shape of the model output. */
        Shape shape();
    }
}
