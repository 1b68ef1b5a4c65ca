#!/usr/bin/python3
"""Pretrains the small CNN that samples/finetune fine-tunes, and exports it to ONNX.

Run with Debian's PyTorch (python3-torch 1.13) and onnx, from the repository root:

    /usr/bin/python3 samples/finetune/pretrain.py

It reads Fashion-MNIST from /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist),
keeps classes 0-4 (T-shirt/top, Trouser, Pullover, Dress, Coat), trains for two epochs, prints the test
accuracy on those classes, and writes

    fashion-cnn-0to4.onnx   the model in eval mode, opset 13, dynamic batch axis, batch norm kept
    fashion-cnn-0to4.json   how it was made and its test accuracy

beside this script. Pixels are scaled to [0, 1] (byte / 255), as Graft's idx dataset does by default.
"""
import gzip
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "/usr/share/datasets/fashion-mnist"
CLASSES = [0, 1, 2, 3, 4]
SEED = 0
EPOCHS = 2
BATCH = 64
LR = 1e-3


def read_idx(name):
    path = os.path.join(DATA, name)
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    dims = magic & 0xFF
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(prefix + "-images-idx3-ubyte.gz")
    y = read_idx(prefix + "-labels-idx1-ubyte.gz")
    keep = np.isin(y, CLASSES)
    x = x[keep].astype(np.float32)[:, None, :, :] / 255.0
    y = y[keep].astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


class SmallCnn(nn.Module):
    """conv 8 - BN - ReLU - pool, conv 16 - BN - ReLU - pool, flatten, dense 32 - ReLU, dense 5 (logits)."""

    def __init__(self, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(16 * 7 * 7, 32)
        self.classifier = nn.Linear(32, classes)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.pool(torch.relu(self.bn2(self.conv2(x))))
        x = torch.relu(self.fc1(self.flatten(x)))
        return self.classifier(x)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
    return (pred == y).float().mean().item()


def main():
    if not os.path.isdir(DATA):
        sys.exit(DATA + " is missing: apt-get install dataset-fashion-mnist")
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    x, y = load("train")
    xt, yt = load("test")
    model = SmallCnn(len(CLASSES))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(SEED)
    for epoch in range(1, EPOCHS + 1):
        model.train()
        order = torch.randperm(len(x), generator=g)
        total = 0.0
        for i in range(0, len(x), BATCH):
            idx = order[i:i + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch}: train loss {total / len(x):.4f}, test accuracy {accuracy(model, xt, yt):.4f}")
    acc = accuracy(model, xt, yt)
    params = sum(p.numel() for p in model.parameters())
    print(f"test accuracy on classes {CLASSES}: {acc:.4f} ({len(xt)} images); {params} parameters")

    model.eval()
    path = os.path.join(HERE, "fashion-cnn-0to4.onnx")
    # TrainingMode.PRESERVE on a model in eval mode keeps BatchNormalization (in its inference form)
    # instead of folding it into the convolution before it
    torch.onnx.export(model, x[:2], path, opset_version=13, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))
    with torch.no_grad():
        sample = model(xt[:4]).numpy()
    with open(os.path.join(HERE, "fashion-cnn-0to4.json"), "w") as f:
        json.dump({
            "made_by": "samples/finetune/pretrain.py",
            "torch": torch.__version__,
            "classes": CLASSES,
            "epochs": EPOCHS, "batch_size": BATCH, "lr": LR, "seed": SEED,
            "parameters": params,
            "train_images": len(x),
            "test_images": len(xt),
            "test_accuracy": round(acc, 4),
            "first_test_logits": [[round(float(v), 5) for v in row] for row in sample],
        }, f, indent=1)
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
