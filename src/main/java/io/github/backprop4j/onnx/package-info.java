/**
 * Export of networks to ONNX, for ONNX Runtime and other ONNX consumers: {@link io.github.backprop4j.onnx.OnnxExport}
 * writes a network as an ONNX model (opset 17, IR version 8), with a protocol buffers encoder of its own and no
 * protobuf dependency. The operators each layer kind and activation becomes are listed in {@code docs/onnx.md}.
 * {@link io.github.backprop4j.onnx.OnnxImport} reads such models, and PyTorch's exports of an {@code nn.Sequential},
 * back as networks, with a bounded decoder; malformed or unsupported models end in
 * {@link io.github.backprop4j.onnx.OnnxFormatException}.
 */
package io.github.backprop4j.onnx;
