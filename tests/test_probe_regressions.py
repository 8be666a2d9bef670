"""Cases of the reliability probe (../shared/reports/probe-2026-11-30.md) that still broke when it was
re-run (bench/probe.py), each kept from coming back."""

from __future__ import annotations

from pathlib import Path

import pytest

from referat.cases import KleFileError, load_kle


def test_kle_load_of_a_binary_file_is_refused_by_name(tmp_path: Path) -> None:  # probe #83
    binary = tmp_path / "bin.xml"
    binary.write_bytes(bytes(range(256)) * 10)  # starts with NUL: binary
    with pytest.raises(KleFileError, match="bin.xml: a binary file"):
        load_kle(binary)
    undefined = tmp_path / "codes.csv"
    undefined.write_bytes("85.10;Budget\n".encode() + b"\x81\x8d\x90;x\n")  # bytes cp1252 leaves undefined
    with pytest.raises(KleFileError, match="codes.csv: not text"):
        load_kle(undefined)
