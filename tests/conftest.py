"""Shared test fixtures: where the real minutes and gold files live (../shared, never copied here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REFERAT_SHARED", ROOT.parent / "shared"))
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
EXAMPLES = ROOT / "examples"
GENRE = ROOT / "tests" / "fixtures" / "genre"

needs_shared = pytest.mark.skipif(not SEEDS, reason=f"real minutes not found in {SHARED}/seeds")
