"""Soft-edge (hair, fur) quality on real alpha mattes, beside the binary dev-set check.

    .venv/bin/python bench/quality_matting.py --dev                 # refine none vs edge, report half, + dev
    .venv/bin/python bench/quality_matting.py --half tune --edge none --edge band-r120-e0.001-s3-t0.45-0.6
    .venv/bin/python bench/quality_matting.py --colours             # edge colours, decontamination off/on
    .venv/bin/python bench/quality_matting.py --time 11             # post-processing ms per photo
    .venv/bin/python bench/quality_matting.py --list                # the named variants

Scores each edge variant on ``../shared/data/matting-dev`` (23 photos with 8-bit ground-truth
alpha) with the matting metrics of ``bench/quality_metrics.py``: SAD/1000 and MSE x1000 against
the soft alpha, gradient error/1000, soft-band MAE (ground-truth pixels strictly between 0 and 1,
dilated by 3 px) and IoU of both cut at 0.5; per source (alphamatting, product) and overall. Only
the half named by ``--half`` (default ``report``; ``bench/dev_split.py``) is scored: choices are
made on ``tune``, claims on ``report``. ``--dev`` adds IoU and Boundary IoU on the same half of the
binary dev set, so one row shows both kinds of quality and the post-processing time (the model
passes are cached; ``bench/quality.py --time`` times whole runs). Besides the named variants
(``--list``), ``band-r<F>-e<eps>-s<D>-t<thr>-<softness>`` names an ``EdgeRefiner`` experiment and
``opts:threshold=0.5,edge_shift=-1`` any bgcut options over the defaults.

Every variant runs after the same model passes (the shipped plan: ``bgcut.Options()`` driven by
``bgremove.passes.run_passes`` with the manifest's native model), whose merged masks are cached in
``.cache/quality_matting/``; a variant is ``bgcut.postprocess`` (alpha output) with other options.
Writes ``bench/results/quality_matting_<half>.{json,md}`` (``_colours_<half>.md``, ``_time.md``)
and ``quality_matting_worst.png`` (all gitignored: the research photos must never be committed), a
contact sheet of the worst hair edges: for the photos with the highest soft-band MAE under the first
variant, the 128 px window with the largest error, as photo | ground truth | each variant, 2x.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bgcut.boxfilter import box_mean  # noqa: E402
from bgcut.guided import EdgeRefiner  # noqa: E402
from bgcut.trimap_matting import TrimapMatting  # noqa: E402

import bgcut  # noqa: E402
from bench.dev_split import DEV, MATTING, stems  # noqa: E402
from bench.quality_metrics import matting_score, score, soft_band  # noqa: E402
from bgremove.decode import decode  # noqa: E402
from bgremove.models import Manifest, OnnxModel  # noqa: E402
from bgremove.passes import PassOptions, run_passes  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
MATTING_METRICS = ("sad", "mse", "grad", "band_mae", "iou")
DEV_METRICS = ("iou", "biou")

@dataclass(frozen=True)
class Edge:
    """One edge variant: bgcut options on top of the shipped defaults (alpha output)."""

    name: str
    options: dict
    note: str = ""
    # An experiment not (yet) in the options: (h, w) -> band refiner for bgcut.postprocess(refiner=).
    refiner: Callable[[int, int], Callable[[np.ndarray, np.ndarray], np.ndarray]] | None = None

    def bgcut_options(self) -> bgcut.Options:
        return bgcut.Options.from_dict({**self.options, "output": "mask", "decontaminate": False})

    def alpha(self, rgba: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """float32 (H, W) alpha in [0, 1], as the shipped post-processing would give it."""
        refiner = self.refiner(*rgba.shape[:2]) if self.refiner is not None else None
        return bgcut.postprocess(rgba, mask, self.bgcut_options(), refiner=refiner).astype(np.float32) / 255


def _edges() -> dict[str, Edge]:
    e = [
        Edge("default", {}, "bgcut.Options() as shipped"),
        Edge("none", {"refine": "none"}, "bilinear upsampling + threshold ramp 0.4/0.3, no refinement"),
        Edge("fast-guided", {"refine": "fast_guided"}, "fast guided, auto radius, eps 1e-4, whole photo"),
        Edge("fast-guided-e3-t05", {"refine": "fast_guided", "eps": 1e-3, "threshold": 0.5},
             "fast guided, auto radius, eps 1e-3, threshold ramp at 0.5"),
        Edge("fast-guided-nothr", {"refine": "fast_guided", "threshold": None},
             "fast guided, auto radius, eps 1e-4, no threshold ramp"),
    ]
    e.append(Edge("edge", {"refine": "edge"}, "refine='edge': bgcut.guided.EdgeRefiner on the band tiles"))
    e.append(Edge("matte", {"refine": "matte"},
                  "refine='matte': bgcut.trimap_matting.TrimapMatting on the band tiles"))
    return {x.name: x for x in e}


def band_edge(name: str) -> Edge | None:
    """An experimental variant named ``band-r<F>-e<eps>-s<D>-t<thr>-<softness>``: refine='none', then an
    ``EdgeRefiner`` on the band tiles with radius long side/F, subsample radius/D (0: none) and the
    ramp (threshold ``none``: no ramp); e.g. ``band-r120-e0.001-s4-t0.45-0.6`` is refine='edge'."""
    m = re.fullmatch(r"band-r(\d+)-e([0-9.e-]+)-s(\d+)-t(none|[0-9.]+)-([0-9.]+)", name)
    if m is None:
        return None
    frac, eps, sdiv = int(m[1]), float(m[2]), int(m[3])
    thr = None if m[4] == "none" else float(m[4])
    soft = float(m[5])

    def make(h: int, w: int) -> EdgeRefiner:
        r = max(2, round(max(h, w) / frac))
        return EdgeRefiner(r, eps, max(1, r // sdiv) if sdiv else 1, thr, soft)

    note = f"band tiles: guided r=long/{frac}, eps {eps:g}, subsample r/{sdiv}, then ramp {thr}/{soft}"
    return Edge(name, {"refine": "none"}, note, refiner=make)


def options_edge(name: str) -> Edge | None:
    """An experimental variant named ``opts:<key>=<value>,...``: bgcut options over the shipped
    defaults, e.g. ``opts:threshold=0.5`` or ``opts:refine=edge,edge_shift=-1``."""
    if not name.startswith("opts:"):
        return None
    options: dict = {}
    for part in name[5:].split(","):
        key, _, value = part.partition("=")
        try:
            options[key] = float(value) if key != "refine" else value
        except ValueError:
            return None
    try:
        bgcut.Options.from_dict(options)
    except ValueError:
        return None
    return Edge(name, options, "bgcut options " + ", ".join(f"{k}={v}" for k, v in options.items()))


def matte_edge(name: str) -> Edge | None:
    """An experimental variant named ``matte-b<band>-w<work long side>-e<eps>-p<prior>``: refine='none',
    then ``bgcut.trimap_matting.TrimapMatting`` on the band tiles, solved at a subsample that brings
    the photo's long side to about the working long side (0: full resolution)."""
    m = re.fullmatch(r"matte-b(\d+)-w(\d+)-e([0-9.e-]+)-p([0-9.e-]+)(?:-t([0-9.]+)-([0-9.]+))?(-whole)?"
                     r"(-after-edge)?", name)
    if m is None:
        return None
    band, work, eps, prior = int(m[1]), int(m[2]), float(m[3]), float(m[4])

    def make(h: int, w: int) -> TrimapMatting:
        s = max(1, round(max(h, w) / work)) if work else 1
        return TrimapMatting(band, s, eps, prior, threshold=thr, softness=soft)

    thr = float(m[5]) if m[5] else None
    soft = float(m[6]) if m[6] else 0.0
    base = {"refine": "edge" if m[8] else "none"}
    note = f"closed-form matting, band {band}, work long side {work}, eps {eps:g}, prior {prior:g}"
    if thr is not None:
        note += f", then ramp {thr:g}/{soft:g}"
    if m[7]:
        return WholeEdge(name, base, note + ", one solve on the whole photo", refiner=make)
    return Edge(name, base, note + " on the band tiles", refiner=make)


class WholeEdge(Edge):
    """An experiment whose refiner runs once on the whole photo after the shipped post-processing."""

    def alpha(self, rgba: np.ndarray, mask: np.ndarray) -> np.ndarray:
        a = bgcut.postprocess(rgba, mask, self.bgcut_options()).astype(np.float32) / 255
        return self.refiner(*rgba.shape[:2])(rgba, a)


EDGES = _edges()


@dataclass(frozen=True)
class Photo:
    stem: str
    source: str
    image: Path
    gt: Path


def load_matting(half: str) -> list[Photo]:
    index = MATTING / "index.csv"
    if not index.is_file():
        raise SystemExit(f"{index}: matting-dev index not found (expected ../shared/data/matting-dev)")
    wanted = set(stems(half, MATTING))
    out = []
    for row in csv.DictReader(index.open(newline="")):
        if row["stem"] not in wanted:
            continue
        images = sorted((MATTING / "images").glob(row["stem"] + ".*"))
        if not images:
            raise SystemExit(f"{MATTING / 'images'}: no image for stem {row['stem']!r}")
        out.append(Photo(row["stem"], row["source"], images[0], MATTING / "gt" / f"{row['stem']}.png"))
    return out


_MODEL: list[OnnxModel] = []
CACHE_DIR = ROOT / ".cache" / "quality_matting"


def shipped_model() -> OnnxModel:
    """The model the CLI runs by default (the manifest's native choice), one single-threaded session."""
    if not _MODEL:
        _MODEL.append(OnnxModel(Manifest().resolve(None, "native"), threads=1))
    return _MODEL[0]


def model_mask(stem: str, rgba: np.ndarray, model: OnnxModel | None = None) -> np.ndarray:
    """The model-run plan's merged mask for one photo (``model``: the shipped one by default, run
    under its own plan defaults), cached per (model file, plan) in ``.cache/quality_matting/`` as
    float16."""
    model = model or shipped_model()
    options = bgcut.Options.from_dict({}, model.plan)
    plan = PassOptions.from_options(options)
    tag = "-".join(f"{k}{v}" for k, v in sorted(vars(plan).items()))
    path = CACHE_DIR / f"{model.id}-{model.entry.sha256[:12]}" / tag / f"{stem}.npy"
    if path.is_file():
        return np.load(path).astype(np.float32)
    mask = np.asarray(run_passes(rgba, model, options).mask, np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, mask.astype(np.float16))
    return mask


def _mean(rows: list[dict], metric: str) -> float:
    vals = [r[metric] for r in rows if np.isfinite(r[metric])]
    return float(np.mean(vals)) if vals else float("nan")


def run_edges(names: list[str], photos: list[Photo]) -> dict[str, dict]:
    """Per-photo matting scores and post-processing seconds of every variant."""
    out: dict[str, dict] = {n: {"rows": [], "seconds": []} for n in names}
    for p in photos:
        rgba = decode(p.image)
        gt = np.asarray(Image.open(p.gt).convert("L"))
        if gt.shape != rgba.shape[:2]:
            raise SystemExit(f"{p.gt}: alpha is {gt.shape}, photo {p.image} is {rgba.shape[:2]}")
        mask = model_mask(p.stem, rgba)
        for n in names:
            t0 = time.perf_counter()
            alpha = EDGES[n].alpha(rgba, mask)
            out[n]["seconds"].append(time.perf_counter() - t0)
            out[n]["rows"].append({"stem": p.stem, "source": p.source, **matting_score(alpha, gt)})
    return out


def run_dev(names: list[str], half: str) -> dict[str, dict[str, float]]:
    """IoU and Boundary IoU of every variant on ``half`` of the binary dev set."""
    wanted = set(stems(half, DEV))
    rows: dict[str, list[dict]] = {n: [] for n in names}
    for row in csv.DictReader((DEV / "index.csv").open(newline="")):
        if row["stem"] not in wanted:
            continue
        s = Photo(row["stem"], row["source"], next((DEV / "images").glob(row["stem"] + ".*")),
                  DEV / "gt" / f"{row['stem']}.png")
        rgba = decode(s.image)
        gt = np.asarray(Image.open(s.gt).convert("L"))
        mask = model_mask(s.stem, rgba)
        for n in names:
            alpha = EDGES[n].alpha(rgba, mask)
            rows[n].append(score(alpha, gt))
    return {n: {"n": len(r), **{m: _mean(r, m) for m in DEV_METRICS}} for n, r in rows.items()}


def summarize(rows: list[dict]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups["overall"].append(r)
        groups[r["source"]].append(r)
    return {g: {"n": len(rs), **{m: _mean(rs, m) for m in MATTING_METRICS}} for g, rs in groups.items()}


def markdown(results: dict[str, dict], half: str, dev: dict[str, dict] | None) -> str:
    head = ("| edge | SAD/1000 | MSE x1000 | grad/1000 | soft-band MAE | IoU 0.5 | alphamatting band MAE "
            "| product band MAE | post ms/photo |")
    if dev:
        head += " dev IoU | dev B-IoU |"
    lines = [f"matting-dev, {half} half", "", head, "|" + "---|" * (head.count("|") - 1)]
    for n, r in results.items():
        g = r["groups"]
        o = g["overall"]
        cells = [f"{o['sad']:.2f}", f"{1000 * o['mse']:.2f}", f"{o['grad']:.2f}", f"{o['band_mae']:.4f}",
                 f"{o['iou']:.4f}"]
        cells += [f"{g[src]['band_mae']:.4f}" if src in g else "-" for src in ("alphamatting", "product")]
        cells.append(f"{1000 * float(np.mean(r['seconds'])):.0f}")
        if dev:
            cells += [f"{dev[n]['iou']:.4f}", f"{dev[n]['biou']:.4f}"]
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def contact_sheet(names: list[str], results: dict[str, dict], photos: list[Photo], path: Path, n: int = 8,
                  window: int = 128) -> None:
    """For the ``n`` photos with the worst soft-band MAE under the first variant: the ``window`` px
    square with the largest band error, as photo | ground truth | each variant, enlarged 2x."""
    first = results[names[0]]["rows"]
    worst = sorted((r for r in first if np.isfinite(r["band_mae"])), key=lambda r: -r["band_mae"])[:n]
    by_stem = {p.stem: p for p in photos}
    tiles = []
    for r in worst:
        p = by_stem[r["stem"]]
        rgba = decode(p.image)
        gt = np.asarray(Image.open(p.gt).convert("L"))
        mask = model_mask(p.stem, rgba)
        alphas = [EDGES[x].alpha(rgba, mask) for x in names]
        err = np.abs(alphas[0] - gt / 255.0) * soft_band(gt)
        score_map = box_mean(err.astype(np.float32), window // 2)
        cy, cx = np.unravel_index(int(np.argmax(score_map)), score_map.shape)
        h, w = gt.shape
        y0 = int(np.clip(cy - window // 2, 0, max(0, h - window)))
        x0 = int(np.clip(cx - window // 2, 0, max(0, w - window)))
        sl = (slice(y0, y0 + window), slice(x0, x0 + window))
        parts = [rgba[sl][..., :3], np.repeat(gt[sl][..., None], 3, 2)]
        parts += [np.repeat(np.rint(255 * a[sl]).astype(np.uint8)[..., None], 3, 2) for a in alphas]
        row = np.concatenate(parts, axis=1)
        tiles.append(np.kron(row, np.ones((2, 2, 1), np.uint8)))
    if tiles:
        width = max(t.shape[1] for t in tiles)
        sheet = np.concatenate([np.pad(t, ((0, 4), (0, width - t.shape[1]), (0, 0)), constant_values=255)
                                for t in tiles])
        Image.fromarray(sheet).save(path)


def reference_colours(rgb: np.ndarray, alpha: np.ndarray, smooth: float = 0.1, pin: float = 100.0,
                      reach: int = 6) -> np.ndarray:
    """Stand-in for the true foreground (the data set has none): F and B solving a F + (1 - a) B = I
    in least squares with the ground-truth alpha, F and B smooth between 4-neighbours, F pinned to
    I where a = 1 and B where a = 0 (Levin et al.'s foreground step with uniform weights). A
    different estimator from bgcut's blur fusion, solved exactly with scipy (bench only), over the
    pixels within ``reach`` of a fractional one. Returns F, float64 (H, W, 3) in [0, 1]."""
    from scipy import ndimage, sparse
    from scipy.sparse.linalg import spsolve

    h, w = alpha.shape
    region = ndimage.binary_dilation((alpha > 0) & (alpha < 1), iterations=reach)
    ys, xs = np.nonzero(region)
    n = ys.size
    fg = rgb.astype(np.float64).copy()
    if n == 0:
        return fg
    idx = np.full((h, w), -1, np.int64)
    idx[ys, xs] = np.arange(n)
    a = alpha[ys, xs].astype(np.float64)
    r = np.arange(n)
    w_f = np.where(a >= 1, pin, 0.0)
    w_b = np.where(a <= 0, pin, 0.0)
    rows, cols, vals = [r, r, n + r, 2 * n + r], [r, n + r, r, n + r], [a, 1 - a, w_f, w_b]
    k = 3 * n
    for dy, dx in ((0, 1), (1, 0)):
        y2, x2 = ys + dy, xs + dx
        inside = (y2 < h) & (x2 < w)
        j = np.full(n, -1)
        j[inside] = idx[y2[inside], x2[inside]]
        i1, j1 = r[j >= 0], j[j >= 0]
        for off in (0, n):
            eq = k + np.arange(i1.size)
            rows += [eq, eq]
            cols += [i1 + off, j1 + off]
            vals += [np.full(i1.size, smooth), np.full(i1.size, -smooth)]
            k += i1.size
    design = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                               shape=(k, 2 * n))
    normal = (design.T @ design).tocsc()
    for c in range(3):
        target = np.zeros(k)
        img = rgb[ys, xs, c].astype(np.float64)
        target[:n] = img
        target[n:2 * n] = w_f * img
        target[2 * n:3 * n] = w_b * img
        fg[ys, xs, c] = np.clip(spsolve(normal, design.T @ target)[:n], 0.0, 1.0)
    return fg


# Backgrounds a cut-out is placed on for the colour check.
PLACE_ON = {"black": (0, 0, 0), "white": (255, 255, 255), "green": (0, 255, 0)}


def colour_errors(photos: list[Photo]) -> str:
    """Edge colour error of the cut-out placed on new backgrounds, decontamination off vs on, in the
    ground truth's soft band (0 < a < 1), mean |error| on 0..255 against the ground-truth alpha with
    the reference foreground. Four alphas: the ground truth itself (colours only), and ours without
    refinement, with the edge refinement and with the matting refinement."""
    sums: dict[tuple[str, bool], list[float]] = defaultdict(list)
    for p in photos:
        rgba = decode(p.image)
        gt = np.asarray(Image.open(p.gt).convert("L")).astype(np.float64) / 255.0
        soft = (gt > 0) & (gt < 1)
        if not soft.any():
            continue
        fg = reference_colours(rgba[..., :3] / 255.0, gt)
        mask = model_mask(p.stem, rgba)
        alphas = {"ground-truth alpha": (gt.astype(np.float32), {"threshold": None, "refine": "none"}),
                  "refine='none' alpha": (mask, {"refine": "none"}),
                  "refine='edge' alpha": (mask, {"refine": "edge"}),
                  "refine='matte' alpha": (mask, {"refine": "matte"})}
        for label, (mask, opts) in alphas.items():
            for dec in (False, True):
                cut = bgcut.postprocess(rgba, mask, bgcut.Options.from_dict({**opts, "decontaminate": dec}))
                a_out = cut[..., 3:4].astype(np.float64) / 255.0
                errs = []
                for bg in PLACE_ON.values():
                    b2 = np.asarray(bg, np.float64) / 255.0
                    placed = a_out * cut[..., :3] / 255.0 + (1 - a_out) * b2
                    truth = gt[..., None] * fg + (1 - gt[..., None]) * b2
                    errs.append(float(np.mean(np.abs(placed - truth)[soft])) * 255)
                sums[(label, dec)].append(float(np.mean(errs)))
    n = len(sums[("ground-truth alpha", True)])
    lines = [f"Edge colours on matting-dev ({n} photos): cut-out placed on "
             f"{', '.join(PLACE_ON)}, mean |error| (0..255) in the ground truth's soft band",
             "", "| alpha | without decontamination | with |", "|---|---|---|"]
    for label in ("ground-truth alpha", "refine='none' alpha", "refine='edge' alpha", "refine='matte' alpha"):
        off, on = np.mean(sums[(label, False)]), np.mean(sums[(label, True)])
        lines.append(f"| {label} | {off:.1f} | {on:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--edge", action="append", default=[], help="edge variant (repeatable); see --list")
    p.add_argument("--half", default="report", choices=("tune", "report", "all"))
    p.add_argument("--dev", action="store_true", help="also IoU / B-IoU on the same half of the dev set")
    p.add_argument("--sheet", type=int, default=8, help="photos in the worst-hair contact sheet (0: none)")
    p.add_argument("--time", type=int, default=0, metavar="N",
                   help="only time the variants' post-processing on N photos, interleaved, 3 repeats")
    p.add_argument("--colours", action="store_true",
                   help="only the edge colour check (decontamination off/on against a reference foreground)")
    p.add_argument("--list", action="store_true")
    args = p.parse_args(argv)
    if args.list:
        for e in EDGES.values():
            print(f"{e.name:24s} {e.note}")
        return 0
    names = args.edge or ["none", "edge"]
    for n in names:
        if n not in EDGES and (band_edge(n) or matte_edge(n) or options_edge(n)) is not None:
            EDGES[n] = band_edge(n) or matte_edge(n) or options_edge(n)
    unknown = [n for n in names if n not in EDGES]
    if unknown:
        p.error(f"unknown edge variant(s) {unknown}; see --list")
    photos = load_matting(args.half)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    if args.time:
        return _time(names, photos[: args.time])
    if args.colours:
        text = colour_errors(photos)
        print(text)
        (RESULTS_DIR / f"quality_matting_colours_{args.half}.md").write_text(text)
        return 0
    raw = run_edges(names, photos)
    results = {n: {"groups": summarize(r["rows"]), **r} for n, r in raw.items()}
    dev = run_dev(names, args.half) if args.dev else None
    text = markdown(results, args.half, dev)
    print(text)
    (RESULTS_DIR / f"quality_matting_{args.half}.md").write_text(text)
    (RESULTS_DIR / f"quality_matting_{args.half}.json").write_text(
        json.dumps({"matting": results, "dev": dev}, indent=1))
    if args.sheet:
        path = RESULTS_DIR / "quality_matting_worst.png"
        contact_sheet(names, results, photos, path, args.sheet)
        print(f"worst hair edges: {path} (photo | ground truth | {' | '.join(names)})")
    return 0


def _time(names: list[str], photos: list[Photo]) -> int:
    """Post-processing only (the model passes are cached): interleaved so the variants share load."""
    spent: dict[str, list[float]] = {n: [] for n in names}
    for p in photos:
        rgba = decode(p.image)
        mask = model_mask(p.stem, rgba)
        for _ in range(3):
            for n in names:
                t0 = time.perf_counter()
                EDGES[n].alpha(rgba, mask)
                spent[n].append(time.perf_counter() - t0)
    base = float(np.median(spent[names[0]]))
    lines = [f"| edge | median ms/photo ({len(photos)} photos x 3) | vs {names[0]} |", "|---|---|---|"]
    lines += [f"| {n} | {1000 * float(np.median(v)):.0f} | {float(np.median(v)) / base:.2f}x |"
              for n, v in spent.items()]
    text = "\n".join(lines) + "\n"
    print(text)
    (RESULTS_DIR / "quality_matting_time.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
