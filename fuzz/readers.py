"""Coverage-guided fuzz targets (atheris, libFuzzer) per reader: text, html, docx, pdf, json, xml.

    python fuzz/readers.py READER [corpus folder] [libFuzzer flags, e.g. -max_total_time=60]

Any bytes must end in a document or a ReferatError (referat.testing.fuzz.survives); another exception,
a hang past -timeout or memory past -rss_limit_mb is a crash, written to crash-* by libFuzzer.
fuzz/run.py runs every reader with seeds and reports executions and crashes (make test, make check-long).
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["referat"]):
    from referat.testing import fuzz


def main() -> None:
    reader = sys.argv.pop(1)
    if reader not in fuzz.READERS:
        raise SystemExit(f"reader must be one of {', '.join(fuzz.READERS)}")

    def target(data: bytes) -> None:
        fuzz.survives(reader, data)

    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
