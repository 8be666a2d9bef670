"""Schemathesis against /api/openapi.json (the JSON API and OParl): 0 server errors, no traceback in any
body, for valid and invalid parameters and for the ids of real objects (referat.testing.apifuzz).

`make test` runs it for about 45 s (REFERAT_SCHEMATHESIS_SECONDS); `make check-long` runs
`python -m referat.testing.apifuzz` for 10 minutes. docs/reliability.md has the latest figures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, SEEDS
from referat.api import create_app
from referat.ingest import ingest
from referat.store import Archive

pytest.importorskip("schemathesis")
from referat.testing import apifuzz  # noqa: E402 - needs schemathesis

SECONDS = float(os.environ.get("REFERAT_SCHEMATHESIS_SECONDS", "45"))


def test_the_api_answers_every_generated_request_without_a_server_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "a.db")
    summary = ingest(Archive(db), [str(EXAMPLES), str(ROOT / "tests" / "fixtures" / "xss"), *map(str, SEEDS)])
    assert summary.count("failed") == 0
    report = apifuzz.run(create_app(db), SECONDS)
    with capsys.disabled():
        print(f"\n{report.summary()}")
    assert report.errors == []
    # every operation was called, with real ids where it takes them (a run that generated nothing proves nothing)
    called = {label.split(" [")[0] for label, n in report.examples.items() if n}
    assert len(called) == len({label.split(" [")[0] for label in report.examples}) >= 20
    assert all(n for label, n in report.examples.items() if label.endswith("[real ids]"))
