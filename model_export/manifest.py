"""Write web/models/manifest.json, the only place readers learn model file names from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bgremove.hashing import sha256_file

from .spec import ArchSpec

MANIFEST_NAME = "manifest.json"
DEFAULT_MODEL = "u2netp-uint8"
# Which variant of an architecture each runtime runs (its fastest there at the same quality):
# natively fp32 beats uint8 on x86 CPUs; WASM runs the small uint8 file; WebGPU has no uint8 kernels.
# The manifest lists it at top level as {arch: {runtime: model id}}; readers: bgremove.models
# (runtime 'native') and the browser worker ('wasm', 'webgpu').
RUNTIME_VARIANTS = {"u2netp": {"native": "fp32", "wasm": "uint8", "webgpu": "fp16"}}


def content_name(model_id: str, path: Path) -> tuple[str, str]:
    """Return (file name with the content hash in it, full sha256) for a built model file."""
    digest = sha256_file(path)
    return f"{model_id}.{digest[:12]}.onnx", digest


def entry(spec: ArchSpec, variant: str, file_name: str, digest: str, size: int,
          license_text: str, source: str) -> dict[str, Any]:
    """One manifest entry, exactly in the shape of the team's model contract."""
    return {
        "id": f"{spec.name}-{variant}",
        "architecture": spec.name,
        "variant": variant,
        "file": file_name,
        "bytes": size,
        "sha256": digest,
        "input": {
            "name": "input", "dtype": "float32", "layout": "NCHW", "channels": "RGB", "range": [0, 1],
            "size": spec.default_size, "multiple": spec.multiple, "square": spec.square,
        },
        "normalization": {"mean": list(spec.mean), "std": list(spec.std), "in_graph": True},
        "output": {"name": "mask", "kind": spec.output_kind, "range": [0, 1]},
        "license": license_text,
        "source": source,
    }


def read_manifest(out_dir: Path) -> dict[str, Any]:
    path = out_dir / MANIFEST_NAME
    if not path.is_file():
        return {"models": [], "default": DEFAULT_MODEL}
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc}); delete it or rebuild with --force") from exc
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        raise ValueError(f"{path}: expected an object with a 'models' list")
    return data


def write_manifest(out_dir: Path, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Replace this build's architectures in the manifest, keep the others, delete unreferenced models.

    The files the manifest named before this build stay one more build: a service worker of the
    previous deploy still serves that manifest from its cache and fetches its model by that name,
    so deleting it at once would answer an old page's first model download with a 404.
    """
    current = read_manifest(out_dir)
    previous = {str(e.get("file")) for e in current["models"]}
    built_archs = {e["architecture"] for e in entries}
    kept = [e for e in current["models"]
            if e.get("architecture") not in built_archs and (out_dir / str(e.get("file"))).is_file()]
    models = sorted(kept + entries, key=lambda e: (e["architecture"], _variant_rank(e["variant"])))
    ids = {e["id"] for e in models}
    default = DEFAULT_MODEL if DEFAULT_MODEL in ids else models[0]["id"]
    referenced = {e["file"] for e in models}
    # Listed so readers know why these files are still here; the next build deletes them.
    kept_files = sorted(f for f in previous - referenced if (out_dir / f).is_file())
    manifest = {"models": models, "default": default, "runtime_variants": runtime_variants(models),
                "previous_files": kept_files}
    tmp = out_dir / (MANIFEST_NAME + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    tmp.replace(out_dir / MANIFEST_NAME)
    for stale in out_dir.glob("*.onnx"):
        if stale.name not in referenced and stale.name not in previous:
            stale.unlink()
            for variant in (".br", ".gz"):
                stale.with_name(stale.name + variant).unlink(missing_ok=True)
    _write_licenses(out_dir, models)
    return manifest


def runtime_variants(models: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """``RUNTIME_VARIANTS`` as model ids, for the architectures and variants the manifest lists."""
    ids = {e["id"] for e in models}
    out: dict[str, dict[str, str]] = {}
    for arch, by_runtime in RUNTIME_VARIANTS.items():
        chosen = {rt: f"{arch}-{v}" for rt, v in by_runtime.items() if f"{arch}-{v}" in ids}
        if chosen:
            out[arch] = chosen
    return out


def _variant_rank(variant: str) -> int:
    return {"fp32": 0, "fp16": 1, "uint8": 2}.get(variant, 3)


def _write_licenses(out_dir: Path, models: list[dict[str, Any]]) -> None:
    lines = ["Models served from this directory, their licenses and where their weights come from.", ""]
    for e in models:
        lines += [f"{e['file']}", f"  license: {e['license']}", f"  source:  {e['source']}", ""]
    (out_dir / "LICENSES").write_text("\n".join(lines))
