"""Readers: turn a file into decoded text. One module per format; this package picks the reader."""

from __future__ import annotations

from referat.sources.text import MAX_BYTES, SourceText, read_text

__all__ = ["MAX_BYTES", "SourceText", "read_text"]
