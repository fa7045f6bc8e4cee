"""Step 2 of a pack on a Dask cluster: each report a task, the pack assembled here.

The other way to run step 2 (the local one is :mod:`salesnb.report._pool`), with
the same contract: :func:`run_tasks` takes the pack's tasks and returns one outcome
per task, calling ``on_start``/``on_done`` for the progress display. Each report is
one ``dask.distributed`` task (:func:`salesnb.report._cluster_worker.run_report`);
its files come back in the result and are written into the partial pack here, so
the index, ``pack.json``, the atomic rename and the exit code are the local runner's.

The rules are the local runner's too:

- per-report timeout: enforced on the worker (the kernel is stopped, then killed),
  with a backstop here (:data:`salesnb.report._pool.BACKSTOP_GRACE` after the task
  started) that gives up on the task;
- retry: a report that timed out runs once more (``_pool.MAX_ATTEMPTS``), ahead of
  the queue; every retry is recorded in the outcome (``retries``);
- failure isolation: a failing report, a dying kernel or a dying worker fails that
  report only. A worker's death fails the report it was running at once (the
  reports that were only queued on it are sent again): ``local:N`` clusters are
  started with ``distributed.scheduler.allowed-failures`` at 0 and
  ``worker-saturation`` at 1.0, and a scheduler of your own should be started the
  same way (docs/CLUSTER.md); otherwise Dask reruns the report elsewhere up to
  ``allowed-failures`` times first.

The pack never depends on the order in which workers finish: outcomes are keyed
by task id and published in plan order.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from salesnb.catalog import text
from salesnb.report import _zygote
from salesnb.report._pool import BACKSTOP_GRACE, Job, OnDone, OnStart, Outcome, Status, Task

#: Scheduler address prefix for a cluster started here: ``local:N`` (N worker processes).
LOCAL_PREFIX = "local:"
#: Dask settings of a ``local:N`` cluster (docs/CLUSTER.md gives the same for a cluster of
#: your own). A worker's death fails the report it was running (no rerun elsewhere), and
#: no report waits in a worker's own queue: each worker holds the one it runs. The rest
#: is CPU: with no dashboard to feed, the workers' statistical profiler (a stack sample
#: of every thread each 10 ms) is off, and the event-loop, system and memory monitors
#: look less often (an idle cluster of two workers used ~0.08 CPU-s per second, now ~0.01).
LOCAL_CONFIG = {
    "distributed.scheduler.allowed-failures": 0,
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}


def run_tasks(tasks: list[Task], *, scheduler: str, settings: dict[str, Any], on_start: OnStart,
              on_done: OnDone, before: Callable[[], None] | None = None) -> dict[int, Outcome]:
    """Run ``tasks`` as Dask tasks on ``scheduler``; return results by task id.

    Parameters
    ----------
    tasks : list of dict
        Built by :mod:`salesnb.report._pack`.
    scheduler : str
        A ``dask.distributed`` scheduler address (``tcp://host:8786``), or ``local:N``
        for a local cluster of N worker processes started (and stopped) here.
    settings : dict
        Worker settings (``cwd``, ``warm_imports``, ``preload``).
    on_start, on_done : callable
        Called when a report starts executing on a worker, and with its outcome.
    before : callable, optional
        Called once the cluster is up and its workers have begun to warm up, before
        the first report is sent (the pack's data check, which they then overlap).

    Returns
    -------
    dict
        The outcome of every task, by task id.
    """
    # The zygote first: its imports are the longest, and they overlap the cluster's start.
    # It stops last, after the workers (and so their kernels) have gone.
    with _local_zygote(scheduler, settings.get("preload")) as zygote, connect(scheduler) as client:
        run = ClusterRun(client, tasks, settings={**settings, "zygote": zygote}, on_start=on_start, on_done=on_done)
        with warmed(client, run.settings):
            if before is not None:
                before()
            return run.run()


@contextlib.contextmanager
def warmed(client: Any, settings: dict[str, Any]) -> Iterator[None]:
    """Have every worker start its service now (and a worker that joins, when it joins); close it after.

    See :class:`salesnb.report._cluster_worker.Warmup`. Registering does not wait for
    the warm-up: a report that arrives first waits for it on its worker.
    """
    from salesnb.report._cluster_worker import Warmup

    name = f"salesnb-warmup-{settings['topic']}"
    client.register_plugin(Warmup(settings), name=name)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            client.unregister_worker_plugin(name)


@contextlib.contextmanager
def _local_zygote(scheduler: str, preload: list[str] | None) -> Iterator[str | None]:
    """For ``local:N``, one zygote for all the workers (as the local runner has); else None.

    Workers on other machines start their own (:mod:`salesnb.report._cluster_worker`).
    """
    if not scheduler.startswith(LOCAL_PREFIX) or preload is None:
        yield None
        return
    scratch = tempfile.mkdtemp(prefix="salesnb-cluster-")
    zygote = _zygote.Zygote.start(scratch, list(preload))
    try:
        yield zygote.path if zygote else None
    finally:
        if zygote is not None:
            zygote.stop()
        shutil.rmtree(scratch, ignore_errors=True)


@contextlib.contextmanager
def connect(scheduler: str) -> Iterator[Any]:
    """Yield a ``distributed.Client`` on ``scheduler`` (a local cluster for ``local:N``)."""
    import dask
    from distributed import Client, LocalCluster

    if not scheduler.startswith(LOCAL_PREFIX):
        with Client(scheduler, set_as_default=False) as client:
            yield client
        return
    workers = int(scheduler[len(LOCAL_PREFIX):])
    with dask.config.set(LOCAL_CONFIG):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.CRITICAL)
    try:
        with Client(cluster, set_as_default=False) as client:
            yield client
    finally:
        cluster.close()


class ClusterRun:
    """The reports of one pack on a cluster: futures, start times, outcomes."""

    def __init__(self, client: Any, tasks: list[Task], *, settings: dict[str, Any], on_start: OnStart,
                 on_done: OnDone) -> None:
        self.client = client
        self.topic = f"salesnb-{uuid.uuid4().hex}"
        self.settings = {**settings, "topic": self.topic}
        self.jobs = [Job(task) for task in tasks]
        self.running: dict[Any, Job] = {}
        self.started: dict[tuple[int, int], float] = {}
        self.results: dict[int, Outcome] = {}
        self.events: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.news = threading.Event()  # set when a result or an event arrives
        self.on_start, self.on_done = on_start, on_done

    def run(self) -> dict[int, Outcome]:
        """Submit every report and serve the cluster until each has its outcome."""
        self.client.subscribe_topic(self.topic, self._event)
        try:
            for job in self.jobs:
                self.submit(job)
            while len(self.results) < len(self.jobs):
                self.step()
        finally:
            for future in self.running:
                future.cancel()
            with contextlib.suppress(Exception):
                self.client.unsubscribe_topic(self.topic)
        return self.results

    def _event(self, event: Any) -> None:
        self.events.put(event)
        self.news.set()

    def submit(self, job: Job) -> None:
        """Send one run of a report to the cluster (a retry ahead of first runs)."""
        from salesnb.report._cluster_worker import run_report

        job.status = Status.RUNNING
        key = f"{self.topic}-{job.id}-{job.attempt}-{uuid.uuid4().hex[:8]}"
        future = self.client.submit(run_report, job.message(prefetch=True), self.settings, key=key, pure=False,
                                    retries=0, priority=job.attempt - 1)
        self.running[future] = job
        future.add_done_callback(lambda _: self.news.set())

    def step(self) -> None:
        """Wait up to half a second for a result, then handle starts, results and overdue reports."""
        self.news.wait(0.5)
        self.news.clear()
        self.read_events()
        for future, job in list(self.running.items()):
            if future.done():
                del self.running[future]
                self.read_events()  # a start announced just before the worker died counts
                if self.lost_before_start(future, job):
                    self.submit(job)  # it never ran: not an attempt
                    continue
                self.on_outcome(job, self.outcome_of(future, job))
            elif self.overdue(job):
                del self.running[future]
                future.cancel()
                error = "Timeout: " + text("report.backstop_timeout", lang=job.task.get("lang"),
                                           seconds=f"{job.timeout:g}")
                self.on_outcome(job, _stopped(Status.TIMED_OUT, error, job.timeout + BACKSTOP_GRACE))

    def read_events(self) -> None:
        """Note the reports that started on a worker (and tell the progress display)."""
        while True:
            try:
                _, event = self.events.get_nowait()
            except queue.Empty:
                return
            key = (int(event["id"]), int(event["attempt"]))
            if key not in self.started:
                self.started[key] = time.monotonic()
                self.on_start(self.jobs[key[0]].task)

    def lost_before_start(self, future: Any, job: Job) -> bool:
        """Return whether a report's worker died before the report started (queued there)."""
        from distributed import KilledWorker

        return (job.id, job.attempt) not in self.started and isinstance(future.exception(), KilledWorker)

    def overdue(self, job: Job) -> bool:
        """Return whether a started report ran past its timeout and the backstop's grace."""
        began = self.started.get((job.id, job.attempt))
        return began is not None and time.monotonic() > began + job.timeout + BACKSTOP_GRACE

    def outcome_of(self, future: Any, job: Job) -> Outcome:
        """Return a finished future's outcome (a lost worker or a task error fails the report)."""
        from distributed import KilledWorker

        began = self.started.get((job.id, job.attempt))
        seconds = 0.0 if began is None else time.monotonic() - began
        try:
            return dict(future.result())
        except KilledWorker:
            lang = job.task.get("lang")
            return _stopped(Status.FAILED, "WorkerDied: " + text("report.worker_lost", lang=lang), seconds)
        except Exception as exc:
            return _stopped(Status.FAILED, f"{type(exc).__name__}: {exc}", seconds)

    def on_outcome(self, job: Job, outcome: Outcome) -> None:
        """Retry a report that timed out once; otherwise write its files into the pack and finish it."""
        folder = Path(job.task["out_dir"])
        for name, data in (outcome.pop("files", None) or {}).items():
            (folder / name).write_bytes(data)  # a retried run's page is overwritten by the retry's
        if Status.of(outcome) is Status.TIMED_OUT and job.can_retry():
            self.submit(job.next_attempt(outcome))
            return
        job.status = Status.of(outcome)
        outcome = {**outcome, "attempt": job.attempt, "retries": list(job.history)}
        self.results[job.id] = outcome
        self.on_done(job.task, outcome)


def _stopped(status: Status, error: str, duration: float) -> Outcome:
    """Return the outcome of a report the cluster did not finish."""
    return {"status": status.value, "error": error, "duration": duration, "html": None, "ipynb": None}
