"""Plan, run and publish one report pack (the main-process side)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from salesnb import __version__, config
from salesnb import params as P
from salesnb.catalog import text
from salesnb.data.sql import safe_source
from salesnb.errors import ParameterError
from salesnb.report import _html, _pool
from salesnb.report._notebooks import preload
from salesnb.report._plan import GENERAL_PARAMS, PackPlan, Report, period_end_option, plan_pack
from salesnb.report._prepare import pinned_database, prepare_data
from salesnb.report._publish import NotebookResult, PackResult, data_hash, params_text, publish, reserve_run_dir

__all__ = ["GENERAL_PARAMS", "NotebookResult", "PackResult", "run_pack"]


def run_pack(
    notebooks: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None = None,
    *,
    data: str | os.PathLike[str] = "sample",
    out: str | os.PathLike[str] | None = None,
    period_end: str | dt.date | None = None,
    lang: str = "en",
    per_rep: bool | Sequence[str] = False,
    params: Mapping[str, Any] | None = None,
    jobs: int = 2,
    timeout: float | None = None,
    progress: bool = True,
    period: str | dt.date | None = None,
    scheduler: str | None = None,
) -> PackResult:
    """Run notebooks into an HTML report pack ``<out>/<run-id>/``.

    Four steps. *Plan*: every option and parameter is checked and every report
    listed before any kernel starts. *Check the data once*: a child process reads,
    types and checks the dataset and fills the load cache every report reads
    (:mod:`salesnb.report._prepare`), under no report's timeout. *Run*: notebooks run on ``jobs`` worker
    processes; each is saved as an executed ``.ipynb`` and exported to HTML with
    code hidden, a run stamp in the footer and nothing fetched from the network.
    *Publish*: ``index.html`` links them with a status line each; ``pack.json`` holds
    the same for machines. The pack is written under ``<out>/.<run-id>.partial/`` and
    renamed into place only when complete; then ``<out>/latest.html`` is pointed at it.

    With ``scheduler``, step *Run* sends each report as a task to a Dask cluster
    (:mod:`salesnb.report._cluster`) and the pack is assembled here, with the same
    index, stamp, progress, timeouts, retry, failure isolation, atomic directory and
    result as a local run; the pages are the same apart from timings and stamps.

    Isolation guarantee: every report that is not a rep page runs in its own new
    kernel process that no other report ever used and that is killed right after. To save time that kernel
    is started ahead of need and, before the notebook starts, has only imported
    modules: on Linux it is forked from a per-pack "zygote" process that imported the
    pack's notebooks' modules and the heavy libraries salesnb uses (scikit-learn,
    statsforecast, ...) and ran no other code (see ``salesnb.report._zygote``);
    elsewhere it is a new interpreter that silently imported the modules every
    notebook of the pack imports. Either way it holds no user variables and has run
    no notebook code. The one exception is a notebook with rep pages: a worker runs
    its team page and rep pages one after another in one kernel, whose user
    namespace is reset (``%reset -f``, its reply checked: a kernel that does not
    answer ``ok`` is killed and the page gets a new one) and figures closed between
    pages. Imported modules, and the team-wide figures a module memoises by data hash
    and parameters (see ``salesnb.review.page``), persist between those pages; what
    a page shows does not depend on the pages before it in the kernel (table ids
    come from the table's content; ``tests/test_report.py`` compares every rep page
    with the same page run alone in a fresh kernel, in both orders). A page that
    fails ends its kernel.

    Parameters
    ----------
    notebooks : list of path, optional
        Notebooks to run, as paths or names in ``config.notebooks_dir()`` (the
        ``.ipynb`` suffix may be left out). Default: every ``*.ipynb`` there, sorted.
    data : str or path, default "sample"
        Dataset folder or workbook; ``"sample"`` is the bundled sample company.
        Injected as ``data`` (an absolute path) where a notebook declares it.
    out : path, optional
        Folder for packs. Default ``config.reports_dir()``.
    period_end : str or date, optional
        The last day of the period, ``YYYY-MM`` (the month's last day) or
        ``YYYY-MM-DD``; injected as ``period_end`` (and as ``as_of``, the day a lead
        list is drawn up) where declared. A note on stderr names the notebooks that
        declare neither, so the period end does not reach them.
    lang : {"en", "es"}
        Report language, injected as ``lang`` where declared; also the language of
        the runner's own messages (errors, progress, the pack's pages).
    per_rep : bool or list of str
        For notebooks declaring ``rep_id``: one team page (``rep_id=None``) plus one
        page per active rep (no ``leave_date``, or one after the period end; hired by
        then), named ``<notebook>__<rep>.html``. A list of rep ids limits the rep
        pages to those reps (each must be active).
    params : mapping, optional
        Other parameters, injected into the notebooks that declare them. A name that
        no selected notebook declares is an error. Values must be plain (str, int,
        float, bool, None, list, dict) and match the declared type.
    jobs : int, default 2
        Worker processes (notebooks running at once).
    timeout : float, optional
        Seconds one notebook may run (default ``config.DEFAULT_TIMEOUT``); it is then
        stopped and marked failed.
    progress : bool, default True
        Print a line per report as it starts and ends (to stderr).
    period : str or date, optional
        Deprecated name of ``period_end`` (a :class:`DeprecationWarning`).
    scheduler : str, optional
        Run the reports on a Dask cluster: a scheduler address (``tcp://host:8786``;
        the notebooks and the data must be at the same paths on every worker), or
        ``local:N`` for a local cluster of N worker processes. ``jobs`` is then unused.

    Returns
    -------
    PackResult
        ``ok`` is False when any report failed; failed reports are still in the pack.

    Raises
    ------
    ParameterError
        For bad options or parameters (before anything runs).
    DataSourceError
        When the dataset does not exist, or ``per_rep`` finds no ``reps`` table.
    ReportError
        When a notebook cannot be found or two share a name.
    """
    began = time.monotonic()
    started_at = dt.datetime.now().astimezone()
    plan = plan_pack(
        notebooks, data=data, out=out, period_end=period_end_option(period_end, period, lang=lang),
        lang=lang, per_rep=per_rep, params=params, jobs=jobs, timeout=timeout, scheduler=scheduler,
    )
    _say(plan.period_end_note())
    run_id, partial = reserve_run_dir(plan.out_dir, started_at, lang=plan.lang)
    printer = _Progress(len(plan.reports), enabled=progress, lang=plan.lang)
    # a database is read once, before the stamp that hashes it: its reports all read that snapshot
    with _sigterm_exits(), _removed_on_error(partial), pinned_database(plan.data_path,
                                                                       scheduler=plan.scheduler) as pinned:
        stamp = _stamp(plan, run_id=run_id, started_at=started_at)
        tasks = _build_tasks(plan.reports, stamp=stamp, out_dir=partial, timeout=plan.timeout, lang=plan.lang)
        outcomes = _run(plan, tasks, printer=printer, run_id=run_id, pinned=pinned)
        results = publish(tasks, outcomes, stamp=stamp, partial=partial, final=plan.out_dir / run_id, lang=plan.lang)
    _html.write_atomic(plan.out_dir / "latest.html", _html.latest_page(run_id, lang=plan.lang))
    printer.end(results, seconds=time.monotonic() - began)
    final = plan.out_dir / run_id
    return PackResult(all(r.ok for r in results), final, final / "index.html", results, run_id)


@contextlib.contextmanager
def _removed_on_error(partial: Path) -> Iterator[None]:
    """Remove the partial pack when anything (Ctrl-C included) stops the run."""
    try:
        yield
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


# ---------------------------------------------------------------------- step 2: run


def _stamp(plan: PackPlan, *, run_id: str, started_at: dt.datetime) -> dict[str, Any]:
    """Return the pack's run stamp (the dataset is hashed here)."""
    return {
        "run_id": run_id,
        "data": safe_source(plan.data_path),
        "data_hash": data_hash(plan.data_path),
        "version": __version__,
        "started": started_at.isoformat(timespec="seconds"),
        "parameters": {**plan.general, **plan.user},
    }


def _run(plan: PackPlan, tasks: list[dict[str, Any]], *, printer: _Progress, run_id: str,
         pinned: float | None = None) -> dict[int, dict[str, Any]]:
    """Run the tasks on the worker pool; return their outcomes by task id.

    ``pinned`` is the seconds :func:`pinned_database` took to check the pack's database (None: not one).
    """
    nbs = plan.notebooks
    settings = {
        "cwd": str(nbs[0].path.parent),
        "warm_imports": sorted(set.intersection(*(nb.imports for nb in nbs))),
        "preload": preload(nbs),
        "templates_dir": str(config.templates_dir()),
    }

    def check() -> None:  # the data checked once while the kernels' imports (and the cluster) warm up
        printer.data_checked(prepare_data(plan.data_path, scheduler=plan.scheduler) if pinned is None else pinned)

    if plan.scheduler is not None:
        from salesnb.report import _cluster

        printer.begin(jobs=0, run_id=run_id, scheduler=plan.scheduler)
        return _cluster.run_tasks(tasks, scheduler=plan.scheduler, settings=settings, on_start=printer.start,
                                  on_done=printer.done, before=check)
    printer.begin(jobs=min(plan.jobs, len(tasks)), run_id=run_id)
    return _pool.run_tasks(tasks, jobs=plan.jobs, settings=settings, on_start=printer.start, on_done=printer.done,
                           before=check)


@contextlib.contextmanager
def _sigterm_exits() -> Iterator[None]:
    """While a pack runs, SIGTERM (cron, CI timeouts) cleans up like Ctrl-C does.

    The handler raises ``SystemExit(143)`` so workers, kernels and the partial pack
    are removed on the way out. Only possible in the main thread; elsewhere a no-op.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _exit(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# ------------------------------------------------------------------------------ tasks


def _report_lang(values: Mapping[str, Any], declared: Mapping[str, P.Declared], *, fallback: str) -> str:
    """Return the language a report is written in: injected ``lang``, else its default."""
    raw = values.get("lang", declared["lang"].default if "lang" in declared else fallback)
    try:
        return P.check_lang("lang", raw)
    except ParameterError:
        return fallback


def _build_tasks(
    reports: list[Report],
    *,
    stamp: dict[str, Any],
    out_dir: Path,
    timeout: float,
    lang: str,
) -> list[dict[str, Any]]:
    """Return the tasks sent to the workers (plain dicts), one per report."""
    with_rep_pages = {str(r.nb.path) for r in reports if r.rep_id is not None}
    return [
        _task(i, report, stamp=stamp, out_dir=out_dir, timeout=timeout, lang=lang, with_rep_pages=with_rep_pages)
        for i, report in enumerate(reports)
    ]


def _task(
    i: int, report: Report, *, stamp: dict[str, Any], out_dir: Path, timeout: float, lang: str,
    with_rep_pages: set[str],
) -> dict[str, Any]:
    """Return the task of one report: what to run, where to write, the stamp and the page words."""
    nb = report.nb
    task_lang = _report_lang(report.params, nb.declared, fallback=lang)
    base = nb.title(task_lang)
    title = base if report.rep_id is None else f"{base} · {report.rep_id}"
    words = _html.labels(task_lang)
    return {
        "id": i,
        "name": report.name,
        "title": title,
        "title_base": base,
        "lang": task_lang,
        "notebook": str(nb.path),
        "params": report.params,
        "rep_id": report.rep_id,
        "per_rep": report.per_rep,
        # the team and rep pages of one notebook may share a kernel, its namespace
        # reset between pages
        "reuse_key": str(nb.path) if str(nb.path) in with_rep_pages else None,
        "timeout": timeout,
        "out_dir": str(out_dir),
        "stamp": stamp,
        "stamp_items": _report_stamp(stamp, title=title, params=report.params, words=words),
        "failed_label": words["failed_banner"],
        "toc_label": words["toc"],
        "chart_label": words["chart"],
    }


def _report_stamp(
    stamp: dict[str, Any], *, title: str, params: Mapping[str, Any], words: Mapping[str, str],
) -> list[tuple[str, str]]:
    """Return the stamp in a report's footer, labelled in the report's language."""
    return [
        (words["s_run"], stamp["run_id"]),
        (words["s_report"], title),
        (words["s_params"], params_text(params)),
        (words["s_data"], stamp["data"]),
        (words["s_hash"], stamp["data_hash"]),
        (words["s_version"], stamp["version"]),
        (words["s_started"], stamp["started"]),
    ]


def _say(line: str | None) -> None:
    """Write one line to stderr (nothing for None; a closed stderr is no error)."""
    if line is None:
        return
    with contextlib.suppress(Exception):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


class _Progress:
    """One line per report start/end on stderr, in the pack's language."""

    def __init__(self, total: int, *, enabled: bool, lang: str | None = None) -> None:
        self.total, self.enabled, self.finished, self.lang = total, enabled, 0, lang
        self.width = len(str(total))
        self.words = {key: text(f"report.progress_{key}", lang=lang) for key in ("start", "ok", "failed")}
        self.column = max(len(word) for word in self.words.values())

    def _say(self, line: str) -> None:
        if self.enabled:
            _say(line)

    def _word(self, key: str) -> str:
        return self.words[key].ljust(self.column)

    def begin(self, *, jobs: int, run_id: str, scheduler: str | None = None) -> None:
        """Announce the run (on ``jobs`` local workers, or on the Dask cluster ``scheduler``)."""
        if scheduler is not None:
            self._say(text("report.progress_begin_cluster", lang=self.lang, run_id=run_id, total=self.total,
                           scheduler=scheduler))
            return
        key = "report.progress_begin_one" if self.total == 1 else "report.progress_begin"
        self._say(text(key, lang=self.lang, run_id=run_id, total=self.total, jobs=jobs))

    def data_checked(self, seconds: float | None) -> None:
        """Say that the data was checked once for every report (nothing when it was left to them)."""
        if seconds is not None:
            self._say(text("report.progress_data", lang=self.lang, seconds=f"{seconds:.1f}"))

    def start(self, task: dict[str, Any]) -> None:
        """Say that a report started."""
        self._say(f"{'':>{2 * self.width + 3}} {self._word('start')}  {task['name']}")

    def done(self, task: dict[str, Any], result: dict[str, Any]) -> None:
        """Say how a report ended (with its error when it failed)."""
        self.finished += 1
        ok = result.get("status") == "ok"
        line = (
            f"[{self.finished:>{self.width}}/{self.total}] {self._word('ok' if ok else 'failed')}  {task['name']} "
            f"({float(result.get('duration') or 0):.1f} s)"
        )
        if not ok:
            line += f": {result.get('error')}"
        self._say(line)

    def end(self, results: list[NotebookResult], *, seconds: float) -> None:
        """Sum the run up."""
        failed = sum(1 for r in results if not r.ok)
        self._say(text("report.progress_end", lang=self.lang, ok=len(results) - failed, failed=failed,
                       seconds=f"{seconds:.1f}"))
