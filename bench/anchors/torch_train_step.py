#!/usr/bin/env python3
"""PyTorch anchor for `tersor bench train-step --model resnet20|lenet5`: one SGD training step
(forward, cross entropy, backward, step; lr 0.1, momentum 0.9, weight decay 1e-4) on random data,
same warm-up/median method as the Java side (timing.py). Prints one JSON line; "threads" is
torch.get_num_threads() after setting it.

  /usr/bin/python3 bench/anchors/torch_train_step.py --model resnet20 --batch 128 --threads 1

resnet20 is the CIFAR network on [N, 3, 32, 32], resnet20-fashion the same with one input channel
on [N, 1, 28, 28] (Tersor's zoo entries of those names), lenet5 LeNet-5 on [N, 1, 28, 28].
"""
import argparse
import importlib.util
import json
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from timing import add_timing_args, check_timing_args, measure  # noqa: E402

spec = importlib.util.spec_from_file_location(
    "interop", os.path.join(HERE, "../../nn/src/test/resources/interop/generate_interop.py"))
interop = importlib.util.module_from_spec(spec)
spec.loader.exec_module(interop)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet20", choices=["resnet20", "resnet20-fashion", "lenet5"])
    ap.add_argument("--batch", type=int, default=128)
    add_timing_args(ap)
    a = ap.parse_args()
    check_timing_args(ap, a)
    if a.batch < 1:
        ap.error(f"--batch must be a positive integer, got {a.batch}")
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.model == "resnet20":
        model, shape = interop.ResNet(3), (a.batch, 3, 32, 32)
    elif a.model == "resnet20-fashion":
        model, shape = interop.ResNet(3), (a.batch, 1, 28, 28)
        model.conv1 = torch.nn.Conv2d(1, 16, 3, 1, 1, bias=False)
    else:
        model, shape = interop.LeNet5(False), (a.batch, 1, 28, 28)
    x, y = torch.randn(*shape), torch.randint(0, 10, (a.batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    model.train()

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    r = measure(step, warmup_seconds=a.warmup_seconds, min_reps=a.min_reps, time_seconds=a.time_seconds)
    r.update({"bench": "train-step", "impl": "torch", "model": a.model, "batch": a.batch, "threads": torch.get_num_threads(),
              "torch": torch.__version__})
    print(json.dumps(r))


if __name__ == "__main__":
    main()
