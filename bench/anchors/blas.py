"""Which BLAS kernels this process runs: OpenBLAS's core name (`openblas_get_corename`, through
ctypes) and build configuration, for the library numpy loaded.

OpenBLAS 0.3.21 detects some virtualised Xeons as "Prescott" and then runs SSE3 kernels at a
tenth of the speed; `OPENBLAS_CORETYPE=SkylakeX` (AVX-512) or `Haswell` (AVX2), set before numpy
is imported, overrides the detection. `tersor bench suite` reads this (through probe.py) to decide.
"""
import ctypes
import os


def loaded_blas_libraries():
    """Paths of the BLAS shared libraries mapped into this process (from /proc/self/maps)."""
    try:
        with open("/proc/self/maps") as f:
            return sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
    except OSError:
        return []


def openblas_info():
    """{"library", "core", "config"} of the OpenBLAS numpy uses, or {"core": None, "error": why}.

    Call after `import numpy`. Debian links numpy to libblas.so.3, which on the OpenBLAS
    alternative is OpenBLAS itself and exports openblas_get_corename too."""
    libs = loaded_blas_libraries()
    ordered = [p for p in libs if "openblas" in os.path.basename(p)] + \
              [p for p in libs if "openblas" not in os.path.basename(p)]
    for path in ordered:
        try:
            lib = ctypes.CDLL(path)
            core = lib.openblas_get_corename
        except (OSError, AttributeError):
            continue
        core.restype = ctypes.c_char_p
        info = {"library": path, "core": core().decode()}
        try:
            config = lib.openblas_get_config
            config.restype = ctypes.c_char_p
            info["config"] = config().decode()
        except AttributeError:
            pass
        return info
    return {"core": None, "library": libs[0] if libs else None,
            "error": "no loaded library exports openblas_get_corename" if libs else "no BLAS library is loaded"}
