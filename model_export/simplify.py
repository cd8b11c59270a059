"""The graph simplifier run on every export: onnxsim (the design's choice) or onnxslim.

onnxsim 0.8.1 installs from a binary wheel (CPython 3.11, x86-64 Linux), so it no longer needs a
native build. onnxslim stays available for comparison (`python -m model_export build --simplifier
onnxslim`, bench/simplifier_compare.py); docs/MODELS.md has the numbers for both.
"""

from __future__ import annotations

import onnx

SIMPLIFIERS = ("onnxsim", "onnxslim")
DEFAULT_SIMPLIFIER = "onnxsim"
# onnxsim compares the simplified graph with the original on random inputs this many times.
CHECK_RUNS = 3
_selected = DEFAULT_SIMPLIFIER


def select(name: str) -> None:
    """The simplifier for this process's exports (the build CLI's --simplifier)."""
    global _selected
    if name not in SIMPLIFIERS:
        raise ValueError(f"unknown simplifier {name!r}; choose one of {', '.join(SIMPLIFIERS)}")
    _selected = name


def selected() -> str:
    return _selected


def simplify(proto: onnx.ModelProto, test_size: int, name: str | None = None) -> onnx.ModelProto:
    """Simplified `proto`. Dynamic H and W stay dynamic; onnxsim checks its result on random
    [1, 3, test_size, test_size] inputs and refuses one that differs."""
    name = name or _selected
    if name == "onnxsim":
        import onnxsim

        inputs = {i.name: [1, 3, test_size, test_size] for i in proto.graph.input}
        # certify (a Z3 proof) is off: it needs z3 and cannot hold for folded BatchNorm anyway; the
        # build's own checks (contract, parity, IoU vs fp32) follow in any case.
        model, ok = onnxsim.simplify(proto, check_n=CHECK_RUNS, test_input_shapes=inputs, certify=False)
        if not ok:
            raise RuntimeError("onnxsim: the simplified graph's outputs differ from the exported graph's")
        # onnxsim records what it did in metadata_props; the served file keeps only our doc string
        # (the build's provenance is the manifest and the stamp).
        kept = [p for p in model.metadata_props if not p.key.startswith("onnxsim.")]
        del model.metadata_props[:]
        model.metadata_props.extend(kept)
        return model
    if name == "onnxslim":
        import onnxslim

        return onnxslim.slim(proto)
    raise ValueError(f"unknown simplifier {name!r}; choose one of {', '.join(SIMPLIFIERS)}")
