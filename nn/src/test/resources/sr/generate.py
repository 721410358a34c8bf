#!/usr/bin/python3
"""Reference values for Tersor's super-resolution tests (dev.tersor.nn.sr), from NumPy.

Run from the repository root with Debian's NumPy and Pillow:

    /usr/bin/python3 nn/src/test/resources/sr/generate.py

It reads the small input images next to this script (in_*.png) and rewrites every other file
here: the bicubic resizes (out_*.png), the bicubic baselines scored by the metrics (sr_*.png, hr
crops hr_*.png) and expected.txt (one line per metric value). The output is deterministic.

The inputs were cut once from scikit-image 0.19.3's data (Debian's python3-skimage, unpacked
with `apt-get download python3-skimage && dpkg-deb -x python3-skimage_*.deb skimage-deb`):
astronaut.png (NASA, public domain) and camera.png (CC0, Lav Varshney):

    /usr/bin/python3 generate.py --make-inputs skimage-deb/usr/lib/python3/dist-packages/skimage/data

This is an independent implementation, written from MATLAB's documented imresize algorithm
(imresize.m: contributions(), cubic(), the per-dimension resize of a uint8 image) and from the
metric code of EDSR (src/utility.py calc_psnr) and BasicSR (basicsr/metrics/psnr_ssim.py), not
from the Java code:

  * imresize(I, scale), bicubic, antialiasing on: for each dimension, in the order of
    increasing scale (stable: height first on a tie), the (out x P) weight and index matrices of
    contributions(); the image is uint8 after each pass (rounded half away from zero, saturated),
    as imresizemex returns the class of its input. Taps are accumulated one after the other in
    float64 (the Java code does the same, so the two agree bit for bit; MATLAB's mex may sum in
    another order, which can move a value that lands within ~1e-13 of a .5 by one level).
  * PSNR: both images cropped to multiples of k = ceil(scale), k pixels shaved off each side,
    Y = 16 + 65.481 R + 128.553 G + 24.966 B (R, G, B = v / 255) not rounded, or the channels as
    they are; 10 log10(255^2 / MSE).
  * SSIM: BasicSR's _ssim on the same crops: an 11x11 Gaussian (sigma 1.5) window as the outer
    product of the normalised 1-D kernel, correlated in "valid" mode (here a direct sum over the
    121 offsets, not separable), C1 = (0.01*255)^2, C2 = (0.03*255)^2, mean of the map, mean over
    channels.
"""

import math
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------- imresize

def cubic(x):
    absx = np.abs(x)
    absx2 = absx * absx
    absx3 = absx2 * absx
    return ((1.5 * absx3 - 2.5 * absx2 + 1) * (absx <= 1)
            + (-0.5 * absx3 + 2.5 * absx2 - 4 * absx + 2) * ((1 < absx) & (absx <= 2)))


def contributions(in_length, out_length, scale):
    """MATLAB's contributions(): weights (out x P) and 0-based indices (out x P)."""
    kernel_width = 4.0
    if scale < 1:
        h = lambda x: scale * cubic(scale * x)
        kernel_width = kernel_width / scale
    else:
        h = cubic
    x = np.arange(1, out_length + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(u - kernel_width / 2)
    p = int(math.ceil(kernel_width)) + 2
    indices = left[:, None] + np.arange(p, dtype=np.float64)[None, :]      # 1-based
    weights = h(u[:, None] - indices)
    total = np.zeros(out_length)
    for k in range(p):                                                      # in order
        total = total + weights[:, k]
    weights = weights / total[:, None]
    aux = np.concatenate([np.arange(1, in_length + 1), np.arange(in_length, 0, -1)])
    indices = aux[np.mod(indices.astype(np.int64) - 1, len(aux))] - 1      # 0-based
    keep = np.any(weights != 0, axis=0)                                     # MATLAB drops all-zero columns
    return weights[:, keep], indices[:, keep]


def to_uint8(v):
    v = np.clip(v, 0, 255)
    return np.floor(v + 0.5).astype(np.uint8)                               # half away from zero


def resize_dim(img, dim, weights, indices):
    """img: uint8 [H, W, C]; resize along dim 0 (rows) or 1 (columns)."""
    src = np.moveaxis(img.astype(np.float64), dim, 0)                       # [L, ..]
    acc = np.zeros((weights.shape[0],) + src.shape[1:])
    for k in range(weights.shape[1]):
        acc = acc + weights[:, k].reshape((-1,) + (1,) * (src.ndim - 1)) * src[indices[:, k]]
    return np.moveaxis(to_uint8(acc), 0, dim)


def imresize(img, scale=None, size=None):
    """img uint8 [H, W, C]; scale (one number) or size (rows, cols), as MATLAB's imresize."""
    if size is None:
        scales = [float(scale), float(scale)]
        size = [int(math.ceil(scales[0] * img.shape[0])), int(math.ceil(scales[1] * img.shape[1]))]
    else:
        scales = [size[0] / img.shape[0], size[1] / img.shape[1]]
    out = img
    for dim in np.argsort(np.array(scales), kind="stable"):
        w, i = contributions(img.shape[dim], size[dim], scales[dim])
        out = resize_dim(out, dim, w, i)
    return out


# --------------------------------------------------------------------------- metrics

def modcrop(img, k):
    return img[:img.shape[0] - img.shape[0] % k, :img.shape[1] - img.shape[1] % k]


def scored(img, scale, space):
    k = int(math.ceil(scale))
    img = modcrop(img, k)[k:-k, k:-k].astype(np.float64)
    if space == "Y" and img.shape[2] == 3:
        rgb = img / 255.0
        return (16.0 + 65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2])[..., None]
    return img


def psnr(sr, hr, scale, space):
    a = scored(sr, scale, space)
    b = scored(hr, scale, space)
    mse = np.mean((a - b) ** 2)
    return float("inf") if mse == 0 else 10.0 * math.log10(255.0 * 255.0 / mse)


def gaussian_window():
    g = np.exp(-((np.arange(11) - 5.0) ** 2) / (2 * 1.5 * 1.5))
    g = g / g.sum()
    return np.outer(g, g)


def filter_valid(img, window):
    h, w = img.shape[0] - 10, img.shape[1] - 10
    out = np.zeros((h, w))
    for dy in range(11):
        for dx in range(11):
            out += window[dy, dx] * img[dy:dy + h, dx:dx + w]
    return out


def ssim_plane(x, y):
    c1 = (0.01 * 255) ** 2
    c2 = (0.03 * 255) ** 2
    win = gaussian_window()
    mx, my = filter_valid(x, win), filter_valid(y, win)
    sxx = filter_valid(x * x, win) - mx * mx
    syy = filter_valid(y * y, win) - my * my
    sxy = filter_valid(x * y, win) - mx * my
    m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return m.mean()


def ssim(sr, hr, scale, space):
    a = scored(sr, scale, space)
    b = scored(hr, scale, space)
    return float(np.mean([ssim_plane(a[..., c], b[..., c]) for c in range(a.shape[2])]))


# --------------------------------------------------------------------------- files

def load(name):
    img = np.array(Image.open(os.path.join(HERE, name)))
    return img[..., None] if img.ndim == 2 else img[..., :3]


def save(img, name):
    Image.fromarray(img[..., 0] if img.shape[2] == 1 else img).save(os.path.join(HERE, name), optimize=True)


def make_inputs(data_dir):
    astro = np.array(Image.open(os.path.join(data_dir, "astronaut.png")))[..., :3]
    camera = np.array(Image.open(os.path.join(data_dir, "camera.png")))
    save(astro[150:190, 200:247], "in_astronaut.png")          # 47 x 40 (width x height), RGB: the face
    save(astro[300:337, 300:330], "in_patch.png")              # 30 x 37, RGB
    save(camera[100:131, 200:234, None], "in_camera.png")      # 34 x 31, gray


RESIZES = [  # (input, operation, argument) -> out_<input>_<operation><argument>.png
    ("astronaut", "down", 2), ("astronaut", "down", 3), ("astronaut", "down", 4),
    ("astronaut", "up", 2), ("astronaut", "up", 3),
    ("patch", "down", 2), ("patch", "down", 3), ("patch", "up", 4), ("patch", "size", "17x9"),
    ("camera", "down", 2), ("camera", "down", 3), ("camera", "up", 2),
]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--make-inputs":
        make_inputs(sys.argv[2])
    lines = ["# written by generate.py: metric values of the bicubic baselines sr_<image>_x<s>.png against hr_<image>_x<s>.png",
             "# metric image scale space value"]
    for name, op, arg in RESIZES:
        img = load("in_" + name + ".png")
        if op == "down":
            out = imresize(img, scale=1.0 / arg)
        elif op == "up":
            out = imresize(img, scale=float(arg))
        else:
            h, w = (int(v) for v in arg.split("x"))
            out = imresize(img, size=(h, w))
        save(out, "out_%s_%s%s.png" % (name, op, arg))
    for name in ("astronaut", "camera"):
        img = load("in_" + name + ".png")
        for s in (2, 3):
            hr = modcrop(img, s)
            sr = imresize(imresize(hr, scale=1.0 / s), scale=float(s))
            save(hr, "hr_%s_x%d.png" % (name, s))
            save(sr, "sr_%s_x%d.png" % (name, s))
            for space in ("Y", "RGB"):
                lines.append("psnr %s %d %s %.17g" % (name, s, space, psnr(sr, hr, s, space)))
                lines.append("ssim %s %d %s %.17g" % (name, s, space, ssim(sr, hr, s, space)))
    with open(os.path.join(HERE, "expected.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
