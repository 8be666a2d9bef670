"""Replaced documents are remembered (referat.store.superseded, migration 0011): two versions of one meeting
in one folder are stored once and then left alone, however often ingest runs. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, snapshot
from referat.ingest import ingest, prepare
from referat.store import Archive

SOURCE = EXAMPLES / "vesteraa_beskaeftigelse_2024-03-12.md"
NOW = "2026-01-01T00:00:00+00:00"


def _versions(folder: Path) -> tuple[Path, Path]:
    """Two files of one meeting: v1 as printed, v2 with the first decision changed."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SOURCE.read_text(encoding="utf-8")
    assert "\nAnbefales.\n" in text
    v1, v2 = folder / "a_v1.md", folder / "b_v2.md"
    v1.write_text(text, encoding="utf-8")
    v2.write_text(text.replace("\nAnbefales.\n", "\nUdsat.\n", 1), encoding="utf-8")
    return v1, v2


def _log(archive: Archive) -> tuple[int, int]:
    """The change log's length (feeds, alerts) and, on PostgreSQL, the search index's (0 on SQLite)."""
    with archive.engine.connect() as conn:
        changes = conn.exec_driver_sql("SELECT count(*) FROM changes").scalar_one()
        index = (conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM index_changes").scalar_one()
                 if archive.engine.dialect.name == "postgresql" else 0)
    return changes, index


def _counts(summary) -> tuple[int, int, int]:  # noqa: ANN001
    return summary.count("ingested"), summary.count("replaced"), summary.count("skipped")


def test_a_folder_with_two_versions_of_a_meeting_is_stored_once_and_then_left_alone(
        tmp_path: Path, new_db: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> None:
    v1, v2 = _versions(tmp_path / "f")
    with Archive(new_db("a.db")) as a:
        first = ingest(a, [str(tmp_path / "f")], bounded=False)
        assert _counts(first) == (1, 1, 0)
        before, log = snapshot(a), _log(a)
        assert [Path(r[1]).name for r in before["documents"]] == ["b_v2.md"]
        with a.engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT path, meeting_id, by_document, reason FROM superseded").one()
        assert (Path(row[0]).name, row[3]) == ("a_v1.md", "replaced")
        assert row[1] == before["meetings"][0][0] and row[2] == before["documents"][0][0]
        # a rerun reads nothing, stores nothing, logs nothing and leaves the index alone
        monkeypatch.setattr(Archive, "store_many", lambda *_a, **_k: pytest.fail("a rerun stored something"))
        for _ in range(2):
            again = ingest(a, [str(tmp_path / "f")], bounded=False)
            assert _counts(again) == (0, 0, 2)
            assert snapshot(a) == before and _log(a) == log
        said = {Path(o.path).name: (o.why, o.by and Path(o.by).name) for o in again.outcomes}
        assert said == {"a_v1.md": ("replaced", "b_v2.md"), "b_v2.md": (None, None)}
        assert again.as_dict()["superseded"] == [{"path": str(v1), "reason": "replaced", "by": str(v2)}]
        assert a.search("Udsat").total >= 1


def test_force_brings_an_older_version_back_and_it_stays(tmp_path: Path, new_db: Callable[[str], str]) -> None:
    v1, v2 = _versions(tmp_path / "f")
    with Archive(new_db("a.db")) as a:
        ingest(a, [str(tmp_path / "f")], bounded=False)
        back = ingest(a, [str(v1)], bounded=False, force=True)
        assert _counts(back) == (0, 1, 0)
        assert [Path(r[1]).name for r in snapshot(a)["documents"]] == ["a_v1.md"]
        log = _log(a)
        again = ingest(a, [str(tmp_path / "f")], bounded=False)  # now v2 is the superseded one
        assert _counts(again) == (0, 0, 2) and _log(a) == log
        assert {Path(o.path).name: o.why for o in again.outcomes} == {"a_v1.md": None, "b_v2.md": "replaced"}
        # --force over a file stored already reads it again and stores nothing new
        assert _counts(ingest(a, [str(v1)], bounded=False, force=True)) == (0, 0, 1) and _log(a) == log


def test_one_file_changed_and_changed_back_is_the_newest_content_of_its_path(
        tmp_path: Path, new_db: Callable[[str], str]) -> None:
    """The same path: each change replaces, and going back to old content is a change too (the file at that
    path is the newest version there); a rerun of any state is a no-op."""
    v1, v2 = _versions(tmp_path / "f")
    old, new = v1.read_bytes(), v2.read_bytes()
    v2.unlink()
    with Archive(new_db("a.db")) as a:
        assert _counts(ingest(a, [str(v1)], bounded=False)) == (1, 0, 0)
        v1.write_bytes(new)
        assert _counts(ingest(a, [str(v1)], bounded=False)) == (0, 1, 0)
        v1.write_bytes(old)
        assert _counts(ingest(a, [str(v1)], bounded=False)) == (0, 1, 0)
        log = _log(a)
        assert _counts(ingest(a, [str(v1)], bounded=False)) == (0, 0, 1) and _log(a) == log
        assert a.search("Udsat").total == 0
        with a.engine.connect() as conn:  # the file's current content is not remembered as superseded
            assert conn.exec_driver_sql("SELECT count(*) FROM superseded").scalar_one() == 1


def test_a_batch_with_both_versions_and_store_many_again(tmp_path: Path, new_db: Callable[[str], str]) -> None:
    """One transaction holding both versions (PostgreSQL's pending rows: _Pending, _flush), then the same
    batch again, as a harvest or a cluster would hand it to the store (past ingest's own check)."""
    v1, v2 = _versions(tmp_path / "f")
    rows = [prepare(p, NOW) for p in (v1, v2)]
    other = prepare(EXAMPLES / "vesteraa_beskaeftigelse_2023-10-05.md", NOW)
    with Archive(new_db("a.db")) as a:
        assert a.store_many([rows[0], other, rows[1]]) == ["ingested", "ingested", "replaced"]
        before, log = snapshot(a), _log(a)
        again = a.store_many([rows[0], other, rows[1]])
        assert again == ["skipped"] * 3 and [getattr(r, "reason", None) for r in again] == ["replaced", None, None]
        assert snapshot(a) == before and _log(a) == log
        assert a.store_many([rows[0]], force=True) == ["replaced"]
        assert sorted(Path(r[1]).name for r in snapshot(a)["documents"]) == [
            "a_v1.md", "vesteraa_beskaeftigelse_2023-10-05.md"]


def test_harvest_stores_a_meeting_changed_and_changed_back(tmp_path: Path, new_db: Callable[[str], str]) -> None:
    """A harvested meeting's path is its URL: a site that serves the older content again is its newest."""
    v1, v2 = _versions(tmp_path / "f")
    url = "https://dagsordener.example.dk/vis?id=1"

    def harvested(path: Path) -> tuple:
        rows = prepare(path, NOW)
        rows.document["path"] = url
        state = {"host": "dagsordener.example.dk", "source_id": "1", "meeting_date": dt.date(2024, 3, 12),
                 "finished": True, "sha256": rows.document["id"], "status": "stored", "reason": None,
                 "fetched_at": NOW}
        return rows, state

    with Archive(new_db("a.db")) as a:
        assert [a.store_harvested(*harvested(p)) for p in (v1, v2, v1)] == ["ingested", "replaced", "replaced"]
        assert a.store_harvested(*harvested(v1)) == "skipped"


def test_an_agenda_after_its_minutes_is_remembered_and_not_read_again(
        tmp_path: Path, new_db: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> None:
    minutes = tmp_path / "referat.md"
    minutes.write_text(SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    agenda = tmp_path / "dagsorden.md"
    agenda.write_text(SOURCE.read_text(encoding="utf-8").replace("**REFERAT", "**DAGSORDEN", 1)
                      .replace("\nAnbefales.\n", "\n\n"), encoding="utf-8")
    with Archive(new_db("a.db")) as a:
        assert _counts(ingest(a, [str(minutes)], bounded=False)) == (1, 0, 0)
        first = ingest(a, [str(agenda)], bounded=False)
        assert [(o.status, o.why) for o in first.outcomes] == [("skipped", "minutes")]
        monkeypatch.setattr(Archive, "store_many", lambda *_a, **_k: pytest.fail("the agenda was read again"))
        again = ingest(a, [str(agenda), str(minutes)], bounded=False)
        assert [(Path(o.path).name, o.why) for o in again.outcomes] == [("dagsorden.md", "minutes"),
                                                                     ("referat.md", None)]


def test_the_cli_says_why_in_danish(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from referat.cli import app

    _versions(tmp_path / "f")
    db = str(tmp_path / "a.db")
    invoke = CliRunner().invoke
    assert invoke(app, ["ingest", str(tmp_path / "f"), "--db", db]).exit_code == 0
    res = invoke(app, ["ingest", str(tmp_path / "f"), "--db", db])
    assert res.exit_code == 0
    assert res.stdout.startswith("0 indlæste, 0 erstattede, 2 uændrede, 0 afviste, 0 fejlede")
    assert (f"sprunget over: {tmp_path / 'f' / 'a_v1.md'}: en ældre version af mødet, som en anden fil erstattede "
            f"({tmp_path / 'f' / 'b_v2.md'}) – brug --force for at gemme den igen") in res.stderr
    forced = invoke(app, ["ingest", str(tmp_path / "f" / "a_v1.md"), "--force", "--db", db])
    assert forced.stdout.startswith("0 indlæste, 1 erstattet,"), forced.output
