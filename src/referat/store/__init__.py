"""Storage: the archive database (SQLite by default) behind one Python API."""

from __future__ import annotations

from referat.store.archive import DECISION_KINDS, Archive, Filters, Hit, NotFoundError, SearchResult, default_db

__all__ = ["DECISION_KINDS", "Archive", "Filters", "Hit", "NotFoundError", "SearchResult", "default_db"]
