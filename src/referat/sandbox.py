"""Read and parse each document in a forked worker process bounded in time and memory, so that a hostile
file (a zip or flate bomb, markup that makes a parser crawl) costs at most its limits and kills only its
worker; the batch goes on and the refusal is one line naming the file and the limit.

Each worker is a child forked from this process (the libraries are loaded already, its caches warm), in
its own process group, that reads one document after another: tasks go to it pickled through a pipe,
answers come back the same way. Its limits are set by the operating system: RLIMIT_AS (the address space
it had at the fork plus the memory limit, so that the limit counts what a document costs, not the
libraries) and RLIMIT_CPU (moved to the CPU time used so far plus the time limit before each document:
SIGXCPU), and the parent keeps a wall-clock deadline per document and, when it passes, kills the worker's
whole group (the PDF reader's own children, tesseract with it). A worker that dies or is killed takes
only its document with it; the next document gets a new worker. A worker whose address space has grown
(a large document leaves its heap behind) is replaced after its answer, so that every document finds the
whole memory limit free. Workers are not daemons: sources/pdf.py forks page readers from them. pdfium
offers no hook to bound what it inflates, so only the operating system can stop a PDF stream bomb; the
same holds for lxml and lexbor.

Measured cost (bench/README.md, "Bounded workers"): one worker parses while this process stores, so
ingest is no slower; `referat parse` pays one fork (a few ms).
"""

from __future__ import annotations

import faulthandler
import gc
import os
import pickle
import struct
import resource
import selectors
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from referat import limits as limits_mod
from referat.errors import ReferatError
from referat.limits import Limits, LimitError

_OK, _ERROR, _MEMORY = 0, 1, 2
_GRACE = 5  # seconds of CPU between the soft limit (SIGXCPU) and the hard one (SIGKILL)


@dataclass(slots=True)
class Run:
    """One worker's outcome: the function's value, or the error it raised or that stopped it, and what it
    cost (wall and CPU seconds, peak resident memory of the worker and the children it waited for; a
    forked worker starts as large as the process it came from, so `grown_bytes` is the document's)."""

    path: str
    value: Any = None
    error: BaseException | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_bytes: int = 0
    base_bytes: int = 0  # resident memory of the process the worker was forked from, at the fork

    @property
    def grown_bytes(self) -> int:
        """What the document cost in memory: the worker's peak over what it started with."""
        return max(0, self.peak_bytes - self.base_bytes)

    def result(self) -> Any:
        """The value, or the error raised."""
        if self.error is not None:
            raise self.error
        return self.value


def run(fn: Callable[..., Any], *args: Any, path: str | Path, limits: Limits | None = None) -> Any:
    """fn(*args) in a bounded worker: its value, or the ReferatError it raised, or LimitError when it went
    over a limit or died."""
    runs = run_many(fn, [args], [str(path)], jobs=1, limits=limits)
    try:
        return next(runs).result()
    finally:
        runs.close()


def run_many(fn: Callable[..., Any], tasks: Iterable[tuple[Any, ...]], paths: Sequence[str], *, jobs: int = 1,
             limits: Limits | None = None) -> Iterator[Run]:
    """fn(*task) for each task in bounded workers, at most `jobs` documents at once; the Runs come in the
    order of the tasks. Each worker has its next task queued before it finishes the one it reads, so it
    never waits for work and parses ahead while the caller handles a result (a document's time limit
    starts when the answer before it comes). Every worker has ended when the last Run is handed out (a
    worker holds copies of this process's files: an archive's lock must not outlive its writer); close
    the iterator when stopping early."""
    lim = limits or limits_mod.current()
    source = iter(enumerate(zip(tasks, paths)))
    retry: deque[tuple[int, tuple[Any, ...], str]] = deque()  # tasks queued at a worker that ended first
    workers: dict[int, _Worker] = {}  # by the read end of its answer pipe
    done: dict[int, Run] = {}
    sel = selectors.DefaultSelector()
    next_out = 0
    exhausted = False

    def next_task() -> tuple[int, tuple[Any, ...], str] | None:
        nonlocal exhausted
        if retry:
            return retry.popleft()
        item = None if exhausted else next(source, None)
        if item is None:
            exhausted = True
            return None
        index, (task, path) = item
        return index, task, str(path)

    def drop(worker: _Worker) -> None:
        sel.unregister(worker.fd)
        del workers[worker.fd]

    try:
        while True:
            for worker in [w for w in workers.values() if len(w.queue) < _DEPTH]:
                while len(worker.queue) < _DEPTH and (item := next_task()) is not None:
                    worker.assign(*item, lim)
            while len(workers) < max(1, jobs) and (item := next_task()) is not None:
                worker = _Worker.start(fn, lim)
                workers[worker.fd] = worker
                sel.register(worker.fd, selectors.EVENT_READ)
                worker.assign(*item, lim)
                if (item := next_task()) is not None:
                    worker.assign(*item, lim)
            if exhausted and not retry:  # no task is left for an idle worker: it ends now
                for worker in [w for w in workers.values() if not w.queue]:
                    drop(worker)
                    worker.close()
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            if not workers:
                if exhausted and not retry and not done:
                    return
                continue
            deadlines = [w.deadline for w in workers.values() if w.queue]
            timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            for key, _ in sel.select(timeout):
                worker = workers[key.fd]
                runs, leftover = worker.read(lim)
                for run_index, run in runs:
                    done[run_index] = run
                if not worker.alive:
                    drop(worker)
                    retry.extendleft(reversed(leftover))
            now = time.monotonic()
            for worker in [w for w in workers.values() if w.queue and now >= w.deadline]:
                drop(worker)
                run_index, run, leftover = worker.stop(lim, timed_out=True)
                done[run_index] = run
                retry.extendleft(reversed(leftover))
    finally:
        for worker in workers.values():
            worker.close(kill=bool(worker.queue))  # stopped early (an error, Ctrl-C): its documents are not wanted
        sel.close()


_LEN = struct.Struct("<Q")
_DEPTH = 2  # tasks queued at a worker: the one it reads and the next
_PARENT_FDS: set[int] = set()  # this process's ends of its workers' pipes: a new worker must not hold them


class _Worker:
    """One worker process, the pipes to it and the tasks queued at it (the first is the one it reads)."""

    def __init__(self, pid: int, task_fd: int, answer_fd: int) -> None:
        self.pid, self.task_fd, self.fd = pid, task_fd, answer_fd
        self.alive = True
        self.queue: deque[tuple[int, tuple[Any, ...], str]] = deque()
        self.started = self.deadline = 0.0
        self.buf = bytearray()
        self.base_rss = _resident()

    @classmethod
    def start(cls, fn: Callable[..., Any], lim: Limits) -> _Worker:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()  # else text buffered here would be written twice, by the worker as well
            except (OSError, ValueError):
                pass
        task_r, task_w = os.pipe()
        answer_r, answer_w = os.pipe()
        gc.freeze()  # the worker's collector leaves what it inherits alone: no copy of every page it would touch
        pid = os.fork()
        if pid:
            gc.unfreeze()
        if pid == 0:  # the worker: never returns
            for fd in (task_w, answer_r, *_PARENT_FDS):  # another worker's task pipe held open here would
                try:  # keep that worker waiting for tasks forever
                    os.close(fd)
                except OSError:
                    pass
            _serve(task_r, answer_w, fn, lim)
        os.close(task_r)
        os.close(answer_w)
        _PARENT_FDS.update((task_w, answer_r))
        return cls(pid, task_w, answer_r)

    def _begin(self, lim: Limits) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + lim.seconds

    def assign(self, index: int, task: tuple[Any, ...], path: str, lim: Limits) -> None:
        self.queue.append((index, task, path))
        if len(self.queue) == 1:
            self._begin(lim)
        data = pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            _write_all(self.task_fd, _LEN.pack(len(data)) + data)
        except OSError:
            pass  # the worker is gone: its answer pipe reports it

    def read(self, lim: Limits) -> tuple[list[tuple[int, Run]], list[tuple[int, tuple[Any, ...], str]]]:
        """Read what the worker sent: the Runs of the answers complete so far, and when the worker has
        ended, the tasks queued at it that it never began (to be given to another)."""
        try:
            chunk = os.read(self.fd, 1 << 20)
        except InterruptedError:
            return [], []
        if not chunk and not self.queue:  # it ended with nothing to do
            self.close()
            return [], []
        if not chunk:
            index, run, leftover = self.stop(lim)
            return [(index, run)], leftover
        self.buf += chunk
        runs: list[tuple[int, Run]] = []
        while len(self.buf) >= _LEN.size and self.queue:
            (size,) = _LEN.unpack_from(self.buf)
            if len(self.buf) < _LEN.size + size:
                break
            index, _, path = self.queue.popleft()
            try:
                kind, payload, cpu, peak, retire = pickle.loads(memoryview(self.buf)[_LEN.size:_LEN.size + size])
            except Exception as exc:  # noqa: BLE001 - an answer that does not unpickle
                kind, payload, cpu, peak, retire = _ERROR, ReferatError(f"{path}: unreadable answer ({exc})"), 0.0, 0, True
            del self.buf[:_LEN.size + size]
            run = Run(path, seconds=time.monotonic() - self.started, cpu_seconds=cpu, peak_bytes=peak,
                      base_bytes=self.base_rss)
            if kind == _OK:
                run.value = payload
            elif kind == _MEMORY:
                run.error = _memory_error(path, lim)
            else:
                run.error = payload
            runs.append((index, run))
            self._begin(lim)  # the next queued task starts now
            if retire:  # it exits after this answer: what is queued goes to another worker
                leftover = list(self.queue)
                self.queue.clear()
                self.close()
                return runs, leftover
        return runs, []

    def stop(self, lim: Limits, timed_out: bool = False) -> tuple[int, Run, list[tuple[int, tuple[Any, ...], str]]]:
        """The worker died (or is killed for its time): the Run of the task it was reading, with the limit
        it went over, and the tasks queued behind it."""
        status, usage = self.close(kill=True)
        index, _, path = self.queue.popleft()
        leftover = list(self.queue)
        self.queue.clear()
        run = Run(path, seconds=time.monotonic() - self.started, cpu_seconds=usage.ru_utime + usage.ru_stime,
                  peak_bytes=usage.ru_maxrss * 1024, base_bytes=self.base_rss)
        if timed_out:
            run.error = LimitError(path, f"took over the {lim.seconds:g} s limit per document "
                                         "(REFERAT_LIMIT_SECONDS); the worker reading it was stopped")
        else:
            run.error = _death(path, status, lim, run.peak_bytes, run.grown_bytes)
        return index, run, leftover

    def close(self, kill: bool = False) -> tuple[int, resource.struct_rusage]:
        """End the worker (asked to, by closing its task pipe; killed, with what it started, if `kill`)
        and reap it: its exit status and resource usage."""
        if not self.alive:
            return 0, resource.getrusage(resource.RUSAGE_CHILDREN)
        self.alive = False
        for fd in (self.task_fd, self.fd):
            _PARENT_FDS.discard(fd)
            try:
                os.close(fd)
            except OSError:
                pass
        if kill:
            _kill_group(self.pid)
        _, status, usage = os.wait4(self.pid, 0)
        _kill_group(self.pid)  # what the worker left running (a PDF page reader, tesseract)
        return status, usage


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
            return
        except (ProcessLookupError, PermissionError):
            continue


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _memory_error(path: str, lim: Limits) -> LimitError:
    return LimitError(path, f"needs more than the {limits_mod.mb(lim.memory_bytes)} memory limit per document "
                            "(REFERAT_LIMIT_MEMORY_MB); the worker reading it was stopped")


def _death(path: str, status: int, lim: Limits, peak: int, grown: int) -> LimitError:
    """Why a worker ended without an answer, from its exit status."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return LimitError(path, f"took over the {lim.seconds:g} s limit of CPU time per document "
                                    "(REFERAT_LIMIT_SECONDS); the worker reading it was stopped")
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if grown >= lim.memory_bytes // 2 and sig in (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGTRAP):
            # a library that cannot allocate aborts (pdfium inflating a stream bomb): the memory limit stopped it
            return LimitError(path, f"needs more than the {limits_mod.mb(lim.memory_bytes)} memory limit per document "
                                    f"(REFERAT_LIMIT_MEMORY_MB); the worker reading it was stopped ({name} at a peak "
                                    f"of {limits_mod.mb(peak)})")
        return LimitError(path, f"reading it crashed the worker ({name}, peak memory {limits_mod.mb(peak)}; "
                                f"the limits per document are {limits_mod.mb(lim.memory_bytes)} and "
                                f"{lim.seconds:g} s): a corrupt or hostile file")
    return LimitError(path, f"the worker reading it ended without an answer (exit code {os.WEXITSTATUS(status)}, "
                            f"peak memory {limits_mod.mb(peak)}; the limits per document are "
                            f"{limits_mod.mb(lim.memory_bytes)} and {lim.seconds:g} s)")


def _address_space() -> int:
    """This process's virtual memory size in bytes (0 if unknown)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _resident() -> int:
    """This process's resident memory in bytes (0 if unknown)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _serve(task_fd: int, answer_fd: int, fn: Callable[..., Any], lim: Limits) -> None:
    """The worker's whole life: limits, then tasks until the parent closes the pipe or this process has
    grown; exit without the parent's exit handlers (they would close its database and index)."""
    code = 0
    try:
        os.setpgid(0, 0)
        faulthandler.disable()  # a library that aborts at the memory limit is reported by the parent, in a line
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops the workers
        base = _address_space()
        start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        memory = base + lim.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
        while True:
            head = _read_exact(task_fd, _LEN.size)
            if head is None:
                break
            body = _read_exact(task_fd, _LEN.unpack(head)[0])
            if body is None:
                break
            task = pickle.loads(body)
            before = _cpu_used()
            peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            soft = int(before + lim.seconds + 0.999)
            if cpu_hard != resource.RLIM_INFINITY:
                soft = min(soft, cpu_hard)
            resource.setrlimit(resource.RLIMIT_CPU, (soft, cpu_hard))
            try:
                answer: tuple[int, Any] = (_OK, fn(*task))
            except MemoryError:
                answer = (_MEMORY, None)
            except Exception as exc:  # noqa: BLE001 - sent to the parent, which raises it
                answer = (_ERROR, exc)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            if answer[0] == _ERROR and peak > peak_before and peak - start_rss >= 0.8 * lim.memory_bytes:
                # a library that ran out of memory says so in its own words (lxml: "unknown error"): the
                # document failed at the memory limit, and the refusal says that
                answer = (_MEMORY, None)
            # a worker that has grown (a large document leaves its heap behind) makes way for a fresh one
            retire = answer[0] == _MEMORY or _address_space() > base + lim.memory_bytes // 4 \
                or peak - start_rss >= lim.memory_bytes // 2
            extra = (_cpu_used() - before, peak, retire)
            try:
                data = pickle.dumps((*answer, *extra), protocol=pickle.HIGHEST_PROTOCOL)
                if answer[0] == _ERROR:
                    pickle.loads(data)  # an exception must also unpickle in the parent
            except MemoryError:
                data = pickle.dumps((_MEMORY, None, *extra))
                retire = True
            except Exception:  # noqa: BLE001 - an exception that does not cross processes: its message does
                exc = answer[1]
                message = str(exc) if isinstance(exc, ReferatError) else f"unexpected error: {type(exc).__name__}: {exc}"
                data = pickle.dumps((_ERROR, ReferatError(message), *extra))
            _write_all(answer_fd, _LEN.pack(len(data)) + data)
            del answer, data, task
            if retire:
                break
    except BaseException:  # noqa: BLE001 - nothing may escape into the parent's code
        code = 70
    finally:
        os._exit(code)
