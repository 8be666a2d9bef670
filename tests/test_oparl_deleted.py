"""OParl 1.1 deleted objects: what a re-ingest takes away is served with `deleted: true` (200) and listed to
clients that synchronise with modified_since (referat.store.tombstones, migrations 0012 and 0013), and a
strict client (referat.testing.oparl_client) accepts and checks them. On SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from conftest import BACKENDS, EXAMPLES, SHARED, module_db
from referat.api import create_app
from referat.ingest import ingest
from referat.store import Archive

BASE = "https://referat.example.dk"
SCHEMAS = SHARED / "oparl-1.1-schema"
ITEMS = EXAMPLES / "vesteraa_beskaeftigelse_2024-03-12.md"
MOVED = EXAMPLES / "vesteraa_oekonomiudvalg_2024-04-02.txt"


def _without_item_3(text: str) -> str:
    """The minutes without their item 3 (and its line in the table of contents)."""
    start, end = text.index("# Punkt 3:"), text.index("# Punkt 4:")
    return text[:start].replace("Ny model for virksomhedspraktik.....\t7\n", "") + text[end:]


class Replaced:
    """An archive of the examples in which two documents were replaced: one by a version without an item,
    one by a version dated a day later (another meeting id); `before` are the OParl ids before, `at`
    the moment between the two ingests."""

    def __init__(self, db: str, folder: Path) -> None:
        self.db, self.folder = db, folder
        shutil.copytree(EXAMPLES, folder)
        with Archive(db) as a:
            assert ingest(a, [str(folder)]).count("failed") == 0
        self.client = TestClient(create_app(db, base=BASE))
        self.before = {kind: self.ids(kind) for kind in ("meetings", "agendaItem", "consultation", "file", "paper",
                                                          "locationList")}
        time.sleep(1.1)  # times are whole seconds: the replacing ingest comes after `at`
        self.at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        items, moved = folder / ITEMS.name, folder / MOVED.name
        items.write_text(_without_item_3(items.read_text(encoding="utf-8")), encoding="utf-8")
        moved.write_text(moved.read_text(encoding="utf-8").replace("Dato: 2. april 2024", "Dato: 3. april 2024"),
                         encoding="utf-8")
        with Archive(db) as a:
            assert ingest(a, [str(folder)]).count("replaced") == 2

    def ids(self, prop: str, **params: str) -> set[str]:
        """The ids in one of every body's lists (by the Body property naming it), all pages."""
        found: set[str] = set()
        for body in self.client.get("/oparl/v1/bodies").json()["data"]:
            url: str | None = urlsplit(body["meeting" if prop == "meetings" else prop]).path
            asked = dict(params)
            while url:
                page = self.client.get(url, params=asked).json()
                found |= {o["id"] for o in page["data"]}
                nxt = page["links"].get("next")
                url, asked = (urlsplit(nxt).path + "?" + urlsplit(nxt).query, {}) if nxt else (None, {})
        return found


@pytest.fixture(scope="module", params=BACKENDS)
def replaced(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Replaced:
    return Replaced(module_db(request, request.param, tmp_path_factory), tmp_path_factory.mktemp("docs") / "docs")


def _get(client: TestClient, url: str) -> dict[str, Any]:
    res = client.get(urlsplit(url).path)
    assert res.status_code == 200, (url, res.text[:200])
    return res.json()


def test_what_a_replace_took_away_is_served_deleted_and_listed_to_synchronising_clients(replaced: Replaced) -> None:
    gone: dict[str, set[str]] = {}
    for prop, before in replaced.before.items():
        now = replaced.ids(prop)
        gone[prop] = before - now
        changed = replaced.ids(prop, modified_since=replaced.at)
        assert gone[prop] <= changed, prop  # a synchronising client learns of each deletion
        assert not any(o.endswith(tuple(now)) for o in gone[prop])
        for oid in gone[prop]:
            obj = _get(replaced.client, oid)
            assert obj["deleted"] is True and obj["id"] == oid and set(obj) == {"id", "type", "created", "modified",
                                                                               "deleted"}
            assert obj["created"] < obj["modified"] and obj["modified"] >= replaced.at.replace("Z", "+00:00")
        # nothing deleted before `at`: a client that synchronised after the replace sees none
        assert not gone[prop] & replaced.ids(prop, modified_since="2999-01-01T00:00:00Z")
    # the moved meeting: its Meeting, Location, File, items and consultations; the shortened one: its item 3
    assert len(gone["meetings"]) == 1 and len(gone["locationList"]) == 1 and len(gone["file"]) == 2
    # 3 items of the moved meeting and item 3 of the shortened one, each with a case (so a Consultation)
    assert len(gone["agendaItem"]) == 4
    assert {o.rsplit("/", 1)[1] for o in gone["agendaItem"]} == {o.rsplit("/", 1)[1] for o in gone["consultation"]}
    titles = {_get(replaced.client, oid)["name"] for oid in replaced.ids("agendaItem")}
    assert "Ny model for virksomhedspraktik" not in titles and "Meddelelser" in titles


def test_an_organizations_meeting_list_names_the_meeting_it_lost(replaced: Replaced) -> None:
    (gone,) = replaced.before["meetings"] - replaced.ids("meetings")
    (org,) = [_get(replaced.client, o) for o in replaced.ids("organization")
              if _get(replaced.client, o)["name"] == "Økonomiudvalget"]  # its other meeting keeps it
    listed = urlsplit(org["meeting"]).path
    assert gone not in {o["id"] for o in replaced.client.get(listed).json()["data"]}
    synced = replaced.client.get(listed, params={"modified_since": replaced.at}).json()
    assert [o["id"] for o in synced["data"] if o.get("deleted")] == [gone]
    assert synced["pagination"]["totalElements"] == len(synced["data"])


_COMMITTEE = """Vesterå Kommune

Beslutningsprotokol

{committee}

Dato: 7. maj 2024
Tidspunkt: kl. 16.00 - 17.00
Sted: Kulturhuset
Medlemmer: Anna Berg (A), {member} (V)

Pkt. 1 Godkendelse af dagsorden
Sagsnr.: 00.01.00-A00-1-24

BESLUTNING
Godkendt.
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_committee_and_a_member_no_document_names_any_more_are_deleted(new_db: Callable[[str], str],
                                                                         tmp_path: Path) -> None:
    """A re-read that names the committee and one member otherwise takes away the Organization, both
    Memberships in it and the Person named nowhere else; the member still named stays."""
    db, minutes = new_db("a.db"), tmp_path / "kultur.txt"
    minutes.write_text(_COMMITTEE.format(committee="Kulturudvalget", member="Bo Dam"), encoding="utf-8")
    with Archive(db) as a:
        assert [o.status for o in ingest(a, [str(minutes)]).outcomes] == ["ingested"]
    client = TestClient(create_app(db, base=BASE))
    (body,) = client.get("/oparl/v1/bodies").json()["data"]

    def listed(prop: str, **params: str) -> dict[str, dict[str, Any]]:
        return {o["id"]: o for o in client.get(urlsplit(body[prop]).path, params=params).json()["data"]}

    before = {prop: listed(prop) for prop in ("organization", "membership", "person")}
    time.sleep(1.1)
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    minutes.write_text(_COMMITTEE.format(committee="Kultur- og Fritidsudvalget", member="Bo Damsgaard"), encoding="utf-8")
    with Archive(db) as a:
        assert [o.status for o in ingest(a, [str(minutes)]).outcomes] == ["replaced"]
    gone = {prop: set(ids) - set(listed(prop)) for prop, ids in before.items()}
    assert [before["organization"][o]["name"] for o in gone["organization"]] == ["Kulturudvalget"]
    assert [before["person"][o]["name"] for o in gone["person"]] == ["Bo Dam"]
    assert gone["membership"] == set(before["membership"])  # both members' memberships of Kulturudvalget
    for prop, ids in gone.items():
        synced = listed(prop, modified_since=at)
        for oid in ids:
            obj = _get(client, oid)
            assert obj["deleted"] is True and obj["type"] == before[prop][oid]["type"] and synced[oid] == obj
    (org,) = gone["organization"]
    assert client.get(urlsplit(org).path + "/meetings").status_code == 404
    people = {o["name"] for o in listed("person").values()}
    assert {"Anna Berg", "Bo Damsgaard"} <= people and "Bo Dam" not in people
    committees = client.get("/udvalg").text
    assert "Kultur- og Fritidsudvalget" in committees and "Kulturudvalget" not in committees
    client.close()


@pytest.mark.skipif(not SCHEMAS.is_dir(), reason=f"OParl schemas not found in {SCHEMAS}")
def test_a_strict_client_accepts_and_checks_the_deleted_objects(replaced: Replaced) -> None:
    from referat.testing.oparl_client import Client
    from referat.testing.server import served

    app = create_app(replaced.db, base=BASE)
    with served(app) as url:
        app.state.base_url = url
        client = Client(f"{url}/oparl/v1/system", schemas=SCHEMAS)
        violations = client.run()
    assert not violations, "\n".join(map(str, violations[:30]))
    kinds = {oid.split("/oparl/v1/")[1].split("/")[0] for oid in client.deleted_seen}
    assert {"meeting", "agendaitem", "consultation", "file", "location"} <= kinds


def test_an_object_that_comes_back_is_no_longer_deleted(replaced: Replaced, tmp_path: Path) -> None:
    moved = replaced.folder / MOVED.name
    meetings = replaced.before["meetings"] - replaced.ids("meetings")
    assert len(meetings) == 1
    (meeting,) = meetings
    moved.write_text(MOVED.read_text(encoding="utf-8"), encoding="utf-8")  # dated as first printed again
    try:
        with Archive(replaced.db) as a:
            assert ingest(a, [str(moved)], force=True).count("replaced") == 1
        obj = _get(replaced.client, meeting)
        assert "deleted" not in obj and obj["name"].startswith("Økonomiudvalget")
        assert meeting in replaced.ids("meetings")
        assert meeting not in {o for o in replaced.ids("meetings", modified_since=replaced.at)
                               if _get(replaced.client, o).get("deleted")}
    finally:
        moved.write_text(MOVED.read_text(encoding="utf-8").replace("Dato: 2. april 2024", "Dato: 3. april 2024"),
                         encoding="utf-8")
        with Archive(replaced.db) as a:
            ingest(a, [str(moved)], force=True)


def test_an_unknown_object_still_answers_404(replaced: Replaced) -> None:
    for path in ("/oparl/v1/meeting/0000000000000000", "/oparl/v1/agendaitem/nope", "/oparl/v1/file/nope"):
        assert replaced.client.get(path).status_code == 404


def test_a_license_is_named_only_when_given(replaced: Replaced) -> None:
    from referat.api import license_url

    assert "license" not in replaced.client.get("/oparl/v1/system").json()  # none invented
    cc = "https://creativecommons.org/licenses/by/4.0/"
    licensed = TestClient(create_app(replaced.db, base=BASE, license=cc))
    assert licensed.get("/oparl/v1/system").json()["license"] == cc
    assert {b["license"] for b in licensed.get("/oparl/v1/bodies").json()["data"]} == {cc}
    for bad in ("CC-BY 4.0", "ftp://x/l"):
        with pytest.raises(ValueError):
            license_url(bad)
