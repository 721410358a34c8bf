#!/usr/bin/env python3
"""Prints torch.ao's scale and zero point for the ranges QuantSchemeTest checks (Debian's PyTorch 1.13).

  /usr/bin/python3 compress/src/test/resources/quant/torch_qparams.py

Each line: observer, dtype, qscheme, min, max, scale (float32 bits as hex), zero point.
"""
import struct

import torch
from torch.ao.quantization.observer import MinMaxObserver

RANGES = [(-1.0, 1.0), (-0.3, 2.7), (0.0, 6.0), (0.5, 3.0), (-5.0, -1.0), (-0.0001, 0.0002), (0.0, 0.0)]
CONFIGS = [("quint8", torch.quint8, torch.per_tensor_affine), ("qint8", torch.qint8, torch.per_tensor_symmetric),
           ("quint8", torch.quint8, torch.per_tensor_symmetric)]

for name, dtype, qscheme in CONFIGS:
    for lo, hi in RANGES:
        o = MinMaxObserver(dtype=dtype, qscheme=qscheme)
        o(torch.tensor([lo, hi], dtype=torch.float32))
        s, z = o.calculate_qparams()
        bits = struct.unpack("<I", struct.pack("<f", float(s)))[0]
        print(f"{name} {qscheme} {lo} {hi} 0x{bits:08x} {int(z)}")
