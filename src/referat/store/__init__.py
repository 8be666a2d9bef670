"""Storage: the archive database (SQLite by default) behind one Python API."""

from __future__ import annotations

from referat.errors import AmbiguousError, NotFoundError
from referat.store.archive import DECISION_KINDS, Archive, Filters, Hit, SearchResult, default_db

__all__ = ["DECISION_KINDS", "AmbiguousError", "Archive", "Filters", "Hit", "NotFoundError", "SearchResult", "default_db"]
