#!/usr/bin/env python3
"""PyTorch anchor for the LeNet-5 MNIST target: the same recipe as `tersor train --model lenet5`.

  /usr/bin/python3 bench/anchors/torch_lenet5_mnist.py --data DIR [--epochs 3] [--threads 2] [--out lenet5-torch.safetensors]

DIR holds the four canonical MNIST IDX files, raw or gzip (NAME or NAME.gz: the bundled sample
`tersor bench suite` unpacks is gzip). Recipe: batch 64 (last partial batch dropped),
seeded shuffling, SGD lr 0.05, momentum 0.9, weight decay 5e-4 on all parameters, cosine schedule
stepped every iteration over all iterations, no warm-up; inputs scaled to [0, 1] and normalised
with mean 0.1307, std 0.3081. Prints per-epoch training-pass seconds and the test accuracy, and
one JSON line last; saves the trained state dict as F32 safetensors (keys as Tersor's lenet5) so
`tersor eval --model lenet5 --weights OUT` can be compared with PyTorch's own accuracy.
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def idx(path):
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rb") as f:
            data = f.read()
    else:
        with open(path, "rb") as f:
            data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def save(path, state):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for k, v in state.items():
        b = v.detach().float().contiguous().numpy().astype("<f4").tobytes()
        header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="lenet5-torch.safetensors")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    norm = lambda x: (torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1) - 0.1307) / 0.3081
    xtr = norm(idx(os.path.join(a.data, "train-images-idx3-ubyte")))
    ytr = torch.from_numpy(idx(os.path.join(a.data, "train-labels-idx1-ubyte")).astype(np.int64))
    xte = norm(idx(os.path.join(a.data, "t10k-images-idx3-ubyte")))
    yte = torch.from_numpy(idx(os.path.join(a.data, "t10k-labels-idx1-ubyte")).astype(np.int64))
    model = LeNet5()
    steps = len(xtr) // 64
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=a.epochs * steps)
    g = torch.Generator().manual_seed(a.seed)
    seconds = []
    for epoch in range(a.epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=g)
        t0 = time.perf_counter()
        for s in range(steps):
            i = perm[s * 64:(s + 1) * 64]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[i]), ytr[i])
            loss.backward()
            opt.step()
            sched.step()
        seconds.append(time.perf_counter() - t0)
        model.eval()
        with torch.no_grad():
            correct = sum(int((model(xte[j:j + 1000]).argmax(1) == yte[j:j + 1000]).sum()) for j in range(0, len(xte), 1000))
        print(f"epoch {epoch + 1}: {seconds[-1]:.2f} s, test accuracy {correct / len(xte):.4f}", flush=True)
    save(a.out, model.state_dict())
    print(json.dumps({"impl": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(), "epoch_seconds": seconds,
                      "median_epoch_s": float(np.median(seconds)), "test_accuracy": correct / len(xte),
                      "correct": correct, "total": len(xte), "weights": a.out}))


if __name__ == "__main__":
    main()
