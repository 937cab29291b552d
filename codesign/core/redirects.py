"""Where a `next` parameter may send a person: only to a path of this site.

Browsers are lenient with URLs: they drop tabs and newlines anywhere, treat a backslash as a slash,
and read `//host`, `/\\host` or `https:host` as another site. So a target is accepted only when it is
a plain absolute path (one slash, then not a slash), without control, format or separator characters
(a plain space is encoded), without a backslash, a scheme or an authority; anything else gives the
default. Letters beyond ASCII (`/avvisi/città`) are percent-encoded, as a browser would send them.
Every redirect built from a request's input goes through `safe_path`.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from werkzeug.urls import iri_to_uri

MAX_LENGTH = 2048


def _as_path(target: object) -> str | None:
    """The target as an ASCII path of this site, or None."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return None
    # No control or format characters (tab, CR, LF, NUL, zero-width …), no separators but the plain space
    # (percent-encoded below), no backslash.
    if any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in target) or "\\" in target:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    uri = iri_to_uri(target)
    if any(not ("\x21" <= ch <= "\x7e") for ch in uri):
        return None
    if not uri.startswith("/") or uri.startswith("//"):
        return None
    parts = urlsplit(uri)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return uri


def is_safe_path(target: object) -> bool:
    return _as_path(target) is not None


def safe_path(target: object, default: str) -> str:
    """`target` (percent-encoded) if it is a path of this site, else `default`."""
    return _as_path(target) or default
