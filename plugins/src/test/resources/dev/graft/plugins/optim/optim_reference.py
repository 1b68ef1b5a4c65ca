"""Reference trajectories of PyTorch's optimizers in float32 and float64.

Run with Debian's python3-torch:  python3 optim_reference.py > optim_reference.json
OptimizerPyTorchTest steps the Graft optimizer with the same options on the same weights and
gradients, in the same element type, and compares the weights after every step and the state
after the last one. The state is written under Graft's keys: sgd momentum_buffer -> momentum,
adam exp_avg -> m and exp_avg_sq -> v, rmsprop square_avg / grad_avg / momentum_buffer ->
square_avg / grad_avg / momentum, adagrad sum -> sum. The parameter has 100 elements, so that
PyTorch's vectorised kernels and their scalar remainders both take part.
"""
import json

import torch

torch.manual_seed(20240612)
SHAPE = (4, 25)
STEPS = 5

W0 = torch.randn(SHAPE, dtype=torch.float64)
# gradients of mixed magnitude, a few exact zeros
GRADS = []
for s in range(STEPS):
    g = torch.randn(SHAPE, dtype=torch.float64) * torch.tensor([1e-3, 1e-1, 1.0, 10.0], dtype=torch.float64).reshape(4, 1)
    g[0, s] = 0.0
    GRADS.append(g)
TYPES = {"float32": torch.float32, "float64": torch.float64}

STATE_KEYS = {"momentum_buffer": "momentum", "exp_avg": "m", "exp_avg_sq": "v", "square_avg": "square_avg",
              "grad_avg": "grad_avg", "sum": "sum"}


def run(name, optimizer, graft, make):
    return [run_in(name, optimizer, graft, make, t) for t in TYPES]


def run_in(name, optimizer, graft, make, dtype):
    w = W0.to(TYPES[dtype]).clone().requires_grad_(True)
    opt = make([w])
    after = []
    for g in GRADS:
        w.grad = g.to(TYPES[dtype]).clone()
        opt.step()
        after.append(w.detach().flatten().tolist())
    state = {}
    for k, v in opt.state[w].items():
        if k == "step" or v is None:
            continue
        state[STATE_KEYS[k]] = v.detach().flatten().tolist()
    return {"name": name + " " + dtype, "type": dtype, "optimizer": optimizer, "config": graft, "after": after,
            "state": state}


cases = [
    run("sgd", "sgd", {"lr": 0.1}, lambda p: torch.optim.SGD(p, lr=0.1)),
    run("sgd momentum decay", "sgd", {"lr": 0.05, "momentum": 0.9, "weight-decay": 0.01},
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01)),
    run("sgd nesterov decay", "sgd", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight-decay": 0.1},
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    run("adam", "adam", {"lr": 0.01}, lambda p: torch.optim.Adam(p, lr=0.01)),
    run("adam decay", "adam", {"lr": 0.003, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight-decay": 0.05},
        lambda p: torch.optim.Adam(p, lr=0.003, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
    run("adamw", "adamw", {"lr": 0.01, "weight-decay": 0.1}, lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)),
    run("rmsprop", "rmsprop", {"lr": 0.01}, lambda p: torch.optim.RMSprop(p, lr=0.01)),
    run("rmsprop centered momentum decay", "rmsprop",
        {"lr": 0.005, "alpha": 0.9, "eps": 1e-6, "momentum": 0.5, "centered": True, "weight-decay": 0.01},
        lambda p: torch.optim.RMSprop(p, lr=0.005, alpha=0.9, eps=1e-6, momentum=0.5, centered=True, weight_decay=0.01)),
    run("adagrad", "adagrad", {"lr": 0.1}, lambda p: torch.optim.Adagrad(p, lr=0.1)),
    run("adagrad decay", "adagrad", {"lr": 0.2, "lr-decay": 0.5, "initial-accumulator": 0.1, "weight-decay": 0.05},
        lambda p: torch.optim.Adagrad(p, lr=0.2, lr_decay=0.5, initial_accumulator_value=0.1, weight_decay=0.05)),
]

print(json.dumps({"torch": torch.__version__, "shape": list(SHAPE),
                  "w0": {t: W0.to(TYPES[t]).flatten().tolist() for t in TYPES},
                  "grads": {t: [g.to(TYPES[t]).flatten().tolist() for g in GRADS] for t in TYPES},
                  "cases": [c for pair in cases for c in pair]}))
