"""Main-process side of the runner: a small pool of spawned worker processes.

Each worker (see :mod:`salesnb.report._engine`) gets one task at a time over its own
pipe and reports ``kernel``/``kernel_gone`` (kernel pids), ``started`` and ``done``.
This side keeps a wall-clock backstop per task: a worker that overruns its task's
deadline by a grace period, or dies, is killed with its kernels, the task is marked
failed and a replacement worker takes the remaining tasks.

Every task is a :class:`Job` with an explicit :class:`Status`; a job that timed out
gets one more run (:data:`MAX_ATTEMPTS`) on a fresh worker and kernel. The
:class:`Scheduler` holds the queue, the workers and the results; :func:`run_tasks`
is its entry point.

Workers are started with the ``spawn`` context (``fork`` can deadlock with zmq and
threads) and ignore SIGINT: Ctrl-C is handled here, by stopping every worker.
"""

from __future__ import annotations

import contextlib
import enum
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
from multiprocessing.process import BaseProcess
from typing import Any

from salesnb.catalog import text
from salesnb.report import _zygote

#: Seconds a worker may overrun a task's own timeout before it is killed from here.
BACKSTOP_GRACE = 60.0
#: Seconds a task may wait for its kernel before it counts as started (startup allowance).
STARTUP_ALLOWANCE = 120.0
#: Runs of a notebook that timed out before it is marked failed (see ``Scheduler.retry``).
MAX_ATTEMPTS = 2

#: A task as sent to a worker (plain, picklable) and a worker's answer for it.
Task = dict[str, Any]
Outcome = dict[str, Any]
OnStart = Callable[[Task], None]
OnDone = Callable[[Task, Outcome], None]


class Status(enum.Enum):
    """Where a job stands; the last three are final."""

    PENDING = "pending"  # queued, not sent to a worker yet
    RUNNING = "running"  # sent to a worker (waiting for a kernel or executing)
    RETRYING = "retrying"  # timed out once; queued again, first in line
    OK = "ok"
    FAILED = "failed"
    TIMED_OUT = "timed_out"

    @classmethod
    def of(cls, outcome: Outcome) -> Status:
        """Return the status a worker's answer reports (anything unknown is a failure)."""
        try:
            status = cls(outcome.get("status"))
        except ValueError:
            return cls.FAILED
        return status if status in (cls.OK, cls.FAILED, cls.TIMED_OUT) else cls.FAILED


@dataclass
class Job:
    """One task on its way through the pool.

    Attributes
    ----------
    task : dict
        The task as built by the pack (``id``, ``name``, ``timeout``, ``lang``, ...).
    attempt : int
        1 for the first run, 2 for the retry after a timeout.
    status : Status
        Where the job stands.
    history : list of dict
        The earlier runs of this report that ended in a retry: ``attempt``,
        ``status``, ``reason`` (the error), ``duration`` and ``stall`` (the stall
        report's file name, or None). Published in ``pack.json`` and on the index.
    """

    task: Task
    attempt: int = 1
    status: Status = Status.PENDING
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> int:
        """The task id (the key of the results)."""
        return int(self.task["id"])

    @property
    def timeout(self) -> float:
        """Seconds the notebook may run."""
        return float(self.task["timeout"])

    def can_retry(self) -> bool:
        """Return whether a timeout of this run earns another one."""
        return self.attempt < MAX_ATTEMPTS

    def next_attempt(self, outcome: Outcome) -> Job:
        """Return the retry of this job (pending again, one attempt further), noting why."""
        self.status = Status.RETRYING
        record = {
            "attempt": self.attempt,
            "status": Status.of(outcome).value,
            "reason": outcome.get("error"),
            "duration": round(float(outcome.get("duration") or 0.0), 3),
            "stall": outcome.get("stall"),
        }
        return Job(self.task, attempt=self.attempt + 1, status=Status.PENDING, history=[*self.history, record])

    def message(self, prefetch: bool) -> Task:
        """Return the task as sent to a worker."""
        return {**self.task, "attempt": self.attempt, "prefetch": prefetch}


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    job: Job | None = None
    sent_at: float = 0.0
    started_at: float | None = None
    kernels: set[int] = field(default_factory=set)
    closed: bool = False

    def deadline(self) -> float | None:
        """Return when the backstop stops this worker's job (None when idle)."""
        if self.job is None:
            return None
        if self.started_at is None:
            return self.sent_at + STARTUP_ALLOWANCE + self.job.timeout
        return self.started_at + self.job.timeout + BACKSTOP_GRACE


def _worker_entry(conn: Connection, settings: dict[str, Any]) -> None:  # pragma: no cover
    """Run the body of a worker process (in the child)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    warnings.simplefilter("ignore")  # library chatter would break the progress lines
    # jsonschema imports rfc3987_syntax when present to check "iri" formats, which
    # nbformat never uses; building its grammar costs ~0.7 s per process. Skip it.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    from salesnb.report import _engine

    _engine.serve(conn, settings)


def run_tasks(
    tasks: list[Task],
    *,
    jobs: int,
    settings: dict[str, Any],
    on_start: OnStart,
    on_done: OnDone,
    before: Callable[[], None] | None = None,
) -> dict[int, Outcome]:
    """Run ``tasks`` on ``jobs`` worker processes; return results by task id.

    Never raises for a notebook's own failure; KeyboardInterrupt and other errors
    stop every worker (and their kernels) before propagating.

    Parameters
    ----------
    tasks : list of dict
        Built by :mod:`salesnb.report._pack`; each has at least ``id``, ``name``
        and ``timeout``.
    jobs : int
        Worker processes (at most one per task).
    settings : dict
        Worker settings (``cwd``, ``warm_imports``, ``preload``, ``templates_dir``).
    on_start, on_done : callable
        Called when a task starts executing, and with its outcome when it ends.
    before : callable, optional
        Called once the zygote has begun its imports, before any worker starts (the
        pack's data check, which the imports then overlap).

    Returns
    -------
    dict
        The outcome of every task, by task id.
    """
    # Kernel sockets and logs live here; removed below even when a worker was killed.
    scratch = tempfile.mkdtemp(prefix="salesnb-run-")
    preload = settings.get("preload")
    zygote = _zygote.Zygote.start(scratch, list(preload)) if preload is not None else None
    settings = {**settings, "zygote": zygote.path if zygote else None}
    try:
        if before is not None:
            before()
        scheduler = Scheduler(tasks, settings=settings, scratch=scratch, on_start=on_start, on_done=on_done)
        return scheduler.run(jobs)
    finally:
        if zygote is not None:
            zygote.stop()
        shutil.rmtree(scratch, ignore_errors=True)


class Scheduler:
    """The queue of jobs, the workers running them and the outcomes so far."""

    def __init__(self, tasks: list[Task], *, settings: dict[str, Any], scratch: str,
                 on_start: OnStart, on_done: OnDone) -> None:
        self.ctx = get_context("spawn")
        self.total = len(tasks)
        self.pending: deque[Job] = deque(Job(task) for task in tasks)
        self.results: dict[int, Outcome] = {}
        self.workers: list[_Worker] = []
        self.settings = settings
        self.scratch = scratch
        self.on_start = on_start
        self.on_done = on_done

    def run(self, jobs: int) -> dict[int, Outcome]:
        """Start ``jobs`` workers and serve them until every job has its outcome."""
        try:
            for _ in range(max(1, min(jobs, self.total))):
                self.assign(self.spawn())
            while len(self.results) < self.total:
                self.step()
            _stop_all(self.workers, graceful=True)
        except BaseException:
            _stop_all(self.workers, graceful=False)
            raise
        return self.results

    # ------------------------------------------------------------------ workers

    def spawn(self) -> _Worker:
        """Start a worker process and return it (idle)."""
        parent, child = self.ctx.Pipe(duplex=True)
        folder = tempfile.mkdtemp(prefix="w", dir=self.scratch)
        proc = self.ctx.Process(
            target=_worker_entry,
            args=(child, {**self.settings, "scratch": folder}),
            name="salesnb-runner",
            daemon=True,
        )
        proc.start()
        child.close()
        worker = _Worker(proc, parent)
        self.workers.append(worker)
        return worker

    def assign(self, worker: _Worker) -> None:
        """Send the next pending job to ``worker``, or tell it to stop when none is left."""
        if not self.pending:
            worker.job = None
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(("stop",))
            return
        job = self.pending.popleft()
        job.status = Status.RUNNING
        worker.job, worker.sent_at, worker.started_at = job, time.monotonic(), None
        worker.conn.send(("run", job.message(prefetch=bool(self.pending))))  # no spare kernel for the last

    def retire(self, worker: _Worker) -> None:
        """Kill ``worker`` with its kernels and drop it."""
        _kill_worker(worker)
        self.workers.remove(worker)

    def refill(self) -> None:
        """Start a worker for the next pending job, if any (after one was retired)."""
        if self.pending:
            self.assign(self.spawn())

    # --------------------------------------------------------------------- jobs

    def finish(self, job: Job, outcome: Outcome) -> None:
        """Record the final outcome of ``job``."""
        job.status = Status.of(outcome)
        outcome = {**outcome, "attempt": job.attempt, "retries": list(job.history)}
        self.results[job.id] = outcome
        self.on_done(job.task, outcome)

    def retry(self, job: Job, outcome: Outcome) -> bool:
        """Queue a timed-out job once more, first in line, on a fresh worker and kernel.

        A notebook that hangs for a reason of its own times out twice and is marked
        failed; one stalled by a lost kernel message (rare, seen under heavy load)
        gets a clean second run instead of failing the pack.
        """
        if not job.can_retry():
            return False
        self.pending.appendleft(job.next_attempt(outcome))
        return True

    def stop_job(self, worker: _Worker, status: Status, error: str) -> None:
        """End the job of a worker that died or overran its deadline, and replace the worker."""
        job, worker.job = worker.job, None
        self.retire(worker)
        if job is not None:
            outcome = _stopped(status, error, time.monotonic() - worker.sent_at)
            if not (status is Status.TIMED_OUT and self.retry(job, outcome)):
                self.finish(job, outcome)
        self.refill()

    def on_outcome(self, worker: _Worker, job: Job, outcome: Outcome) -> None:
        """Handle a worker's answer: finish the job (or retry it) and give the worker more."""
        if Status.of(outcome) is Status.TIMED_OUT and self.retry(job, outcome):
            self.retire(worker)  # the retry runs on a fresh worker and kernel
            self.refill()
            return
        self.finish(job, outcome)
        self.assign(worker)

    # -------------------------------------------------------------------- loop

    def step(self) -> None:
        """Wait up to half a second for messages, deaths and deadlines, and act on them."""
        conns = [w.conn for w in self.workers if not w.closed]
        sentinels = [w.process.sentinel for w in self.workers]
        ready = wait(conns + sentinels, timeout=0.5)
        for worker in list(self.workers):
            if worker.conn in ready:
                self.read(worker)
                if worker not in self.workers:  # replaced while reading (a retry)
                    continue
            if worker.process.sentinel in ready and not worker.process.is_alive():
                self.bury(worker)
                continue
            deadline = worker.deadline()
            if deadline is not None and time.monotonic() > deadline:
                self.stop_job(worker, Status.TIMED_OUT, _backstop_error(worker.job))

    def bury(self, worker: _Worker) -> None:
        """Fail the job of a worker process that ended, after reading its last words."""
        with contextlib.suppress(Exception):
            self.read(worker)
        if worker not in self.workers:  # pragma: no cover - replaced while reading
            return
        code = worker.process.exitcode
        lang = worker.job.task.get("lang") if worker.job else None
        error = "WorkerDied: " + text("report.worker_died", lang=lang, code=code)
        self.stop_job(worker, Status.FAILED, error)

    def read(self, worker: _Worker) -> None:
        """Read every message a worker has sent."""
        try:
            while not worker.closed and worker.conn.poll():
                self.handle(worker, worker.conn.recv())
        except (EOFError, OSError):
            worker.closed = True

    def handle(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        """Act on one message of a worker."""
        kind, job = message[0], worker.job
        if kind in ("kernel", "kernel_gone"):
            _track_kernel(worker, message)
        elif kind == "started" and job is not None:
            worker.started_at = time.monotonic()
            self.on_start(job.task)
        elif kind == "done" and job is not None and message[1] == job.id:
            worker.job = None
            self.on_outcome(worker, job, message[2])


def _track_kernel(worker: _Worker, message: tuple[Any, ...]) -> None:
    """Note a kernel a worker started (``kernel``) or stopped (``kernel_gone``)."""
    if message[0] == "kernel":
        worker.kernels.add(message[1])
    elif message[0] == "kernel_gone":
        worker.kernels.discard(message[1])


def _backstop_error(job: Job | None) -> str:
    """Return the error of a job stopped by the backstop."""
    timeout = job.timeout if job else 0.0
    lang = job.task.get("lang") if job else None
    return "Timeout: " + text("report.backstop_timeout", lang=lang, seconds=f"{timeout:g}")


def _stopped(status: Status, error: str, duration: float) -> Outcome:
    """Return the outcome of a job whose worker was killed."""
    return {"status": status.value, "error": error, "duration": duration, "html": None, "ipynb": None}


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
        _track_kernel(worker, worker.conn.recv())
