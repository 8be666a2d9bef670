"""URLs read from untrusted text: a document's links, a request's Referer, an operator's option.

urllib raises ValueError for text that only looks like a URL ("http://[x", a port out of range), and a
fuzzer found that in a meeting's JSON; here such text is simply no URL.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urljoin, urlsplit


def split_url(text: str) -> SplitResult | None:
    """The parts of a URL (its port checked), or None for text that is none ("http://[x", "http://h:99999")."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number or out of range
    except ValueError:
        return None
    return parts


def join_url(base: str, href: str) -> str | None:
    """`href` resolved against `base`, or None where either is no URL."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None
