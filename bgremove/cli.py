"""``bgremove INPUT... -o OUTDIR``: cut out photos on this machine with the same code as the browser."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from tqdm import tqdm

import bgcut

from . import parallel
from .decode import IMAGE_SUFFIXES, DecodeError, decode
from .models import Model, ModelError, load_model
from .pipeline import FORMATS, SUFFIX, process_file

EXIT_OK, EXIT_FILE_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bgremove",
        description="Remove the background from photos, entirely on this machine.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", type=Path, help="image files or directories")
    p.add_argument("-o", "--output-dir", required=True, type=Path, help="where to write the results")
    p.add_argument("--model", default=None,
                   help="fast (U2-Netp, the default) or best (full U2-Net: better edges, about 4x the "
                        "model time); or an architecture (u2netp, u2net: the manifest's variant for native "
                        "runs, see runtime_variants) or a model id (e.g. u2netp-uint8). Each model runs "
                        "its own plan defaults from the manifest; the options below override them")
    p.add_argument("--models-dir", type=Path, default=None, help="directory holding manifest.json")
    p.add_argument("--format", choices=FORMATS, default="png",
                   help="png (RGBA), webp (with alpha) or mask (8-bit greyscale PNG)")
    p.add_argument("--background", default="transparent",
                   help="transparent, #rrggbb, blur, or the path of an image to put behind the subject")
    p.add_argument("--refine", choices=bgcut.options.REFINE_MODES, default=None, help="edge refinement")
    p.add_argument("--radius", type=int, default=None, help="guided-filter radius in pixels (default: auto)")
    p.add_argument("--eps", type=float, default=None, help="guided-filter regularisation")
    p.add_argument("--threshold", type=float, default=None, help="cut the alpha at this value in (0, 1)")
    p.add_argument("--threshold-softness", type=float, default=None, help="width of a soft threshold ramp")
    p.add_argument("--feather", type=int, default=None, help="blur the alpha edge by this many pixels")
    p.add_argument("--edge-shift", type=int, default=None, help="grow (>0) or shrink (<0) the edge, pixels")
    p.add_argument("--no-decontaminate", action="store_true", help="keep original colours at the edge")
    p.add_argument("--no-threshold", action="store_true", help="keep the model's soft alpha (no ramp)")
    p.add_argument("--no-mirror", action="store_true", help="skip the mirror pass (a second model run on "
                   "the mirrored photo; up to 2x faster)")
    p.add_argument("--no-crop", action="store_true", help="skip the crop pass (a second run on a crop "
                   "around a small subject)")
    # The flags' names before the mirror and crop passes had one name everywhere; kept, unlisted.
    p.add_argument("--no-flip", dest="no_mirror", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--no-crop-pass", dest="no_crop", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--model-size", type=int, default=None, help="model input long side (default: manifest)")
    p.add_argument("--model-aspect", action="store_true",
                   help="keep the aspect ratio instead of a square input")
    p.add_argument("--edits", type=Path, default=None, metavar="FILE.json|DIR",
                   help="touch-up brush strokes to replay (the page's exported edits, docs/API.md#edits): "
                        "a .json file for a single photo, or for a batch a folder holding <name>.json per "
                        "photo (photo.jpg.json, else photo.json; photos without one get no edits)")
    p.add_argument("-j", "--jobs", type=int, default=None,
                   help="photos processed in parallel, one process each (default: the number of cores); "
                        "each gets cores/jobs ONNX Runtime threads")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    return p


def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files as given; directories replaced by the images directly inside them, sorted."""
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            images = (p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            files.extend(sorted(images))
        else:
            files.append(path)
    return files


def _output_names(files: Sequence[Path], suffix: str) -> list[str]:
    """``<stem><suffix>``; when two inputs share a stem, later ones also get their extension."""
    seen: set[str] = set()
    names = []
    for f in files:
        name = f.stem + suffix
        if name in seen:
            name = f"{f.stem}_{f.suffix.lstrip('.')}{suffix}"
        seen.add(name)
        names.append(name)
    return names


def _options(args: argparse.Namespace) -> dict:
    """The options the command line sets; the model's plan defaults fill in the rest."""
    given = {
        "refine": args.refine,
        "radius": args.radius,
        "eps": args.eps,
        "threshold": args.threshold,
        "threshold_softness": args.threshold_softness,
        "feather": args.feather,
        "edge_shift": args.edge_shift,
        "model_size": args.model_size,
    }
    opts = {k: v for k, v in given.items() if v is not None}
    if args.no_decontaminate:
        opts["decontaminate"] = False
    if args.no_threshold:
        opts["threshold"] = None
    if args.no_mirror:
        opts["mirror"] = False
    if args.no_crop:
        opts["crop"] = False
    if args.model_aspect:
        opts["model_square"] = False
    bg = args.background
    if bg not in ("transparent", "blur") and not bg.startswith("#"):
        opts["background"] = decode(bg)
    else:
        opts["background"] = bg
    bgcut.Options.from_dict(opts)  # a bad value fails here, before a model is loaded
    return opts


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        given = _options(args)
    except (ValueError, DecodeError) as exc:
        print(f"bgremove: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.jobs is not None and args.jobs < 1:
        print(f"bgremove: --jobs must be at least 1, got {args.jobs}", file=sys.stderr)
        return EXIT_USAGE
    files = expand_inputs(args.inputs)
    jobs, threads = plan_jobs(args.jobs, len(files))
    try:
        model = load_model(args.model, args.models_dir, threads if jobs == 1 else 1, runtime="native")
        options = bgcut.Options.from_dict(given, model.plan)
    except (ModelError, ValueError) as exc:
        print(f"bgremove: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not files:
        print("bgremove: no images found in the given inputs", file=sys.stderr)
        return EXIT_FILE_FAILED
    try:
        args.output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"bgremove: cannot create output directory {args.output_dir}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    names = _output_names(files, SUFFIX[args.format])
    try:
        edits = edits_files(files, args.edits)
    except ValueError as exc:
        print(f"bgremove: {exc}", file=sys.stderr)
        return EXIT_USAGE
    failed = 0
    bar = tqdm(list(zip(files, names, strict=True)), unit="img", disable=args.quiet or len(files) < 2,
               file=sys.stderr)
    if jobs == 1:
        outcomes = (process_one(src, args.output_dir / name, model, options, args.format, strokes)
                    for (src, name), strokes in zip(bar, edits, strict=True))
    else:
        work = [(src, args.output_dir / name, strokes)
                for src, name, strokes in zip(files, names, edits, strict=True)]
        outcomes = parallel.run(work, bar, model.id, args.models_dir, options, args.format, jobs, threads)
    for src, error in zip(files, outcomes, strict=True):
        bar.set_postfix_str(src.name, refresh=False)
        if error is not None:
            failed += 1
            tqdm.write(error, file=sys.stderr)
    if failed:
        print(f"bgremove: {failed} of {len(files)} file(s) failed", file=sys.stderr)
        return EXIT_FILE_FAILED
    return EXIT_OK


def process_one(src: Path, dst: Path, model: Model, options: bgcut.Options, fmt: str,
                edits: Path | None = None) -> str | None:
    """One file, as every batch runs it: None when written, else the error line for stderr (a bad
    edits file fails its photo only)."""
    try:
        process_file(src, dst, model, options, fmt, edits)
    except DecodeError as exc:
        return f"bgremove: error: {exc}"
    except (OSError, ValueError, MemoryError) as exc:
        return f"bgremove: error: {src}: {exc}"
    return None


def edits_files(files: Sequence[Path], edits: Path | None) -> list[Path | None]:
    """Per photo, its edits file or None. ``edits``: a file (exactly one photo) or a folder, where
    ``photo.jpg`` takes ``photo.jpg.json``, else ``photo.json``. ValueError for a usage mistake;
    the files themselves are read and checked per photo (``pipeline.load_edits``)."""
    if edits is None:
        return [None] * len(files)
    if edits.is_dir():
        found: list[Path | None] = []
        for f in files:
            full, short = edits / (f.name + ".json"), edits / (f.stem + ".json")
            found.append(full if full.is_file() else short if short.is_file() else None)
        return found
    if not edits.exists():
        raise ValueError(f"--edits {edits}: no such file or folder")
    if len(files) != 1:
        raise ValueError(f"--edits {edits} is one file but there are {len(files)} photos; for a batch, "
                         "give a folder holding <photo name>.json per photo")
    return [edits]


def plan_jobs(jobs: int | None, n_files: int, cores: int | None = None) -> tuple[int, int]:
    """(worker processes, ONNX Runtime threads each): never more workers than files, and
    workers x threads never more than the cores (unless --jobs itself asks for more)."""
    cores = cores or os.cpu_count() or 1
    jobs = max(1, min(jobs or cores, n_files or 1))
    return jobs, max(1, cores // jobs)


if __name__ == "__main__":
    sys.exit(main())
