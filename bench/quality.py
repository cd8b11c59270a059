"""Cut-out quality on the dev set: the native pipeline's alpha scored against the human masks.

    .venv/bin/python bench/quality.py                  # the plain baseline and the shipped default
    .venv/bin/python bench/quality.py --config flip    # one named configuration (repeatable)
    .venv/bin/python bench/quality.py --all            # the whole experiment grid
    .venv/bin/python bench/quality.py --list           # the configuration names

Scores IoU (alpha cut at 0.5), Boundary IoU (band = 2% of the diagonal), MAE and SAD per photo,
averaged overall, per source (DAVIS / SOD) and per category. Writes ``bench/results/quality.json``
(merged across runs), ``quality.md`` and a contact sheet of the worst photos of the last
configuration (``quality_worst_<name>.png``); all of it is gitignored. The plain pipeline (u2netp
fp32, 320x320, bilinear upsampling) is always scored and printed beside the others.

Model masks are cached per (model file, input size, flip, crop) under ``.cache/quality/``, with the
seconds each took, so refinement sweeps reuse them; ``--no-cache`` recomputes.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bgcut.trimap_matting import TrimapMatting  # noqa: E402

import bgcut  # noqa: E402
from bench.dev_split import stems  # noqa: E402
from bench.quality_metrics import score  # noqa: E402
from bgcut import passes as geo  # noqa: E402
from bgremove.decode import decode  # noqa: E402
from bgremove.models import Manifest, OnnxModel  # noqa: E402
from bgremove.passes import PassOptions, predict_mask_passes  # noqa: E402

DEV_DIR = ROOT.parent / "shared" / "data" / "dev"
CACHE_DIR = ROOT / ".cache" / "quality"
RESULTS_DIR = ROOT / "bench" / "results"
SOURCE_NAMES = {"davis2016_val": "DAVIS", "sod_bsds": "SOD"}
METRICS = ("iou", "biou", "mae", "sad")


@dataclass(frozen=True)
class Config:
    """One row of the experiment grid: which model, how it is run, and the bgcut options after it."""

    name: str
    model: str = "u2netp-fp32"
    passes: PassOptions = field(default_factory=PassOptions)
    options: dict = field(default_factory=lambda: {"refine": "none"})
    note: str = ""
    # An extra alpha step after bgcut's refinement (e.g. a matting experiment): (rgba, alpha) -> alpha.
    post: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None


def _grid() -> dict[str, Config]:
    g: list[Config] = [Config("plain", note="u2netp fp32 320x320, bilinear upsampling (baseline)")]
    for variant in ("fp16", "uint8"):
        g.append(Config(f"plain-{variant}", model=f"u2netp-{variant}", note=f"{variant} model, bilinear"))
    for size in (320, 448, 512, 640):
        for square in (True, False):
            if size == 320 and square:
                continue
            shape = "sq" if square else "ar"
            g.append(Config(f"size{size}-{shape}", passes=PassOptions(model_size=size, model_square=square),
                            note=f"input {size} {'square' if square else 'aspect-preserving'}, bilinear"))
    g.append(Config("flip", passes=PassOptions(mirror=True), note="flip TTA, bilinear"))
    g.append(Config("crop-replace", passes=PassOptions(crop=True, crop_weight=1.0),
                    note="crop second pass replacing the first inside its box, bilinear"))
    g.append(Config("crop", passes=PassOptions(crop=True),
                    note="crop second pass averaged with the first inside its box, bilinear"))
    g.append(Config("flip-crop", passes=PassOptions(mirror=True, crop=True), note="flip TTA + crop pass"))
    g.append(Config("guided-current", options={"refine": "fast_guided"},
                    note="bgcut's current fast_guided defaults (auto radius, eps 1e-4)"))
    for radius in (4, 8, 16):
        for eps in (1e-4, 1e-3, 1e-2):
            g.append(Config(f"fast-r{radius}-e{eps:g}", options={"refine": "fast_guided", "radius": radius,
                                                                 "eps": eps}, note="fast guided"))
    for radius in (4, 8):
        for eps in (1e-3, 1e-2):
            g.append(Config(f"full-r{radius}-e{eps:g}", options={"refine": "guided", "radius": radius,
                                                                 "eps": eps}, note="full-res guided"))
    for cut in (0.1, 0.2, 0.3, 0.4, 0.6):
        ramp = {"refine": "none", "threshold": cut, "threshold_softness": 0.3}
        g.append(Config(f"thr{cut:g}", options=ramp,
                        note=f"soft threshold ramp centred at {cut:g} (moves the 0.5 contour)"))
    for base, opts in (("none", {"refine": "none"}), ("fg", {"refine": "fast_guided", "radius": 8,
                                                              "eps": 1e-3})):
        for band in (3, 6):
            g.append(Config(f"matte-{base}-b{band}", options=opts, post=_matting(band),
                            note=f"closed-form matting in the trimap band, {band} px (bgcut.trimap_matting)"))
    for soft in (0.2, 0.5):
        g.append(Config(f"thr0.3-soft{soft:g}", options={"refine": "none", "threshold": 0.3,
                                                          "threshold_softness": soft},
                        note=f"soft threshold at 0.3, ramp width {soft:g}"))
    for cut in (0.2, 0.3, 0.4):
        ramp = {"refine": "none", "threshold": cut, "threshold_softness": 0.3}
        g.append(Config(f"crop-thr{cut:g}", passes=PassOptions(crop=True), options=ramp,
                        note=f"crop pass + soft threshold at {cut:g}"))
        g.append(Config(f"flip-crop-thr{cut:g}", passes=PassOptions(mirror=True, crop=True), options=ramp,
                        note=f"flip TTA + crop pass + soft threshold at {cut:g}"))
        g.append(Config(f"crop-thr{cut:g}-fast-r4", passes=PassOptions(crop=True),
                        options={**ramp, "refine": "fast_guided", "radius": 4, "eps": 1e-4},
                        note=f"crop pass + fast guided r4 eps 1e-4 + soft threshold at {cut:g}"))
    g.append(Config("crop-replace-thr0.2", passes=PassOptions(crop=True, crop_weight=1.0),
                    options={"refine": "none", "threshold": 0.2, "threshold_softness": 0.3},
                    note="crop pass replacing the first inside its box + soft threshold at 0.2"))
    for cut in (0.3, 0.4):
        g.append(Config(f"flip-thr{cut:g}", passes=PassOptions(mirror=True),
                        options={"refine": "none", "threshold": cut, "threshold_softness": 0.3},
                        note=f"flip TTA + soft threshold at {cut:g}"))
    proposed = {"refine": "none", "threshold": 0.4, "threshold_softness": 0.3}
    for variant in ("fp16", "uint8"):
        g.append(Config(f"flip-crop-thr0.4-{variant}", model=f"u2netp-{variant}",
                        passes=PassOptions(mirror=True, crop=True), options=proposed,
                        note=f"the proposed defaults on the {variant} model"))
    g.append(Config("flip-crop-thr0.4-always-uint8", model="u2netp-uint8",
                    passes=PassOptions(mirror=True, crop=True), options=proposed,
                    note="the defaults before issue #11: every mirror and crop pass, uint8 model"))
    # Whatever options.py ships: its Options() defaults, including the model passes it asks for,
    # on the variant the CLI runs (the manifest's native variant) and the one the browser runs.
    shipped = PassOptions.from_options(bgcut.Options())
    g.append(Config("default", model=_runtime_model("native"), passes=shipped, options={},
                    note="what the CLI ships: the manifest's native variant, bgcut.Options()"))
    g.append(Config("default-wasm", model=_runtime_model("wasm"), passes=shipped, options={},
                    note="what the app ships on WASM: the manifest's wasm variant, bgcut.Options()"))
    return {c.name: c for c in g}


def _matting(band: int) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def post(rgba: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        return TrimapMatting(band, eps=1e-6, prior=1e-3)(rgba, alpha)

    return post


_MODELS: dict[str, OnnxModel] = {}


def load_model(model_id: str) -> OnnxModel:
    """One single-threaded session per model: the 2-core machine is shared, and two intra-op
    threads fighting other processes were no faster than one."""
    if model_id not in _MODELS:
        _MODELS[model_id] = OnnxModel(Manifest().entry(model_id), threads=1)
    return _MODELS[model_id]


def _runtime_model(runtime: str) -> str:
    return Manifest().resolve(None, runtime).id


CONFIGS = _grid()


@dataclass(frozen=True)
class Sample:
    stem: str
    source: str
    category: str
    image: Path
    gt: Path


def load_index(dev_dir: Path = DEV_DIR) -> list[Sample]:
    index = dev_dir / "index.csv"
    if not index.is_file():
        raise SystemExit(f"{index}: dev set index not found (expected ../shared/data/dev beside the repo)")
    out = []
    with index.open(newline="") as fh:
        for row in csv.DictReader(fh):
            images = sorted((dev_dir / "images").glob(row["stem"] + ".*"))
            if not images:
                raise SystemExit(f"{dev_dir / 'images'}: no image for stem {row['stem']!r}")
            out.append(Sample(row["stem"], SOURCE_NAMES.get(row["source"], row["source"]), row["category"],
                              images[0], dev_dir / "gt" / f"{row['stem']}.png"))
    return out


class MaskCache:
    """Model masks for one (model file, passes) pair, on disk as float16 .npy plus a seconds table."""

    def __init__(self, model_id: str, sha: str, passes: PassOptions, enabled: bool) -> None:
        tag = f"s{passes.model_size or 'm'}-{'ar' if passes.model_square is False else 'sq'}"
        # "-flip": the mirror pass, so masks cached before the rename stay valid.
        tag += "-flip" if passes.mirror else ""
        tag += "-crop" if passes.crop else ""
        if passes.extra_passes == "auto":  # the decisions' cuts are part of what was computed
            tag += (f"-auto{geo.AUTO_MIRROR_MIN_UNCERTAIN:g}-{geo.AUTO_CROP_MAX_AREA:g}"
                    f"-{geo.AUTO_CROP_MIRROR_MIN_UNCERTAIN:g}")
        self.dir = CACHE_DIR / f"{model_id}-{sha[:12]}" / tag
        self.enabled = enabled
        self.times_path = self.dir / "seconds.json"
        self.times: dict[str, float] = {}
        if enabled and self.times_path.is_file():
            self.times = json.loads(self.times_path.read_text())

    def get(self, stem: str) -> np.ndarray | None:
        path = self.dir / f"{stem}.npy"
        if self.enabled and path.is_file():
            # A run killed before its flush leaves masks without seconds: keep the masks, time unknown.
            self.times.setdefault(stem, float("nan"))
            return np.load(path).astype(np.float32)
        return None

    def put(self, stem: str, mask: np.ndarray, seconds: float) -> None:
        self.times[stem] = seconds
        if self.enabled:
            self.dir.mkdir(parents=True, exist_ok=True)
            np.save(self.dir / f"{stem}.npy", mask.astype(np.float16))
            if len(self.times) % 10 == 0:
                self.flush()

    def flush(self) -> None:
        if self.enabled:
            self.dir.mkdir(parents=True, exist_ok=True)
            self.times_path.write_text(json.dumps(self.times))


def run_config(cfg: Config, samples: list[Sample], use_cache: bool = True) -> dict:
    """Score ``cfg`` on every sample; returns per-photo rows and the timing split."""
    model = load_model(cfg.model)
    cache = MaskCache(model.id, model.entry.sha256, cfg.passes, use_cache)
    options = bgcut.Options.from_dict({**cfg.options, "output": "mask", "decontaminate": False})
    rows = []
    model_s, post_s = [], []
    for s in samples:
        rgba = decode(s.image)
        gt = np.asarray(Image.open(s.gt).convert("L"))
        if gt.shape != rgba.shape[:2]:
            raise SystemExit(f"{s.gt}: mask is {gt.shape}, photo {s.image} is {rgba.shape[:2]}")
        mask = cache.get(s.stem)
        if mask is None:
            t0 = time.perf_counter()
            # The cache holds the crop pass as a plain replacement; other weights are blended below
            # (per-photo decisions, auto, depend on the merged masks: cached as they are).
            stored = cfg.passes if cfg.passes.extra_passes == "auto" else replace(cfg.passes, crop_weight=1.0)
            mask = predict_mask_passes(rgba, model, stored)
            cache.put(s.stem, mask, time.perf_counter() - t0)
        model_s.append(cache.times[s.stem])
        if cfg.passes.crop and cfg.passes.extra_passes != "auto":
            mask = _reweight_crop(mask, model, cfg, s.stem, rgba, use_cache)
        t0 = time.perf_counter()
        alpha = bgcut.postprocess(rgba, mask, options).astype(np.float32) / 255.0
        if cfg.post is not None:
            alpha = cfg.post(rgba, alpha)
        post_s.append(time.perf_counter() - t0)
        rows.append({"stem": s.stem, "source": s.source, "category": s.category, **score(alpha, gt)})
    cache.flush()
    return {
        "name": cfg.name,
        "model": cfg.model,
        "passes": vars(cfg.passes),
        "options": cfg.options,
        "note": cfg.note,
        "ms_model": 1000 * float(np.nanmean(model_s)) if np.isfinite(model_s).any() else float("nan"),
        "ms_post": 1000 * float(np.mean(post_s)),
        "groups": summarize(rows),
        "rows": rows,
    }


def _reweight_crop(merged: np.ndarray, model: OnnxModel, cfg: Config, stem: str, rgba: np.ndarray,
                   use_cache: bool) -> np.ndarray:
    """``merge_crop`` with the shipped ramp and ``cfg.passes.crop_weight``, rebuilt from the cached
    replace-merge (which holds the crop pass's mask inside the box) and the cached first pass."""
    first_opts = replace(cfg.passes, crop=False, crop_weight=1.0)
    first_cache = MaskCache(model.id, model.entry.sha256, first_opts, use_cache)
    first = first_cache.get(stem)
    if first is None:
        first = predict_mask_passes(rgba, model, first_opts)
    hw = rgba.shape[:2]
    box = geo.subject_box(first, hw)
    if box is None or merged.shape != hw:  # no crop ran (or a photo too large to cut the box back out)
        return merged
    y0, y1, x0, x1 = box
    return geo.merge_crop(first, merged[y0:y1, x0:x1], box, hw, cfg.passes.crop_weight)


def summarize(rows: list[dict]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups["overall"].append(r)
        groups[r["source"]].append(r)
        groups[r["category"]].append(r)
    return {g: {"n": len(rs), **{m: float(np.mean([r[m] for r in rs])) for m in METRICS}}
            for g, rs in groups.items()}


GROUP_ORDER = ("overall", "DAVIS", "SOD", "people", "animals", "objects")


def _cell(r: dict, group: str, metric: str, fmt: str = ".3f") -> str:
    g = r["groups"].get(group)
    return "-" if g is None else format(g[metric], fmt)


def markdown(results: list[dict]) -> str:
    """Two tables: the headline (overall, DAVIS, SOD, time) and per category."""
    lines = ["| config | photos | IoU | B-IoU | MAE | SAD | DAVIS IoU | DAVIS B-IoU | SOD IoU | SOD B-IoU "
             "| ms/img (model+post) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        cells = [_cell(r, "overall", "iou"), _cell(r, "overall", "biou"), _cell(r, "overall", "mae", ".4f"),
                 _cell(r, "overall", "sad", ".2f")]
        cells += [_cell(r, g, m) for g in ("DAVIS", "SOD") for m in ("iou", "biou")]
        ms = f"{r['ms_model'] + r['ms_post']:.0f} ({r['ms_model']:.0f}+{r['ms_post']:.0f})"
        n = r["groups"]["overall"]["n"]
        lines.append(f"| {r['name']} | {n} | " + " | ".join(cells) + f" | {ms} |")
    lines += ["", "| config | " + " | ".join(f"{c} IoU | {c} B-IoU" for c in GROUP_ORDER[3:]) + " |",
              "|---|" + "---|" * 6]
    for r in results:
        cells = [f"{_cell(r, c, 'iou')} | {_cell(r, c, 'biou')}" for c in GROUP_ORDER[3:]]
        lines.append(f"| {r['name']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def contact_sheet(result: dict, cfg: Config, samples: list[Sample], path: Path, n: int = 12) -> None:
    """Photo | ground truth | our alpha, for the ``n`` photos with the lowest Boundary IoU."""
    by_stem = {s.stem: s for s in samples}
    worst = sorted(result["rows"], key=lambda r: r["biou"])[:n]
    model = load_model(cfg.model)
    cache = MaskCache(model.id, model.entry.sha256, cfg.passes, True)
    options = bgcut.Options.from_dict({**cfg.options, "output": "mask", "decontaminate": False})
    tiles = []
    height = 180
    for r in worst:
        s = by_stem[r["stem"]]
        rgba = decode(s.image)
        mask = cache.get(s.stem)
        if mask is None:
            stored = cfg.passes if cfg.passes.extra_passes == "auto" else replace(cfg.passes, crop_weight=1.0)
            mask = predict_mask_passes(rgba, model, stored)
        if cfg.passes.crop and cfg.passes.extra_passes != "auto":
            mask = _reweight_crop(mask, model, cfg, s.stem, rgba, True)
        alpha = bgcut.postprocess(rgba, mask, options)
        gt = Image.open(s.gt).convert("L")
        w = round(rgba.shape[1] * height / rgba.shape[0])
        parts = [Image.fromarray(rgba[..., :3]), gt.convert("RGB"), Image.fromarray(alpha).convert("RGB")]
        row = Image.new("RGB", (3 * w, height))
        for i, p in enumerate(parts):
            row.paste(p.resize((w, height), Image.Resampling.BILINEAR), (i * w, 0))
        tiles.append(row)
    if not tiles:
        return
    sheet = Image.new("RGB", (max(t.width for t in tiles), height * len(tiles)), "white")
    for i, t in enumerate(tiles):
        sheet.paste(t, (0, i * height))
    sheet.save(path)


def time_configs(
    names: list[str], samples: list[Sample], repeats: int = 1
) -> dict[str, tuple[float, float]]:
    """(median, mean) ms per photo of model passes + postprocess (alpha output), no cache. The configs are
    interleaved photo by photo so that they share whatever load the machine has equally."""
    cfgs = [CONFIGS[n] for n in names]
    for c in cfgs:
        load_model(c.model)
    spent: dict[str, list[float]] = {n: [] for n in names}
    for s in samples:
        rgba = decode(s.image)
        for _ in range(repeats):
            for c in cfgs:
                options = bgcut.Options.from_dict({**c.options, "output": "mask", "decontaminate": False})
                t0 = time.perf_counter()
                mask = predict_mask_passes(rgba, load_model(c.model), c.passes)
                alpha = bgcut.postprocess(rgba, mask, options)
                if c.post is not None:
                    c.post(rgba, alpha.astype(np.float32) / 255.0)
                spent[c.name].append(time.perf_counter() - t0)
    return {n: (1000 * float(np.median(v)), 1000 * float(np.mean(v))) for n, v in spent.items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", action="append", default=[], help="configuration name (repeatable)")
    p.add_argument("--all", action="store_true", help="run the whole grid")
    p.add_argument("--list", action="store_true", help="list the configuration names and exit")
    p.add_argument("--limit", type=int, default=None,
                   help="about N photos spread over the set (every k-th); stored as NAME@N")
    p.add_argument("--no-cache", action="store_true", help="recompute model masks")
    p.add_argument("--half", choices=("all", "tune", "report"), default="all",
                   help="bench/dev_split.py half to score (stored as NAME[half])")
    p.add_argument("--time", type=int, default=0, metavar="N",
                   help="instead of scoring, time the configs on N photos (interleaved, no cache)")
    p.add_argument("--sheet", type=int, default=12, help="photos in the worst-case contact sheet (0: none)")
    args = p.parse_args(argv)
    if args.list:
        for c in CONFIGS.values():
            print(f"{c.name:22s} {c.note}")
        return 0
    names = list(CONFIGS) if args.all else (args.config or ["default"])
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        p.error(f"unknown config(s) {unknown}; see --list")
    if "plain" not in names:
        names.insert(0, "plain")
    samples = load_index()
    suffix = ""
    if args.half != "all":
        keep = set(stems(args.half))
        samples = [s for s in samples if s.stem in keep]
        suffix = f"[{args.half}]"
    if args.limit and args.limit < len(samples):
        # Every k-th photo, so a subset still spans both sources and all categories.
        samples = samples[:: -(-len(samples) // args.limit)]
        suffix += f"@{len(samples)}"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    if args.time:
        picked = samples[:: max(1, len(samples) // args.time)][: args.time]
        ms = time_configs(names, picked)
        lines = [f"| config | median ms/photo ({len(picked)} photos) | mean | mean vs plain |",
                 "|---|---|---|---|"]
        lines += [f"| {n} | {med:.0f} | {mean:.0f} | {mean / ms['plain'][1]:.2f}x |"
                  for n, (med, mean) in ms.items()]
        text = "\n".join(lines) + "\n"
        print(text)
        (RESULTS_DIR / "quality_time.md").write_text(text)
        return 0
    json_path = RESULTS_DIR / "quality.json"
    stored = json.loads(json_path.read_text()) if json_path.is_file() else {}
    results = []
    for name in names:
        t0 = time.perf_counter()
        res = run_config(CONFIGS[name], samples, use_cache=not args.no_cache)
        res["name"] += suffix
        results.append(res)
        g = res["groups"]["overall"]
        print(f"{name:22s} IoU {g['iou']:.3f}  B-IoU {g['biou']:.3f}  "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)
        # Re-read before writing: another run (a different subset) may have stored results meanwhile.
        stored = json.loads(json_path.read_text()) if json_path.is_file() else {}
        stored[res["name"]] = res
        json_path.write_text(json.dumps(stored, indent=1))
    # Full-set rows first, then each subset with its own plain baseline on top.
    ordered = sorted(stored.values(),
                     key=lambda r: (-r["groups"]["overall"]["n"], not r["name"].startswith("plain")))
    (RESULTS_DIR / "quality.md").write_text(markdown(ordered))
    print()
    print(markdown(results))
    if args.sheet:
        last = CONFIGS[names[-1]]
        path = RESULTS_DIR / f"quality_worst_{last.name}.png"
        contact_sheet(results[-1], last, samples, path, args.sheet)
        print(f"worst cases: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
