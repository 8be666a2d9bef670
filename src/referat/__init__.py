"""referat: read Danish municipal committee minutes into a structured record.

The public Python API starts here: :func:`parse_file` and :func:`parse_text`
return a :class:`~referat.model.ParsedDocument`.
"""

from __future__ import annotations

from referat.errors import ReferatError
from referat.parse import parse_file, parse_text

__all__ = ["ReferatError", "parse_file", "parse_text"]
__version__ = "0.1.0"
