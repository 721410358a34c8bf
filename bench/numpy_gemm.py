"""The SGEMM speed anchor: numpy's float32 matmul (Debian's numpy on OpenBLAS) for the sizes
GemmBenchmark measures, on OPENBLAS_NUM_THREADS threads.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/numpy_gemm.py 128 256 512 1024 2048

The machine is shared and noisy, so each size is timed in windows of about 0.25 s after a 3 s
warm-up; a window counts only if other processes left this one its cores: they used at most
the cores this run does not (plus 3 % of the machine), from /proc/stat and /proc/self/stat.
Prints the median over 8 clean windows of each window's median product time, as
GFLOP/s = 2·n³ / time, one JSON object per size.
"""
import json
import os
import sys
import time

import numpy as np


def cpu_jiffies():
    """(busy jiffies of the machine, total jiffies, jiffies of this process)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    total, idle = sum(fields), fields[3] + fields[4]
    with open("/proc/self/stat") as f:
        stat = f.read()
    own = stat[stat.rindex(")") + 2:].split()
    return total - idle, total, int(own[11]) + int(own[12])


def measure(n, windows=8, deadline_s=60.0):
    cores = os.cpu_count()
    threads = int(os.environ.get("OPENBLAS_NUM_THREADS", cores))
    allowed = (cores - min(threads, cores)) / cores + 0.03
    rng = np.random.default_rng(42)
    a = rng.random((n, n), dtype=np.float32) - 0.5
    b = rng.random((n, n), dtype=np.float32) - 0.5
    end = time.perf_counter() + 3.0
    while time.perf_counter() < end:
        a @ b
    clean, tried = [], 0
    stop = time.perf_counter() + deadline_s
    while len(clean) < windows and time.perf_counter() < stop:
        before, times = cpu_jiffies(), []
        window_end = time.perf_counter() + 0.25
        while time.perf_counter() < window_end or len(times) < 3:
            t = time.perf_counter()
            a @ b
            times.append(time.perf_counter() - t)
        after = cpu_jiffies()
        tried += 1
        others = ((after[0] - before[0]) - (after[2] - before[2])) / max(1, after[1] - before[1])
        if others <= allowed:
            times.sort()
            clean.append(times[len(times) // 2])
    clean.sort()
    seconds = clean[len(clean) // 2] if clean else float("nan")
    return {"n": n, "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
            "gflops": round(2.0 * n ** 3 / seconds / 1e9, 1), "clean_windows": len(clean), "windows": tried}


if __name__ == "__main__":
    for size in [int(v) for v in sys.argv[1:]] or [128, 256, 512, 1024, 2048]:
        print(json.dumps(measure(size)), flush=True)
