"""Main-process side of the runner: a small pool of spawned worker processes.

Each worker (see :mod:`salesnb.report._engine`) gets one task at a time over its own
pipe and reports ``kernel``/``kernel_gone`` (kernel pids), ``started`` and ``done``.
This side keeps a wall-clock backstop per task: a worker that overruns its task's
deadline by a grace period, or dies, is killed with its kernels, the task is marked
failed and a replacement worker takes the remaining tasks.

Workers are started with the ``spawn`` context (``fork`` can deadlock with zmq and
threads) and ignore SIGINT: Ctrl-C is handled here, by stopping every worker.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
import time
import warnings
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from typing import Any

from salesnb.report import _zygote

#: Seconds a worker may overrun a task's own timeout before it is killed from here.
BACKSTOP_GRACE = 60.0
#: Seconds a task may wait for its kernel before it counts as started (startup allowance).
STARTUP_ALLOWANCE = 120.0
#: Runs of a notebook that timed out before it is marked failed (see ``retry``).
MAX_ATTEMPTS = 2


def _worker_entry(conn: Connection, settings: dict[str, Any]) -> None:  # pragma: no cover
    """Body of a worker process (runs in the child)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    warnings.simplefilter("ignore")  # library chatter would break the progress lines
    # jsonschema imports rfc3987_syntax when present to check "iri" formats, which
    # nbformat never uses; building its grammar costs ~0.7 s per process. Skip it.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    from salesnb.report import _engine

    _engine.serve(conn, settings)


@dataclass
class _Worker:
    process: Any
    conn: Connection
    task: dict[str, Any] | None = None
    sent_at: float = 0.0
    started_at: float | None = None
    kernels: set[int] = field(default_factory=set)
    closed: bool = False


def run_tasks(
    tasks: list[dict[str, Any]],
    *,
    jobs: int,
    settings: dict[str, Any],
    on_start: Callable[[dict[str, Any]], None],
    on_done: Callable[[dict[str, Any], dict[str, Any]], None],
) -> dict[int, dict[str, Any]]:
    """Run ``tasks`` on ``jobs`` worker processes; return results by task id.

    Never raises for a notebook's own failure; KeyboardInterrupt and other errors
    stop every worker (and their kernels) before propagating.
    """
    ctx = get_context("spawn")
    pending = deque(tasks)
    results: dict[int, dict[str, Any]] = {}
    workers: list[_Worker] = []
    # Kernel sockets and logs live here; removed below even when a worker was killed.
    scratch = tempfile.mkdtemp(prefix="salesnb-run-")
    preload = settings.get("preload")
    zygote = _zygote.Zygote.start(scratch, list(preload)) if preload is not None else None
    settings = {**settings, "zygote": zygote.path if zygote else None}

    def spawn() -> _Worker:
        parent, child = ctx.Pipe(duplex=True)
        folder = tempfile.mkdtemp(prefix="w", dir=scratch)
        proc = ctx.Process(
            target=_worker_entry,
            args=(child, {**settings, "scratch": folder}),
            name="salesnb-runner",
            daemon=True,
        )
        proc.start()
        child.close()
        worker = _Worker(proc, parent)
        workers.append(worker)
        return worker

    def assign(worker: _Worker) -> None:
        if pending:
            task = dict(pending.popleft())
            task["prefetch"] = bool(pending)  # no spare kernel for the last tasks
            worker.task, worker.sent_at, worker.started_at = task, time.monotonic(), None
            worker.conn.send(("run", task))
        else:
            worker.task = None
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(("stop",))

    def finish(task: dict[str, Any], result: dict[str, Any]) -> None:
        results[task["id"]] = result
        on_done(task, result)

    def retry(task: dict[str, Any]) -> bool:
        """Queue a timed-out task once more, first in line, on a fresh worker and kernel.

        A notebook that hangs for a reason of its own times out twice and is marked
        failed; one stalled by a lost kernel message (rare, seen under heavy load)
        gets a clean second run instead of failing the pack.
        """
        if task.get("attempt", 1) >= MAX_ATTEMPTS:
            return False
        pending.appendleft({**task, "attempt": task.get("attempt", 1) + 1})
        return True

    def fail_and_replace(worker: _Worker, error: str) -> None:
        _kill_worker(worker)
        workers.remove(worker)
        if worker.task is not None:
            elapsed = time.monotonic() - worker.sent_at
            if not (error.startswith("Timeout") and retry(worker.task)):
                finish(worker.task, _failed(error, elapsed))
        if pending:
            assign(spawn())

    def on_result(worker: _Worker, task: dict[str, Any], result: dict[str, Any]) -> None:
        if result.get("status") == "failed" and str(result.get("error", "")).startswith("Timeout") \
                and retry(task):
            worker.task = None
            fail_and_replace(worker, "retrying")
            return
        finish(task, result)
        assign(worker)

    try:
        for _ in range(max(1, min(jobs, len(tasks)))):
            assign(spawn())
        while len(results) < len(tasks):
            conns = [w.conn for w in workers if not w.closed]
            sentinels = [w.process.sentinel for w in workers]
            ready = wait(conns + sentinels, timeout=0.5)
            for worker in list(workers):
                if worker.conn in ready:
                    _drain(worker, on_start, on_result)
                    if worker not in workers:  # replaced while draining (a retry)
                        continue
                if worker.process.sentinel in ready and not worker.process.is_alive():
                    with contextlib.suppress(Exception):
                        _drain(worker, on_start, on_result)
                    code = worker.process.exitcode
                    fail_and_replace(
                        worker,
                        f"WorkerDied: the runner process stopped unexpectedly (exit code {code})",
                    )
                    continue
                task = worker.task
                if task is not None:
                    now = time.monotonic()
                    if worker.started_at is None:
                        limit = worker.sent_at + STARTUP_ALLOWANCE + float(task["timeout"])
                    else:
                        limit = worker.started_at + float(task["timeout"]) + BACKSTOP_GRACE
                    if now > limit:
                        fail_and_replace(
                            worker,
                            f"Timeout: the notebook ran longer than {float(task['timeout']):g} s and was stopped",
                        )
        _stop_all(workers, graceful=True)
    except BaseException:
        _stop_all(workers, graceful=False)
        raise
    finally:
        if zygote is not None:
            zygote.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def _drain(
    worker: _Worker,
    on_start: Callable[[dict[str, Any]], None],
    on_result: Callable[[_Worker, dict[str, Any], dict[str, Any]], None],
) -> None:
    try:
        while not worker.closed and worker.conn.poll():
            message = worker.conn.recv()
            kind = message[0]
            if kind == "kernel":
                worker.kernels.add(message[1])
            elif kind == "kernel_gone":
                worker.kernels.discard(message[1])
            elif kind == "started" and worker.task is not None:
                worker.started_at = time.monotonic()
                on_start(worker.task)
            elif kind == "done" and worker.task is not None and message[1] == worker.task["id"]:
                task = worker.task
                worker.task = None
                on_result(worker, task, message[2])
    except (EOFError, OSError):
        worker.closed = True


def _failed(error: str, duration: float) -> dict[str, Any]:
    return {"status": "failed", "error": error, "duration": duration, "html": None, "ipynb": None}


def _kill_worker(worker: _Worker) -> None:
    proc = worker.process
    if proc.is_alive():
        proc.kill()
        proc.join(5)
    _kill_kernels(worker.kernels)
    with contextlib.suppress(Exception):
        worker.conn.close()
    worker.closed = True


def _kill_kernels(pids: set[int]) -> None:
    for pid in pids:
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
                kill(pid, signal.SIGKILL)
    pids.clear()


def _stop_all(workers: list[_Worker], *, graceful: bool) -> None:
    """Stop workers: ask politely (stop message or SIGTERM), then kill what remains."""
    for worker in workers:
        if not worker.process.is_alive():
            continue
        if graceful:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(("stop",))
        else:
            worker.process.terminate()  # SIGTERM: the worker kills its kernels and exits
    deadline = time.monotonic() + (15 if graceful else 5)
    for worker in workers:
        worker.process.join(max(0.1, deadline - time.monotonic()))
        with contextlib.suppress(Exception):
            _drain_kernel_messages(worker)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(5)
        _kill_kernels(worker.kernels)
        with contextlib.suppress(Exception):
            worker.conn.close()


def _drain_kernel_messages(worker: _Worker) -> None:
    while not worker.closed and worker.conn.poll():
        message = worker.conn.recv()
        if message[0] == "kernel":
            worker.kernels.add(message[1])
        elif message[0] == "kernel_gone":
            worker.kernels.discard(message[1])
