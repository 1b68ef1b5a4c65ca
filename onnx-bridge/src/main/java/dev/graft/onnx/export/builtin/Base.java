package dev.graft.onnx.export.builtin;

import dev.graft.api.GraftApi;
import dev.graft.onnx.export.OnnxLayerExporter;
import dev.graft.onnx.export.OnnxPredictionExporter;
import dev.graft.onnx.export.OnnxTransformExporter;

/** The plugin identity every built-in exporter shares: the exported plugin's id, version 1.0.0, this API. */
final class Base {
    private Base() {
    }

    /** Id, version, API version and description; the subclasses add the exporter interface. */
    abstract static class Named {
        private final String id;
        private final String description;

        Named(String id, String description) {
            this.id = id;
            this.description = description;
        }

        public final String id() {
            return id;
        }

        public final String version() {
            return "1.0.0";
        }

        public final String apiVersion() {
            return GraftApi.VERSION;
        }

        public final String description() {
            return description;
        }
    }

    /** A built-in layer exporter. */
    abstract static class Layer extends Named implements OnnxLayerExporter {
        Layer(String id, String description) {
            super(id, description);
        }
    }

    /** A built-in transform exporter. */
    abstract static class Transform extends Named implements OnnxTransformExporter {
        Transform(String id, String description) {
            super(id, description);
        }
    }

    /** A built-in prediction-function exporter. */
    abstract static class Prediction extends Named implements OnnxPredictionExporter {
        Prediction(String id, String description) {
            super(id, description);
        }
    }
}
