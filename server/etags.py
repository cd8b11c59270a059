"""Content-hash ETags for served files, hashed once per version of a file rather than per request."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

# Enough for every file of a deploy and its .br/.gz variants; older entries fall out first.
MAX_ENTRIES = 4096
_cache: OrderedDict[tuple[str, int, int, int, int], str] = OrderedDict()
_lock = threading.Lock()


def content_etag(path: Path) -> str:
    """A strong ETag that depends on the file's bytes only.

    The cache key says when to hash again; the value depends on the bytes alone. mtime and size are
    not enough for the key: a build that pins file times (SOURCE_DATE_EPOCH) can rewrite a file at
    the same size and time. The inode (new on an atomic replace) and ctime (which no tool can set
    back; every write moves it) catch that.
    """
    stat = path.stat()
    key = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    etag = digest.hexdigest()[:32]
    with _lock:
        _cache[key] = etag
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    return etag
