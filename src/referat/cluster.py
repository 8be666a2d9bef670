"""Ingest on a Dask cluster: documents are read and parsed on Dask workers, and the records come back to
this process, which stores them exactly as `referat ingest --jobs` does (referat.ingest: the same skip of
unchanged files, the same batches, the same outcomes and refusal lines).

Each Dask task reads a few documents, each inside the bounded worker of referat.sandbox forked from the
Dask worker: a hostile file kills only that forked reader, never the Dask worker, and its refusal is the
one line local ingest gives. The forked reader works in this process's folder with this process's limits
(REFERAT_LIMIT_*), so a relative path and every bound mean the same on every worker; the files must be
readable at the same path on every worker (a shared or copied folder; docs/deploy.md).

Records are stored in the order of the files, as local ingest stores them (when two files are the same
meeting the later one replaces the earlier), while at most `window` tasks are out at once, so memory stays
bounded whatever the number of files. A lost Dask worker's task is run again on another by the scheduler
(up to `distributed.scheduler.allowed-failures` times; after that its files fail with a line saying so).
Resuming needs nothing of its own: a batch is stored in one transaction, and a rerun skips every file
whose content is stored already, so after a crash or a lost scheduler it goes on without duplicates
or gaps.

`distributed` is imported only here, and only when a cluster is asked for (CLI start-up stays fast).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from referat import limits as limits_mod
from referat import sandbox
from referat.errors import ReferatError
from referat.ingest import Outcome, Refused, Summary, _reason, _store_all, prepare, unread
from referat.limits import Limits
from referat.store import Archive
from referat.store.rows import Rows

log = logging.getLogger(__name__)

LOCAL = re.compile(r"local(?::(\d+))?")
TASK_FILES = 8  # most files per Dask task: the forked reader is started once per task, and a lost task is redone
_ONE_AT_A_TIME = threading.Lock()  # a Dask worker with several threads still forks one reader at a time


class ClusterError(ReferatError):
    """The Dask cluster could not be started or reached, or it went away in the middle of an ingest (what
    was stored until then is kept: run the same command again to go on)."""


@dataclass
class Cluster:
    """A connected Dask client, and the LocalCluster it started (for `local[:N]`)."""

    client: Any
    local: Any = None

    @property
    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info(n_workers=-1).get("workers", {})))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()
        if self.local is not None:
            with contextlib.suppress(Exception):
                self.local.close()


# Dask's defaults for a worker sample its stack every 10 ms (the profiler behind the dashboard), check its
# event loop every 20 ms and the machine every 500 ms: ~25 ms of CPU a second per process at rest, and a
# fifth of a one-worker ingest's CPU on the bench corpus (bench/README.md, "Dask ingest"). A LocalCluster
# started here runs without the profiler and with slower checks; a setting of the user's own wins.
QUIET = {"distributed": {"worker": {"profile": {"enabled": False}},
                         "admin": {"tick": {"interval": "1s"}, "system-monitor": {"interval": "2s"}}}}


def connect(address: str) -> Cluster:
    """A client of the scheduler at `address` (tcp://host:8786), or of a LocalCluster started here for
    `local` (one worker process per CPU) or `local:N` (N worker processes), each worker with one thread.
    How long to try to reach a scheduler is Dask's setting (DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT,
    30 s by default)."""
    try:
        import dask.config
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterError("--dask needs the `distributed` package: pip install 'referat[dask]'") from exc
    match = LOCAL.fullmatch(address.strip())
    try:
        if match:
            n = int(match.group(1) or os.cpu_count() or 1)
            if n < 1:
                raise ClusterError(f"--dask {address}: give at least one worker (local:1)")
            dask.config.update_defaults(QUIET)  # (what the user set stays: see QUIET)
            # the scheduler's HTTP endpoint (health, metrics) on a free local port: two clusters never collide
            local = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                 dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
            return Cluster(Client(local), local)
        client = Client(address)
    except ClusterError:
        raise
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}; is `dask scheduler` running "
                           "there, and does the address name its port (tcp://host:8786)?") from exc
    try:  # a scheduler without workers would take the tasks and never answer
        client.wait_for_workers(1, timeout=dask.config.get("distributed.comm.timeouts.connect"))
    except (OSError, TimeoutError) as exc:
        client.close()
        raise ClusterError(f"the Dask scheduler at {address} has no workers: start some with "
                           f"`dask worker {address} --nthreads 1`") from exc
    return Cluster(client)


def _limit_env() -> dict[str, str]:
    """This process's REFERAT_LIMIT_* variables, which the forked readers on the workers take over."""
    return {k: v for k, v in os.environ.items() if k in limits_mod.ENV}


def _prepare_here(cwd: str, env: dict[str, str], *task: Any) -> Rows:
    """prepare(), in the forked reader, in the client's folder and with the client's limits."""
    for var in limits_mod.ENV:
        if var in env:
            os.environ[var] = env[var]
        else:
            os.environ.pop(var, None)
    if cwd and os.path.isdir(cwd):
        os.chdir(cwd)
    return prepare(*task)


def read_chunk(tasks: list[tuple[str, str, str | None, bool]], cwd: str, env: dict[str, str],
               lim: Limits) -> list[Rows | Refused | str]:
    """Run on a Dask worker: read and parse each file (path, stamp, municipality, ocr) in a bounded
    reader forked from this worker; each file's rows, or its refusal or failure, as local ingest gives it."""
    paths = [t[0] for t in tasks]
    with _ONE_AT_A_TIME, contextlib.closing(sandbox.run_many(
            partial(_prepare_here, cwd, env), [(Path(p), *rest) for p, *rest in tasks], paths, jobs=1,
            limits=lim)) as runs:
        return [_reason(r.error) if r.error else r.value for r in runs]


def _chunks(n: int, workers: int) -> list[range]:
    """File indexes in runs of 1..TASK_FILES: small enough that every worker gets ~4 tasks."""
    size = max(1, min(TASK_FILES, n // (4 * workers)))
    return [range(i, min(n, i + size)) for i in range(0, n, size)]


def _lost(exc: BaseException) -> str:
    """A task that could not be run (its workers kept dying, the scheduler went away) as a file's failure."""
    if type(exc).__name__ == "KilledWorker":
        return ("the Dask workers reading it were lost too often (distributed.scheduler.allowed-failures); "
                "run again to retry it")
    return f"the Dask task reading it failed: {type(exc).__name__}: {exc}"


def read_on(cluster: Cluster, files: list[Path], stamp: str, municipality: str | None, ocr: bool,
            window: int | None = None) -> Iterator[Rows | Refused | str]:
    """Each file's rows (or refusal, or failure) in the order of the files, read by the cluster's workers
    with at most `window` tasks out at once (default: four per worker)."""
    client = cluster.client
    workers = cluster.workers
    window = window or 4 * workers
    cwd, env, lim = os.getcwd(), _limit_env(), limits_mod.current()
    chunks = iter(_chunks(len(files), workers))
    out: deque[tuple[range, Any]] = deque()

    def submit() -> None:
        chunk = next(chunks, None)
        if chunk is not None:
            tasks = [(str(files[i]), stamp, municipality, ocr) for i in chunk]
            out.append((chunk, client.submit(read_chunk, tasks, cwd, env, lim, pure=False, retries=0)))

    for _ in range(window):
        submit()
    try:
        while out:
            chunk, future = out.popleft()
            try:
                results = future.result()
            except Exception as exc:  # noqa: BLE001 - a task's failure is its files' failure
                if _gone(client):
                    raise ClusterError(f"lost the Dask scheduler: {exc}; what was stored is kept: run the same "
                                       "command again to go on") from exc
                results = [_lost(exc)] * len(chunk)
            future.release()
            submit()
            yield from results
    finally:
        for _, future in out:
            future.cancel()


def _gone(client: Any) -> bool:
    return getattr(client, "status", "running") not in ("running", "connecting")


def ingest(archive: Archive, paths: Iterable[str], cluster: Cluster, *, now: dt.datetime | None = None,
           municipality: str | None = None, ocr: bool = False,
           progress: Callable[[Outcome], None] | None = None, force: bool = False) -> Summary:
    """referat.ingest.ingest, with the files read and parsed on the cluster's workers instead of this
    machine's processes; stored here in batches, in the order of the files."""
    stamp = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    summary = Summary()
    files = unread(archive, paths, summary, progress, force)  # unchanged or superseded: not even sent to a worker
    if files:
        _store_all(archive, files, read_on(cluster, files, stamp, municipality, ocr), summary, progress, force)
    return summary


# --- harvest: one polite stream per host, the hosts at once ---------------------------------------------

HARVEST_BATCH = 10  # meetings per Dask task: a host's next batch is asked for when its last is stored
_HARVESTERS: dict[tuple[str, str], Any] = {}  # in a Dask worker: one session per host (its cookie, its pace)


def _harvester(host: str, options: Any, now: Callable[[], dt.datetime]) -> Any:
    from referat.harvest import Harvester

    key = (host, repr(options))
    h = _HARVESTERS.get(key)
    if h is None:
        h = _HARVESTERS[key] = Harvester(None, host, options, now=now)  # type: ignore[arg-type]  # reads only
    h.now = now
    return h


def list_meetings(host: str, options: Any, now: Callable[[], dt.datetime]) -> list[Any] | str:
    """Run on a Dask worker: the host's meetings as its committee list names them, or why not."""
    try:
        return _harvester(host, options, now).meetings()
    except ReferatError as exc:
        return str(exc)


def fetch_meetings(host: str, options: Any, now: Callable[[], dt.datetime], batch: list[tuple[Any, Any]],
                   have: dict[str, set[str]]) -> list[Any]:
    """Run on a Dask worker: fetch and read each (listed meeting, its harvest state) one after another
    through the host's one session; nothing is written (the client stores)."""
    h = _harvester(host, options, now)
    return [h.fetch(m, state, lambda meeting_id: have.get(meeting_id, set())) for m, state in batch]


@dataclass
class _Host:
    harvester: Any
    pending: deque[Any]
    known: dict[str, dict[str, Any]]
    worker: str | None = None  # where its session lives


def harvest(archive: Archive, targets: list[tuple[str, Any]], cluster: Cluster, *,
            now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
            progress: Callable[[Any], None] | None = None,
            total: Callable[[str, int], None] | None = None) -> tuple[list[Any], list[str]]:
    """Harvest several hosts (host, referat.harvest.Options) at once on the cluster: each host's requests
    go one at a time through one session on one worker (polite as a local harvest: its delay between
    requests), batch after batch; every meeting is stored here as it comes, in one transaction with its
    bookkeeping, so a rerun goes on where a crash stopped. The summaries (in the order of the targets)
    and the errors of hosts that could not be harvested."""
    from distributed import as_completed

    from referat.harvest import Harvester

    client = cluster.client
    hosts: dict[str, _Host] = {}
    summaries, errors = [], []
    for host, options in targets:
        try:
            h = Harvester(archive, host, options, now=now)
        except ReferatError as exc:
            errors.append(str(exc))
            continue
        h.close()  # its session is not used here: the workers fetch
        hosts[h.host] = _Host(h, deque(), {})
        summaries.append(h.summary)
    futures: dict[Any, tuple[str, str]] = {}  # future -> (host, "list" | "fetch")
    for host, x in hosts.items():
        futures[client.submit(list_meetings, host, x.harvester.options, now, pure=False)] = (host, "list")
    done = as_completed(list(futures))

    def next_batch(host: str) -> None:
        x = hosts[host]
        if not x.pending:
            return
        batch = [(m, x.known.get(m.id)) for m in (x.pending.popleft() for _ in range(min(HARVEST_BATCH, len(x.pending))))]
        have = archive.host_file_urls(host) if x.harvester.options.files else {}
        where = {"workers": [x.worker], "allow_other_workers": True} if x.worker else {}
        future = client.submit(fetch_meetings, host, x.harvester.options, now, batch, have, pure=False, **where)
        futures[future] = (host, "fetch")
        done.add(future)

    try:
        for future in done:
            host, kind = futures.pop(future)
            x = hosts[host]
            try:
                result = future.result()
                x.worker = next(iter(client.who_has([future]).get(future.key, ())), None)
            except Exception as exc:  # noqa: BLE001 - the host's failure, not the others'
                if _gone(client):
                    raise ClusterError(f"lost the Dask scheduler: {exc}; what was stored is kept: run the same "
                                       "command again to go on") from exc
                errors.append(f"{host}: the Dask task failed: {type(exc).__name__}: {exc}; run again to go on")
                continue
            finally:
                future.release()
            if kind == "list":
                if isinstance(result, str):
                    errors.append(result)
                    continue
                x.pending.extend(result)
                x.harvester.summary.listed = len(result)
                x.known = archive.harvested(host)
                if total:
                    total(host, len(result))
            else:
                for fetched in result:
                    outcome = x.harvester.store(fetched)
                    x.harvester.summary.outcomes.append(outcome)
                    if progress:
                        progress(outcome)
            next_batch(host)
    finally:
        for future in futures:
            future.cancel()
    return summaries, errors
