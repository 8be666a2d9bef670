"""The archive: ingest, idempotence, atomic documents, Danish search, ranking, filters, errors. Every test
that opens an archive runs on SQLite and on PostgreSQL (the `new_db` fixture, tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from referat.testing.fixtures import write_documents
from referat.ingest import ingest
from referat.search import QueryError, parse_query
from referat.store import Archive, Filters

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture()
def docs(tmp_path: Path) -> list[Path]:
    return write_documents(tmp_path / "docs")


@pytest.fixture()
def archive(new_db: Callable[[str], str], docs: list[Path]) -> Archive:
    a = Archive(new_db("a.db"))
    summary = ingest(a, [str(p) for p in docs], now=NOW)
    assert summary.count("ingested") == 3
    return a


def titles(result) -> list[str]:
    return [h.title for h in result.hits]


def test_stemming_recall_finds_inflected_forms(archive: Archive) -> None:
    # "jobklub" is in titles and bodies as jobklubber, jobklubben, Jobklubberne, jobklubber
    found = set(titles(archive.search("jobklub", limit=50)))
    assert {"Jobklubber for ledige", "Evaluering af jobklubben i Nørrebyen", "Budgetopfølgning 1. kvartal",
            "Budget 2025 - anden behandling"} <= found
    assert set(titles(archive.search("Jobklubberne", limit=50))) == found


def test_title_hit_outranks_body_hit(archive: Archive) -> None:
    ranked = titles(archive.search("jobklubber", limit=10))
    assert ranked.index("Jobklubber for ledige") < ranked.index("Budgetopfølgning 1. kvartal")
    assert ranked.index("Evaluering af jobklubben i Nørrebyen") < ranked.index("Budget 2025 - anden behandling")


def test_aeoeaa_are_not_folded(archive: Archive) -> None:
    assert titles(archive.search("Åby")) == ["Anlægsregnskab for skolen i Åby"]
    assert archive.search("Aby").total == 0
    assert titles(archive.search("Ærø")) == ["Ny ungeindsats"]
    assert archive.search("Aero").total == 0


def test_phrase_exclude_or_prefix_and_substring(archive: Archive) -> None:
    assert titles(archive.search('"unge under 25 år"')) == ["Ny ungeindsats"]
    assert archive.search('"25 år unge"').total == 0
    assert "Jobklubber for ledige" not in titles(archive.search("jobklub -ledige", limit=50))
    assert set(titles(archive.search("Åby OR Nørrebyen"))) == {"Anlægsregnskab for skolen i Åby",
                                                               "Evaluering af jobklubben i Nørrebyen"}
    assert "Anlægsregnskab for skolen i Åby" in titles(archive.search("anlægs*"))
    # a compound part: "klub" is no word of its own, but *klub* finds it inside words
    assert "Jobklubber for ledige" in titles(archive.search("*klub*", limit=50))


def test_substring_matches_words_as_written_and_sees_new_documents(archive: Archive, tmp_path: Path) -> None:
    # "*klubber*" is inside "Jobklubber" but not inside "jobklubben" (same stem): words as written
    assert titles(archive.search("*klubber*", limit=50)) == ["Jobklubber for ledige"]
    assert "Evaluering af jobklubben i Nørrebyen" in titles(archive.search("*klubbe*", limit=50))
    assert archive.search("*fodboldklub*").total == 0
    new = tmp_path / "new.md"
    new.write_text("# Beskæftigelsesudvalget\n\nMødedato: 12.03.2024\n\n## 1. Tilskud til Fodboldklubben Vesterå\n\n"
                   "### Beslutning\n\nGodkendt.\n", encoding="utf-8")
    assert ingest(archive, [str(new)], now=NOW).count("ingested") == 1
    # the in-memory word list is read again when the table has grown
    assert titles(archive.search("*fodboldklub*")) == ["Tilskud til Fodboldklubben Vesterå"]
    with pytest.raises(QueryError, match="inside one word"):
        archive.search("*it-sys*")


def test_no_word_match_falls_back_to_substring(archive: Archive) -> None:
    r = archive.search("regnskab")  # only inside the compound "Anlægsregnskab"
    assert r.fallback == "substring" and titles(r) == ["Anlægsregnskab for skolen i Åby"]
    # a word that exists but is filtered away is not retried as a substring
    r = archive.search("jobklubber", Filters(year=1999))
    assert (r.total, r.fallback) == (0, None)


def test_snippet_highlights_the_hit(archive: Archive) -> None:
    hit = archive.search("Nørrebyen").hits[0]
    assert any(hit.snippet[a:b] == "Nørrebyen" for a, b in hit.highlights)


@pytest.mark.parametrize("filters,expected", [
    (Filters(committee="økonomiudvalget"), {"Budget 2025 - anden behandling"}),
    (Filters(municipality="Vesterå"), {"Jobklubber for ledige", "Budgetopfølgning 1. kvartal",
                                       "Evaluering af jobklubben i Nørrebyen", "Budget 2025 - anden behandling"}),
    (Filters(municipality="Gladsaxe"), set()),
    (Filters(year=2023), {"Evaluering af jobklubben i Nørrebyen"}),
    (Filters(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 12, 31)),
     {"Jobklubber for ledige", "Budgetopfølgning 1. kvartal"}),
    (Filters(decision_kind="noted"), {"Budgetopfølgning 1. kvartal", "Evaluering af jobklubben i Nørrebyen"}),
    (Filters(case_number="21-3-15.00.00-P20"), {"Jobklubber for ledige"}),
    (Filters(person="Dorthe Kjær"), {"Evaluering af jobklubben i Nørrebyen"}),
    (Filters(person="carl berg"), {"Jobklubber for ledige", "Budgetopfølgning 1. kvartal"}),
])
def test_filters(archive: Archive, filters: Filters, expected: set[str]) -> None:
    assert set(titles(archive.search("jobklub", filters, limit=50))) == expected


def test_facets_and_date_sort(archive: Archive) -> None:
    r = archive.search("jobklub", sort="date", limit=50)
    assert [h.date for h in r.hits] == sorted((h.date for h in r.hits), reverse=True)
    assert r.facets["committee"] == {"Beskæftigelsesudvalget": 3, "Økonomiudvalget": 1}
    assert r.facets["year"] == {"2021": 2, "2023": 1, "2024": 1}


def test_reingest_is_idempotent_and_changed_file_replaced(tmp_path: Path, archive: Archive,
                                                          docs: list[Path]) -> None:
    before = archive.stats()
    again = ingest(archive, [str(tmp_path / "docs")], now=NOW)
    assert again.count("skipped") == 3 and archive.stats()["items"] == before["items"]
    docs[0].write_text(docs[0].read_text().replace("Godkendt.", "Udsat."), encoding="utf-8")
    changed = ingest(archive, [str(p) for p in docs], now=NOW)
    assert (changed.count("replaced"), changed.count("skipped")) == (1, 2)
    after = archive.stats()
    assert (after["documents"], after["meetings"], after["items"]) == (3, 3, before["items"])
    assert titles(archive.search("jobklub", Filters(decision_kind="postponed"))) == ["Jobklubber for ledige"]


def test_batch_continues_past_bad_files_and_reports_them(tmp_path: Path, docs: list[Path],
                                                         new_db: Callable[[str], str]) -> None:
    (tmp_path / "docs" / "broken.txt").write_bytes(b"\x00\x01binary")
    (tmp_path / "docs" / "letter.txt").write_text("Kære Jens,\n\nTak for sidst.\n")
    (tmp_path / "docs" / "cut.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    a = Archive(new_db("b.db"))
    summary = ingest(a, [str(tmp_path / "docs"), str(tmp_path / "missing.txt")], now=NOW)
    assert (summary.count("ingested"), summary.count("refused"), summary.count("failed")) == (3, 1, 3)
    reasons = {Path(o.path).name: o.reason for o in summary.failed + summary.refused}
    assert [Path(o.path).name for o in summary.refused] == ["letter.txt"]  # read well, but not minutes
    assert "binary" in reasons["broken.txt"] and "not minutes" not in reasons["broken.txt"]
    assert "no agenda items" in reasons["letter.txt"] and "no such file" in reasons["missing.txt"]
    assert "corrupt or truncated PDF" in reasons["cut.pdf"]
    assert a.stats()["documents"] == 3


def test_a_failing_document_leaves_nothing_half_written(new_db: Callable[[str], str], docs: list[Path],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from referat.store import archive as archive_module

    a = Archive(new_db("c.db"))
    real = archive_module.Archive._insert

    def explode_after_items(self, conn, rows):  # noqa: ANN001
        real(self, conn, rows)
        if "oekonomi" in rows.document["path"]:
            raise RuntimeError("disk full")

    monkeypatch.setattr(archive_module.Archive, "_insert", explode_after_items)
    summary = ingest(a, [str(p) for p in docs], now=NOW)
    assert summary.count("ingested") == 2 and "disk full" in summary.failed[0].reason
    stats = a.stats()
    assert (stats["documents"], stats["meetings"]) == (2, 2)
    from sqlalchemy import text
    with a.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM items")).scalar_one() == stats["items"] == 4
        for table, key in (("sections", "item_pk"), ("item_lists", "item_pk"), ("treatments", "item_pk"),
                           ("amounts", "item_pk")):
            orphans = conn.execute(text(f"SELECT count(*) FROM {table} WHERE {key} NOT IN (SELECT pk FROM items)"))
            assert orphans.scalar_one() == 0, table
        assert conn.execute(text("SELECT count(*) FROM sections")).scalar_one() > 0
        pks = {r[0] for r in conn.execute(text("SELECT pk FROM items"))}
    # the search index (tantivy) holds exactly the items the database holds
    searcher = a.search_index.searcher()
    hits = searcher.search(a.search_index.pks(range(1, 1000)), 1000, count=False, order_by_field="pk").hits
    assert searcher.num_docs == len(pks) and {pk for pk, _ in hits} == pks
    assert a.search("Åby").total == 0


def test_document_text_kept_verbatim(archive: Archive, docs: list[Path]) -> None:
    from sqlalchemy import text
    with archive.engine.connect() as conn:
        stored = conn.execute(text("SELECT text FROM documents WHERE path = :p"), {"p": str(docs[0])}).scalar_one()
    assert stored == docs[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("query,message", [
    ('"unclosed', "not closed"), ("-ledige", "not only words to exclude"), ("OR budget", "OR must stand"),
    ("budget OR", "OR must stand"), ("a*b", "star goes at the end"), ("*ab*", "at least 3 letters"),
    ("?!", "no words"), ("x" * 600, "at most 500"), ("-*klub* budget", "stands alone"),
    ("ø" * 491 + "*", "no word in the archive is longer"), ("中" * 328 + "*", "no word in the archive is longer"),
    ("*" + "å" * 200 + "*", "no word in the archive is longer"),
])
def test_malformed_queries_get_clear_messages(archive: Archive, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        archive.search(query)


def test_sql_and_fts_syntax_in_queries_are_just_words(archive: Archive) -> None:
    for q in ["'; DROP TABLE items; --", "title:budget", "NEAR(a b)", "budget AND", "\"a\" OR \"b\"", "^budget"]:
        archive.search(q)  # no exception from SQLite: every term is quoted and bound
    assert archive.stats()["items"] == 6
    # "NOT" is a word like any other: two required words, nothing excluded
    q = parse_query("NOT budget")
    assert [t.words for g in q.groups for t in g] == [("not",), ("budget",)] and not q.excluded


def test_bad_filter_values(archive: Archive) -> None:
    with pytest.raises(QueryError, match="unknown decision kind"):
        Filters(decision_kind="maybe")
    with pytest.raises(QueryError, match="date range is empty"):
        Filters(date_from=dt.date(2024, 1, 2), date_to=dt.date(2024, 1, 1))


def test_show_meeting_item_and_export(archive: Archive) -> None:
    hit = archive.search("ungeindsats").hits[0]
    item = archive.item(hit.id)
    assert item["votes"] == {"for": ["Anne Holm", "Dorthe Kjær"], "against": ["Bo Lund"], "abstained": []}
    meeting = archive.meeting(hit.meeting_id)
    assert [p["name"] for p in meeting["participants"]] == ["Anne Holm", "Bo Lund", "Dorthe Kjær"]
    assert [i["title"] for i in meeting["items"]] == ["Evaluering af jobklubben i Nørrebyen", "Ny ungeindsats"]
    exported = list(archive.export(Filters(committee="Økonomiudvalget")))
    assert [e["title"] for e in exported] == ["Budget 2025 - anden behandling", "Anlægsregnskab for skolen i Åby"]
    assert exported[0]["substitutes"] == [{"substitute": "Gustav Ravn", "for": "Frida Friis"}]


def test_sampled_plan_for_very_common_words(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above EXACT_LIMIT estimated matches the newest SAMPLE matches are ranked; the total stays exact."""
    exact = archive.search("jobklub", limit=50)
    monkeypatch.setattr(Archive, "EXACT_LIMIT", 1)
    monkeypatch.setattr(Archive, "SAMPLE", 2)
    sampled = archive.search("jobklub", limit=50)
    assert (exact.exact, sampled.exact) == (True, False)
    assert sampled.total == exact.total == 4
    assert len(sampled.hits) == 2 and set(titles(sampled)) <= set(titles(exact))
    assert sum(sampled.facets["committee"].values()) == 2
    # with a filter the sample is larger (2 x SAMPLE) so that filtered hits are still found
    filtered = archive.search("jobklub", Filters(committee="Økonomiudvalget"))
    assert titles(filtered) == ["Budget 2025 - anden behandling"]


def test_parallel_ingest_gives_the_same_archive(tmp_path: Path, docs: list[Path], new_db: Callable[[str], str]) -> None:
    one, two = Archive(new_db("one.db")), Archive(new_db("two.db"))
    ingest(one, [str(tmp_path / "docs")], now=NOW)
    summary = ingest(two, [str(tmp_path / "docs")], jobs=2, now=NOW)
    assert summary.count("ingested") == 3
    assert {k: v for k, v in one.stats().items()} == {k: v for k, v in two.stats().items()}
    assert titles(one.search("jobklub", limit=50)) == titles(two.search("jobklub", limit=50))


def test_search_index_is_rebuilt_from_the_database_when_missing(archive: Archive, backend: str) -> None:
    """The tantivy index is derived data: without it (or out of step) it is rebuilt. Beside a SQLite file it
    is a folder; a PostgreSQL archive keeps it in memory (and so rebuilds it on every open)."""
    import shutil

    before = archive.search("jobklub", limit=50)
    archive.close()
    if backend == "sqlite":
        shutil.rmtree(archive.db + ".tantivy")
    else:
        assert archive.search_index.path is None
    again = Archive(archive.db)
    after = again.search("jobklub", limit=50)
    assert titles(after) == titles(before) and after.facets == before.facets
    assert after.facets["municipality"] == {"Vesterå": 4}
    assert again.search('"unge under 25 år"').total == 1
    assert titles(again.search("jobklub", Filters(person="Dorthe Kjær"))) == ["Evaluering af jobklubben i Nørrebyen"]


def test_ingest_batches_by_items_bytes_time_and_slow_arrivals(monkeypatch: pytest.MonkeyPatch) -> None:
    from referat import ingest as ingest_module
    from referat.ingest import Batcher
    from referat.store.rows import Rows

    clock = [0.0]
    monkeypatch.setattr(ingest_module.time, "monotonic", lambda: clock[0])

    def doc(items: int, size: int = 1000) -> Rows:
        return Rows(document={"size": size}, body={}, meeting={}, items=[{}] * items)

    b = Batcher(max_items=100, max_bytes=10_000, max_seconds=2.0)
    assert [b.add(doc(30)) for _ in range(4)] == [False, False, False, True]  # 120 items >= 100
    assert [b.add(doc(1, 6000)), b.add(doc(1, 6000))] == [False, True]  # 12,000 bytes
    assert b.add(doc(1)) is False
    clock[0] += 1.5
    assert b.add(doc(1)) is False
    clock[0] += 0.6
    assert b.add(doc(1)) is True  # the batch began 2.1 s ago
    clock[0] += 5.0  # documents now arrive slowly (OCR): each is stored as it comes
    assert b.add(doc(1)) is True
    clock[0] += 5.0
    assert b.add(doc(1)) is True


def test_referat_index_holds_the_index_of_a_server_database(new_db: Callable[[str], str], docs: list[Path],
                                                            tmp_path: Path, backend: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """$REFERAT_INDEX names the index folder of a database that is not a file (PostgreSQL): kept across opens,
    so an archive opens without rebuilding it. A SQLite file keeps its index beside it whatever the variable."""
    folder = tmp_path / "index"
    monkeypatch.setenv("REFERAT_INDEX", str(folder))
    db = new_db("a.db")
    a = Archive(db)
    ingest(a, [str(p) for p in docs], now=NOW)
    expected = str(folder) if backend == "postgresql" else str(Path(db).resolve()) + ".tantivy"
    assert a.search_index.path == expected and Path(expected).is_dir()
    assert folder.exists() == (backend == "postgresql")
    before = titles(a.search("jobklub", limit=50))
    a.close()

    def no_rebuild(self: Archive, chunk: int = 5000) -> int:
        raise AssertionError("the index was rebuilt although it is in step with the database")

    monkeypatch.setattr(Archive, "reindex", no_rebuild)
    again = Archive(db)
    assert titles(again.search("jobklub", limit=50)) == before and len(before) == 4
    again.close()


def test_snippet_reads_line_and_paragraph_breaks_as_one_space() -> None:
    import re

    from referat.search import snippet

    text, marks = snippet("Beskæftigelses- og\n\nIntegrationsudvalget blev \n orienteret.", re.compile("Integration\\w*"))
    assert text == "Beskæftigelses- og Integrationsudvalget blev orienteret."
    assert [text[a:b] for a, b in marks] == ["Integrationsudvalget"]


def test_two_writers_on_one_postgresql_database_take_turns(postgres, docs: list[Path]) -> None:  # noqa: ANN001
    """A server database can have several writers at once (SQLite has one file lock); they take turns per
    transaction (referat.dialect.lock_for_writing), so the item keys each assigns never collide."""
    import threading

    from referat.dialect import lock_for_writing

    url = postgres.create_database()
    first, second = Archive(url), Archive(url)
    results: list[int] = []
    writer = threading.Thread(target=lambda: results.append(ingest(second, [str(p) for p in docs], now=NOW)
                                                            .count("ingested")))
    with first.engine.begin() as conn:
        lock_for_writing(conn)  # as a store or relink of the first archive holds it
        writer.start()
        writer.join(timeout=1.5)
        assert writer.is_alive() and not results  # the second writer waits for its turn
    writer.join(timeout=60)
    assert results == [3]
    reader = Archive(url)
    assert reader.stats()["items"] == 6 and reader.search("jobklub", limit=50).total == 4
    for a in (first, second, reader):
        a.close()
    postgres.drop_database(url)
