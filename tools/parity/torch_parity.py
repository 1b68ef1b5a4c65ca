#!/usr/bin/python3
"""PyTorch reference losses for Graft's training-parity test (cli TorchParityTest).

Run from the repository root with Debian's python3-torch (apt-get install -y python3-torch), not the
first python3 on PATH:

    /usr/bin/python3 tools/parity/torch_parity.py            # writes cli/src/test/resources/parity/torch_losses.json
    /usr/bin/python3 tools/parity/torch_parity.py --out -    # prints the JSON instead

It trains the two reference models of ../shared/bench/README.md (the MLP and the LeNet-style CNN) for
STEPS steps with SGD (lr 0.01) and with Adam (lr 0.001, default betas and eps), float32, one thread,
and records the loss of every step (computed before that step's update). Nothing random is used: the
initial weights and the batches come from the formula below, which the Java test computes the same
way, so only the 20 losses per case are stored.

    wave(i, scale, offset) = float32(scale * sin(0.37 * i + offset))        (computed in float64)

  * parameter number p (in the order of model.parameters(): weight, bias of each layer in turn),
    in PyTorch's layout and C order: wave(i, 1 / sqrt(fan_in), p + 0.5), fan_in = in_features for
    Linear and in_channels * kh * kw for Conv2d. Graft's dense W is the transpose ([in, out]); its
    conv2d W has PyTorch's layout.
  * label of row r at step s (s = 0..STEPS-1, r = 0..BATCH-1): y = (7 * s + 3 * r + 1) mod 10.
  * inputs of step s, [BATCH, 1, 28, 28]: pixel j (0..783, C order) of row r is
    float32(0.5 + 0.49 * sin((0.05 + 0.03 * y) * j + 0.37 * (s * BATCH + r) + 100.25)), in (0, 1):
    a wave whose frequency depends on the label, so the models have something to learn.

Loss: CrossEntropyLoss (mean over the batch) of the logits.
"""
import argparse
import json
import math
import os
import platform
import sys

import torch
import torch.nn as nn

BATCH = 16
STEPS = 20
FREQ = 0.37
INPUT_OFFSET = 100.25
CASES = [("mlp", "sgd", 0.01), ("mlp", "adam", 0.001), ("cnn", "sgd", 0.01), ("cnn", "adam", 0.001)]


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(),
                         nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def wave(n, scale, offset):
    """n float32 values scale * sin(FREQ * i + offset), i = 0..n-1, computed in float64."""
    return torch.tensor([scale * math.sin(FREQ * i + offset) for i in range(n)], dtype=torch.float64).float()


def init_params(model):
    """Fills the parameters from wave(); returns the float64 sum of all values (a checksum)."""
    layers = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    p = 0
    total = 0.0
    with torch.no_grad():
        for layer in layers:
            w = layer.weight
            fan_in = w[0].numel()  # in_features, or in_channels * kh * kw
            scale = 1.0 / math.sqrt(fan_in)
            for t in (layer.weight, layer.bias):
                t.copy_(wave(t.numel(), scale, p + 0.5).reshape(t.shape))
                total += t.double().sum().item()
                p += 1
    assert p == len(list(model.parameters()))
    return total


def label(step, row):
    return (7 * step + 3 * row + 1) % 10


def batch(step):
    values = []
    for r in range(BATCH):
        freq = 0.05 + 0.03 * label(step, r)
        phase = FREQ * (step * BATCH + r) + INPUT_OFFSET
        values.extend(0.5 + 0.49 * math.sin(freq * j + phase) for j in range(784))
    x = torch.tensor(values, dtype=torch.float64).float().reshape(BATCH, 1, 28, 28)
    y = torch.tensor([label(step, r) for r in range(BATCH)], dtype=torch.int64)
    return x, y


def run(model_name, opt_name, lr, batches):
    model = mlp() if model_name == "mlp" else cnn()
    checksum = init_params(model)
    if opt_name == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    model.train()
    for x, y in batches:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    return checksum, losses


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "..", "cli", "src", "test", "resources", "parity", "torch_losses.json")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.normpath(default_out), help="output file, '-' for stdout")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    batches = [batch(s) for s in range(STEPS)]
    result = {
        "about": "per-step losses (before each update) of tools/parity/torch_parity.py; checked by cli TorchParityTest",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "batch": BATCH,
        "steps": STEPS,
        "input_checksum": sum(x.double().sum().item() for x, _ in batches),
        "param_checksums": {},
        "cases": [],
    }
    for model_name, opt_name, lr in CASES:
        checksum, losses = run(model_name, opt_name, lr, batches)
        result["param_checksums"][model_name] = checksum
        result["cases"].append({"model": model_name, "optimizer": opt_name, "lr": lr, "losses": losses})
        print(f"{model_name}/{opt_name}: {losses[0]:.6f} -> {losses[-1]:.6f}", file=sys.stderr)
    text = json.dumps(result, indent=1) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w") as f:
            f.write(text)
        print("wrote " + args.out, file=sys.stderr)


if __name__ == "__main__":
    main()
