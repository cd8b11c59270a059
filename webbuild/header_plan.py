"""What every URL of an exported site must be answered with, read from the Flask app itself.

server/headers.py and server/app.py are the one source of truth for our response headers. Rather
than restating their rules for each web server (and drifting the day one of them changes), the
export asks the app, through Flask's test client, what it sends for every file of the folder and
for a missing path; the nginx, Caddy and `_headers` configs are written from those answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Headers that describe one transfer rather than a policy; each server computes its own.
TRANSPORT = frozenset({
    "date", "server", "content-length", "etag", "last-modified", "accept-ranges", "connection",
    "keep-alive", "content-encoding", "vary", "content-type", "transfer-encoding",
    # send_file names the file it sent; a static server needs no such hint for inline content.
    "content-disposition",
})
# Paths the static export adds for other hosts; the app must never serve them.
HOST_FILES = ("_headers",)
MISSING_PATH = "/.well-known/bgremove-missing"


@dataclass(frozen=True)
class HeaderPlan:
    """default: the policy headers of any URL not listed (404s included); paths: URL path -> policy
    headers where they differ from default; types: file suffix ('' for none) -> Content-Type."""

    frame_ancestors: str
    default: dict[str, str]
    paths: dict[str, dict[str, str]]
    types: dict[str, str]
    # Every URL observed: the site's files, then the folder URLs their index.html answers.
    urls: tuple[str, ...]
    # URLs whose file has precompressed variants: their responses vary with Accept-Encoding.
    precompressed: tuple[str, ...] = ()

    def headers_for(self, url_path: str) -> dict[str, str]:
        return self.paths.get(url_path, self.default)

    def varying_fields(self) -> set[str]:
        """Fields whose value is not the same on every URL (the others can be set once for all)."""
        fields = set(self.default)
        for headers in self.paths.values():
            fields |= set(headers)
        return {f for f in fields if any(h.get(f) != self.default.get(f) for h in self.paths.values())}


def site_files(site: Path) -> list[str]:
    """URL paths (leading slash) of every servable file: no dotfiles, no precompressed variants."""
    found = []
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix in (".br", ".gz") or rel.as_posix() in HOST_FILES:
            continue
        found.append("/" + rel.as_posix())
    return found


def policy(headers) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in TRANSPORT}


def observe(site: Path, frame_ancestors: str) -> HeaderPlan:
    """Ask the Flask app serving `site` for the headers of each file; group them into a plan."""
    from server.app import create_app

    client = create_app(web_root=site, frame_ancestors=frame_ancestors).test_client()
    missing = client.head(MISSING_PATH, headers={"Accept-Encoding": "identity"})
    if missing.status_code != 404:
        raise RuntimeError(f"{MISSING_PATH} should be missing, the app answered {missing.status_code}")
    default = policy(missing.headers)
    paths: dict[str, dict[str, str]] = {}
    types: dict[str, str] = {}
    files = site_files(site)
    folders = [url.removesuffix("index.html") for url in files if url.endswith("/index.html")]
    for url in [*files, *folders]:
        response = client.head(url, headers={"Accept-Encoding": "identity"})
        if response.status_code != 200:
            raise RuntimeError(f"the app answers {response.status_code} for {url}, a file of the site")
        headers = policy(response.headers)
        if headers != default:
            paths[url] = headers
        if url in folders:
            continue
        suffix = Path(url).suffix
        kind = response.headers["Content-Type"]
        if types.setdefault(suffix, kind) != kind:
            raise RuntimeError(f"{url}: Content-Type {kind!r}, other {suffix or 'suffix-less'} files "
                               f"get {types[suffix]!r}; one type per suffix is what servers can express")
    def has_variants(url: str) -> bool:
        path = site / (url + "index.html" if url.endswith("/") else url).lstrip("/")
        return any(path.with_name(path.name + ext).is_file() for ext in (".br", ".gz"))

    urls = (*files, *folders)
    return HeaderPlan(frame_ancestors, default, paths, types, urls, tuple(u for u in urls if has_variants(u)))


def dynamic_files(frame_ancestors: str) -> dict[str, bytes]:
    """The app's fixed routes that are computed at start-up from its configuration (the widget's
    allow-list, the service worker's header config): site-relative path -> body, byte for byte."""
    from server.app import create_app

    app = create_app(web_root=Path("/nonexistent"), frame_ancestors=frame_ancestors)
    client = app.test_client()
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.arguments or rule.rule == "/" or "GET" not in (rule.methods or ()):
            continue
        response = client.get(rule.rule)
        if response.status_code != 200:
            raise RuntimeError(f"the app answers {response.status_code} for {rule.rule}")
        found[rule.rule.lstrip("/")] = response.data
    return found
