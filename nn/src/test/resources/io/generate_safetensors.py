#!/usr/bin/python3
"""Writes numpy.safetensors, the fixture SafetensorsFixtureTest reads.

There is no `safetensors` Python package here, so this script lays the file out the way the
reference implementation does, with only struct, json and numpy: an 8-byte little-endian
header length, a compact JSON header (json.dumps, so non-ASCII names come out as \\uXXXX
escapes, with a surrogate pair for the emoji) padded with spaces to a multiple of 8, then
each tensor little-endian and row-major. Every value is exactly representable in its dtype;
F16 bits come from numpy's float16, BF16 bits are the upper halves of float32 bits.

Run from the repository root:  /usr/bin/python3 nn/src/test/resources/io/generate_safetensors.py
"""
import json
import os
import struct

import numpy as np

F32 = np.array([[1.5, -2.25, 0.0], [3.0e-5, -0.0, 65536.0]], dtype="<f4")
F16 = np.array([1.0, -2.0, 65504.0, 2.0**-24, 1023 * 2.0**-24, 2.0**-14, np.inf, -np.inf, 0.333251953125, -0.0],
               dtype="<f2")
BF16_VALUES = np.array([[1.0, -3.140625], [2.0**-130, 3.3895313892515355e38]], dtype="<f4")  # 2^-130: subnormal; last: max
BF16 = (BF16_VALUES.view("<u4") >> 16).astype("<u2")     # the upper halves of the float32 bits
I64 = np.array([0, -1, 2**40, -(2**62), 7], dtype="<i8")
I8 = np.array([[-128, 127, 0]], dtype="<i1")

# Truncation is exact only because every BF16 value has at most 8 significant bits: check it.
assert np.array_equal((BF16.astype("<u4") << 16).view("<f4"), BF16_VALUES)
assert BF16.tolist() == [[0x3F80, 0xC049], [0x0008, 0x7F7F]]

tensors = [
    ("weight", "F32", F32),
    ("half", "F16", F16),
    ("brain", "BF16", BF16),
    ("steps", "I64", I64),
    ("ünï.😀", "I8", I8),
]

header = {"__metadata__": {"format": "pt", "generator": "generate_safetensors.py"}}
data = b""
for name, dtype, array in tensors:
    raw = np.ascontiguousarray(array).tobytes()
    header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw

text = json.dumps(header, separators=(",", ":")).encode("ascii")
text += b" " * (-len(text) % 8)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "numpy.safetensors")
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    f.write(data)
print(out, 8 + len(text) + len(data), "bytes")
