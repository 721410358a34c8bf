#!/usr/bin/python3
"""Anchor for `tersor bench gemm`: float32 N×N matrix product through numpy (OpenBLAS on Debian).

    /usr/bin/python3 bench/anchors/numpy_gemm.py --size 1024 --threads 1

Prints progress on stderr and one JSON line on stdout with median_ms and gflops (2N³/median), and
the OpenBLAS core the product ran on (openblas_core; see blas.py).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blas import loaded_blas_libraries, openblas_info  # noqa: E402
from timing import add_timing_args, check_timing_args, environment, measure  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", type=int, required=True, help="matrix size N")
    p.add_argument("--seed", type=int, default=1)
    add_timing_args(p)
    args = p.parse_args()
    check_timing_args(p, args)
    if args.size < 1:
        p.error(f"--size must be a positive integer, got {args.size}")

    # The BLAS reads these when it loads: set them before importing numpy.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import numpy as np

    n = args.size
    rng = np.random.default_rng(args.seed)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    print(f"numpy gemm: {n}×{n}×{n}, {args.threads} threads", file=sys.stderr)
    r = measure(lambda: np.matmul(a, b, out=c), warmup_seconds=args.warmup_seconds,
                min_reps=args.min_reps, time_seconds=args.time_seconds)
    record = {"bench": "gemm", "impl": "numpy", "size": n, "threads": args.threads,
              "backend": "numpy " + np.__version__ + " (" + blas_name() + ")",
              "openblas_core": openblas_info().get("core"), "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE")}
    record.update(environment())
    record.update(r)
    record["gflops"] = round(2.0 * n ** 3 / (r["median_ms"] * 1e6), 3)
    print(json.dumps(record, separators=(",", ":")))


def blas_name():
    """The BLAS numpy's process has loaded (e.g. openblas-pthread/libopenblasp-r0.3.21.so)."""
    libs = loaded_blas_libraries()
    best = [lib for lib in libs if "libopenblas" in lib] or [lib for lib in libs if "libblas" in lib] or libs
    return "/".join(best[0].split("/")[-2:]) if best else "unknown BLAS"


if __name__ == "__main__":
    main()
