"""referat: read Danish municipal committee minutes into a structured record.

The public Python API starts here: :func:`parse_file` and :func:`parse_text`
return a :class:`~referat.model.ParsedDocument`.
"""

from __future__ import annotations

from typing import Any

from referat.errors import ReferatError

__all__ = ["ReferatError", "parse_file", "parse_text"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """parse_file and parse_text load the parser on first use: `import referat` (and so every command of
    the CLI) does not pay for pydantic models and the vocabularies' regexes until it parses."""
    if name in ("parse_file", "parse_text"):
        from referat import parse

        return getattr(parse, name)
    raise AttributeError(f"module 'referat' has no attribute {name!r}")
