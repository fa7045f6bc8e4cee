"""Worker side of the runner: warm kernels, run one notebook, export it to HTML.

Imported only inside runner worker processes (it pulls in nbformat, nbclient,
jupyter_client and nbconvert). A worker serves tasks sent over a pipe by
:mod:`salesnb.report._pool` and answers with plain dicts.

Kernel policy: the worker always has the *next* kernel starting while the current
notebook runs. That kernel is a brand-new process (forked by the pack's zygote, see
:mod:`salesnb.report._zygote`, or launched); before it is handed to a notebook it
only runs one silent cell that imports modules the pack's notebooks import
themselves (so the import cost is paid ahead of need). A kernel runs one notebook
and is killed right after, with one exception: the team page and the rep pages of
one notebook (tasks sharing a ``reuse_key``) run one after another in one kernel,
whose user namespace is reset (``%reset -f``; the reply must be ``ok``, else the
kernel is killed and the page gets a new one) and figures closed between pages;
imported modules and what they memoise persist. A page that fails ends its kernel.
So a kernel may run several pages of one notebook, never two different notebooks
(see docs/ARCHITECTURE.md, "Isolation").

Parameters are injected and the run recorded by papermill's own code
(:mod:`salesnb.report._papermill`); a run that times out leaves a stall report
(:mod:`salesnb.report._stall`). The same execution serves Dask workers
(:mod:`salesnb.report._cluster_worker`) and papermill's ``salesnb`` engine
(:mod:`salesnb.report.papermill_engine`).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import math
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import Unicode
from traitlets.config import Config

from salesnb.catalog import text
from salesnb.report import _papermill, _stall, _zygote

KERNEL_NAME = "python3"
#: How a batch kernel starts: ipykernel on this interpreter, like the stock ``python3``
#: kernel (``python -m ipykernel_launcher``) but without the debugger, which a batch
#: run never uses and which costs ~0.15 s of imports (debugpy) per kernel.
LAUNCH_CODE = (
    "import sys\n"
    "if sys.path and sys.path[0] == '':\n"
    "    del sys.path[0]\n"
    "sys.modules['debugpy'] = None\n"
    "from ipykernel import kernelapp\n"
    "kernelapp.launch_new_instance()\n"
)
STARTUP_TIMEOUT = 60
#: Seconds after the notebook deadline before the kernel process is killed outright.
KILL_GRACE = 5
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TEMPLATE_NAME = "salesnb_report"
#: text/plain-only results that are matplotlib object reprs, not content.
_MPL_REPR = re.compile(r"^\[?<(matplotlib\.|Figure size |Axes[:>]|Axes$)")


# ------------------------------------------------------------------------------ kernels


class BatchKernelSpecs(KernelSpecManager):
    """Every kernel name resolves to the batch Python kernel of this interpreter."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-c", LAUNCH_CODE, "-f", "{connection_file}"],
            display_name="Python 3 (salesnb batch)",
            language="python",
            metadata={},
        )


class ForkProvisioner(LocalProvisioner):  # type: ignore[misc]
    """Starts the kernel by asking the pack's zygote to fork it (see ``_zygote``).

    Falls back to the ordinary launch (a new interpreter) when the zygote cannot be
    reached or the launch has no log file to hand over.
    """

    zygote = Unicode("")

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        log = getattr(kwargs.get("stdout"), "name", None)
        if self.zygote and isinstance(log, str):
            env = kwargs.get("env") or dict(os.environ)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            try:
                pid = await _zygote.fork_kernel(self.zygote, argv=list(cmd), env=env, cwd=cwd, log=log)
            except OSError:
                pass
            else:
                self.process = _zygote.ForkedProcess(pid, log)
                self.pid = self.pgid = pid  # the child starts its own session
                self.cwd = cwd
                return self.connection_info
        return await super().launch_kernel(cmd, **kwargs)


@dataclass
class Kernel:
    """A started, ready, warmed kernel and its client."""

    km: AsyncKernelManager
    kc: Any
    pid: int
    cwd: str
    language_info: dict[str, Any] = field(default_factory=dict)
    log: str = ""


class KernelPool:
    """Starts kernels ahead of need and kills them after use (a kept kernel serves only one notebook's pages)."""

    def __init__(self, *, cwd: str, scratch: str, warm_code: str, notify: Any, zygote: str | None = None) -> None:
        self.cwd = cwd
        self.zygote = zygote
        self.scratch = scratch  # the main process removes it, even after a crash here
        self.specs = BatchKernelSpecs()
        self._count = 0
        self.warm_code = warm_code
        self.notify = notify
        self.live: set[AsyncKernelManager] = set()
        self._next: asyncio.Task[Kernel] | None = None
        self._kept: tuple[str, Kernel] | None = None
        self._stopping: set[asyncio.Task[None]] = set()

    def prefetch(self) -> None:
        """Start the next kernel now (in the background) unless one is already coming."""
        if self._next is None:
            self._next = asyncio.ensure_future(self._start())

    async def take(self, *, prefetch_next: bool = True) -> Kernel:
        """Return the prefetched kernel (waiting for it if needed).

        With ``prefetch_next`` the following kernel starts right away, so it warms up
        while this one runs its notebook.
        """
        self.prefetch()
        assert self._next is not None
        task, self._next = self._next, None
        try:
            return await task
        finally:
            if prefetch_next:
                self.prefetch()

    async def _start(self) -> Kernel:
        self._count += 1
        stem = os.path.join(self.scratch, f"k{self._count}")
        km = self._manager(stem)
        self.live.add(km)
        log = open(f"{stem}.log", "wb")  # noqa: SIM115 - the kernel writes it, closed below
        try:
            return await self._boot(km, log, stem)
        except BaseException as exc:
            forked = isinstance(getattr(km.provisioner, "process", None), _zygote.ForkedProcess)
            await self._stop(km)
            if forked and isinstance(exc, Exception):
                # A kernel forked by the zygote that does not come up: this worker launches
                # its kernels the ordinary way from now on.
                self.zygote = None
                return await self._start()
            raise
        finally:
            log.close()

    def _manager(self, stem: str) -> AsyncKernelManager:
        """Return the manager of a new kernel whose files start with ``stem``."""
        # IPC sockets in the worker's scratch folder: no TCP ports, no plain-TCP warning.
        # A Unix socket path must stay short (~107 bytes); a deep TMPDIR falls back to TCP.
        ipc = len(stem) + 4 < 100
        km = AsyncKernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=self.specs,
            transport="ipc" if ipc else "tcp",
            connection_file=f"{stem}.json",
            **({"ip": stem} if ipc else {}),
        )
        if self.zygote:
            km.kernel_id = str(uuid.uuid4())
            km.provisioner = ForkProvisioner(
                kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km, zygote=self.zygote
            )
        return km

    async def _boot(self, km: AsyncKernelManager, log: Any, stem: str) -> Kernel:
        """Start the kernel, wait until it is ready and run the warm-up cell."""
        await km.start_kernel(
            cwd=self.cwd,
            env=_zygote.kernel_env(),
            extra_arguments=["--HistoryManager.hist_file=:memory:"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        pid = int(km.provisioner.pid)  # type: ignore[union-attr]
        self.notify(("kernel", pid))
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
        kc.allow_stdin = False
        info = await kc.kernel_info(reply=True, timeout=STARTUP_TIMEOUT)
        kernel = Kernel(km, kc, pid, self.cwd, info["content"].get("language_info", {}))
        kernel.log = f"{stem}.log"
        if self.warm_code:
            await kc.execute(self.warm_code, silent=True, store_history=False, reply=True, timeout=300)
        return kernel

    def reuse(self, key: str | None) -> Kernel | None:
        """Return the kernel kept for ``key`` (a notebook's rep pages), or None."""
        if key is None or self._kept is None or self._kept[0] != key:
            return None
        kernel = self._kept[1]
        self._kept = None
        return kernel

    def keep(self, key: str, kernel: Kernel) -> None:
        """Keep a kernel for the next rep page of the same notebook (releasing any other)."""
        if self._kept is not None:
            self.release(self._kept[1])
        self._kept = (key, kernel)

    def release(self, kernel: Kernel) -> None:
        """Kill a used kernel in the background."""
        with contextlib.suppress(Exception):
            kernel.kc.stop_channels()
        task = asyncio.ensure_future(self._stop(kernel.km))
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)

    async def _stop(self, km: AsyncKernelManager) -> None:
        pid = getattr(km.provisioner, "pid", None)
        try:
            await asyncio.wait_for(km.shutdown_kernel(now=True), 10)
        except BaseException:
            _kill_group(pid)
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(km.cleanup_resources(), 5)
        finally:
            self.live.discard(km)
            if pid:
                with contextlib.suppress(Exception):
                    self.notify(("kernel_gone", int(pid)))

    async def close(self) -> None:
        """Kill every kernel this pool started (used and prefetched)."""
        if self._next is not None:
            self._next.cancel()
            with contextlib.suppress(BaseException):
                await self._next
            self._next = None
        if self._stopping:
            await asyncio.gather(*self._stopping, return_exceptions=True)
        for km in list(self.live):
            await self._stop(km)


def _kill_group(pid: int | None) -> None:
    """SIGKILL a kernel's process group (kernels start in their own session)."""
    if not pid:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        os.kill(pid, signal.SIGKILL)


def warm_code(modules: list[str]) -> str:
    """Silent warm-up cell: import ``modules``, ignoring failures, leaving no names."""
    if not modules:
        return ""
    return (
        "def _salesnb_warm(names):\n"
        "    import importlib\n"
        "    for name in names:\n"
        "        try:\n"
        "            importlib.import_module(name)\n"
        "        except Exception:\n"
        "            pass\n"
        f"_salesnb_warm({modules!r})\n"
        "del _salesnb_warm\n"
    )


# --------------------------------------------------------------------------- exporting


class ReportPreprocessor(Preprocessor):
    """Clean outputs for the director's HTML.

    Keeps only the report language's cells among those tagged ``lang-xx`` (the
    language is ``resources["salesnb"]["lang"]``); drops stderr streams (warnings,
    progress bars), widget views (kept: any other rich mime of the same output; an
    output left with only the widget's text repr is dropped), bare matplotlib reprs
    (``<Figure size ...>``) and the notebook's widget state; turns tracebacks into
    one line ``Name: message``.
    """

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        nb.metadata.pop("widgets", None)
        lang = (resources.get("salesnb") or {}).get("lang")
        if lang:
            nb.cells = [cell for cell in nb.cells if _cell_in_language(cell, lang)]
        for cell in nb.cells:
            if cell.cell_type == "code":
                cleaned = (self._clean(out) for out in cell.get("outputs", []))
                cell.outputs = [out for out in cleaned if out is not None]
        return nb, resources

    @staticmethod
    def _clean(out: Any) -> Any | None:
        kind = out.get("output_type")
        if kind == "stream":
            return None if out.get("name") == "stderr" else out
        if kind == "error":
            line = html.escape(f"{out.get('ename', 'Error')}: {out.get('evalue', '')}")
            return nbformat.v4.new_output(
                "display_data",
                data={"text/html": f'<div class="salesnb-error">{line}</div>'},
            )
        if kind in ("display_data", "execute_result"):
            data = dict(out.get("data", {}))
            was_widget = data.pop(WIDGET_VIEW, None) is not None
            plain_only = set(data) == {"text/plain"}
            if not data or (was_widget and plain_only):
                return None
            if plain_only and _MPL_REPR.match(str(data["text/plain"]).strip()):
                return None
            out["data"] = data
        return out


def _cell_in_language(cell: Any, lang: str) -> bool:
    """Return False for a cell tagged ``lang-xx`` with no tag for ``lang``; True otherwise."""
    tags = [t for t in cell.get("metadata", {}).get("tags", []) if str(t).startswith("lang-")]
    return not tags or f"lang-{lang}" in tags


def build_exporter(templates_dir: str) -> HTMLExporter:
    """One HTML exporter (code hidden, offline template) to reuse for every notebook."""
    c = Config()
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.embed_images = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "remove_cell"}
    c.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output", "remove_output"}
    exporter = HTMLExporter(config=c, template_name=TEMPLATE_NAME, extra_template_basedirs=[templates_dir])
    exporter.register_preprocessor(ReportPreprocessor(), enabled=True)
    return exporter


# ------------------------------------------------------------------------ one notebook


@dataclass(frozen=True)
class Failure:
    """Why a notebook did not run to the end.

    Attributes
    ----------
    name : str
        The error's name (an exception class name, ``Timeout``, ``KernelDied``, ...).
    message : str
        One line, in the report's language where the runner wrote it.
    timed_out : bool
        True when the notebook overran its timeout (the pool retries it once).
    """

    name: str
    message: str
    timed_out: bool = False

    def __str__(self) -> str:
        """Return ``"Name: message"``, the form the index and the pages show."""
        return f"{self.name}: {self.message}"


class KernelResetError(RuntimeError):
    """A kept kernel's namespace reset did not answer ``ok``."""


@dataclass
class _Run:
    """One notebook's run: the notebook, papermill's bookkeeper and what went wrong."""

    nb: NotebookNode
    injected: int
    index: int = -1
    stall: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


async def run_task(task: dict[str, Any], pool: KernelPool, exporter: HTMLExporter, notify: Any) -> dict[str, Any]:
    """Run one notebook in a fresh kernel, save the .ipynb and the HTML; never raise.

    Parameters are injected by papermill's own code and the notebook carries
    papermill's metadata (:mod:`salesnb.report._papermill`).

    Parameters
    ----------
    task : dict
        Built by :mod:`salesnb.report._pack` (notebook, parameters, stamp, labels, ...).
    pool : KernelPool
        Where the kernel comes from (and goes back to).
    exporter : HTMLExporter
        The worker's one exporter (:func:`build_exporter`).
    notify : callable
        Sends a message to the main process (``("started", id, pid)``).

    Returns
    -------
    dict
        ``status`` (``"ok"``, ``"failed"`` or ``"timed_out"``), ``error``, ``ipynb``,
        ``html``, ``stall`` (file names, or None), ``notes`` and ``duration`` (seconds).
    """
    started = time.monotonic()
    output = task.get("output_path") or str(Path(task["out_dir"]) / f"{task['name']}.ipynb")
    try:
        nb, injected_at = _papermill.prepare_notebook(task["notebook"], task["params"], output_path=output)
    except Exception as exc:
        error = f"{type(exc).__name__}: {_first_line(str(exc))}"
        return {"status": "failed", "error": error, "ipynb": None, "html": None, "stall": None, "notes": [],
                "duration": time.monotonic() - started}
    run = _Run(nb, injected_at)
    kernel, reused, error = await _acquire(task, pool, run)
    if kernel is not None:
        notify(("started", task["id"], kernel.pid))
        # The timeout counts from the first cell; waiting for a kernel is not the notebook's time.
        error = await _execute(run, task, kernel, pool, time.monotonic(), reused=reused)
    summary = None if error is None else str(error)
    coalesce_streams(nb)
    _record_run(nb, task, summary)
    status = "ok" if error is None else "timed_out" if error.timed_out else "failed"
    result: dict[str, Any] = {"status": status, "error": summary, "ipynb": None, "html": None, "stall": None,
                              "notes": run.notes}
    if run.stall is not None:
        result["stall"] = _stall.write_report(Path(task["out_dir"]), f"{task['name']}.stall-{task.get('attempt', 1)}",
                                              run.stall)
    _save(nb, task, result)
    _export(nb, task, exporter, result)
    result["duration"] = time.monotonic() - started
    return result


async def _acquire(task: dict[str, Any], pool: KernelPool, run: _Run) -> tuple[Kernel | None, bool, Failure | None]:
    """Return the kernel for ``task``: kept from its previous rep page and reset, or a new one.

    A kept kernel whose reset does not answer ``ok`` is killed and the page gets a
    new kernel (noted in ``run.notes``). Returns ``(kernel, reused, None)``, or
    ``(None, False, failure)`` when no kernel could be started.
    """
    kernel = pool.reuse(task.get("reuse_key"))
    if kernel is not None:
        try:
            await reset_namespace(kernel)
            return kernel, True, None
        except Exception as exc:
            run.notes.append(text("report.reset_failed", lang=task["lang"], error=_first_line(str(exc)) or exc))
            pool.release(kernel)
    try:
        return await pool.take(prefetch_next=bool(task.get("prefetch", True))), False, None
    except asyncio.CancelledError:
        raise
    except BaseException as exc:  # the kernel could not start
        message = text("report.kernel_start", lang=task["lang"], error=exc)
        return None, False, Failure("KernelStartError", message)


def coalesce_streams(nb: NotebookNode) -> None:
    """Merge each cell's consecutive stdout (or stderr) outputs into one, in place.

    How a kernel splits one ``print`` into stream messages depends on timing; merged,
    the same run gives the same outputs and the same page.
    """
    for cell in nb.cells:
        merged: list[Any] = []
        for out in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (out.get("output_type") == "stream" and last is not None and last.get("output_type") == "stream"
                    and last.get("name") == out.get("name")):
                last["text"] = _joined(last.get("text")) + _joined(out.get("text"))
            else:
                merged.append(out)
        if "outputs" in cell:
            cell.outputs = merged


def _joined(text_: Any) -> str:
    return "".join(text_) if isinstance(text_, list) else str(text_ or "")


def _record_run(nb: NotebookNode, task: dict[str, Any], summary: str | None) -> None:
    """Write the run's outcome into the notebook's metadata (papermill's own is already there)."""
    nb.metadata["salesnb"] = {
        "run_id": task["stamp"].get("run_id"),
        "parameters": task["params"],
        "attempt": task.get("attempt", 1),
        "status": "ok" if summary is None else "failed",
        "error": summary,
    }
    if summary is not None:
        nb.metadata.setdefault("papermill", {})["exception"] = True


def _save(nb: NotebookNode, task: dict[str, Any], result: dict[str, Any]) -> None:
    """Save the executed notebook into the pack; a failure to write fails the report."""
    name = f"{task['name']}.ipynb"
    try:
        nbformat.write(nb, Path(task["out_dir"]) / name)
        result["ipynb"] = name
    except Exception as exc:  # pragma: no cover - disk trouble
        result.update(status="failed", error=result["error"] or f"WriteError: {exc}")


def export_resources(task: dict[str, Any], failure: str | None) -> dict[str, Any]:
    """Return the exporter resources of one report page (title, stamp, labels, language)."""
    return {
        "metadata": {"name": task["title"], "path": str(Path(task["notebook"]).parent)},
        "salesnb": {
            "stamp": task["stamp_items"],
            "failure": failure,
            "failed_label": task.get("failed_label") or "This report failed:",
            "toc_label": task.get("toc_label") or "Contents",
            "chart_label": task.get("chart_label") or "Chart",
            "lang": task["lang"],
        },
    }


def _export(nb: NotebookNode, task: dict[str, Any], exporter: HTMLExporter, result: dict[str, Any]) -> None:
    """Write the report page; a failure to export fails the report."""
    name = f"{task['name']}.html"
    try:
        body, _ = exporter.from_notebook_node(nb, resources=export_resources(task, result["error"]))
        (Path(task["out_dir"]) / name).write_text(body, encoding="utf-8")
        result["html"] = name
    except Exception as exc:
        result.update(status="failed", error=result["error"] or f"ExportError: {type(exc).__name__}: {exc}")


#: Run in a kept kernel before its next rep page: the user namespace, widgets and figures
#: go. ipywidgets keeps every widget (and what its callbacks hold: a page's data) in a
#: registry until it is closed, which ``%reset`` does not do: at 4x the sample each
#: rep page's ``explore`` widgets kept its dataset, ~200 MB a page, until the kernel was
#: killed for memory.
RESET_CODE = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import gc as _gc, sys as _sys, matplotlib.pyplot as _plt\n"
    "if 'ipywidgets' in _sys.modules: _sys.modules['ipywidgets'].Widget.close_all()\n"
    "_plt.close('all'); _gc.collect(); del _gc, _sys, _plt\n"
)


async def reset_namespace(kernel: Kernel) -> None:
    """Clear a kept kernel's user namespace and figures; raise unless the kernel answers ``ok``.

    Raises
    ------
    KernelResetError
        When the reply's status is not ``ok`` (the error's name and value in the message).
    """
    reply = await kernel.kc.execute(RESET_CODE, silent=True, store_history=False, reply=True,
                                    timeout=STARTUP_TIMEOUT)
    content = reply.get("content", {})
    if content.get("status") != "ok":
        raise KernelResetError(f"{content.get('ename', content.get('status'))}: {content.get('evalue', '')}")


class _Watchdog:
    """Kill a kernel's process group a little after the notebook's deadline.

    Before killing, the kernel process's state is noted (``state``) for the stall report.
    """

    def __init__(self, kernel: Kernel, deadline: float) -> None:
        self.kernel = kernel
        self.killed = False
        self.state: dict[str, Any] | None = None
        delay = max(0.0, deadline - time.monotonic()) + KILL_GRACE
        self.handle = asyncio.get_running_loop().call_later(delay, self._kill)

    def _kill(self) -> None:
        self.state = _stall.process_state(self.kernel.pid)
        self.killed = True
        _kill_group(self.kernel.pid)

    def cancel(self) -> None:
        """Stand down (the notebook ended in time, or failed otherwise)."""
        self.handle.cancel()


async def execute_cells(client: NotebookClient, nb: NotebookNode, nb_man: Any, run: _Run | None = None) -> None:
    """Execute every cell with papermill's per-cell bookkeeping (times, status, exception flags).

    Stops at, and raises, the first cell's error; ``run.index`` tells which cell.
    The caller calls ``nb_man.notebook_start()`` and ``notebook_complete()``
    (papermill's ``Engine.execute_notebook`` does, for the papermill engine).
    """
    for index, cell in enumerate(nb.cells):
        if run is not None:
            run.index = index
        nb_man.cell_start(cell, index)
        try:
            await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except BaseException:
            nb_man.cell_exception(cell, cell_index=index)
            raise
        finally:
            nb_man.cell_complete(cell, cell_index=index)
    client.set_widgets_metadata()


async def _execute(run: _Run, task: dict[str, Any], kernel: Kernel, pool: KernelPool, started: float,
                   *, reused: bool = False) -> Failure | None:
    """Execute every cell; return None on success, else the :class:`Failure`.

    A kernel kept from the previous rep page of the same notebook (``reused``) has
    had its namespace reset already (:func:`reset_namespace`); after a successful rep
    page the kernel is kept for the next one, after anything else it is killed.
    """
    deadline = started + float(task["timeout"])
    client = _client(run.nb, task, kernel, deadline)
    channels = _stall.ChannelLog(kernel.kc)
    watchdog = _Watchdog(kernel, deadline)
    ok = False
    try:
        await _chdir(kernel, str(Path(task["notebook"]).parent))
        nb_man = _papermill.execution_manager(run.nb)
        nb_man.notebook_start()
        try:
            await execute_cells(client, run.nb, nb_man, run)
        finally:
            nb_man.notebook_complete()
        ok = True
        return None
    except Exception as exc:
        where = _where(run.index, run.injected, task["lang"])
        failure = await _failure(exc, task, kernel, where=where, killed=watchdog.killed)
        if failure.timed_out:
            run.stall = await _stall_record(kernel, channels, watchdog, task, where)
        return failure
    finally:
        watchdog.cancel()
        key = task.get("reuse_key")
        if ok and key and not watchdog.killed:
            pool.keep(key, kernel)
        else:
            pool.release(kernel)


async def _stall_record(kernel: Kernel, channels: _stall.ChannelLog, watchdog: _Watchdog, task: dict[str, Any],
                        where: str) -> dict[str, Any]:
    """Return what a timed-out kernel last said and its state (taken before any kill)."""
    alive = False
    with contextlib.suppress(Exception):
        alive = bool(await asyncio.wait_for(kernel.km.is_alive(), 2))
    return {
        "report": task["name"],
        "attempt": task.get("attempt", 1),
        "timeout_s": float(task["timeout"]),
        "where": where,
        "killed_by_watchdog": watchdog.killed,
        "kernel_alive_after": alive,
        "process": watchdog.state or _stall.process_state(kernel.pid),
        "channels": channels.snapshot(),
        "kernel_log_tail": _stall.log_tail(kernel.log),
    }


def _client(nb: NotebookNode, task: dict[str, Any], kernel: Kernel, deadline: float) -> NotebookClient:
    """Return a notebook client on ``kernel`` whose cell timeouts add up to the deadline."""
    client = NotebookClient(
        nb,
        km=kernel.km,
        kernel_name=KERNEL_NAME,
        timeout_func=lambda cell: max(1, math.ceil(deadline - time.monotonic())),
        resources={"metadata": {"path": str(Path(task["notebook"]).parent)}},
        record_timing=False,
    )
    client.kc = kernel.kc
    if kernel.language_info:
        nb.metadata["language_info"] = kernel.language_info
    return client


async def _chdir(kernel: Kernel, nb_dir: str) -> None:
    """Move the kernel to the notebook's folder."""
    if nb_dir != kernel.cwd:
        await kernel.kc.execute(
            f"import os as _o; _o.chdir({nb_dir!r}); del _o",
            silent=True,
            store_history=False,
            reply=True,
            timeout=STARTUP_TIMEOUT,
        )


async def _failure(exc: Exception, task: dict[str, Any], kernel: Kernel, *, where: str, killed: bool) -> Failure:
    """Return the :class:`Failure` an exception of the execution stands for."""
    lang = task["lang"]
    seconds = f"{float(task['timeout']):g}"
    if isinstance(exc, CellExecutionError):
        return Failure(exc.ename or "Error", _first_line(exc.evalue) or text("report.no_message", lang=lang))
    if isinstance(exc, CellTimeoutError):
        message = text("report.timeout_stopped", lang=lang, seconds=seconds, where=where)
        return Failure("Timeout", message, timed_out=True)
    if isinstance(exc, DeadKernelError) and killed:
        message = text("report.timeout_killed", lang=lang, seconds=seconds, where=where)
        return Failure("Timeout", message, timed_out=True)
    if isinstance(exc, DeadKernelError):
        code = await kernel.km.provisioner.poll()  # type: ignore[union-attr]
        exit_text = text("report.exit_code", lang=lang, code=code) if code not in (None, 0) else ""
        last = _last_line(kernel.log)
        detail = f" ({last})" if last else ""
        return Failure("KernelDied", text("report.kernel_died", lang=lang, exit=exit_text, where=where, detail=detail))
    return Failure(type(exc).__name__, _first_line(str(exc)) or text("report.no_message", lang=lang))


def _where(index: int, injected: int, lang: str) -> str:
    """Return where a run stopped, by cell number in the notebook as committed (the injected cell not counted)."""
    if index < 0:
        return text("report.where_start", lang=lang)
    if index == injected:
        return text("report.where_injected", lang=lang)
    number = index + 1 - (1 if 0 <= injected < index else 0)
    return text("report.where_cell", lang=lang, number=number)


def _last_line(path: str) -> str:
    """Last line a dead kernel wrote to its log (a fatal error, usually), or ''."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 4096))
            lines = fh.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    lines = [ln.strip() for ln in lines if ln.strip() and "WARNING" not in ln]
    return lines[-1][:300] if lines else ""


def _first_line(text: str | None) -> str:
    text = (text or "").strip()
    return text.splitlines()[0][:500] if text else ""


# ------------------------------------------------------------------------------ serving


def serve(conn: Connection, settings: dict[str, Any]) -> None:
    """Worker main loop: answer ``("run", task)`` messages until ``("stop",)``."""
    asyncio.run(_serve(conn, settings))


async def _serve(conn: Connection, settings: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None
    loop.add_signal_handler(signal.SIGTERM, main.cancel)
    inbox = _inbox(conn, loop)

    def notify(message: tuple[Any, ...]) -> None:
        with contextlib.suppress(OSError, ValueError):
            conn.send(message)

    pool = KernelPool(
        cwd=settings["cwd"],
        scratch=settings["scratch"],
        warm_code=warm_code(settings["warm_imports"]),
        notify=notify,
        zygote=settings.get("zygote"),
    )
    pool.prefetch()  # the first kernel starts while the exporter loads
    exporter = build_exporter(settings["templates_dir"])
    notify(("ready", os.getpid()))
    try:
        while (message := await inbox.get())[0] == "run":
            task = message[1]
            notify(("done", task["id"], await _run_safely(task, pool, exporter, notify)))
    except asyncio.CancelledError:
        pass
    finally:
        await pool.close()


def _inbox(conn: Connection, loop: asyncio.AbstractEventLoop) -> asyncio.Queue[Any]:
    """Return a queue of the messages arriving on ``conn`` (``("stop",)`` when it closes)."""
    inbox: asyncio.Queue[Any] = asyncio.Queue()

    def on_readable() -> None:
        try:
            while conn.poll():
                inbox.put_nowait(conn.recv())
        except (EOFError, OSError):
            loop.remove_reader(conn.fileno())
            inbox.put_nowait(("stop",))

    loop.add_reader(conn.fileno(), on_readable)
    return inbox


async def _run_safely(task: dict[str, Any], pool: KernelPool, exporter: HTMLExporter, notify: Any) -> dict[str, Any]:
    """Run one task; an unexpected error fails the task, not the worker."""
    try:
        return await run_task(task, pool, exporter, notify)
    except Exception as exc:  # pragma: no cover - last resort, keep serving
        return {
            "status": "failed",
            "error": f"{type(exc).__name__}: {exc}",
            "ipynb": None,
            "html": None,
            "duration": 0.0,
        }
