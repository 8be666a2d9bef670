"""`referat harvest` against the replay of the publication system (referat.testing.replay): never the
internet. The committee list is the team's, for six recorded Greve meetings and one question/answer
container; the meeting responses are the recorded files in ../shared, served byte for byte. Faults
injected: a 500, a stall past the client's timeout, a 404, a changed meeting, a malformed body; and a
harvest killed mid-way, run again, ends with the same archive as an uninterrupted one."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conftest import ROOT, SHARED, snapshot
from referat.cli import app
from referat.harvest import HarvestError, Harvester, Options, committee_list, read_hosts
from referat.store import Archive
from referat.testing.replay import ReplaySite

GREVE = SHARED / "corpus" / "publication-api" / "greve"
HOST = "dagsordener.greve.dk"
# the team's committee list: which recorded meetings each committee lists (file names in the corpus)
COMMITTEES = {
    "Økonomiudvalget": ["2023-04-17_oekonomiudvalget_ae9cc25c.json", "2025-01-11_oekonomiudvalget_e8190b7d.json",
                        "2025-01-29_oekonomiudvalget_eb813156.json"],
    "Kultur- og Fritidsudvalget": ["2022-03-21_kultur-og-fritidsudvalget_1d3fb686.json",
                                   "2022-12-12_kultur-og-fritidsudvalget_72ddf1fa.json"],
    "Plan- og Tryghedsudvalget": ["2025-01-29_plan-og-tryghedsudvalget_dcd8a602.json"],
    ".Spørgsmål / Svar til Byrådet 2022-2025": ["2022-01-01_spoergsmaal-svar-til-byraadet-2022-2025_5034dee3.json"],
}
ECONOMY_2023 = "ae9cc25c-8e34-4e3b-b0d4-bd047a6926dd"
CULTURE_2022 = "72ddf1fa-ac50-4bb9-96ef-18b04df077b5"  # has one attachment
PLAN_2025 = "dcd8a602-7793-416a-9ed4-c2a70382f3d4"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

pytestmark = pytest.mark.skipif(not GREVE.is_dir(), reason=f"recorded responses not found in {GREVE}")


@pytest.fixture()
def site() -> Iterator[ReplaySite]:
    with ReplaySite({name: [GREVE / f for f in files] for name, files in COMMITTEES.items()}) as s:
        yield s


def options(site: ReplaySite, **kw: object) -> Options:
    base = {"base_url": site.url, "delay": 0.0, "backoff": 0.01, "timeout": 2.0, "municipality": "Greve",
            "contact": "test@example.dk"}
    return Options(**{**base, **kw})  # type: ignore[arg-type]


def run(archive: Archive, site: ReplaySite, now: dt.datetime = NOW, **kw: object) -> dict:
    h = Harvester(archive, HOST, options(site, **kw), now=lambda: now)
    try:
        return h.run().as_dict()
    finally:
        h.close()


# --- a first harvest ----------------------------------------------------------------------------------

def test_harvest_keeps_each_response_verbatim_with_its_source(site: ReplaySite, new_db: Callable[[str], str]) -> None:
    archive = Archive(new_db("h.db"))
    summary = run(archive, site)
    assert (summary["listed"], summary["new"], summary["refused"], summary["failed"]) == (7, 6, 1, 0)
    assert "question/answer container" in summary["refusals"][0]["reason"]
    # like the real site: the front page first (its cookie), then the API, never an API answer without it
    assert site.requests[0][:3] == ("/", 200, False)
    assert all(cookie for path, status, cookie, _ in site.requests if path.startswith("/api/"))
    assert site.user_agents and all("referat/" in ua and "test@example.dk" in ua for ua in site.user_agents)
    data = snapshot(archive)
    assert len(data["meetings"]) == 6
    stats = archive.stats()
    assert (stats["documents"], stats["meetings"]) == (6, 6)
    with archive.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT d.id, d.text, d.url, d.fetched_at, m.source_url, m.source_id, m.kind FROM documents d "
            f"JOIN meetings m ON m.document_id = d.id WHERE m.source_id = '{ECONOMY_2023}'").one()
    raw = (GREVE / COMMITTEES["Økonomiudvalget"][0]).read_bytes()
    assert row[0] == hashlib.sha256(raw).hexdigest() and row[1] == raw.decode("utf-8")  # verbatim
    assert row[2] == f"https://{HOST}/api/agenda/dagsorden/{ECONOMY_2023}" and row[3] == NOW.isoformat()
    assert row[4] == f"https://{HOST}/vis?id={ECONOMY_2023}" and row[5] == ECONOMY_2023
    assert row[6] == "minutes"
    archive.close()


def test_files_are_fetched_and_the_item_links_to_the_originals(site: ReplaySite, new_db: Callable[[str], str]) -> None:
    archive = Archive(new_db("h.db"))
    assert run(archive, site, committee="kultur", files=True)["new"] == 2
    [mid] = [r[0] for r in snapshot(archive)["meetings"] if r[9] == CULTURE_2022]
    meeting = archive.meeting(mid)
    assert [(f["role"], f["media_type"]) for f in meeting["files"]] == [("meeting", "application/pdf"),
                                                                         ("attachment", "application/pdf")]
    attachment = meeting["files"][1]
    stored = archive.meeting_file(mid, attachment["sha256"])["content"]
    assert stored.startswith(b"%PDF-") and len(stored) == attachment["size"]
    [item] = [archive.item(i["id"]) for i in meeting["items"] if archive.item(i["id"])["attachments"]]
    [link] = item["attachment_links"]
    assert link["url"] == attachment["url"] and link["title"] == attachment["title"]
    assert link["url"].startswith(f"https://{HOST}/vis/pdf/bilag/")
    client = TestClient(create_app_for(archive))
    html = client.get(f"/punkt/{item['id']}").text
    assert f'href="{link["url"]}"' in html and f'href="https://{HOST}/vis?id={CULTURE_2022}"' in html
    assert client.get(f"/api/items/{item['id']}").json()["attachment_links"] == [link]
    copy = client.get(f"/api/meetings/{mid}/files/{attachment['sha256']}")
    assert copy.content == stored and copy.headers["content-type"] == "application/pdf"
    assert copy.headers["content-disposition"].startswith("attachment") and copy.headers["content-security-policy"] == "sandbox"
    assert f'/api/meetings/{mid}/files/{attachment["sha256"]}' in client.get(f"/moede/{mid}").text
    client.close()
    # files already stored are not fetched again
    before = len(site.requests)
    run(archive, site, committee="kultur", files=True, refresh=True)
    assert not [p for p, *_ in site.requests[before:] if p.startswith("/vis/pdf/")]
    archive.close()


def create_app_for(archive: Archive):  # noqa: ANN201 - the FastAPI app
    from referat.api import create_app

    return create_app(archive.db)


# --- errors -------------------------------------------------------------------------------------------

def test_5xx_and_timeouts_are_retried_4xx_and_bad_bodies_fail_alone(site: ReplaySite,
                                                                    new_db: Callable[[str], str]) -> None:
    archive = Archive(new_db("h.db"))
    site.fail(ECONOMY_2023, 500, times=2)  # recovers on the third attempt
    site.stall(PLAN_2025, 3.0, times=1)  # past the 1 s timeout once
    site.fail(CULTURE_2022, 503, times=10)  # never recovers within the retries
    site.malform("e8190b7d-3fda-474c-8198-c3e6fdda1efa")
    site.fail("eb813156-9a4b-413b-b59d-371ab2038456", 404, times=10)
    summary = run(archive, site, timeout=1.0, retries=2)
    failures = {f["meeting"]: f["reason"] for f in summary["failures"]}
    assert (summary["new"], summary["failed"]) == (3, 3), summary
    assert failures[CULTURE_2022] == "HTTP 503 (after 3 attempts)"
    assert "not JSON" in failures["e8190b7d-3fda-474c-8198-c3e6fdda1efa"]
    assert failures["eb813156-9a4b-413b-b59d-371ab2038456"] == "HTTP 404 Not Found"
    assert site.meeting_requests("eb813156-9a4b-413b-b59d-371ab2038456") == 1  # a 4xx is not retried
    assert site.meeting_requests(ECONOMY_2023) == 3 and site.meeting_requests(PLAN_2025) == 2
    assert {r[9] for r in snapshot(archive)["meetings"]} >= {ECONOMY_2023, PLAN_2025}
    # the failed ones are fetched on the next run, the stored ones are not
    site.faults.status.clear()
    again = run(archive, site)
    # (the container was refused and is finished: skipped like a stored meeting; the malformed body still fails)
    assert (again["new"], again["skipped"], again["failed"]) == (2, 4, 1)
    archive.close()


def test_an_unreachable_list_or_a_wrong_host_is_one_clear_error(site: ReplaySite, new_db: Callable[[str], str]) -> None:
    archive = Archive(new_db("h.db"))
    with pytest.raises(HarvestError, match=r"cannot list the meetings of dagsordener.greve.dk: .*HTTP 404"):
        h = Harvester(archive, HOST, options(site, base_url=site.url + "/nothing-here"))
        h.run()
    with pytest.raises(HarvestError, match="no committee of dagsordener.greve.dk is called 'Teknisk Udvalg'"):
        run(archive, site, committee="Teknisk Udvalg")
    with pytest.raises(HarvestError, match="not the publication system's committee list"):
        committee_list(b'{"Udvalg": 3}', "https://x/api/agenda/udvalgsliste")
    archive.close()


# --- the incremental rule and changes -------------------------------------------------------------------

def test_finished_old_meetings_are_skipped_young_or_open_ones_fetched_changes_replace(
        site: ReplaySite, new_db: Callable[[str], str]) -> None:
    archive = Archive(new_db("h.db"))
    run(archive, site)
    before = len(site.requests)
    second = run(archive, site)
    assert (second["skipped"], second["new"], second["changed"]) == (7, 0, 0)
    # only the front page and the list were asked for (a refused response follows the same rule)
    assert [p for p, *_ in site.requests[before:]] == ["/", "/api/agenda/udvalgsliste"]
    # younger than max-age: fetched again, unchanged
    young = run(archive, site, now=dt.datetime(2025, 2, 10, tzinfo=dt.timezone.utc))
    assert young["unchanged"] == 3 and young["skipped"] == 4  # the three meetings of January 2025
    # a changed response replaces the record; a meeting not finished is fetched on every run
    raw = json.loads((GREVE / COMMITTEES["Økonomiudvalget"][0]).read_bytes())
    raw["Moede"]["Afsluttet"] = False
    raw["Dagsordenpunkter"][0]["Navn"] = "Godkendelse af dagsorden (ændret)"
    site.change(ECONOMY_2023, json.dumps(raw, ensure_ascii=False, indent=2).encode("utf-8"))
    assert run(archive, site, refresh=True)["changed"] == 1
    titles = [r[4] for r in snapshot(archive)["items"]]
    assert "Godkendelse af dagsorden (ændret)" in titles
    assert len(snapshot(archive)["meetings"]) == 6 and archive.stats()["documents"] == 6
    third = run(archive, site)
    assert third["unchanged"] == 1 and third["skipped"] == 6  # not finished: asked again
    archive.close()


def test_polite_one_request_at_a_time_with_the_delay_between(site: ReplaySite, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "h.db")
    run(archive, site, committee="Økonomi", delay=0.05)
    starts = [t for *_, t in site.requests]
    assert len(starts) == 5 and all(b - a >= 0.045 for a, b in zip(starts, starts[1:]))
    archive.close()


# --- resumable ------------------------------------------------------------------------------------------

def _cli(site: ReplaySite, db: str) -> list[str]:
    return [sys.executable, "-m", "referat.cli", "harvest", HOST, "--base-url", site.url, "--db", db,
            "--delay", "0", "--municipality", "Greve", "--format", "json"]


def _stored(archive_db: str) -> int:
    a = Archive(archive_db)
    try:
        with a.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT count(*) FROM harvested").scalar_one()
    finally:
        a.close()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_a_harvest_killed_midway_and_run_again_ends_with_the_same_archive(
        site: ReplaySite, new_db: Callable[[str], str], sig: signal.Signals) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    whole, killed = new_db("whole.db"), new_db("killed.db")
    assert subprocess.run(_cli(site, whole), env=env, capture_output=True, check=False).returncode == 0
    site.hold(after=2)  # the third meeting's answer waits: the process is killed in the middle of that request
    # a shell starts background jobs with SIGINT ignored, and a child inherits that: Ctrl-C at a terminal
    # reaches a process with the default disposition, so the harvest gets that, however the tests were started
    proc = subprocess.Popen(_cli(site, killed), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert site.held.wait(120), "the harvest never asked for a third meeting"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:
        site.release.set()
    if sig == signal.SIGINT:  # Ctrl-C: the meeting in hand is dropped, the summary so far printed
        assert proc.returncode == 130 and "afbrudt; de gemte møder er hele" in err, err
    else:
        assert proc.returncode == -signal.SIGKILL
    assert _stored(killed) == 2, "two meetings were answered and stored before the kill, the third not"
    site.faults.hold_after = None
    res = subprocess.run(_cli(site, killed), env=env, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    a, b = Archive(whole), Archive(killed)
    assert snapshot(a) == snapshot(b)
    assert [h.id for h in a.search("dagsorden", limit=50).hits] == [h.id for h in b.search("dagsorden", limit=50).hits]
    a.close()
    b.close()


# --- the CLI and the hosts file -------------------------------------------------------------------------

def test_cli_summary_and_the_hosts_file(site: ReplaySite, tmp_path: Path) -> None:
    db = str(tmp_path / "h.db")
    invoke = CliRunner().invoke
    res = invoke(app, ["harvest", HOST, "--base-url", site.url, "--db", db, "--delay", "0", "--committee", "plan"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(f"{HOST}: 1 ny, 0 ændrede, 0 uændrede, 0 ikke hentet (afsluttede og ældre), "
                                 "0 afviste, 0 fejlede (3 punkter) af 1 på listen i ")
    hosts = read_hosts(ROOT / "src" / "referat" / "data" / "hosts.tsv")
    assert {h.host for h in hosts} >= {HOST, "dagsordener.gladsaxe.dk", "dagsordner.albertslund.dk"}
    assert all(h.verified == "no" for h in hosts)
    mine = tmp_path / "hosts.tsv"
    mine.write_text("# mine\nmunicipality\thost\tverified\tnote\nGreve\tdagsordener.greve.dk\tno\t\n", encoding="utf-8")
    res = invoke(app, ["harvest", "--all", str(mine), "--base-url", site.url, "--db", db, "--delay", "0",
                       "--committee", "plan", "--format", "json"])
    assert res.exit_code == 0, res.output
    [summary] = json.loads(res.stdout)["hosts"]
    assert (summary["host"], summary["skipped"]) == (HOST, 1)
    bad = tmp_path / "bad.tsv"
    bad.write_text("municipality\thost\nGreve\n", encoding="utf-8")
    res = invoke(app, ["harvest", "--all", str(bad), "--db", db])
    assert res.exit_code == 1 and "line 2: a row needs a municipality and a host" in res.stderr
    res = invoke(app, ["harvest", "--db", db])
    assert res.exit_code == 1 and "give a HOST or --all FILE" in res.stderr


def test_a_meeting_ingested_from_its_file_and_harvested_is_one_record(site: ReplaySite,
                                                                       new_db: Callable[[str], str]) -> None:
    """The identity rule is the same for files and for harvest: the system's meeting id."""
    from referat.ingest import ingest

    archive = Archive(new_db("h.db"))
    path = GREVE / COMMITTEES["Plan- og Tryghedsudvalget"][0]
    assert ingest(archive, [str(path)], municipality="Greve").count("ingested") == 1
    assert run(archive, site, committee="plan")["new"] == 1  # new to the harvest, not to the archive
    data = snapshot(archive)
    assert [r[9] for r in data["meetings"]] == [PLAN_2025] and len(data["documents"]) == 1
    archive.close()
