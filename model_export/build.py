"""The build: weights -> PyTorch -> ONNX fp32 -> fp16 and uint8 -> checked -> web/models + manifest."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bgremove.hashing import sha256_file

from . import simplify
from .calibration import PHOTO_LICENSES
from .manifest import content_name, entry, read_manifest, refresh_manifest, write_manifest
from .paths import CACHE_DIR, DEFAULT_OUT
from .rembg_source import SOURCES
from .settings import U2NETP_FP16_CONVS, CalibrationSettings, Fp16Settings, QuantizationSettings
from .stamp import inputs_key, read_stamp, write_stamp

VARIANTS = ("fp32", "fp16", "uint8")
# The WASM file's variant name per architecture: U²-Netp's is uint8 at 8 bits, U²-Net's weights use
# fewer levels of their uint8 storage (``U2NET_QUANT.bits``) to fit the 32 MB wire budget.
WASM_VARIANT = {"u2netp": "uint8", "u2net": "q5"}
# What `build` without --arch builds; BGREMOVE_MODELS=u2netp leaves the 176 MB U²-Net out.
DEFAULT_ARCHS = ("u2netp", "u2net")
FP16 = Fp16Settings()
# Calibration: every permissively licensed photo in the scikit-image wheel, 4 augmented views of each
# and 12 subject-on-background composites (67 images). Rounding: GPTQ on 32 of them (damping 0.1), the
# 45 most sensitive convs in fp16. Chosen on the tune half of the dev split (smallest mean per-photo
# change of IoU plus Boundary IoU against fp32); docs/MODELS.md lists every variant tried.
WIDE_CALIBRATION = CalibrationSettings(photos=tuple(PHOTO_LICENSES), hflip=False, crops=(), views_per_photo=4,
                                       composites=12, seed=0)
QUANT = QuantizationSettings(calibration=WIDE_CALIBRATION, rounding="gptq", gptq_damp=0.1, hessian_images=32,
                             fp16_convs=U2NETP_FP16_CONVS)
# U²-Net (44M weights): 32 levels per channel (5 bits on the wire) with nearest rounding, except the
# 101 convs of at most 600k weights (12M of the 44M: the full- and half-resolution stages, where
# rounding moves the mask's edge), which keep all 256 levels. No bias correction: unlike U²-Netp's,
# it moved U²-Net's masks away from fp32 (mask IoU vs fp32 on the bundled photos 0.988 with it,
# 0.996 without, at 8 bits). Calibration images serve only to trace the conv order.
U2NET_CALIBRATION = CalibrationSettings(hflip=False, crops=())
U2NET_QUANT = QuantizationSettings(calibration=U2NET_CALIBRATION, rounding="nearest", bits=5,
                                   full_bits_max_weights=600_000, bias_correction=False,
                                   max_bytes=60_000_000)
ARCH_QUANT = {"u2netp": QUANT, "u2net": U2NET_QUANT}


def variants_of(arch: str) -> tuple[str, ...]:
    return ("fp32", "fp16", WASM_VARIANT.get(arch, "uint8"))


def _weights_id(arch: str, weights: Path | None) -> str:
    if arch in SOURCES and weights is None:
        return SOURCES[arch].sha256
    if weights is None or not Path(weights).is_file():
        raise FileNotFoundError(f"{weights}: weights file not found (needed for --arch {arch})")
    return sha256_file(Path(weights))


def _fresh(stamp: dict[str, Any] | None, key: str, out_dir: Path) -> bool:
    if not stamp or stamp.get("key") != key or stamp.get("out") != str(out_dir.resolve()):
        return False
    try:
        listed = {e["id"]: e for e in read_manifest(out_dir)["models"]}
    except ValueError:
        return False
    for e in stamp["entries"]:
        path = out_dir / e["file"]
        if listed.get(e["id"]) != e or not path.is_file() or path.stat().st_size != e["bytes"]:
            return False
    return True


def _make_uint8(net, spec, fp32: Path, dst: Path, tmp: Path, log=print) -> None:
    from .variants import make_uint8

    quant = ARCH_QUANT.get(spec.name, QUANT)
    if quant.quantize_activations:
        make_uint8(fp32, dst, quant)
        return
    from .mixed import make_weight_quantized
    if spec.name not in ARCH_QUANT and quant.fp16_convs:
        # The fp16 list indexes U²-Netp's convs; other architectures get plain uint8 weights.
        settings = dataclasses.replace(quant, fp16_convs=())
    else:
        settings = quant
    make_weight_quantized(net, spec, dst, tmp, settings, log=None)


def build(arch: str = "u2netp", weights: Path | None = None, out_dir: Path = DEFAULT_OUT,
          force: bool = False, log=print) -> dict[str, Any]:
    """Build every variant of `arch` into `out_dir` unless the stamp says nothing changed.

    Returns the manifest as written (or as found, when skipped).
    """
    out_dir = Path(out_dir)
    variants = variants_of(arch)
    settings = {"arch": arch, "weights": _weights_id(arch, weights), "variants": variants,
                "fp16": dataclasses.asdict(FP16), "uint8": dataclasses.asdict(ARCH_QUANT.get(arch, QUANT)),
                "simplifier": simplify.selected()}
    key = inputs_key(settings)
    if not force and _fresh(read_stamp(arch), key, out_dir):
        log(f"{arch}: up to date in {out_dir} (use --force to rebuild)")
        return refresh_manifest(out_dir)

    from .archs import ARCHS, load_network
    from .checks import check_contract, check_rembg_parity
    from .export import export_onnx
    from .variants import make_fp16

    spec = ARCHS[arch]
    started = time.perf_counter()
    net, license_text, source = load_network(arch, weights)
    if arch in SOURCES and weights is None:
        diff = check_rembg_parity(net, arch)
        log(f"{arch}: PyTorch vs rembg ONNX on bundled photos, max abs diff {diff:.2e}")
    out_dir.mkdir(parents=True, exist_ok=True)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    entries = []
    with tempfile.TemporaryDirectory(dir=CACHE_DIR) as tmp:
        fp32 = Path(tmp) / f"{arch}-fp32.onnx"
        export_onnx(net, spec, fp32)
        log(f"{arch}-fp32: exported ({time.perf_counter() - started:.1f}s)")
        made = {"fp32": fp32}
        made["fp16"] = Path(tmp) / f"{arch}-fp16.onnx"
        make_fp16(fp32, made["fp16"], FP16)
        log(f"{arch}-fp16: converted ({time.perf_counter() - started:.1f}s)")
        wasm = variants[2]
        made[wasm] = Path(tmp) / f"{arch}-{wasm}.onnx"
        _make_uint8(net, spec, fp32, made[wasm], Path(tmp))
        log(f"{arch}-{wasm}: quantized ({time.perf_counter() - started:.1f}s)")
        for variant in variants:
            path = made[variant]
            check_contract(path, spec, fp32)
            model_id = f"{arch}-{variant}"
            file_name, digest = content_name(model_id, path)
            shutil.copyfile(path, out_dir / file_name)
            entries.append(entry(spec, variant, file_name, digest, path.stat().st_size, license_text, source))
    manifest = write_manifest(out_dir, entries)
    write_stamp(arch, key, out_dir, entries)
    log(f"{arch}: built {len(entries)} models into {out_dir} in {time.perf_counter() - started:.1f}s")
    return manifest
