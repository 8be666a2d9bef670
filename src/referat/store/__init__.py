"""Storage: the archive database (SQLite by default) behind one Python API."""

from __future__ import annotations

from referat.errors import AmbiguousError, NotFoundError
from referat.store.archive import Archive, default_db
from referat.store.searching import DECISION_KINDS, Filters, Hit, SearchResult

__all__ = ["DECISION_KINDS", "AmbiguousError", "Archive", "Filters", "Hit", "NotFoundError", "SearchResult", "default_db"]
