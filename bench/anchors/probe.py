#!/usr/bin/python3
"""What the anchors would run on, as one JSON line: numpy and its OpenBLAS core (see blas.py),
PyTorch's version, default thread count and CPU capability. A library that cannot be imported is
reported as {"installed": false, "error": ...}; the probe itself does not fail.

    /usr/bin/python3 bench/anchors/probe.py
    OPENBLAS_CORETYPE=Haswell /usr/bin/python3 bench/anchors/probe.py
"""
import json
import os
import platform
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def numpy_facts():
    try:
        import numpy
    except Exception as e:  # noqa: BLE001 - any import failure means "not usable"
        return {"installed": False, "error": f"{type(e).__name__}: {e}"}
    from blas import openblas_info
    facts = {"installed": True, "version": numpy.__version__}
    facts.update({"openblas_" + k: v for k, v in openblas_info().items()})
    return facts


def torch_facts():
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        return {"installed": False, "error": f"{type(e).__name__}: {e}"}
    facts = {"installed": True, "version": torch.__version__, "default_threads": torch.get_num_threads(),
             "interop_threads": torch.get_num_interop_threads(),
             "mkldnn": bool(torch.backends.mkldnn.is_available())}
    try:
        facts["cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    except AttributeError:  # before 2.0
        facts["cpu_capability"] = None
    return facts


def main():
    print(json.dumps({"python": platform.python_version(), "executable": sys.executable,
                      "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE"),
                      "numpy": numpy_facts(), "torch": torch_facts()}, separators=(",", ":")))


if __name__ == "__main__":
    main()
