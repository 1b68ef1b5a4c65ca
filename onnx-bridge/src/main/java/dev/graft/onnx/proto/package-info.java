/**
 * ONNX files: {@link dev.graft.onnx.proto.OnnxFiles} reads and checks models and TensorProto files
 * (clear messages for missing, corrupt, oversized models and unsafe external data), {@link
 * dev.graft.onnx.proto.Tensors} turns tensors into ND4J arrays, {@link dev.graft.onnx.proto.ModelInfo}
 * describes a model's inputs, outputs and operators. The protobuf classes are nd4j-api's {@code
 * onnx.Onnx}.
 */
package dev.graft.onnx.proto;
