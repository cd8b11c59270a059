"""Parsing the operator's `--frame-ancestors` list before it reaches a header or the frame's allow-list.

The value is pasted into a CSP header and published as JSON for the widget frame's own origin check,
so one stray `;` would add a directive (a `report-uri` that sends page URLs off the device), one `,`
would start a second policy, a newline would make every response a 500, and a token the frame cannot
read could turn into an allow-everything. Every token is therefore checked against the CSP source
grammar at start-up, and anything else stops the server with a message naming the token.
"""

from __future__ import annotations

import re

# CSP3 source expressions that mean something for frame-ancestors. Keywords other than these two
# ('unsafe-inline', nonces, hashes) are script-src vocabulary and grant no frame parent.
KEYWORDS = ("'self'", "'none'")
SCHEME = r"[a-z][a-z0-9+.-]*"
SCHEME_SOURCE = re.compile(rf"^{SCHEME}:$", re.IGNORECASE)
HOST_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
HOST_SOURCE = re.compile(
    rf"^(?:(?P<scheme>{SCHEME})://)?"
    rf"(?P<host>\*|(?:\*\.)?{HOST_LABEL}(?:\.{HOST_LABEL})*)"
    r"(?::(?P<port>[0-9]{1,5}|\*))?"
    r"(?P<path>/)?$",
    re.IGNORECASE,
)


class FrameAncestorsError(ValueError):
    """The configured list is not one the server will put into a header."""


def _refuse(token: str, why: str) -> FrameAncestorsError:
    return FrameAncestorsError(f"frame-ancestors source {token!r} {why}. Expected space-separated CSP "
                               "sources: 'self', 'none', a scheme (https:) or a host source "
                               "(https://shop.example, https://*.shop.example:8443).")


def parse_frame_ancestors(value: str) -> list[str]:
    """The validated, normalised sources of a frame-ancestors value; raises FrameAncestorsError.

    'none' must stand alone. Schemes and hosts are lower-cased (CSP compares them without case),
    and a trailing "/" is dropped: frame-ancestors matches origins, not paths.
    """
    if not isinstance(value, str):
        raise FrameAncestorsError(f"frame-ancestors must be a string, not {type(value).__name__}")
    for ch in value:
        if ch in ";,":
            raise FrameAncestorsError(
                f"frame-ancestors may not contain {ch!r}: it would end the directive or the policy "
                f"(got {value!r}). List sources separated by spaces only.")
        if ord(ch) > 0x7E or (ord(ch) < 0x20 and ch not in " \t"):
            raise FrameAncestorsError(
                f"frame-ancestors may not contain the character {ch!r} (control or non-ASCII; "
                f"got {value!r}). Write internationalised host names in their xn-- form.")
    tokens = value.split()
    if not tokens:
        raise FrameAncestorsError("frame-ancestors is empty: use 'self' (the default) or 'none'")
    sources: list[str] = []
    for token in tokens:
        source = _parse_source(token)
        if source not in sources:
            sources.append(source)
    if "'none'" in sources and len(sources) > 1:
        raise FrameAncestorsError(f"'none' must be the only frame-ancestors source (got {value!r})")
    return sources


def _parse_source(token: str) -> str:
    lowered = token.lower()
    if lowered.startswith("'"):
        if lowered in KEYWORDS:
            return lowered
        raise _refuse(token, "is not a keyword frame-ancestors knows (only 'self' and 'none')")
    if SCHEME_SOURCE.match(token):
        return lowered
    m = HOST_SOURCE.match(token)
    if not m:
        if "/" in token.split("://", 1)[-1]:
            raise _refuse(token, "has a path; frame-ancestors matches origins only")
        raise _refuse(token, "is not a valid source")
    if m["port"] and m["port"] != "*" and not 0 < int(m["port"]) < 65536:
        raise _refuse(token, "has a port outside 1-65535")
    scheme = f"{m['scheme'].lower()}://" if m["scheme"] else ""
    port = f":{m['port']}" if m["port"] else ""
    return f"{scheme}{m['host'].lower()}{port}"


def csp_value(sources: list[str]) -> str:
    """The frame-ancestors directive value for a parsed list."""
    return " ".join(sources)


def allow_list(sources: list[str]) -> list[str]:
    """What the widget frame checks parents against: the same sources ('none' grants nobody)."""
    return [] if sources == ["'none'"] else list(sources)
