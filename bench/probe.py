"""Re-run the cases of ../shared/reports/probe-2026-11-30.md that broke (and a few at risk) against this
checkout, through the real CLI and a real `referat serve`, at the default limits. One line per case: the
probe's number, what happened now (exit code, seconds, peak memory of the process tree, the first line
of output) and whether it holds. docs/reliability.md ("The probe, re-run") has the table.

usage: python bench/probe.py [--only 13,15,...] [--work DIR]

Cases 28 (encoding) and 44 (links after a crash) belong to other work and are re-run for the record only.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from referat.testing import hostile
from referat.testing.server import cli_server

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
MB = 1 << 20
CLI = [sys.executable, "-m", "referat.cli"]
SECRET = "S3cretQS"


class Result:
    def __init__(self, rc: int, seconds: float, peak_mb: float, out: str) -> None:
        self.rc, self.seconds, self.peak_mb, self.out = rc, seconds, peak_mb, out

    @property
    def lines(self) -> int:
        return len(self.out.strip().splitlines())

    @property
    def first(self) -> str:
        return (self.out.strip().splitlines() or [""])[0][:150]


def cli(*args: str, timeout: float = 300, prefix: tuple[str, ...] = (), env: dict[str, str] | None = None) -> Result:
    """Run the CLI; peak memory is the largest child's max RSS (the CLI or one of its workers)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    try:
        p = subprocess.run([*prefix, *CLI, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                           env={**os.environ, **(env or {})}, errors="replace")
        rc, out = p.returncode, p.stderr + p.stdout
    except subprocess.TimeoutExpired:
        rc, out = -9, f"killed after {timeout:.0f} s"
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Result(rc, time.perf_counter() - t0, max(peak, before) / 1024 if peak > before else 0.0, out)


def base_archive(work: Path) -> Path:
    db = work / "a0.db"
    if not db.exists():
        subprocess.run([*CLI, "ingest", str(ROOT / "examples"), *map(str, SEEDS), "--db", str(db)], check=True,
                       capture_output=True)
    return db


def copy(work: Path, name: str) -> Path:
    src = base_archive(work)
    dest = work / name
    for p in work.glob(name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    shutil.copy2(src, dest)
    if Path(f"{src}.tantivy").is_dir():
        shutil.copytree(f"{src}.tantivy", f"{dest}.tantivy")
    return dest


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode("utf-8", "replace")


def cases(work: Path) -> dict[str, Callable[[], tuple[bool, str]]]:
    ex = ROOT / "examples"
    lines = (ex / "vesteraa_oekonomiudvalg_2023-09-18.txt").read_text(encoding="utf-8").splitlines()

    def one_line(r: Result, *words: str) -> tuple[bool, str]:
        ok = r.rc == 1 and r.lines == 1 and "Traceback" not in r.out and all(w in r.out for w in words)
        return ok, f"rc {r.rc}, {r.seconds:.1f} s, {r.peak_mb:,.0f} MB, {r.lines} line(s): {r.first}"

    def c13() -> tuple[bool, str]:
        return one_line(cli("parse", "--ocr", str(hostile.blank_pdf(work / "big.pdf", 14400, 14400))), "A0")

    def c15() -> tuple[bool, str]:
        r = cli("parse", str(hostile.pdf_bomb(work / "bomb.pdf", 3 << 30)))
        return one_line(r, "limit")

    def c16() -> tuple[bool, str]:
        r = cli("parse", str(hostile.deep_html(work / "deep.html", 300_000, lines)))
        return r.rc == 0 and "Punkt" in r.out, f"rc {r.rc}, {r.seconds:.1f} s, {r.peak_mb:,.0f} MB: read, {r.out.count('Punkt ')} items"

    def c21() -> tuple[bool, str]:
        db = copy(work, "x21.db")
        r = cli("ingest", str(hostile.docx_bomb(work / "bomb.docx", 2048 * MB)), "--db", str(db))
        ok = r.rc == 1 and "inflates" in r.out and db.stat().st_size < 5 * MB
        return ok, f"rc {r.rc}, {r.seconds:.1f} s, {r.peak_mb:,.0f} MB, archive {db.stat().st_size / MB:.1f} MB: {r.out.strip().splitlines()[0][:120]}"

    def c27() -> tuple[bool, str]:
        src = work / "b.docx"
        import docx

        d = docx.Document()
        d.add_paragraph("x")
        d.save(str(src))
        bad = work / "bad.docx"
        with zipfile.ZipFile(src) as s, zipfile.ZipFile(bad, "w") as z:
            for i in s.infolist():
                data = s.read(i.filename)
                z.writestr(i.filename, data[: len(data) // 2] if i.filename == "word/document.xml" else data)
        return one_line(cli("parse", str(bad)))

    def c28() -> tuple[bool, str]:
        db = copy(work, "x28.db")
        u = (ex / "vesteraa_beskaeftigelse_2024-03-12.md").read_bytes()
        i = u.index(b"evaluering")
        (work / "one.md").write_bytes(u[:i] + b"\x96 " + u[i:])
        r = cli("ingest", str(work / "one.md"), "--db", str(db))
        names = sqlite3.connect(db).execute("SELECT DISTINCT b.name FROM bodies b JOIN meetings m ON m.body_id = b.id "
                                            "WHERE m.date = '2024-03-12'").fetchall()
        return len(names) == 1 and "1 erstattet" in r.out, f"{r.out.strip().splitlines()[-1][:100]}; bodies that day: {[n[0] for n in names]}"

    def c33() -> tuple[bool, str]:
        big = work / "big.txt"
        with big.open("wb") as f:
            f.truncate(4 << 30)
        try:
            r = cli("ingest", str(big), "--db", str(copy(work, "x33.db")))
        finally:
            big.unlink()
        return r.rc == 1 and r.peak_mb < 500, f"rc {r.rc}, {r.seconds:.1f} s, {r.peak_mb:,.0f} MB: {r.first}"

    def c34() -> tuple[bool, str]:
        a, b = cli("parse", "/dev/zero"), cli("ingest", "/dev/zero", "--db", str(copy(work, "x34.db")))
        ok = a.rc == 1 and a.lines == 1 and b.rc == 1 and "Traceback" not in a.out + b.out
        return ok, f"parse: {a.seconds:.1f} s, {a.first}; ingest rc {b.rc}, {b.seconds:.1f} s"

    def c35() -> tuple[bool, str]:
        fifo = work / "f.txt"
        if fifo.exists():
            fifo.unlink()
        os.mkfifo(fifo)
        return one_line(cli("parse", str(fifo), timeout=20))

    def c38() -> tuple[bool, str]:
        loop = work / "loopdir" / "sub"
        shutil.rmtree(work / "loopdir", ignore_errors=True)
        loop.mkdir(parents=True)
        shutil.copy(ex / "vesteraa_dagsorden_2025-01-15.txt", loop / "ok.txt")
        (loop / "self").symlink_to(".")
        (loop / "up").symlink_to("../..")
        r = cli("ingest", f"{work / 'loopdir'}/**", "--db", str(copy(work, "x38.db")), timeout=60)
        return r.rc in (0, 1) and r.seconds < 30, f"rc {r.rc}, {r.seconds:.1f} s: {r.out.strip().splitlines()[-1][:100]}"

    def c41() -> tuple[bool, str]:
        r = cli("ingest", str(ex / "vesteraa_dagsorden_2025-01-15.txt"), str(ex / "vesteraa_oekonomiudvalg_2024-04-02.txt"),
                "--db", str(copy(work, "x41.db")), "--jobs", "1000")
        return r.rc == 0 and r.seconds < 10, f"rc {r.rc}, {r.seconds:.1f} s: {r.out.strip().splitlines()[-1][:100]}"

    def c51() -> tuple[bool, str]:
        r = cli("search", "ø" * 499 + "*", "--db", str(base_archive(work)))
        return r.rc == 1 and r.lines == 1 and "Traceback" not in r.out, f"CLI rc {r.rc}: {r.first}"

    def c70() -> tuple[bool, str]:
        if os.geteuid() == 0 and not shutil.which("setpriv"):
            return False, "skipped: root without setpriv"
        prefix = ("setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search",
                  "--") if os.geteuid() == 0 else ()
        db = copy(work, "ro.db")
        shutil.rmtree(f"{db}.tantivy")
        db.chmod(0o444)
        r = cli("ingest", str(GENRE), "--db", str(db), prefix=prefix)
        s = cli("stats", "--db", str(db), prefix=prefix)
        db.chmod(0o644)
        ok = r.rc == 1 and r.lines == 1 and "INSERT" not in r.out and s.rc == 0
        return ok, f"ingest rc {r.rc}, {r.lines} line: {r.first}; stats rc {s.rc}"

    def c73() -> tuple[bool, str]:
        here = os.getcwd()
        os.chdir(work)
        try:
            a = cli("stats", "--db", "")
            b = cli("stats", "--db", "file:x.db?mode=ro")
        finally:
            os.chdir(here)
        made = [p.name for p in work.glob("file:*")]
        return a.rc == 1 and b.rc == 1 and not made, f"--db '': {a.first}; file:…: {b.first}"

    def c74() -> tuple[bool, str]:
        f = work / "foreign.db"
        f.unlink(missing_ok=True)
        c = sqlite3.connect(f)
        c.execute("CREATE TABLE users (id int)")
        c.commit()
        c.close()
        before = (hashlib.sha256(f.read_bytes()).hexdigest(), f.stat().st_mtime_ns)
        r = cli("stats", "--db", str(f))
        after = (hashlib.sha256(f.read_bytes()).hexdigest(), f.stat().st_mtime_ns)
        return r.rc == 1 and before == after and not Path(f"{f}.tantivy").exists(), f"{r.first}; file unchanged: {before == after}"

    def c76_77() -> tuple[bool, str]:
        urls = [f"postgresql://127.0.0.1:1/referat?password={SECRET}&user=admin",
                f"postgresql://admin:p@ss:{SECRET}@127.0.0.1:1/referat", f"postgresql://admin:{SECRET}@[::1/referat"]
        rs = [cli("stats", "--db", u) for u in urls]
        leaks = sum(SECRET in r.out for r in rs)
        return leaks == 0 and all(r.lines == 1 for r in rs), f"{leaks} of {len(urls)} print the password; lines {[r.lines for r in rs]}"

    def c79_80() -> tuple[bool, str]:
        db = str(base_archive(work))
        a = cli("search", "jobklub", "--db", db, "--offset", "4294967296")
        b = cli("search", "jobklub", "--db", db, "--year", "1180591620717411303424")
        ok = a.rc in (1, 2) and b.rc in (1, 2) and "Traceback" not in a.out + b.out and "panicked" not in a.out
        return ok, f"--offset 2^32 rc {a.rc}; --year 2^70 rc {b.rc}"

    def c83_85() -> tuple[bool, str]:
        (work / "bin.xml").write_bytes(bytes(range(256)) * 10)
        a = cli("kle", "load", str(work / "bin.xml"), "--db", str(copy(work, "x83.db")))
        b = cli("serve", "--db", str(base_archive(work)), "--port", "-1")
        ok = a.rc == 1 and b.rc in (1, 2) and "Traceback" not in a.out + b.out
        return ok, f"kle load rc {a.rc} ({a.first[:60]}); serve --port -1 rc {b.rc}"

    def web() -> tuple[bool, str]:
        server, port = cli_server(base_archive(work))
        try:
            s55 = [get(port, f"/oparl/v1/bodies?modified_since={quote(v)}")[0]
                   for v in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00")]
            q = quote("ø" * 491 + "*")
            s51 = [get(port, f"/api/search?q={q}")[0], get(port, f"/?q={q}")[0]]
            st, h, _ = get(port, "/?q=budget")
            s57 = all(k in h for k in ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"))
            _, _, body = get(port, "/oparl/v1/system", {"Host": "evil.example"})
            s58 = "evil.example" not in body
            s414 = get(port, "/api/search?q=" + "a" * 12_000)[0]
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.putrequest("POST", "/api/stats")  # a 100 MB body announced: the answer comes before it is sent
            c.putheader("Content-Length", str(100 * MB))
            c.endheaders()
            c.send(b"x" * MB)
            s60 = c.getresponse().status
        finally:
            server.terminate()
            server.wait()
        ok = max(s55 + s51) < 500 and s57 and s58 and s414 == 414 and s60 in (405, 413)
        return ok, (f"#55 OParl edge dates {s55}; #51 long prefix {s51}; #57 4 headers {s57}; #58 Host ignored {s58}; "
                    f"12 KB query {s414}; #60 100 MB body {s60}")

    return {"13": c13, "15": c15, "16": c16, "21": c21, "27": c27, "28": c28, "33": c33, "34": c34, "35": c35,
            "38": c38, "41": c41, "51": c51, "70": c70, "73": c73, "74": c74, "76,77": c76_77, "79,80": c79_80,
            "83,85": c83_85, "51,55,57,58,60 (server)": web}


GENRE = ROOT / "tests" / "fixtures" / "genre"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--work", type=Path)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="referat-probe-"))
    work.mkdir(parents=True, exist_ok=True)
    only = set(filter(None, args.only.split(",")))
    held = 0
    todo = {k: f for k, f in cases(work).items() if not only or set(re.split(r"[, ]", k)) & only}
    for name, case in todo.items():
        ok, what = case()
        held += ok
        print(f"#{name}: {'held' if ok else 'BROKE'}  {what}", flush=True)
    print(f"{held} of {len(todo)} held")


if __name__ == "__main__":
    main()
