"""``bgremove --jobs N``: the serial loop's per-file function, run by a pool of worker processes.

Each worker holds its own model session with cores/N ONNX Runtime threads, so the pool never
oversubscribes the cores. Results come back in input order; at most a few files per worker are in
flight, so a batch of millions needs no more memory than a batch of ten.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import bgcut

from .models import OnnxModel, load_model

IN_FLIGHT_PER_WORKER = 4
_MODEL: OnnxModel | None = None


def _start_worker(model_id: str, models_dir: Path | None, threads: int) -> None:
    global _MODEL
    _MODEL = load_model(model_id, models_dir, threads)


def _work(src: Path, dst: Path, options: bgcut.Options, fmt: str, edits: Path | None) -> str | None:
    from .cli import process_one

    return process_one(src, dst, _MODEL, options, fmt, edits)


def run(work: list[tuple[Path, Path, Path | None]], bar, model_id: str, models_dir: Path | None,
        options: bgcut.Options, fmt: str, jobs: int, threads: int) -> Iterator[str | None]:
    """Yield, per (src, dst, edits file or None) in order, None or the error line; `bar` advances
    per finished file."""
    # spawn, not fork: a forked child would inherit the parent's ONNX Runtime thread pool mid-state.
    context = multiprocessing.get_context("spawn")
    pending: deque[tuple[Path, Future]] = deque()
    todo = iter(work)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker,
                             initargs=(model_id, models_dir, threads)) as pool:

        def submit_more() -> None:
            while len(pending) < jobs * IN_FLIGHT_PER_WORKER:
                item = next(todo, None)
                if item is None:
                    return
                src, dst, edits = item
                try:
                    pending.append((src, pool.submit(_work, src, dst, options, fmt, edits)))
                except BrokenProcessPool as exc:
                    failed: Future = Future()
                    failed.set_exception(exc)
                    pending.append((src, failed))

        submit_more()
        while pending:
            src, future = pending.popleft()
            try:
                error = future.result()
            except BrokenProcessPool:
                error = f"bgremove: error: {src}: a worker process died (out of memory?); try fewer --jobs"
            bar.update(1)
            submit_more()
            yield error
    bar.close()
