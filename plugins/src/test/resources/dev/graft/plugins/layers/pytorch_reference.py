"""Reference outputs of PyTorch for the built-in layers, in float64.

Run with Debian's python3-torch:  python3 pytorch_reference.py > pytorch_reference.json
PyTorchReferenceTest reads the JSON and runs every case through the Graft layer with the same
parameters. Conventions that differ from PyTorch are converted here, never in the test:
  - dense/lstm weights are stored [in, out]: W = weight_ih.T, R = weight_hh.T, b = bias_ih + bias_hh
  - "same" padding (TensorFlow / ONNX SAME_UPPER) is written as an explicit F.pad, extra at the end
"""
import json
import math

import torch
import torch.nn.functional as F

torch.manual_seed(20240611)
torch.set_default_dtype(torch.float64)


def t(*shape):
    return torch.randn(*shape)


def listify(x):
    return x.detach().tolist()


cases = []


def case(name, layer, config, inputs, params, output, **extra):
    c = {"name": name, "layer": layer, "config": config, "inputs": [listify(i) for i in inputs],
         "params": {k: listify(v) for k, v in params.items()}, "output": listify(output)}
    for k, v in extra.items():
        c[k] = {n: listify(a) for n, a in v.items()} if isinstance(v, dict) else v
    cases.append(c)


def same_pads(size, k, s, d):
    out = math.ceil(size / s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


# ---- conv2d
x = t(2, 3, 5, 6); w = t(4, 3, 3, 3); b = t(4)
case("conv2d basic", "conv2d", {"filters": 4, "kernel": 3}, [x], {"W": w, "b": b}, F.conv2d(x, w, b))
w = t(4, 3, 3, 2); b = t(4)
case("conv2d stride padding dilation", "conv2d",
     {"filters": 4, "kernel": [3, 2], "stride": [2, 1], "padding": [1, 2], "dilation": [1, 2]},
     [x], {"W": w, "b": b}, F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2)))
x = t(2, 4, 5, 5); w = t(6, 2, 2, 3)
case("conv2d groups no bias", "conv2d", {"filters": 6, "kernel": [2, 3], "padding": 1, "groups": 2, "use-bias": False},
     [x], {"W": w}, F.conv2d(x, w, None, padding=1, groups=2))
x = t(2, 3, 5, 6); w = t(6, 1, 3, 3); b = t(6)
case("conv2d depthwise multiplier 2", "conv2d", {"filters": 6, "kernel": 3, "stride": 2, "padding": 1, "groups": 3},
     [x], {"W": w, "b": b}, F.conv2d(x, w, b, stride=2, padding=1, groups=3))
x = t(2, 2, 7, 6); w = t(3, 2, 3, 3); b = t(3)
ph, pw = same_pads(7, 3, 2, 1), same_pads(6, 3, 2, 1)
case("conv2d same stride 2", "conv2d", {"filters": 3, "kernel": 3, "stride": 2, "padding": "same"},
     [x], {"W": w, "b": b}, F.conv2d(F.pad(x, (pw[0], pw[1], ph[0], ph[1])), w, b, stride=2))
w = t(3, 2, 2, 4); b = t(3)
ph, pw = same_pads(7, 2, 1, 1), same_pads(6, 4, 1, 1)
case("conv2d same even kernel", "conv2d", {"filters": 3, "kernel": [2, 4], "padding": "same"},
     [x], {"W": w, "b": b}, F.conv2d(F.pad(x, (pw[0], pw[1], ph[0], ph[1])), w, b))
w = t(3, 2, 3, 3); b = t(3)
ph, pw = same_pads(7, 3, 1, 2), same_pads(6, 3, 1, 2)
case("conv2d same dilated", "conv2d", {"filters": 3, "kernel": 3, "padding": "same", "dilation": 2},
     [x], {"W": w, "b": b}, F.conv2d(F.pad(x, (pw[0], pw[1], ph[0], ph[1])), w, b, dilation=2))

# ---- conv1d
x = t(2, 3, 7); w = t(4, 3, 3); b = t(4)
case("conv1d stride padding", "conv1d", {"filters": 4, "kernel": 3, "stride": 2, "padding": 1},
     [x], {"W": w, "b": b}, F.conv1d(x, w, b, stride=2, padding=1))
w = t(6, 1, 2); b = t(6)
p = same_pads(7, 2, 1, 3)
case("conv1d same depthwise dilated", "conv1d", {"filters": 6, "kernel": 2, "padding": "same", "dilation": 3, "groups": 3},
     [x], {"W": w, "b": b}, F.conv1d(F.pad(x, p), w, b, dilation=3, groups=3))

# ---- pooling
x = t(2, 2, 5, 6)
case("max-pool2d default stride", "max-pool2d", {"kernel": 2}, [x], {}, F.max_pool2d(x, 2))
case("max-pool2d padded", "max-pool2d", {"kernel": 3, "stride": 2, "padding": 1}, [x], {},
     F.max_pool2d(x, 3, stride=2, padding=1))
case("avg-pool2d padded counts the padding", "avg-pool2d", {"kernel": 3, "stride": 2, "padding": 1}, [x], {},
     F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=True))
case("avg-pool2d rectangular", "avg-pool2d", {"kernel": [2, 3], "stride": [1, 2], "padding": [1, 0]}, [x], {},
     F.avg_pool2d(x, (2, 3), stride=(1, 2), padding=(1, 0), count_include_pad=True))
ph, pw = same_pads(5, 3, 2, 1), same_pads(6, 3, 2, 1)
case("avg-pool2d same", "avg-pool2d", {"kernel": 3, "stride": 2, "padding": "same"}, [x], {},
     F.avg_pool2d(F.pad(x, (pw[0], pw[1], ph[0], ph[1])), 3, stride=2))
case("max-pool2d same", "max-pool2d", {"kernel": 3, "stride": 2, "padding": "same"}, [x], {},
     F.max_pool2d(F.pad(x, (pw[0], pw[1], ph[0], ph[1]), value=-math.inf), 3, stride=2))
x = t(2, 3, 7)
case("max-pool1d padded", "max-pool1d", {"kernel": 3, "stride": 2, "padding": 1}, [x], {},
     F.max_pool1d(x, 3, stride=2, padding=1))
case("avg-pool1d padded", "avg-pool1d", {"kernel": 3, "stride": 2, "padding": 1}, [x], {},
     F.avg_pool1d(x, 3, stride=2, padding=1, count_include_pad=True))
x = t(2, 3, 4, 5)
case("global-avg-pool image", "global-avg-pool", {}, [x], {}, F.adaptive_avg_pool2d(x, 1).reshape(2, 3))

# ---- batch norm: one training step, then inference with other running statistics
for name, shape in [("batch-norm features", (5, 3)), ("batch-norm sequence", (4, 3, 2)), ("batch-norm image", (4, 3, 2, 2))]:
    x = t(*shape); gamma = t(3); beta = t(3)
    bn = {2: torch.nn.BatchNorm1d, 3: torch.nn.BatchNorm1d, 4: torch.nn.BatchNorm2d}[len(shape)](3, momentum=0.2, eps=1e-3)
    with torch.no_grad():
        bn.weight.copy_(gamma); bn.bias.copy_(beta)
    bn.train()
    y = bn(x)
    case(name + " train", "batch-norm", {"momentum": 0.2, "eps": 1e-3}, [x],
         {"gamma": gamma, "beta": beta, "running_mean": torch.zeros(3), "running_var": torch.ones(3)}, y,
         mode="train", state={"running_mean": bn.running_mean, "running_var": bn.running_var})
    rm = t(3); rv = torch.rand(3) + 0.5
    with torch.no_grad():
        bn.running_mean.copy_(rm); bn.running_var.copy_(rv)
    bn.eval()
    case(name + " infer", "batch-norm", {"momentum": 0.2, "eps": 1e-3}, [x],
         {"gamma": gamma, "beta": beta, "running_mean": rm, "running_var": rv}, bn(x), mode="infer")

# ---- layer norm
x = t(2, 3, 4)
g = t(4); be = t(4)
case("layer-norm last axis", "layer-norm", {}, [x], {"gamma": g, "beta": be}, F.layer_norm(x, (4,), g, be, 1e-5))
g = t(3, 4); be = t(3, 4)
case("layer-norm two axes", "layer-norm", {"axes": 2, "eps": 1e-3}, [x], {"gamma": g, "beta": be},
     F.layer_norm(x, (3, 4), g, be, 1e-3))
case("layer-norm no affine", "layer-norm", {"elementwise-affine": False}, [x], {}, F.layer_norm(x, (4,)))

# ---- embedding
w = t(5, 3)
ids = torch.tensor([[0, 4, 2, 2], [1, 1, 3, 0]])
case("embedding", "embedding", {"vocab-size": 5, "dim": 3}, [ids.double()], {"W": w}, F.embedding(ids, w))

# ---- lstm (gate order i, f, g, o in both)
for units, ret in [(3, True), (3, False), (1, True), (1, False)]:
    lstm = torch.nn.LSTM(4, units, batch_first=True)
    x = t(2, 5, 4)
    y, (h, c) = lstm(x)
    params = {"W": lstm.weight_ih_l0.T, "R": lstm.weight_hh_l0.T, "b": lstm.bias_ih_l0 + lstm.bias_hh_l0}
    case("lstm units %d return-sequences %s" % (units, ret), "lstm", {"units": units, "return-sequences": ret}, [x],
         params, y if ret else y[:, -1, :])

# ---- activations
x = t(2, 3, 4) * 2
case("gelu exact", "gelu", {}, [x], {}, F.gelu(x))
case("gelu tanh", "gelu", {"approximate": "tanh"}, [x], {}, F.gelu(x, approximate="tanh"))
case("elu", "elu", {"alpha": 0.5}, [x], {}, F.elu(x, alpha=0.5))
case("silu", "silu", {}, [x], {}, F.silu(x))
case("log-softmax", "log-softmax", {}, [x * 10], {}, F.log_softmax(x * 10, dim=-1))

print(json.dumps({"torch": torch.__version__, "cases": cases}))
