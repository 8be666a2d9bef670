"""Schemathesis against the app's own /api/openapi.json: every JSON API and OParl operation, with valid
and invalid parameters, must answer without a server error (no 5xx, no traceback in the body).

Test-only (tests/test_schemathesis.py runs it for about a minute in `make test`; `make check-long` runs
`python -m referat.testing.apifuzz DB --seconds N` for longer). Generated path parameters are almost
never ids that exist, so each operation with path parameters is also fuzzed with the ids of real
objects of the archive filled in, which reaches the code behind a found object (OParl pages, filters on
one body's lists) with generated query parameters.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis.reporting import with_reporter

SERVER_ERROR_MARKS = ("Traceback (most recent call last)", 'File "/')


@dataclass
class Report:
    """What a run did: examples per operation and mode, and each server error found (first per operation)."""

    examples: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.examples.values())

    def summary(self) -> str:
        return (f"schemathesis: {self.total:,} examples over {len(self.examples)} operation passes in "
                f"{self.seconds:.0f} s, {len(self.errors)} server errors")


def known_ids(client: Any) -> dict[str, list[str]]:
    """Ids of real objects, by the path parameter names the routes use, read through the API itself."""
    got: dict[str, set[str]] = {}

    def add(name: str, value: Any) -> None:
        if value is not None and str(value):
            got.setdefault(name, set()).add(str(value))

    def data(url: str, n: int = 3) -> list[dict[str, Any]]:
        return list(client.get(url).json().get("data", []))[:n]

    for m in data("/api/meetings?limit=3"):
        add("meeting_id", m["id"])
        add("doc_id", m.get("document_id"))
        for it in client.get(f"/api/meetings/{m['id']}").json().get("items", [])[:3]:
            add("item_id", it.get("id"))
    for b in data("/api/bodies"):
        add("name_or_id", b["id"])
    for p in data("/api/people?limit=3"):
        add("name_or_id", p["id"])
    for c in data("/api/cases?limit=3"):
        add("number", c.get("case_number"))
    for s in client.get("/api/series").json().get("series", [])[:3]:
        add("series_id", s["id"])
    for b in data("/oparl/v1/bodies"):
        mid = urlsplit(b["id"]).path.rstrip("/").rsplit("/", 1)[-1]
        add("mid", mid)
        for what in ("organizations", "people", "meetings", "papers", "agendaitems", "memberships", "files"):
            add("what", what)
            for o in data(f"/oparl/v1/body/{mid}/{what}", 2):
                parts = urlsplit(o["id"]).path.split("/oparl/v1/", 1)[1].split("/")
                if parts[0] == "paper":
                    add("key", "/".join(parts[2:]))
                elif parts[0] == "organization":
                    add("org_id", parts[1])
                if len(parts) == 2:
                    add("kind", parts[0])
                    add("object_id", parts[1])
    return {k: sorted(v) for k, v in got.items()}


def run(app: Any, seconds: float, seed: int | None = None, log: Callable[[str], None] | None = None) -> Report:
    """Fuzz every operation of the app's schema for about `seconds` in all, split evenly over the passes
    (positive and negative generation, and a pass with real ids where an operation has path parameters)."""
    import schemathesis
    from fastapi.testclient import TestClient
    from hypothesis import strategies as st

    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    ops = [r.ok() for r in schema.get_all_operations()]
    ids = known_ids(TestClient(app))
    passes: list[tuple[str, Any]] = []
    for op in ops:
        # negative mode only where there are query parameters to get wrong: any string is a valid path
        # parameter, and hypothesis would spend the pass looking for an invalid one
        modes = [schemathesis.GenerationMode.POSITIVE] + ([schemathesis.GenerationMode.NEGATIVE] if len(op.query) else [])
        for mode in modes:
            passes.append((f"{op.label} [{mode.value}]", op.as_strategy(generation_mode=mode)))
        names = [p.name for p in op.path_parameters]
        if names and all(n in ids for n in names):
            fixed = st.fixed_dictionaries({n: st.sampled_from(ids[n]) for n in names})
            passes.append((f"{op.label} [real ids]",
                           fixed.flatmap(lambda pp, op=op: op.as_strategy(path_parameters=pp))))
    report = Report()
    t_start = time.perf_counter()
    for n, (label, strategy) in enumerate(passes):
        report.examples[label] = 0
        budget = max(0.0, t_start + seconds - time.perf_counter()) / (len(passes) - n)  # what is left, shared
        failed = _fuzz(label, strategy, time.perf_counter() + budget, report.examples, seed is not None)
        report.errors.extend(failed)
        if log:
            log(f"{label}: {report.examples[label]} examples" + (f", ERROR {failed[0]}" if failed else ""))
    report.seconds = time.perf_counter() - t_start
    return report


class _Done(BaseException):  # noqa: N818 - not an error: a BaseException passes through hypothesis at once
    """The pass's time is up, or it found its server error."""


def _fuzz(label: str, strategy: Any, end: float, examples: dict[str, int], derandomize: bool) -> list[str]:
    """Call the operation with cases drawn from `strategy` until `end` or the first server error. Runs of
    a few hundred examples each: where a mode cannot generate (a free-text path parameter has no invalid
    value), hypothesis gives up on a run quickly and so does the pass."""
    failed: list[str] = []

    @settings(max_examples=300, deadline=None, database=None, derandomize=derandomize,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case: Any) -> None:
        if failed or time.perf_counter() > end:
            raise _Done  # the time is up: hypothesis would go on generating up to max_examples
        examples[label] += 1
        try:
            res = case.call()
        except Exception as exc:  # noqa: BLE001 - the app raised: a server error, reported with its case
            failed.append(f"{label}: {type(exc).__name__}: {exc} <- {case.as_curl_command()}")
            return
        body = res.text[:100_000]
        if res.status_code >= 500 or any(m in body for m in SERVER_ERROR_MARKS):
            failed.append(f"{label}: {res.status_code} {body[:200]!r} <- {case.as_curl_command()}")

    while not failed and time.perf_counter() < end:
        before = examples[label]
        try:
            with with_reporter(lambda _: None):  # not "add @seed(...)" for each pass that ran out of time
                check()
        except (_Done, Unsatisfiable):
            pass
        if examples[label] == before or derandomize:
            break
    return failed


def main() -> None:
    ap = argparse.ArgumentParser(description="Fuzz the JSON API and OParl of an archive from its OpenAPI schema.")
    ap.add_argument("db", help="an archive (ingest the examples and seeds into it first)")
    ap.add_argument("--seconds", type=float, default=600.0)
    args = ap.parse_args()
    from referat.api import create_app

    report = run(create_app(args.db), args.seconds, log=lambda s: print(s, file=sys.stderr))
    for e in report.errors:
        print(f"server error: {e}")
    print(report.summary())
    sys.exit(1 if report.errors else 0)


if __name__ == "__main__":
    main()
