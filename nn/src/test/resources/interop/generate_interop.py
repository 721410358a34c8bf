#!/usr/bin/env python3
"""PyTorch-side definitions of zoo models, for the weight interop tests.

Run from the repository root:  /usr/bin/python3 nn/src/test/resources/interop/generate_interop.py
For each model it builds the PyTorch definition given in the zoo's issue (same parameter names),
randomises weights and batch-norm statistics, rounds weights to float16 (stored as F16 to keep
the files small; num_batches_tracked stays int64 as PyTorch stores it), and saves the state dict
plus an input batch and the eval-mode logits computed in float64 from the rounded weights.
"""
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)


class LeNet5(nn.Module):
    def __init__(self, bn=False):
        super().__init__()
        self.use_bn = bn
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)
        if bn:
            self.bn1, self.bn2 = nn.BatchNorm2d(6), nn.BatchNorm2d(16)
            self.bn3, self.bn4 = nn.BatchNorm1d(120), nn.BatchNorm1d(84)

    def block(self, x, layer, bn):
        x = getattr(self, layer)(x)
        if self.use_bn:
            x = getattr(self, bn)(x)
        return F.relu(x)

    def forward(self, x):
        x = F.max_pool2d(self.block(x, "conv1", "bn1"), 2)
        x = F.max_pool2d(self.block(x, "conv2", "bn2"), 2)
        x = x.flatten(1)
        x = self.block(x, "fc1", "bn3")
        x = self.block(x, "fc2", "bn4")
        return self.fc3(x)


class BasicBlock(nn.Module):
    def __init__(self, inp, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.pad = (planes - inp) // 2 if (stride != 1 or inp != planes) else None

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        sc = x if self.pad is None else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))
        return F.relu(out + sc)


class ResNet(nn.Module):
    def __init__(self, n, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = nn.Sequential(*[BasicBlock(16, 16, 1) for _ in range(n)])
        self.layer2 = nn.Sequential(*[BasicBlock(16 if i == 0 else 32, 32, 2 if i == 0 else 1) for i in range(n)])
        self.layer3 = nn.Sequential(*[BasicBlock(32 if i == 0 else 64, 64, 2 if i == 0 else 1) for i in range(n)])
        self.linear = nn.Linear(64, classes)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return self.linear(out)


DTYPES = {torch.float32: ("F32", "<f4"), torch.float16: ("F16", "<f2"), torch.int64: ("I64", "<i8")}


def write(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        code, np_type = DTYPES[t.dtype]
        data = t.detach().contiguous().numpy().astype(np_type).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    os.replace(path + ".tmp", path)


def export(name, model, x):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.copy_(torch.randn_like(m.running_mean) * 0.1)
                m.running_var.copy_(torch.rand_like(m.running_var) + 0.5)
                m.weight.copy_(1 + 0.1 * torch.randn_like(m.weight))
                m.bias.copy_(0.1 * torch.randn_like(m.bias))
                m.num_batches_tracked.fill_(7)
        state = {}
        for k, v in model.state_dict().items():
            state[k] = v.half() if v.dtype == torch.float32 else v
        model.load_state_dict({k: v.float() for k, v in state.items()})
        model.double().eval()
        logits = model(x.double()).float()
    tensors = {"model." + k: v for k, v in state.items()}
    tensors["input"] = x
    tensors["logits"] = logits
    write(os.path.join(HERE, name + ".safetensors"), tensors, {"torch": torch.__version__, "model": name})


if __name__ == "__main__":
    torch.manual_seed(5)
    export("lenet5", LeNet5(False), torch.randn(3, 1, 28, 28))
    export("lenet5-bn", LeNet5(True), torch.randn(3, 1, 28, 28))
    export("resnet20", ResNet(3), torch.randn(2, 3, 32, 32))
