"""Property tests per reader (hypothesis): mutated real inputs and generated structures end in a document or
a named error (ReferatError), never another exception; where a reader only rearranges text, the text is
conserved. The coverage-guided fuzzers (fuzz/readers.py, atheris) run the same entries: `make test`
briefly, `make check-long` for minutes (docs/reliability.md has the figures)."""

from __future__ import annotations

import atexit
import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from referat import sandbox
from referat.errors import ReferatError
from referat.sources.html import html_to_text
from referat.sources.nesting import flatten_deep
from referat.sources.text import decode, repair_mojibake
from referat.testing import fuzz

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.data_too_large])
_WORK = Path(tempfile.mkdtemp(prefix="referat-fuzz-seeds-"))
atexit.register(shutil.rmtree, _WORK, ignore_errors=True)
SEEDS = {reader: fuzz.seeds(reader, _WORK) for reader in fuzz.READERS}


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed with a few byte-level edits: flipped, deleted, inserted or repeated runs, a cut."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "repeat", "cut"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        span = draw(st.integers(1, 64))
        if op == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif op == "delete":
            del data[at:at + span]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=span))
        elif op == "repeat":
            data[at:at] = data[at:at + span] * draw(st.integers(1, 50))
        elif op == "cut":
            del data[at:]
    return bytes(data)


def _survives(reader: str, data: bytes) -> None:
    try:
        fuzz.read(reader, data)
    except ReferatError:
        pass


@pytest.mark.parametrize("reader", ["text", "html", "json", "xml"])
@SETTINGS
@given(data=st.data())
def test_mutated_inputs_end_in_a_document_or_a_named_error(reader: str, data: st.DataObject) -> None:
    _survives(reader, data.draw(mutated(SEEDS[reader])))


@SETTINGS
@given(data=st.data())
def test_mutated_word_xml_ends_in_a_document_or_a_named_error(data: st.DataObject) -> None:
    xml_edit = data.draw(st.binary(max_size=64) | st.sampled_from([b"<w:p>", b"</w:body>", b"<w:tbl><w:tr>",
                                                                   b"&amp;", b"<!ENTITY x 'y'>", b"\xff"]))
    seed = SEEDS["docx"][0]

    def edit(body: bytes) -> bytes:
        cut = data.draw(st.integers(0, len(body)))
        return body[:cut] + xml_edit + body[cut + data.draw(st.integers(0, 200)):]

    _survives("docx", fuzz.rezip_docx(seed, edit))
    _survives("docx", data.draw(mutated(SEEDS["docx"])))  # and the zip itself damaged


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_pdfs_end_in_a_document_or_a_named_error(data: st.DataObject) -> None:
    pdf = data.draw(mutated(SEEDS["pdf"]))
    try:  # in a worker: a crash inside pdfium is stopped there and shows here as a finding
        sandbox.run(fuzz.read, "pdf", pdf, path="fuzz.pdf")
    except ReferatError as exc:
        assert "crashed the worker" not in str(exc) and "without an answer" not in str(exc), exc


# digits that str.isdigit() accepts and int() refuses ("³") found a crash in the item number once
_tricky = st.sampled_from(["³", "①", "1²", "٣", "-0", " 7 ", "\u200b3", "http://[x", "https://h:99999/vis/x", "../"])
json_value = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
                          | _tricky,
                          lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
                          max_leaves=20)


@SETTINGS
@given(data=st.data())
def test_meeting_json_with_any_value_anywhere_ends_in_a_record_or_a_named_error(data: st.DataObject) -> None:
    obj = json.loads(data.draw(st.sampled_from(SEEDS["json"])))
    for _ in range(data.draw(st.integers(1, 4))):  # replace the value at a random path
        node, parent, key = obj, None, None
        for _ in range(data.draw(st.integers(1, 6))):
            keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
            if not keys:
                break
            parent, key = node, data.draw(st.sampled_from(keys))
            node = node[key]
        if parent is not None:
            parent[key] = data.draw(json_value)
    _survives("json", json.dumps(obj, ensure_ascii=False).encode())


_xml_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
                   max_size=40)


@SETTINGS
@given(data=st.data())
def test_xml_exports_with_elements_dropped_or_rewritten_end_in_a_record_or_a_named_error(data: st.DataObject) -> None:
    root = etree.fromstring(data.draw(st.sampled_from(SEEDS["xml"])))
    elements = list(root.iter())
    for _ in range(data.draw(st.integers(1, 6))):
        el = data.draw(st.sampled_from(elements))
        if data.draw(st.booleans()) and el.getparent() is not None:
            el.getparent().remove(el)
            elements = list(root.iter())
        else:
            el.text = data.draw(_xml_text)
    _survives("xml", etree.tostring(root, xml_declaration=True, encoding="utf-8"))


@SETTINGS
@given(st.text(max_size=300))
def test_utf8_text_decodes_to_itself(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    try:
        decoded, encoding = decode(data)
    except ReferatError:
        return  # binary-looking (control characters): refused by name
    if any("\ud800" <= c <= "\udfff" for c in text):
        return  # a lone surrogate is no UTF-8
    # unless it holds mojibake ("Ã¦" for "æ"), which is repaired and said (tests/test_encoding.py)
    repaired = repair_mojibake(text)
    assert (decoded, encoding) == (repaired, "utf-8" if repaired == text else "utf-8+mojibake")


_TAGS = ["div", "p", "span", "b", "li", "ul", "td", "tr", "table", "h2", "section", "font", "i"]
_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå", min_size=1, max_size=8)


@st.composite
def tag_soup(draw: st.DrawFn) -> str:
    """Deep, unbalanced markup: runs of start tags, end tags and words in any order."""
    parts = []
    for _ in range(draw(st.integers(1, 60))):
        kind = draw(st.sampled_from(["open", "open", "close", "word"]))
        tag = draw(st.sampled_from(_TAGS))
        if kind == "open":
            parts.append(f"<{tag}>" * draw(st.integers(1, 30)))
        elif kind == "close":
            parts.append(f"</{tag}>" * draw(st.integers(1, 5)))
        else:
            parts.append(f" {draw(_words)} ")
    return "<!doctype html><html><body>" + "".join(parts) + "</body></html>"


@settings(max_examples=150, deadline=None)
@given(tag_soup())
def test_flattening_deep_markup_keeps_every_word(html: str) -> None:
    flat, depth = flatten_deep(html, 0)  # a limit of 0: every page is flattened to FLAT_DEPTH levels
    words = re.findall(r"[a-zæøå]+", html_to_text(html))
    assert sorted(re.findall(r"[a-zæøå]+", html_to_text(flat))) == sorted(words)
