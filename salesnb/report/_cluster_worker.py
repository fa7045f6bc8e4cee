"""Worker side of a pack on a Dask cluster: one report per Dask task.

:func:`run_report` runs inside a ``dask.distributed`` worker process. A per-process
:class:`Service` holds an asyncio loop on its own thread with a
:class:`~salesnb.report._engine.KernelPool` (kernels forked by a zygote, the first one
started at once and the next one prefetched), and the HTML exporter. The pack
registers :class:`Warmup` on the cluster, so every worker starts its service (the
imports of nbclient and nbconvert, the exporter, the first kernel) as soon as the
pack begins, or as soon as the worker joins, instead of in its first report. Each report
then runs exactly as in a local pack (:func:`salesnb.report._engine.run_task`: same
injection, timeouts, kernel policy, namespace reset between rep pages, stall
reports), into a scratch folder of the worker; the files come back to the machine
that started the pack inside the result, so workers need no shared disk for the pack
(the notebooks and the data must be reachable by every worker at the same path).

Kernels started here get ``SALESNB_WORKER_PID`` and ``SALESNB_WORKER`` (the worker's
address) in their environment, so a page can tell which worker ran it.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin

from salesnb import config
from salesnb.report import _zygote

_LOCK = threading.Lock()
_SERVICE: Service | None = None


class Service:
    """A worker process's kernels, zygote and exporter, kept between its reports."""

    def __init__(self, settings: dict[str, Any]) -> None:
        # As in the local runner's workers (salesnb.report._pool): jsonschema imports
        # rfc3987_syntax when present to check "iri" formats, which nbformat never uses;
        # building its grammar costs ~0.7 s of CPU per process.
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
        from salesnb.report import _engine  # nbclient, nbconvert: only where reports run

        self.key = _settings_key(settings)
        self.closed = False
        self.scratch = tempfile.mkdtemp(prefix="salesnb-dask-")
        preload, shared = settings.get("preload"), settings.get("zygote")
        # a local cluster's workers share the zygote of the machine that started the pack
        own = preload is not None and not (shared and os.path.exists(shared))
        self.zygote = _zygote.Zygote.start(self.scratch, list(preload)) if own else None
        zygote_path = self.zygote.path if self.zygote else shared
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="salesnb-kernels", daemon=True)
        self.thread.start()
        self.pool = _engine.KernelPool(
            cwd=settings["cwd"], scratch=self.scratch, warm_code=_engine.warm_code(settings["warm_imports"]),
            notify=lambda message: None, zygote=zygote_path or None,
        )
        self.loop.call_soon_threadsafe(self.pool.prefetch)  # the first kernel starts while the exporter loads
        self.exporter = _engine.build_exporter(str(config.templates_dir()))
        self.run_task = _engine.run_task

    def run(self, task: dict[str, Any], notify: Any) -> dict[str, Any]:
        """Run one report on this worker's loop and wait for its outcome."""
        coro = self.run_task(task, self.pool, self.exporter, notify)
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def close(self) -> None:
        """Kill this worker's kernels, stop its zygote and remove its scratch folder (once)."""
        if self.closed:
            return
        self.closed = True
        atexit.unregister(self.close)
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self.pool.close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        if self.zygote is not None:
            self.zygote.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _settings_key(settings: dict[str, Any]) -> tuple[Any, ...]:
    return (settings["cwd"], tuple(settings.get("preload") or ()), tuple(settings["warm_imports"]),
            settings.get("zygote"))


def service(settings: dict[str, Any]) -> Service:
    """Return this process's service, started (or restarted for other settings) on first use."""
    global _SERVICE
    with _LOCK:
        if _SERVICE is not None and _SERVICE.key != _settings_key(settings):
            _SERVICE.close()
            _SERVICE = None
        if _SERVICE is None:
            _SERVICE = Service(settings)
            atexit.register(_SERVICE.close)
        return _SERVICE


def stop_service() -> None:
    """Close this process's service, if one runs (its kernels killed, its zygote stopped)."""
    global _SERVICE
    with _LOCK:
        if _SERVICE is not None:
            _SERVICE.close()
            _SERVICE = None


def mark_worker(address: str) -> None:
    """Name this worker in the environment its kernels inherit (``SALESNB_WORKER``, ``SALESNB_WORKER_PID``)."""
    os.environ["SALESNB_WORKER_PID"] = str(os.getpid())
    os.environ["SALESNB_WORKER"] = str(address)


class Warmup(WorkerPlugin):  # type: ignore[misc]
    """Dask worker plugin: start the worker's :class:`Service` before its first report.

    Registered by the pack on the cluster (:mod:`salesnb.report._cluster`), so each
    worker imports the execution modules, builds its exporter and starts its first
    kernel while the pack's tasks are being submitted, and a worker that joins later
    does so when it joins. A warm-up that fails is not an error: the first report
    starts the service again and reports what goes wrong. Removing the plugin at the
    end of the pack closes the service (its kernels, which hold the pack's data).

    Parameters
    ----------
    settings : dict
        The pack's worker settings, as :func:`run_report` gets them.
    """

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def setup(self, worker: Any) -> None:
        """Start the service in the background (the worker's event loop is not held)."""
        mark_worker(worker.address)
        threading.Thread(target=self._warm, name="salesnb-warmup", daemon=True).start()

    def _warm(self) -> None:
        with contextlib.suppress(Exception):
            service(self.settings)

    async def teardown(self, worker: Any) -> None:
        """Close the service: the pack is over."""
        await asyncio.to_thread(stop_service)


def run_report(task: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """Run one report on this Dask worker; return its outcome with its files' bytes.

    Parameters
    ----------
    task : dict
        The report as the local runner sends it to a worker (with ``attempt``).
    settings : dict
        ``cwd``, ``warm_imports``, ``preload`` and ``topic`` (where the start of the
        report is announced, for the progress display and the backstop).

    Returns
    -------
    dict
        The outcome of :func:`salesnb.report._engine.run_task` plus ``files`` (name ->
        bytes of the notebook, the page and any stall report) and ``worker``.
    """
    from distributed import get_worker

    worker = get_worker()
    mark_worker(worker.address)
    out = tempfile.mkdtemp(prefix="report-")
    try:
        def notify(message: tuple[Any, ...]) -> None:
            if message[0] == "started":
                event = {"id": task["id"], "attempt": task.get("attempt", 1), "worker": worker.address,
                         "pid": os.getpid(), "kernel": message[2]}
                worker.log_event(settings["topic"], event)

        final = str(Path(task["out_dir"]) / f"{task['name']}.ipynb")  # in the pack, on the main machine
        outcome = service(settings).run({**task, "out_dir": out, "output_path": final}, notify)
        names = [outcome.get(k) for k in ("ipynb", "html", "stall")]
        outcome["files"] = {n: (Path(out) / n).read_bytes() for n in names if n and (Path(out) / n).is_file()}
        outcome["worker"] = worker.address
        return outcome
    finally:
        shutil.rmtree(out, ignore_errors=True)
