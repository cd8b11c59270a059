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
RUNTIME_VARIANTS = {"u2netp": {"native": "fp32", "wasm": "uint8", "webgpu": "fp16"},
                    "u2net": {"native": "fp32", "wasm": "q5", "webgpu": "fp16"}}
# The choice the page offers (a tier per architecture, with its `relative_cost`: the architecture's
# native run time at 320x320 over U²-Netp's, from `bench/models_bench.py --relative`; the page
# multiplies the fast model's measured time on the device by it) and each architecture's plan
# defaults (bgcut.Options fields over its defaults; U²-Netp's are today's defaults, U²-Net's were
# tuned on the dev split's tune half with bench/plan_tune.py) live in tiers.json beside this file:
# measured values, not build inputs, so changing them refreshes the manifest without a rebuild.
TIERS_FILE = Path(__file__).with_name("tiers.json")


def tier_settings() -> dict[str, dict[str, Any]]:
    """{"tiers": {name: {architecture, label, relative_cost}}, "plans": {architecture: {field: value}}}."""
    data = json.loads(TIERS_FILE.read_text())
    if set(data) != {"tiers", "plans"}:
        raise ValueError(f"{TIERS_FILE}: expected the keys 'tiers' and 'plans', got {sorted(data)}")
    return data


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
    manifest = {"models": models, "default": default, **_top_level(out_dir, models),
                "previous_files": kept_files}
    _write(out_dir, manifest)
    for stale in out_dir.glob("*.onnx"):
        if stale.name not in referenced and stale.name not in previous:
            stale.unlink()
            for variant in (".br", ".gz"):
                stale.with_name(stale.name + variant).unlink(missing_ok=True)
    _write_licenses(out_dir, models)
    return manifest


def _top_level(out_dir: Path, models: list[dict[str, Any]]) -> dict[str, Any]:
    chosen = runtime_variants(models)
    settings = tier_settings()
    return {"runtime_variants": chosen, "tiers": tiers(out_dir, models, chosen, settings["tiers"]),
            "plans": {arch: dict(plan) for arch, plan in settings["plans"].items() if arch in chosen}}


def _write(out_dir: Path, manifest: dict[str, Any]) -> None:
    tmp = out_dir / (MANIFEST_NAME + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    tmp.replace(out_dir / MANIFEST_NAME)


def refresh_manifest(out_dir: Path) -> dict[str, Any]:
    """Rewrite the manifest's runtime_variants, tiers and plans from the current settings (a build
    that is otherwise up to date still picks up a changed tiers.json); models and files stay."""
    current = read_manifest(out_dir)
    if not current["models"]:
        return current
    manifest = {**current, **_top_level(out_dir, current["models"])}
    order = ["models", "default", "runtime_variants", "tiers", "plans", "previous_files"]
    manifest = {k: manifest[k] for k in order if k in manifest} | manifest
    if manifest != current:
        _write(out_dir, manifest)
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


def wire_bytes(path: Path) -> int:
    """Bytes a browser downloads for `path`: its brotli variant as webbuild writes and serves it.

    Uses webbuild's own precompression (cached by content hash), so the .br the server sends is the
    one measured here and webbuild finds it ready."""
    from webbuild.compress import precompress

    from .paths import ROOT
    precompress(path, ROOT / ".cache" / "webbuild" / "compressed")
    br = path.with_name(path.name + ".br")
    return br.stat().st_size if br.is_file() else path.stat().st_size


def tiers(out_dir: Path, models: list[dict[str, Any]], chosen: dict[str, dict[str, str]],
          settings: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The tiers of `settings` whose architecture the manifest lists, each with its runtimes' download
    sizes (brotli for the browser's runtimes, raw for the native CLI, which reads the file from disk)."""
    files = {e["id"]: out_dir / e["file"] for e in models}
    out: dict[str, dict[str, Any]] = {}
    for name, tier in settings.items():
        by_runtime = chosen.get(tier["architecture"])
        if not by_runtime:
            continue
        sizes = {rt: (files[i].stat().st_size if rt == "native" else wire_bytes(files[i]))
                 for rt, i in sorted(by_runtime.items())}
        out[name] = {**tier, "models": dict(by_runtime), "wire_bytes": sizes}
    return out


def _variant_rank(variant: str) -> int:
    return {"fp32": 0, "fp16": 1, "uint8": 2}.get(variant, 3)


def _write_licenses(out_dir: Path, models: list[dict[str, Any]]) -> None:
    lines = ["Models served from this directory, their licenses and where their weights come from.", ""]
    for e in models:
        lines += [f"{e['file']}", f"  license: {e['license']}", f"  source:  {e['source']}", ""]
    (out_dir / "LICENSES").write_text("\n".join(lines))
