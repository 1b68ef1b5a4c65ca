#!/usr/bin/python3
"""Reference ONNX models in the styles real exporters produce, with their inputs and reference outputs,
for the native importer's tests (onnx-bridge/src/test/java/dev/graft/onnx/imports/ops/ExportStylesTest).
Run with Debian's python3-torch (1.13) and python3-onnx (1.12), from anywhere:

    /usr/bin/python3 tools/onnx-refs/make_refs.py

It writes, into onnx-bridge/src/test/resources/models/, for every model NAME:
  NAME.onnx   the model, with a symbolic batch dimension on its input and output
  NAME.json   {"opset": ..., "input": [...], "output": [...], "source": ...}: a batch of 3 examples from a
              seeded normal distribution and the reference output for it, in float32 (nested lists)

The models:
  transformer_op14, transformer_op17
      torch.nn.TransformerEncoderLayer(d_model=16, nhead=2, dim_feedforward=32, activation="gelu",
      batch_first=True) in eval mode, on [batch, 5, 16], exported by torch.onnx.export at opset 14 (layer
      norm decomposed into ReduceMean / Sub / Pow / Sqrt / Div, GELU as Erf) and at opset 17
      (LayerNormalization), with the default constant folding. The reference output is PyTorch's.
      Inside, nn.MultiheadAttention moves the batch axis ([N, L, E] -> [L, N, E] -> [L, N*heads, E/heads]
      -> [N*heads, L, E/heads] and back), and the reshape targets are built at run time from Shape,
      Gather, Unsqueeze, Concat and Mul of the batch size.
  conv_bn_gemm_op13
      Conv2d(2, 3, 3, padding=1) -> BatchNorm2d(3) -> ReLU -> Flatten -> Linear(75, 4) on [batch, 2, 5, 5],
      exported in eval mode with the batch norm kept (TrainingMode.PRESERVE), for the gradient checks of
      an imported graph. The reference output is PyTorch's.
  tf_nhwc_op13
      What tf2onnx makes of a small Keras CNN (TensorFlow is not installed here, so the graph is written
      with onnx.helper in tf2onnx's style): an NHWC input [batch, 8, 8, 3] named "input_1", a Transpose to
      NCHW in front of each Conv (SAME_UPPER padding, bias) and back to NHWC after it, Relu, Identity, a Reshape of the NHWC result with a [-1, 128] constant target, MatMul + Add
      (Keras Dense), Softmax, and an output named "dense/Softmax:0". The reference output is computed
      with torch.nn.functional on the same weights.
  paddle_op9
      What paddle2onnx makes of a small CNN at opset 9 (PaddlePaddle is not installed either): every weight
      in a Constant node instead of an initializer, Conv + BatchNormalization + Relu, MaxPool, a Flatten,
      MatMul + Add instead of Gemm, a Scale written as Mul and Add of constants, nearest Upsample (opset 9,
      scales from a Constant), and Softmax. The reference output comes from torch.nn.functional.
Everything is seeded: rerunning gives the same numbers.
"""
import json
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "onnx-bridge", "src", "test", "resources", "models"))
BATCH = 3


def save(name, model, opset, x, y, source):
    path = os.path.join(OUT, name + ".onnx")
    onnx.checker.check_model(model)
    onnx.save(model, path)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"opset": opset, "source": source, "input": np.asarray(x, dtype=np.float32).tolist(),
                   "output": np.asarray(y, dtype=np.float32).tolist()}, f)
        f.write("\n")


# ---------------------------------------------------------------- the transformer encoder layer

def transformer():
    torch.manual_seed(14)
    layer = nn.TransformerEncoderLayer(d_model=16, nhead=2, dim_feedforward=32, activation="gelu", batch_first=True)
    layer.eval()
    with torch.no_grad():
        # layer-norm parameters that are not the identity, so the test sees them used
        for norm in (layer.norm1, layer.norm2):
            norm.weight.uniform_(0.5, 1.5)
            norm.bias.uniform_(-0.5, 0.5)
    g = torch.Generator().manual_seed(114)
    x = torch.randn(BATCH, 5, 16, generator=g)
    with torch.no_grad():
        y = layer(x)
    for opset in (14, 17):
        name = "transformer_op%d" % opset
        path = os.path.join(OUT, name + ".onnx")
        torch.onnx.export(layer, x, path, opset_version=opset, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
        model = onnx.load(path)
        save(name, model, opset, x.numpy(), y.numpy(), "torch %s TransformerEncoderLayer" % torch.__version__)


# ---------------------------------------------------------------- Conv + BN + ReLU + Gemm

class ConvBnGemm(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.fc = nn.Linear(75, 4)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).flatten(1))


def conv_bn_gemm():
    torch.manual_seed(13)
    model = ConvBnGemm()
    model.eval()
    with torch.no_grad():
        model.bn.running_mean.uniform_(-0.5, 0.5)
        model.bn.running_var.uniform_(0.5, 2.0)
        model.bn.weight.uniform_(0.5, 1.5)
        model.bn.bias.uniform_(-0.5, 0.5)
    g = torch.Generator().manual_seed(113)
    x = torch.randn(BATCH, 2, 5, 5, generator=g)
    with torch.no_grad():
        y = model(x)
    name = "conv_bn_gemm_op13"
    path = os.path.join(OUT, name + ".onnx")
    # PRESERVE keeps BatchNormalization instead of folding it into the convolution
    torch.onnx.export(model, x, path, opset_version=13, training=torch.onnx.TrainingMode.PRESERVE, input_names=["x"],
                      output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    save(name, onnx.load(path), 13, x.numpy(), y.numpy(), "torch %s Conv2d, BatchNorm2d, ReLU, Linear" % torch.__version__)


# ---------------------------------------------------------------- a tf2onnx-style NHWC model

def tf_nhwc():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((BATCH, 8, 8, 3)).astype(np.float32)
    w1 = (rng.standard_normal((8, 3, 3, 3)) * 0.4).astype(np.float32)   # tf2onnx writes Conv weights as OIHW
    b1 = (rng.standard_normal(8) * 0.1).astype(np.float32)
    w2 = (rng.standard_normal((8, 8, 3, 3)) * 0.2).astype(np.float32)
    b2 = (rng.standard_normal(8) * 0.1).astype(np.float32)
    wd = (rng.standard_normal((128, 10)) * 0.1).astype(np.float32)
    bd = (rng.standard_normal(10) * 0.1).astype(np.float32)

    # SAME_UPPER, stride 2 on 8: output 4, total padding (4 - 1) * 2 + 3 - 8 = 1, all of it after
    t = torch.from_numpy(x).permute(0, 3, 1, 2)
    t = F.relu(F.conv2d(F.pad(t, (0, 1, 0, 1)), torch.from_numpy(w1), torch.from_numpy(b1), stride=2))     # [N, 8, 4, 4]
    t = F.relu(F.conv2d(F.pad(t, (1, 1, 1, 1)), torch.from_numpy(w2), torch.from_numpy(b2)))             # [N, 8, 4, 4]
    nhwc = t.permute(0, 2, 3, 1)                                                                         # [N, 4, 4, 8]
    flat = nhwc.reshape(BATCH, 128)
    y = torch.softmax(flat @ torch.from_numpy(wd) + torch.from_numpy(bd), dim=-1)

    nodes = [
        helper.make_node("Transpose", ["input_1"], ["conv2d/Conv2D__6:0"], name="conv2d/Conv2D__6", perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["conv2d/Conv2D__6:0", "conv2d/Conv2D/ReadVariableOp:0", "conv2d/BiasAdd/ReadVariableOp:0"],
                         ["conv2d/BiasAdd:0"], name="conv2d/BiasAdd", auto_pad="SAME_UPPER", strides=[2, 2],
                         dilations=[1, 1], kernel_shape=[3, 3], group=1),
        helper.make_node("Relu", ["conv2d/BiasAdd:0"], ["conv2d/Relu:0"], name="conv2d/Relu"),
        helper.make_node("Transpose", ["conv2d/Relu:0"], ["conv2d/Relu__10:0"], name="conv2d/Relu__10", perm=[0, 2, 3, 1]),
        helper.make_node("Identity", ["conv2d/Relu__10:0"], ["conv2d/Identity:0"], name="conv2d/Identity"),
        helper.make_node("Transpose", ["conv2d/Identity:0"], ["conv2d_1/Conv2D__12:0"], name="conv2d_1/Conv2D__12", perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["conv2d_1/Conv2D__12:0", "conv2d_1/Conv2D/ReadVariableOp:0", "conv2d_1/BiasAdd/ReadVariableOp:0"],
                         ["conv2d_1/BiasAdd:0"], name="conv2d_1/BiasAdd", auto_pad="SAME_UPPER", strides=[1, 1],
                         dilations=[1, 1], kernel_shape=[3, 3], group=1),
        helper.make_node("Relu", ["conv2d_1/BiasAdd:0"], ["conv2d_1/Relu:0"], name="conv2d_1/Relu"),
        helper.make_node("Transpose", ["conv2d_1/Relu:0"], ["conv2d_1/Relu__16:0"], name="conv2d_1/Relu__16", perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["conv2d_1/Relu__16:0", "const_fold_opt__20"], ["flatten/Reshape:0"], name="flatten/Reshape"),
        helper.make_node("MatMul", ["flatten/Reshape:0", "dense/MatMul/ReadVariableOp:0"], ["dense/MatMul:0"], name="dense/MatMul"),
        helper.make_node("Add", ["dense/MatMul:0", "dense/BiasAdd/ReadVariableOp:0"], ["dense/BiasAdd:0"], name="dense/BiasAdd"),
        helper.make_node("Softmax", ["dense/BiasAdd:0"], ["dense/Softmax:0"], name="dense/Softmax", axis=-1),
    ]
    inits = {"conv2d/Conv2D/ReadVariableOp:0": w1, "conv2d/BiasAdd/ReadVariableOp:0": b1,
             "conv2d_1/Conv2D/ReadVariableOp:0": w2, "conv2d_1/BiasAdd/ReadVariableOp:0": b2,
             "const_fold_opt__20": np.array([-1, 128], dtype=np.int64),
             "dense/MatMul/ReadVariableOp:0": wd, "dense/BiasAdd/ReadVariableOp:0": bd}
    xi = helper.make_tensor_value_info("input_1", TensorProto.FLOAT, ["unk__21", 8, 8, 3])
    yi = helper.make_tensor_value_info("dense/Softmax:0", TensorProto.FLOAT, ["unk__22", 10])
    g = helper.make_graph(nodes, "tf2onnx", [xi], [yi], [numpy_helper.from_array(v, k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="tf2onnx", producer_version="1.9.3")
    m.ir_version = 7
    save("tf_nhwc_op13", m, 13, x, y.numpy(), "tf2onnx-style graph, reference by torch.nn.functional")


# ---------------------------------------------------------------- a paddle2onnx-style opset-9 model

def paddle():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((BATCH, 2, 6, 6)).astype(np.float32)
    w = (rng.standard_normal((4, 2, 3, 3)) * 0.4).astype(np.float32)
    cb = (rng.standard_normal(4) * 0.1).astype(np.float32)
    gamma = rng.uniform(0.5, 1.5, 4).astype(np.float32)
    beta = rng.uniform(-0.5, 0.5, 4).astype(np.float32)
    mean = rng.uniform(-0.5, 0.5, 4).astype(np.float32)
    var = rng.uniform(0.5, 2.0, 4).astype(np.float32)
    wf = (rng.standard_normal((4 * 6 * 6, 5)) * 0.1).astype(np.float32)
    bf = (rng.standard_normal(5) * 0.1).astype(np.float32)
    scale = np.array([0.5], dtype=np.float32)
    shift = np.array([0.25], dtype=np.float32)
    eps = 1e-5

    t = torch.from_numpy(x)
    t = F.conv2d(t, torch.from_numpy(w), torch.from_numpy(cb), padding=1)                     # [N, 4, 6, 6]
    t = F.batch_norm(t, torch.from_numpy(mean), torch.from_numpy(var), torch.from_numpy(gamma), torch.from_numpy(beta),
                     training=False, eps=eps)
    t = F.relu(t)
    t = F.max_pool2d(t, 2, stride=2)                                                          # [N, 4, 3, 3]
    t = F.interpolate(t, scale_factor=2, mode="nearest")                                     # [N, 4, 6, 6]
    t = t * float(scale[0]) + float(shift[0])
    y = torch.softmax(t.reshape(BATCH, -1) @ torch.from_numpy(wf) + torch.from_numpy(bf), dim=1)

    def const(name, value):
        return helper.make_node("Constant", [], [name], name=name + "_const",
                                value=numpy_helper.from_array(value, name + "_value"))

    nodes = [
        const("conv2d_0.w_0", w), const("conv2d_0.b_0", cb),
        const("batch_norm_0.w_0", gamma), const("batch_norm_0.b_0", beta),
        const("batch_norm_0.w_1", mean), const("batch_norm_0.w_2", var),
        const("linear_0.w_0", wf), const("linear_0.b_0", bf),
        const("scale_0.scale", scale), const("scale_0.bias", shift),
        const("upsample_0.scales", np.array([1, 1, 2, 2], dtype=np.float32)),
        helper.make_node("Conv", ["x", "conv2d_0.w_0", "conv2d_0.b_0"], ["conv2d_0.tmp_1"], name="p2o.Conv.0",
                         pads=[1, 1, 1, 1], strides=[1, 1], dilations=[1, 1], group=1, kernel_shape=[3, 3]),
        helper.make_node("BatchNormalization", ["conv2d_0.tmp_1", "batch_norm_0.w_0", "batch_norm_0.b_0", "batch_norm_0.w_1",
                                                "batch_norm_0.w_2"], ["batch_norm_0.tmp_2"], name="p2o.BatchNormalization.0",
                         epsilon=eps, momentum=0.9),
        helper.make_node("Relu", ["batch_norm_0.tmp_2"], ["relu_0.tmp_0"], name="p2o.Relu.0"),
        helper.make_node("MaxPool", ["relu_0.tmp_0"], ["pool2d_0.tmp_0"], name="p2o.MaxPool.0", kernel_shape=[2, 2],
                         strides=[2, 2], pads=[0, 0, 0, 0]),
        helper.make_node("Upsample", ["pool2d_0.tmp_0", "upsample_0.scales"], ["nearest_interp_0.tmp_0"], name="p2o.Upsample.0",
                         mode="nearest"),
        helper.make_node("Mul", ["nearest_interp_0.tmp_0", "scale_0.scale"], ["scale_0.tmp_mul"], name="p2o.Mul.0"),
        helper.make_node("Add", ["scale_0.tmp_mul", "scale_0.bias"], ["scale_0.tmp_0"], name="p2o.Add.0"),
        helper.make_node("Flatten", ["scale_0.tmp_0"], ["flatten_0.tmp_0"], name="p2o.Flatten.0", axis=1),
        helper.make_node("MatMul", ["flatten_0.tmp_0", "linear_0.w_0"], ["linear_0.tmp_0"], name="p2o.MatMul.0"),
        helper.make_node("Add", ["linear_0.tmp_0", "linear_0.b_0"], ["linear_0.tmp_1"], name="p2o.Add.1"),
        helper.make_node("Softmax", ["linear_0.tmp_1"], ["softmax_0.tmp_0"], name="p2o.Softmax.0", axis=1),
    ]
    xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, [-1, 2, 6, 6])
    yi = helper.make_tensor_value_info("softmax_0.tmp_0", TensorProto.FLOAT, [-1, 5])
    g = helper.make_graph(nodes, "paddle", [xi], [yi])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 9)], producer_name="PaddlePaddle")
    m.ir_version = 4
    save("paddle_op9", m, 9, x, y.numpy(), "paddle2onnx-style graph, reference by torch.nn.functional")


if __name__ == "__main__":
    torch.set_num_threads(1)
    transformer()
    conv_bn_gemm()
    tf_nhwc()
    paddle()
