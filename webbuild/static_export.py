"""`python -m webbuild --static OUT`: the built app as a folder any static host can serve.

OUT/site is web/ as served (same content-hashed layout), every compressible file precompressed,
plus the files the Flask app computes from its configuration (embed/allowed-origins.json,
sw-config.js) and the one static hosts read (`_headers`). OUT/nginx and OUT/Caddyfile carry the same
headers for those servers.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import server_configs
from .build import ROOT
from .compress import COMPRESSIBLE, MIN_SAVING, precompress
from .header_plan import HeaderPlan, dynamic_files, observe
from .util import BuildError, sha256_file

WEB_ROOT = ROOT / "web"
OUTPUTS = {"site", "nginx", "Caddyfile"}
# Immutable, big and never edited in place: a test export may hard-link them instead of copying
# (their URLs name their content, so their ETags need not).
LINKABLE = ("vendor", "models")
CONTENT_EPOCH = 946_684_800  # 2000-01-01T00:00:00Z


def export_static(out: Path, frame_ancestors: str = "'self'", *, web_root: Path = WEB_ROOT,
                  server_root: str | None = None, listen: str = "80", link: bool = False,
                  log=print) -> HeaderPlan:
    """Write OUT/site, OUT/nginx/{bgremove.conf,nginx.conf} and OUT/Caddyfile; returns the plan.

    server_root: where the site folder will live on the web server (default: OUT/site here).
    """
    out = Path(out).resolve()
    if not (web_root / "vendor" / "runtime.json").is_file():
        raise BuildError(f"{web_root} is not built: run `python -m webbuild` first")
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out} exists and is not a folder")
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in OUTPUTS)
        if foreign:
            raise BuildError(f"{out} holds other files ({', '.join(foreign[:3])}); export into an empty "
                             "folder or a previous export")
    out.mkdir(parents=True, exist_ok=True)
    staging = out / ".site-staging"
    shutil.rmtree(staging, ignore_errors=True)
    copy_site(web_root, staging, link)
    cache = ROOT / ".cache" / "webbuild" / "compressed"
    written = 0
    for path in sorted(staging.rglob("*")):
        if path.is_file() and path.suffix in COMPRESSIBLE:
            written += len(_precompress_pair(path, cache))
    log(f"webbuild: precompressed {written} variant(s) for the shell and models")
    # Written after precompression: the app sends these uncompressed, so must the web server.
    for rel, body in dynamic_files(frame_ancestors).items():
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_bytes(body)
    _content_times(staging, link)
    plan = observe(staging, frame_ancestors)
    (staging / "_headers").write_text(server_configs.headers_file(plan))
    site = out / "site"
    shutil.rmtree(site, ignore_errors=True)
    staging.rename(site)
    write_server_configs(out, plan, server_root or str(site), listen)
    return plan


def write_server_configs(out: Path, plan: HeaderPlan, root: str, listen: str = "80") -> None:
    nginx = out / "nginx"
    nginx.mkdir(exist_ok=True)
    (nginx / "bgremove.conf").write_text(server_configs.nginx_server(plan, root, listen))
    (nginx / "nginx.conf").write_text(server_configs.nginx_standalone())
    address = f":{listen}" if listen.isdigit() else listen
    (out / "Caddyfile").write_text(server_configs.caddyfile(plan, root, address))


def copy_site(src: Path, dst: Path, link: bool) -> None:
    """Copy the app folder ``src`` to ``dst`` (dotfiles left out); with ``link``, the big immutable
    folders (vendor/, models/) are hard-linked where the file system allows, the shell copied."""
    def ignore(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if n.startswith(".")]

    def copy(s: str, d: str) -> None:
        if link and Path(s).relative_to(src).parts[0] in LINKABLE:
            try:
                os.link(s, d)
                return
            except OSError:
                pass
        shutil.copy2(s, d)

    shutil.copytree(src, dst, ignore=ignore, copy_function=copy)


def content_time(path: Path) -> int:
    """A modification time drawn from the file's bytes (a second between 2000 and 2008).

    nginx and Caddy make ETags from time and size; the app makes them from the bytes, so that a
    build with pinned file times still revalidates to new bytes (docs/ARCHITECTURE.md). A time
    that follows the bytes gives the static servers the same property."""
    return CONTENT_EPOCH + int(sha256_file(path)[:7], 16)


def _content_times(site: Path, link: bool) -> None:
    for path in site.rglob("*"):
        rel = path.relative_to(site)
        if not path.is_file() or path.suffix in (".br", ".gz") or (link and rel.parts[0] in LINKABLE):
            continue
        t = content_time(path)
        # Variants get the same time: the app serves a variant only when it is not older.
        for target in (path, path.with_name(path.name + ".br"), path.with_name(path.name + ".gz")):
            if target.is_file():
                os.utime(target, (t, t))


def _precompress_pair(path: Path, cache: Path) -> list[Path]:
    """Both variants or none. nginx says `Vary: Accept-Encoding` when a .gz exists or a .br is sent,
    the app when a .br exists or a .gz is sent: the two agree only when the variants come in pairs."""
    variants = [path.with_name(path.name + ext) for ext in (".br", ".gz")]
    present = [v.exists() for v in variants]
    if all(present):
        return []
    written = precompress(path, cache, min_saving=1.0 if any(present) else MIN_SAVING)
    if not all(v.exists() for v in variants):
        for variant in variants:
            variant.unlink(missing_ok=True)
        return []
    return written
