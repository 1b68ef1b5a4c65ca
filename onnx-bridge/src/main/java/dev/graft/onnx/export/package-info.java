/**
 * ONNX export of Graft models: {@link dev.graft.onnx.export.OnnxExport} writes a trained, loaded or
 * imported model as an ONNX file (opset 13 to 21, default 17) whose input takes raw features and whose
 * first dimension is the symbolic {@code batch}.
 *
 * <p>Exporters are plugins. Three kinds, each keyed by the id of the plugin it exports:
 * {@link dev.graft.onnx.export.OnnxLayerExporter} ({@code onnx-export}, one per layer id),
 * {@link dev.graft.onnx.export.OnnxTransformExporter} ({@code onnx-export-transform}, feature
 * transforms) and {@link dev.graft.onnx.export.OnnxPredictionExporter} ({@code onnx-export-loss}, the
 * loss's prediction function). All write through {@link dev.graft.onnx.export.OnnxGraph}. The
 * built-in exporters are in {@code dev.graft.onnx.export.builtin}.
 */
package dev.graft.onnx.export;
