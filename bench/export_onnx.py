#!/usr/bin/python3
"""Exports the benchmark MLP and CNN (the exact models of shared/bench/torch_reference.py) to ONNX,
for `graft bench onnx-native` / `onnx-ort` and the raw ONNX Runtime peer.

The weights come from torch.manual_seed(0), as in the reference; the batch dimension is dynamic
("N"). The files are committed; rerun this only to change them:

    /usr/bin/python3 bench/export_onnx.py [--out cli/src/main/resources/dev/graft/cli/bench]
"""
import argparse, os

import torch



def models():
    import torch.nn as nn
    # identical to torch_reference.py's mlp() and cnn()
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(),
                        nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    cnn = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                        nn.Linear(84, 10))
    return {"mlp": mlp, "cnn": cnn}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "cli", "src", "main", "resources",
                                                 "dev", "graft", "cli", "bench"))
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for name in ("mlp", "cnn"):
        torch.manual_seed(0)
        m = models()[name].eval()
        x = torch.rand(2, 1, 28, 28)
        path = os.path.join(a.out, name + ".onnx")
        torch.onnx.export(m, x, path, input_names=["input"], output_names=["logits"], opset_version=13,
                          dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True)
        print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
