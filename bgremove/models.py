"""Segmentation models behind one small interface, read from web/models/manifest.json.

Each manifest entry follows the team's model contract: one float32 NCHW RGB input named by the
manifest (values in [0, 1], normalisation inside the graph) and one float32 [1, 1, H, W] output in
[0, 1]. The ONNX file's sha256 is checked against the manifest before a session is created.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from bgcut.passes import InputRule

from .hashing import sha256_file

DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[1] / "web" / "models"


class ModelError(RuntimeError):
    """A model cannot be found, verified or run."""


class Model(Protocol):
    """What the pipeline needs from a segmentation model."""

    id: str
    # The manifest's input rule, which bgcut's plan sizes every model input by
    # (bgremove.passes.input_rule; a model without one gets u2netp's, bgcut.passes.InputRule()).
    input_rule: InputRule

    def input_size(self, h: int, w: int) -> tuple[int, int]:
        """Model input (height, width) for an image of ``h x w`` pixels."""
        ...

    def predict(self, model_input: np.ndarray) -> np.ndarray:
        """float32 [1, 3, mh, mw] in [0, 1] -> float32 mask (mh, mw) in [0, 1]."""
        ...


@dataclass(frozen=True)
class ModelEntry:
    """One manifest entry, with the fields the native pipeline uses."""

    id: str
    path: Path
    sha256: str
    input_name: str
    output_name: str
    rule: InputRule
    # The network (u2netp, u2net, modnet); an entry without one is an architecture of its own.
    architecture: str

    def input_size(self, h: int, w: int) -> tuple[int, int]:
        """The manifest's size rule (``bgcut.passes.InputRule``) for an ``h x w`` photo."""
        return self.rule.size_for(h, w)


class Manifest:
    """The parsed ``manifest.json`` of a models directory."""

    def __init__(self, models_dir: Path | str | None = None) -> None:
        self.dir = Path(models_dir) if models_dir is not None else DEFAULT_MODELS_DIR
        path = self.dir / "manifest.json"
        if not path.is_file():
            raise ModelError(f"{path}: model manifest not found; export the models first (see model_export)")
        try:
            data = json.loads(path.read_text())
            self.default: str = data["default"]
            entries = data["models"]
            # Which variant of an architecture each runtime uses: {arch: {runtime: model id}}.
            self.runtime_variants: dict[str, dict[str, str]] = dict(data.get("runtime_variants") or {})
            # What people choose between ({"fast": {"architecture": "u2netp", ...}, "best": ...}) and
            # each architecture's plan defaults (bgcut.Options fields, under the user's options).
            self.tiers: dict[str, dict[str, Any]] = dict(data.get("tiers") or {})
            self.plans: dict[str, dict[str, Any]] = dict(data.get("plans") or {})
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{path}: not a valid model manifest ({exc})") from exc
        self.entries: dict[str, ModelEntry] = {}
        for raw in entries:
            try:
                inp, out = raw["input"], raw["output"]
                self.entries[raw["id"]] = ModelEntry(
                    id=raw["id"],
                    path=self.dir / raw["file"],
                    sha256=raw["sha256"].lower(),
                    input_name=inp.get("name", "input"),
                    output_name=out.get("name", "mask"),
                    rule=InputRule.from_entry(inp),
                    architecture=str(raw.get("architecture", raw["id"])),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ModelError(f"{path}: malformed model entry {raw!r} ({exc})") from exc

    @property
    def ids(self) -> list[str]:
        return list(self.entries)

    def choices(self) -> str:
        """Every name ``resolve`` accepts, for messages and --help."""
        archs = sorted({e.architecture for e in self.entries.values()})
        parts = []
        if self.tiers:
            parts.append(f"a tier ({', '.join(self.tiers)})")
        parts.append(f"an architecture ({', '.join(archs)})")
        parts.append(f"a model id ({', '.join(self.entries)})")
        return ", ".join(parts)

    def plan(self, entry: ModelEntry) -> dict[str, Any]:
        """The plan defaults of ``entry``'s architecture (empty: bgcut's own defaults)."""
        plan = self.plans.get(entry.architecture) or {}
        if not isinstance(plan, dict):
            raise ModelError(f"{self.dir / 'manifest.json'}: plans[{entry.architecture!r}] is not an object")
        return dict(plan)

    def entry(self, model_id: str | None = None) -> ModelEntry:
        """The entry of a model id, exactly as given (None: the manifest's default)."""
        model_id = model_id or self.default
        if model_id not in self.entries:
            raise ModelError(f"unknown model {model_id!r}; available: {', '.join(self.entries)}")
        return self.entries[model_id]

    def resolve(self, name: str | None = None, runtime: str = "native") -> ModelEntry:
        """The entry to run on ``runtime`` for ``name``: a model id as given; a tier (``fast``,
        ``best``: the manifest's ``tiers``) or an architecture (or None: the default's architecture)
        through the manifest's ``runtime_variants`` for that runtime, falling back to the
        architecture's first entry (or the default)."""
        if name in self.entries:
            return self.entries[name]
        if name in self.tiers:
            name = str(self.tiers[name].get("architecture", ""))
        arch = name if name is not None else self.entry().architecture
        chosen = self.runtime_variants.get(arch, {}).get(runtime)
        if chosen is not None:
            if chosen not in self.entries:
                raise ModelError(f"manifest: runtime_variants names {chosen!r} for {arch}/{runtime}, "
                                 "which it does not list; re-export the models")
            return self.entries[chosen]
        if name is None:
            return self.entry()
        for e in self.entries.values():
            if e.architecture == arch:
                return e
        raise ModelError(f"unknown model {name!r}; choose {self.choices()}")


class OnnxModel:
    """A manifest model run by ONNX Runtime on the CPU. ``plan``: its architecture's plan defaults
    from the manifest (``Manifest.plan``), for ``bgcut.Options.from_dict(options, plan)``."""

    def __init__(
        self, entry: ModelEntry, threads: int | None = None, plan: dict[str, Any] | None = None
    ) -> None:
        import onnxruntime as ort

        if not entry.path.is_file():
            raise ModelError(f"{entry.path}: model file for {entry.id!r} is missing")
        actual = sha256_file(entry.path)
        if actual != entry.sha256:
            raise ModelError(
                f"{entry.path}: sha256 {actual} does not match the manifest's {entry.sha256} for "
                f"{entry.id!r}; the file is corrupt or stale, re-export the models"
            )
        self.entry = entry
        self.id = entry.id
        self.plan: dict[str, Any] = dict(plan or {})
        self.input_rule = entry.rule
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or os.cpu_count() or 1
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(entry.path), opts, providers=["CPUExecutionProvider"])

    def input_size(self, h: int, w: int) -> tuple[int, int]:
        return self.entry.input_size(h, w)

    def predict(self, model_input: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(model_input, dtype=np.float32)
        (mask,) = self._session.run([self.entry.output_name], {self.entry.input_name: x})
        return np.asarray(mask, dtype=np.float32).reshape(mask.shape[-2:])


_CACHE: dict[tuple[str, str], OnnxModel] = {}


def load_model(
    model_id: str | None = None,
    models_dir: Path | str | None = None,
    threads: int | None = None,
    runtime: str | None = None,
) -> OnnxModel:
    """The model ``model_id`` (default: the manifest's default), one session per model per process.

    threads: ONNX Runtime intra-op threads (default: every core), used when the session is created;
    ``bgremove --jobs`` gives each worker process its share of the cores.
    runtime: e.g. ``'native'``: a tier, an architecture name or None then resolves through the
    manifest's ``runtime_variants`` (``Manifest.resolve``); model ids always load as given.
    The model's ``plan`` is its architecture's plan defaults from the same manifest.
    """
    manifest = Manifest(models_dir)
    entry = manifest.entry(model_id) if runtime is None else manifest.resolve(model_id, runtime)
    plan = manifest.plan(entry)
    key = (str(entry.path), entry.sha256)
    if key not in _CACHE:
        _CACHE[key] = OnnxModel(entry, threads, plan)
    _CACHE[key].plan = plan
    return _CACHE[key]
