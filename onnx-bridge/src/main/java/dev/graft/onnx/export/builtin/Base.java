package dev.graft.onnx.export.builtin;

import dev.graft.api.GraftApi;
import dev.graft.onnx.export.OnnxLayerExporter;
import dev.graft.onnx.export.OnnxPredictionExporter;
import dev.graft.onnx.export.OnnxTransformExporter;

/** The plugin identity every built-in exporter shares: the exported plugin's id, version 1.0.0, this API. */
final class Base {
    private Base() {
    }

    /** A built-in layer exporter. */
    abstract static class Layer implements OnnxLayerExporter {
        private final String id;
        private final String description;

        Layer(String id, String description) {
            this.id = id;
            this.description = description;
        }

        @Override
        public final String id() {
            return id;
        }

        @Override
        public final String version() {
            return "1.0.0";
        }

        @Override
        public final String apiVersion() {
            return GraftApi.VERSION;
        }

        @Override
        public final String description() {
            return description;
        }
    }

    /** A built-in transform exporter. */
    abstract static class Transform implements OnnxTransformExporter {
        private final String id;
        private final String description;

        Transform(String id, String description) {
            this.id = id;
            this.description = description;
        }

        @Override
        public final String id() {
            return id;
        }

        @Override
        public final String version() {
            return "1.0.0";
        }

        @Override
        public final String apiVersion() {
            return GraftApi.VERSION;
        }

        @Override
        public final String description() {
            return description;
        }
    }

    /** A built-in prediction-function exporter. */
    abstract static class Prediction implements OnnxPredictionExporter {
        private final String id;
        private final String description;

        Prediction(String id, String description) {
            this.id = id;
            this.description = description;
        }

        @Override
        public final String id() {
            return id;
        }

        @Override
        public final String version() {
            return "1.0.0";
        }

        @Override
        public final String apiVersion() {
            return GraftApi.VERSION;
        }

        @Override
        public final String description() {
            return description;
        }
    }
}
