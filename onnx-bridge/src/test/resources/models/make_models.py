#!/usr/bin/python3
"""Small PyTorch models exported to ONNX, with PyTorch's outputs for a fixed input, for the native
importer's tests (dev.graft.onnx.imports.*). Run from this directory with Debian's python3-torch
(1.13) and python3-onnx (1.12):  /usr/bin/python3 make_models.py

For every model NAME it writes
  NAME.onnx   exported in eval mode with do_constant_folding=False (so BatchNormalization, Shape
              arithmetic and Constant nodes stay in the graph as PyTorch emits them) and a symbolic
              batch dimension on the input and the output
  NAME.json   {"opset": ..., "input": [...], "output": [...]}: a batch of 3 examples drawn from a
              seeded normal distribution and PyTorch's output for it, in float32 (nested lists)
A few graphs PyTorch does not emit (auto_pad, count_include_pad, opset-specific attribute forms,
ops of other domains) are built with onnx.helper; their expected outputs are still computed with
torch.nn.functional.
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
BATCH = 3


def save_expected(name, opset, x, y):
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump({"opset": opset, "input": x.tolist(), "output": y.tolist()}, f)
        f.write("\n")


def export(name, model, example_shape, opset, seed=1):
    torch.manual_seed(seed)
    model.eval()
    # batch-norm statistics that are not the identity, so the test sees them used
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            with torch.no_grad():
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    g = torch.Generator().manual_seed(1000 + seed)
    x = torch.randn((BATCH,) + tuple(example_shape), generator=g)
    with torch.no_grad():
        y = model(x)
    path = os.path.join(HERE, name + ".onnx")
    # TrainingMode.PRESERVE on a model in eval mode keeps BatchNormalization (in its inference form)
    # instead of folding it into the convolution before it, which EVAL does even without constant folding
    torch.onnx.export(model, x, path, opset_version=opset, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE,
                      input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))
    save_expected(name, opset, x.numpy(), y.numpy())


# ---------------------------------------------------------------- models PyTorch exports

class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.fc2 = nn.Linear(16, 4)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class Cnn(nn.Module):
    """Conv-BN-ReLU-MaxPool, Conv-BN-ReLU-AvgPool, flattened with x.view(x.size(0), -1)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8, eps=1e-3, momentum=0.2)
        self.fc = nn.Linear(8 * 2 * 2, 5)

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
        x = F.avg_pool2d(torch.relu(self.bn2(self.conv2(x))), 2)
        x = x.view(x.size(0), -1)
        return F.log_softmax(self.fc(x), dim=1)


class CnnFlatten(nn.Module):
    """Strided, dilated and grouped convolutions, padded pools, global average pooling, flatten(1), softmax."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 6, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(6, 6, 3, padding=2, dilation=2, groups=3)
        self.conv3 = nn.Conv2d(6, 6, 3, padding=1, groups=6)
        self.pool = nn.MaxPool2d(3, stride=1, padding=1)
        self.avg = nn.AvgPool2d(3, stride=2, padding=1)   # count_include_pad=True
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        x = F.leaky_relu(self.conv1(x), 0.2)
        x = F.elu(self.conv2(x), alpha=0.7)
        x = torch.sigmoid(self.conv3(x)) * x
        x = self.avg(self.pool(x))
        x = F.adaptive_avg_pool2d(x, 1)
        x = torch.flatten(x, 1)
        return torch.softmax(torch.tanh(self.fc(x)), dim=-1)


class Conv1dNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(3, 4, 3, padding=1)
        self.conv2 = nn.Conv1d(4, 4, 3, stride=2, groups=2, bias=False)
        self.bn = nn.BatchNorm1d(4)

    def forward(self, x):
        x = F.max_pool1d(torch.relu(self.conv1(x)), 2)
        return self.bn(self.conv2(x))


class MatMulAdd(nn.Module):
    """x @ W + b (MatMul then Add, folded into one dense), then a MatMul whose output is used twice."""

    def __init__(self):
        super().__init__()
        self.w1 = nn.Parameter(torch.randn(6, 5))
        self.b1 = nn.Parameter(torch.randn(5))
        self.w2 = nn.Parameter(torch.randn(5, 5))
        self.b2 = nn.Parameter(torch.randn(5))

    def forward(self, x):
        h = torch.tanh(x @ self.w1 + self.b1)
        m = h @ self.w2
        return (m + self.b2) * m


class Branches(nn.Module):
    """Concat along channels, residual Add, arithmetic with constants, Transpose, Linear on [T, F]."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 2, 1)
        self.b = nn.Conv2d(3, 3, 3, padding=1)
        self.mix = nn.Conv2d(5, 3, 1)
        self.scale = nn.Parameter(torch.randn(3, 1, 1))
        self.lin = nn.Linear(4, 2)

    def forward(self, x):
        y = torch.cat([self.a(x), torch.relu(self.b(x))], dim=1)
        y = self.mix(y) + x
        y = (y - 0.5) / 2.0 * self.scale
        y = 1.0 - y
        z = y.reshape(y.size(0), 3, -1)     # [N, 3, 16]
        z = z.permute(0, 2, 1)              # [N, 16, 3]
        z = z.reshape(z.size(0), 12, 4)     # [N, 12, 4]
        return self.lin(z)                  # MatMul + Add on [N, 12, 4]


class Elementwise(nn.Module):
    def __init__(self):
        super().__init__()
        self.prelu = nn.PReLU(4)
        self.ln = nn.LayerNorm(4)

    def forward(self, x):
        a = torch.sqrt(torch.abs(x) + 1.0)
        b = torch.exp(-x) + torch.log(a)
        c = torch.reciprocal(a) * torch.erf(x) + torch.pow(x, 2.0) - torch.pow(a, b / 4.0)
        d = F.hardsigmoid(c) + F.hardswish(b) + torch.clamp(x, -0.5, 0.6)
        e = torch.max(d, c) + torch.min(a, b)
        f = self.prelu(e.reshape(e.size(0), 4, -1))      # [N, 4, 2], a slope per channel
        g = f.mean(dim=2, keepdim=True) + f.sum(dim=1, keepdim=True) - torch.amax(f, dim=2, keepdim=True)
        return self.ln(g.transpose(1, 2))


class Indexing(nn.Module):
    """x[:, 0], x[:, 1:3, ::2], x[:, :, -1] and x[:, [0, 2, 3]]: Gather and Slice on computed values."""

    def __init__(self, steps=True):
        super().__init__()
        self.steps = steps
        self.fc = nn.Linear(6, 6)

    def forward(self, x):
        x = torch.tanh(self.fc(x))                     # [N, 4, 6]
        a = x[:, 0]                                    # [N, 6]
        b = x[:, 1:3, ::2] if self.steps else x[:, 1:3, 1:4]
        c = x[:, :, -1]                                # [N, 4]
        d = x[:, [0, 2, 3]]                            # [N, 3, 6]
        return torch.cat([a, b.flatten(1), c, d.flatten(1)], dim=1)


def pytorch_models():
    export("mlp_op13", Mlp(), (8,), 13, seed=1)
    export("mlp_op9", Mlp(), (8,), 9, seed=1)
    export("cnn_op13", Cnn(), (1, 8, 8), 13, seed=2)
    export("cnn_op9", Cnn(), (1, 8, 8), 9, seed=2)
    export("cnn_flatten_op13", CnnFlatten(), (2, 9, 9), 13, seed=3)
    export("cnn_flatten_op11", CnnFlatten(), (2, 9, 9), 11, seed=3)
    export("conv1d_op13", Conv1dNet(), (3, 12), 13, seed=4)
    export("matmul_add_op13", MatMulAdd(), (6,), 13, seed=5)
    export("branches_op13", Branches(), (3, 4, 4), 13, seed=6)
    export("branches_op9", Branches(), (3, 4, 4), 9, seed=6)
    export("elementwise_op13", Elementwise(), (8,), 13, seed=7)
    export("elementwise_op17", Elementwise(), (8,), 17, seed=7)
    export("indexing_op13", Indexing(), (4, 6), 13, seed=8)
    export("indexing_op9", Indexing(steps=False), (4, 6), 9, seed=8)


# ---------------------------------------------------------------- graphs built by hand

def hand_model(name, opset, nodes, x_shape, y_shape, inits, x, y, domains=()):
    xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N"] + list(x_shape))
    yi = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N"] + list(y_shape))
    g = helper.make_graph(nodes, name, [xi], [yi], [numpy_helper.from_array(v.astype(np.float32) if v.dtype.kind == "f" else v, k)
                                                   for k, v in inits.items()])
    imports = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    m = helper.make_model(g, opset_imports=imports, producer_name="graft-tests")
    m.ir_version = 7
    if not domains:
        onnx.checker.check_model(m)
    onnx.save(m, os.path.join(HERE, name + ".onnx"))
    if y is not None:
        save_expected(name, opset, x, y)


def hand_models():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((BATCH, 2, 7, 7)).astype(np.float32)
    w = rng.standard_normal((4, 2, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    tx, tw, tb = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)

    # Conv with auto_pad SAME_UPPER and stride 2 (padding 1 before, 1 after on 7 -> 4), then
    # AveragePool with count_include_pad=0 and no pads (exact), then MaxPool with auto_pad VALID
    y = F.conv2d(F.pad(tx, (1, 1, 1, 1)), tw, tb, stride=2)           # [N, 4, 4, 4]
    y = F.avg_pool2d(y, 2, stride=1)                                   # [N, 4, 3, 3]
    y = F.max_pool2d(y, 2, stride=1)                                   # [N, 4, 2, 2]
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", auto_pad="SAME_UPPER", strides=[2, 2]),
        helper.make_node("AveragePool", ["c"], ["a"], name="avg", kernel_shape=[2, 2]),
        helper.make_node("MaxPool", ["a"], ["y"], name="max", kernel_shape=[2, 2], auto_pad="VALID"),
    ]
    hand_model("auto_pad_op11", 11, nodes, (2, 7, 7), (4, 2, 2), {"w": w, "b": b}, x, y.numpy())

    # AveragePool with count_include_pad=0 (the ONNX default) and pads: padding does not count in the mean
    y = F.avg_pool2d(tx, 3, stride=1, padding=1, count_include_pad=False)
    nodes = [helper.make_node("AveragePool", ["x"], ["y"], name="avg_excl", kernel_shape=[3, 3], pads=[1, 1, 1, 1])]
    hand_model("avgpool_exclude_pad_op11", 11, nodes, (2, 7, 7), (2, 7, 7), {}, x, y.numpy())

    # AveragePool SAME_UPPER, stride 2, count_include_pad=0 (TensorFlow's "same" average pooling: on 7 the
    # padding is 1 before and 1 after), MaxPool with ceil_mode=1, Conv with SAME_LOWER and an even kernel
    # (padding 1 before, 0 after)
    def avg_exclude(t, k, s, pads):
        # pads: (top, bottom, left, right); the mean of the real elements of each window
        padded = F.pad(t, (pads[2], pads[3], pads[0], pads[1]))
        ones = F.pad(torch.ones_like(t), (pads[2], pads[3], pads[0], pads[1]))
        return F.avg_pool2d(padded, k, stride=s, divisor_override=1) / F.avg_pool2d(ones, k, stride=s, divisor_override=1)

    w2 = rng.standard_normal((3, 2, 2, 2)).astype(np.float32)
    y = avg_exclude(tx, 3, 2, (1, 1, 1, 1))                            # [N, 2, 4, 4]
    y = F.max_pool2d(y, 3, stride=2, ceil_mode=True)                   # [N, 2, 2, 2]
    y2 = F.conv2d(F.pad(tx, (1, 0, 1, 0)), torch.from_numpy(w2))       # [N, 3, 7, 7]
    nodes = [
        helper.make_node("AveragePool", ["x"], ["a"], name="avg_same", kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER"),
        helper.make_node("MaxPool", ["a"], ["y"], name="max_ceil", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1),
    ]
    hand_model("pool_same_ceil_op11", 11, nodes, (2, 7, 7), (2, 2, 2), {}, x, y.numpy())
    nodes = [helper.make_node("Conv", ["x", "w2"], ["y"], name="conv_same_lower", auto_pad="SAME_LOWER")]
    hand_model("conv_same_lower_op11", 11, nodes, (2, 7, 7), (3, 7, 7), {"w2": w2}, x, y2.numpy())

    # Gemm with transB=0, alpha, beta and a [1, M] C; Softmax at opset 11 over axis 1 of a 2-D input;
    # Clip in the attribute form (opset 6..10) is checked separately below
    xf = rng.standard_normal((BATCH, 5)).astype(np.float32)
    B = rng.standard_normal((5, 3)).astype(np.float32)
    C = rng.standard_normal((1, 3)).astype(np.float32)
    y = torch.softmax(0.5 * torch.from_numpy(xf) @ torch.from_numpy(B) + 2.0 * torch.from_numpy(C), dim=1)
    nodes = [
        helper.make_node("Gemm", ["x", "B", "C"], ["g"], name="gemm", alpha=0.5, beta=2.0),
        helper.make_node("Softmax", ["g"], ["y"], name="softmax"),
    ]
    hand_model("gemm_op11", 11, nodes, (5,), (3,), {"B": B, "C": C}, xf, y.numpy())

    # Softmax at opset 11 over axis 1 of a [N, 2, 3] input: the softmax of the 6 values of each example
    x3 = rng.standard_normal((BATCH, 2, 3)).astype(np.float32)
    y = torch.softmax(torch.from_numpy(x3).reshape(BATCH, 6), dim=1).reshape(BATCH, 2, 3)
    nodes = [helper.make_node("Softmax", ["x"], ["y"], name="softmax_axis1", axis=1)]
    hand_model("softmax_axis1_op11", 11, nodes, (2, 3), (2, 3), {}, x3, y.numpy())

    # Clip, attribute form (opset 9) and input form (opset 13)
    y = torch.clamp(torch.from_numpy(xf), -0.3, 0.4)
    hand_model("clip_op9", 9, [helper.make_node("Clip", ["x"], ["y"], name="clip", min=-0.3, max=0.4)], (5,), (5,), {}, xf, y.numpy())
    nodes = [helper.make_node("Clip", ["x", "lo", "hi"], ["y"], name="clip")]
    hand_model("clip_op13", 13, nodes, (5,), (5,), {"lo": np.array(-0.3, dtype=np.float32), "hi": np.array(0.4, dtype=np.float32)},
               xf, y.numpy())

    # LayerNormalization (opset 17) over the last axis, ReduceMean (opset 13, axes attribute) and
    # ReduceSum (opset 13, axes input)
    x4 = rng.standard_normal((BATCH, 3, 4)).astype(np.float32)
    gamma = rng.standard_normal(4).astype(np.float32)
    beta = rng.standard_normal(4).astype(np.float32)
    t4 = torch.from_numpy(x4)
    ln = F.layer_norm(t4, (4,), torch.from_numpy(gamma), torch.from_numpy(beta), eps=1e-4)
    y = ln.mean(dim=2, keepdim=True) + ln.sum(dim=1, keepdim=True)    # [N, 3, 1] + [N, 1, 4]
    nodes = [
        helper.make_node("LayerNormalization", ["x", "gamma", "beta"], ["ln"], name="ln", axis=-1, epsilon=1e-4),
        helper.make_node("ReduceMean", ["ln"], ["m"], name="mean", axes=[2], keepdims=1),
        helper.make_node("ReduceSum", ["ln", "axes"], ["s"], name="sum", keepdims=1),
        helper.make_node("Add", ["m", "s"], ["y"], name="add"),
    ]
    hand_model("layernorm_op17", 17, nodes, (3, 4), (3, 4), {"gamma": gamma, "beta": beta, "axes": np.array([1], dtype=np.int64)},
               x4, y.numpy())

    # Softmax at opset 13 over a middle axis, GlobalMaxPool, Dropout (ratio input, no mask), Identity,
    # Unsqueeze / Squeeze / Cast of computed values, and a Reshape whose target is built from Shape with
    # an example axis (Gather index 1) instead of the batch
    x4 = rng.standard_normal((BATCH, 3, 2, 4)).astype(np.float32)
    t = torch.from_numpy(x4)
    s = torch.softmax(t, dim=1)                                        # [N, 3, 2, 4]
    g = torch.amax(s, dim=(2, 3), keepdim=True)                         # [N, 3, 1, 1]
    y = (s * g).reshape(BATCH, 3, 8).transpose(1, 2).reshape(BATCH, 24)
    nodes = [
        helper.make_node("Softmax", ["x"], ["s"], name="softmax_axis1", axis=1),
        helper.make_node("GlobalMaxPool", ["s"], ["g"], name="gmax"),
        helper.make_node("Dropout", ["g", "ratio"], ["d"], name="dropout"),
        helper.make_node("Identity", ["d"], ["i"], name="identity"),
        helper.make_node("Squeeze", ["i", "sq_axes"], ["q"], name="squeeze"),          # [N, 3]
        helper.make_node("Unsqueeze", ["q", "unsq_axes"], ["u"], name="unsqueeze"),    # [N, 3, 1, 1]
        helper.make_node("Cast", ["u"], ["c"], name="cast", to=TensorProto.FLOAT),
        helper.make_node("Mul", ["s", "c"], ["m"], name="mul"),
        helper.make_node("Shape", ["m"], ["shape"], name="shape"),
        helper.make_node("Gather", ["shape", "one"], ["channels"], name="gather", axis=0),   # 3
        helper.make_node("Unsqueeze", ["channels", "zero_axis"], ["channels1"], name="unsq_c"),
        helper.make_node("Concat", ["keep", "channels1", "minus1"], ["target"], name="concat", axis=0),   # [0, 3, -1]
        helper.make_node("Reshape", ["m", "target"], ["r"], name="reshape"),
        helper.make_node("Transpose", ["r"], ["tr"], name="transpose", perm=[0, 2, 1]),
        helper.make_node("Flatten", ["tr"], ["y"], name="flatten", axis=1),
    ]
    inits = {"ratio": np.array(0.5, dtype=np.float32), "sq_axes": np.array([2, 3], dtype=np.int64),
             "unsq_axes": np.array([-1, -2], dtype=np.int64), "one": np.array(1, dtype=np.int64),
             "zero_axis": np.array([0], dtype=np.int64), "keep": np.array([0], dtype=np.int64),
             "minus1": np.array([-1], dtype=np.int64)}
    hand_model("structure_op13", 13, nodes, (3, 2, 4), (24,), inits, x4, y.numpy())

    # Unsupported: a com.microsoft op, an op no converter handles, and an ai.onnx op at an opset outside
    # its converter's range is not needed here; every unsupported node must be listed at once
    nodes = [
        helper.make_node("FusedGemm", ["x", "B"], ["g"], name="fused", domain="com.microsoft"),
        helper.make_node("Relu", ["g"], ["r"], name="relu"),
        helper.make_node("TopK", ["r", "k"], ["y", "idx"], name="topk", axis=-1),
        helper.make_node("Einsum", ["y"], ["e"], name="einsum", equation="ij->ij"),
    ]
    hand_model("unsupported_op13", 13, nodes[:3], (5,), (2,), {"B": B, "k": np.array([2], dtype=np.int64)}, xf, None,
               domains=("com.microsoft",))


if __name__ == "__main__":
    pytorch_models()
    hand_models()
