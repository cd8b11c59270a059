"""Choosing a precompressed variant (.br / .gz written by the build) from Accept-Encoding."""

from __future__ import annotations

from pathlib import Path

# Preference when the client accepts both equally.
VARIANTS = (("br", ".br"), ("gzip", ".gz"))


def accepted_codings(header: str | None) -> dict[str, float]:
    """Parse Accept-Encoding into {coding: q}; q=0 means explicitly refused."""
    codings: dict[str, float] = {}
    for part in (header or "").split(","):
        token, _, params = part.strip().partition(";")
        token = token.strip().lower()
        if not token:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        codings[token] = q
    return codings


def pick_variant(path: Path, header: str | None) -> tuple[Path, str | None]:
    """The file to send and its Content-Encoding (None for the identity file)."""
    codings = accepted_codings(header)
    wildcard = codings.get("*")
    best: tuple[float, int, Path, str] | None = None
    for rank, (coding, suffix) in enumerate(VARIANTS):
        q = codings.get(coding, wildcard if wildcard is not None else 0.0)
        if q <= 0:
            continue
        variant = path.with_name(path.name + suffix)
        if not variant.is_file() or variant.stat().st_mtime < path.stat().st_mtime:
            continue
        candidate = (q, -rank, variant, coding)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None:
        return path, None
    return best[2], best[3]
