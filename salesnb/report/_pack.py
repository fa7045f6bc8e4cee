"""Plan, run and publish one report pack (main-process side; standard library only)."""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesnb import __version__, config
from salesnb import params as P
from salesnb.catalog import text
from salesnb.errors import DataSourceError, ParameterError, ReportError
from salesnb.report import _html, _pool, _zygote

#: Parameters the runner itself passes to every notebook that declares them.
#: ``as_of`` takes the period end too (the lead list is drawn up on that day).
GENERAL_PARAMS = ("data", "lang", "period_end", "as_of")


@dataclass(frozen=True)
class NotebookResult:
    """The outcome of one report (one notebook, or one notebook for one rep).

    Attributes
    ----------
    name : str
        File stem inside the pack (``"04_periodic_review__R07"``).
    notebook : Path
        The source notebook.
    params : dict
        The parameters injected into it.
    status : {"ok", "failed"}
        Judged from the execution itself (errors, kernel death, timeout).
    duration : float
        Seconds from start of execution to the HTML written.
    error : str or None
        ``"Name: message"`` for a failed report.
    html_path : Path
        The report page (a stand-in page when the notebook produced none).
    ipynb_path : Path or None
        The executed (possibly partial) notebook, when it was saved.
    rep_id : object
        The rep of a per-rep page, else None.
    """

    name: str
    notebook: Path
    params: dict[str, Any]
    status: str
    duration: float
    error: str | None
    html_path: Path
    ipynb_path: Path | None = None
    rep_id: Any = None

    @property
    def ok(self) -> bool:
        """Whether this report ran to the end."""
        return self.status == "ok"


@dataclass(frozen=True)
class PackResult:
    """The outcome of :func:`run_pack`.

    Attributes
    ----------
    ok : bool
        True when every report succeeded.
    run_dir : Path
        ``<out>/<run-id>/``, complete (it only appears once the pack is whole).
    index_path : Path
        ``<run_dir>/index.html``.
    results : list of NotebookResult
        One per report, in notebook order (team page before rep pages).
    run_id : str
        The pack's name.
    """

    ok: bool
    run_dir: Path
    index_path: Path
    results: list[NotebookResult] = field(default_factory=list)
    run_id: str = ""


@dataclass
class _Notebook:
    path: Path
    name: str
    titles: dict[str | None, str]
    declared: dict[str, P.Declared]
    imports: set[str]

    def title(self, lang: str) -> str:
        """Title in ``lang`` (first heading of a cell tagged ``lang-xx`` or untagged)."""
        return self.titles.get(lang) or self.titles.get(None) or self.name


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
) -> PackResult:
    """Run notebooks into an HTML report pack ``<out>/<run-id>/``.

    Three steps. *Plan*: every option and parameter is checked and every report
    listed before any kernel starts. *Run*: notebooks run on ``jobs`` worker
    processes; each is saved as an executed ``.ipynb`` and exported to HTML with
    code hidden, a run stamp in the footer and nothing fetched from the network.
    *Publish*: ``index.html`` links them with a status line each; ``pack.json`` holds
    the same for machines. The pack is written under ``<out>/.<run-id>.partial/`` and
    renamed into place only when complete; then ``<out>/latest.html`` is pointed at it.

    Isolation guarantee: every notebook runs in its own new kernel process that no
    other notebook ever used and that is killed right after. To save time that kernel
    is started ahead of need and, before the notebook starts, has only imported
    modules: on Linux it is forked from a per-pack "zygote" process that imported the
    pack's notebooks' modules and the heavy libraries salesnb uses (scikit-learn,
    statsforecast, ...) and ran no other code (see ``salesnb.report._zygote``);
    elsewhere it is a new interpreter that silently imported the modules every
    notebook of the pack imports. Either way it holds no user variables and has run
    no notebook code. The one exception is a notebook with rep pages: a worker runs
    its team page and rep pages one after another in one kernel, whose user
    namespace is reset (``%reset -f``) and figures closed between pages. Imported
    modules, and the team-wide figures a module memoises by data hash and parameters
    (see ``salesnb.review.views``), persist between those pages; a page that fails
    ends its kernel.

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
    plan = _plan_pack(
        notebooks, data=data, out=out, period_end=_period_end_option(period_end, period, lang=lang),
        lang=lang, per_rep=per_rep, params=params, jobs=jobs, timeout=timeout,
    )
    _say(plan.period_end_note())
    run_id, partial = _reserve_run_dir(plan.out_dir, started_at, lang=plan.lang)
    printer = _Progress(len(plan.reports), enabled=progress, lang=plan.lang)
    with _sigterm_exits(), _removed_on_error(partial):
        stamp = _stamp(plan, run_id=run_id, started_at=started_at)
        tasks = _build_tasks(plan.reports, stamp=stamp, out_dir=partial, timeout=plan.timeout, lang=plan.lang)
        outcomes = _run(plan, tasks, printer=printer, run_id=run_id)
        results = _publish(tasks, outcomes, stamp=stamp, partial=partial, final=plan.out_dir / run_id, lang=plan.lang)
    _html.write_atomic(plan.out_dir / "latest.html", _html.latest_page(run_id))
    printer.end(results, seconds=time.monotonic() - began)
    final = plan.out_dir / run_id
    return PackResult(all(r.ok for r in results), final, final / "index.html", results, run_id)


# ------------------------------------------------------------------------- step 1: plan


@dataclass(frozen=True)
class _Report:
    """One report to run: a notebook, or a notebook for one rep."""

    nb: _Notebook
    name: str
    params: dict[str, Any]
    rep_id: Any
    per_rep: bool


@dataclass(frozen=True)
class _PackPlan:
    """Everything checked and listed before any kernel starts (see :func:`_plan_pack`).

    Attributes
    ----------
    notebooks : list
        The selected notebooks, read.
    reports : list
        One entry per report, in pack order (team page before rep pages).
    data_path : Path
        The dataset, resolved.
    general : dict
        What the runner injects where declared (``data``, ``lang``, ``period_end``, ``as_of``).
    user : dict
        The caller's own parameters.
    lang : str
        The pack's language.
    jobs : int
        Worker processes.
    timeout : float
        Seconds per notebook.
    out_dir : Path
        Folder for packs.
    """

    notebooks: list[_Notebook]
    reports: list[_Report]
    data_path: Path
    general: dict[str, Any]
    user: dict[str, Any]
    lang: str
    jobs: int
    timeout: float
    out_dir: Path

    def period_end_note(self) -> str | None:
        """Return the note naming the notebooks a given period end does not reach, if any."""
        end = self.general.get("period_end")
        deaf = [nb.path.name for nb in self.notebooks if "period_end" not in nb.declared and "as_of" not in nb.declared]
        if end is None or not deaf:
            return None
        return text("report.period_end_unused", lang=self.lang, period_end=end, notebooks=", ".join(deaf))


def _plan_pack(
    notebooks: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None = None,
    *,
    data: str | os.PathLike[str] = "sample",
    out: str | os.PathLike[str] | None = None,
    period_end: tuple[str, object] | None = None,
    lang: str = "en",
    per_rep: bool | Sequence[str] = False,
    params: Mapping[str, Any] | None = None,
    jobs: int = 2,
    timeout: float | None = None,
) -> _PackPlan:
    """Check every option and parameter of a pack and list its reports; run nothing.

    Parameters
    ----------
    notebooks, data, out, lang, per_rep, params, jobs, timeout
        As for :func:`run_pack`.
    period_end : (str, value), optional
        The period end with the name it was given under (``"period_end"``, or the
        deprecated ``"period"``), for the error message.

    Returns
    -------
    _PackPlan
    """
    lang = P.check_lang("lang", lang)
    jobs = _check_jobs(jobs, lang=lang)
    limit = _check_timeout(timeout, lang=lang)
    end = None if period_end is None else P.check_date(*period_end)
    user = _check_user_values(params)
    nbs = [_load_notebook(path, lang=lang) for path in _resolve_notebooks(notebooks, lang=lang)]
    _check_unique_names(nbs, lang=lang)
    _check_user_names(user, nbs, lang=lang)
    data_path = _dataset(data, lang=lang)
    general: dict[str, Any] = {"data": str(data_path), "lang": lang}
    if end is not None:
        general["period_end"] = end
        general["as_of"] = end
    reports = _plan(nbs, general=general, user=user, per_rep=per_rep, data_path=data_path, lang=lang)
    out_dir = Path(out).expanduser().resolve() if out is not None else config.reports_dir()
    return _PackPlan(nbs, reports, data_path, general, user, lang, jobs, limit, out_dir)


def _period_end_option(
    period_end: str | dt.date | None, period: str | dt.date | None, *, lang: str,
) -> tuple[str, object] | None:
    """Return the period end with the name it came under; warn about the old name."""
    if period is None:
        return None if period_end is None else ("period_end", period_end)
    if period_end is not None:
        raise ParameterError.from_catalog(
            "report.error_period_twice", lang=_lang_or_none(lang), period=repr(period), period_end=repr(period_end)
        )
    note = text("report.period_deprecated", lang=_lang_or_none(lang), value=repr(period))
    warnings.warn(note, DeprecationWarning, stacklevel=3)
    return ("period", period)


def _lang_or_none(lang: object) -> str | None:
    """Return ``lang`` when it is a report language (before it is checked), else None."""
    return lang if lang in config.LANGUAGES else None


def _check_jobs(jobs: object, *, lang: str) -> int:
    if type(jobs) is not int or jobs < 1:
        raise ParameterError.from_catalog("report.error_jobs", lang=lang, value=repr(jobs))
    return jobs


def _check_timeout(timeout: float | None, *, lang: str) -> float:
    limit = float(config.DEFAULT_TIMEOUT if timeout is None else timeout)
    if not limit > 0:
        raise ParameterError.from_catalog("report.error_timeout", lang=lang, value=repr(timeout))
    return limit


def _check_user_values(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the caller's parameters after checking their names and that values are plain."""
    user = dict(params or {})
    for name, value in user.items():
        P.check_name(name)
        P.check_plain(value, name=name)
    return user


def _dataset(data: str | os.PathLike[str], *, lang: str) -> Path:
    data_path = config.resolve_data_path(data)
    if not data_path.exists():
        raise DataSourceError.from_catalog(
            "report.error_data_missing", lang=lang, path=data_path, value=repr(str(data))
        )
    return data_path


@contextlib.contextmanager
def _removed_on_error(partial: Path) -> Iterator[None]:
    """Remove the partial pack when anything (Ctrl-C included) stops the run."""
    try:
        yield
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


# -------------------------------------------------------------------------- step 2: run


def _stamp(plan: _PackPlan, *, run_id: str, started_at: dt.datetime) -> dict[str, Any]:
    """Return the pack's run stamp (the dataset is hashed here)."""
    return {
        "run_id": run_id,
        "data": str(plan.data_path),
        "data_hash": _data_hash(plan.data_path),
        "version": __version__,
        "started": started_at.isoformat(timespec="seconds"),
        "parameters": {**plan.general, **plan.user},
    }


def _run(plan: _PackPlan, tasks: list[dict[str, Any]], *, printer: _Progress, run_id: str) -> dict[int, dict[str, Any]]:
    """Run the tasks on the worker pool; return their outcomes by task id."""
    nbs = plan.notebooks
    settings = {
        "cwd": str(nbs[0].path.parent),
        "warm_imports": sorted(set.intersection(*(nb.imports for nb in nbs))),
        "preload": _preload(nbs),
        "templates_dir": str(config.templates_dir()),
    }
    printer.begin(jobs=min(plan.jobs, len(tasks)), run_id=run_id)
    return _pool.run_tasks(tasks, jobs=plan.jobs, settings=settings, on_start=printer.start, on_done=printer.done)


# ---------------------------------------------------------------------- step 3: publish


def _publish(
    tasks: list[dict[str, Any]],
    outcomes: Mapping[int, dict[str, Any]],
    *,
    stamp: dict[str, Any],
    partial: Path,
    final: Path,
    lang: str,
) -> list[NotebookResult]:
    """Complete the partial pack (stand-in pages, index, manifest) and move it into place."""
    results = _assemble(tasks, outcomes, partial=partial, final=final)
    _write_index(partial, tasks, results, stamp=stamp, lang=lang)
    os.rename(partial, final)
    return results


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


# ------------------------------------------------------------------------------ planning


def _resolve_notebooks(
    notebooks: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None,
    *,
    lang: str | None = None,
) -> list[Path]:
    if notebooks is None:
        folder = config.notebooks_dir()
        found = sorted(folder.glob("*.ipynb"))
        if not found:
            raise ReportError.from_catalog("report.error_no_notebooks_in", lang=lang, folder=folder)
        return [p.resolve() for p in found]
    if isinstance(notebooks, str | os.PathLike):
        notebooks = [notebooks]
    paths = [_find_notebook(item, lang=lang) for item in notebooks]
    if not paths:
        raise ReportError.from_catalog("report.error_no_notebooks", lang=lang)
    return paths


def _find_notebook(item: str | os.PathLike[str], *, lang: str | None) -> Path:
    """Return the notebook a path or a name in ``config.notebooks_dir()`` stands for."""
    raw = Path(item).expanduser()
    candidates = [raw, raw.with_name(raw.name + ".ipynb")]
    if not raw.is_absolute():
        base = config.notebooks_dir()
        candidates += [base / raw, base / (raw.name + ".ipynb")]
    hit = next((c for c in candidates if c.suffix == ".ipynb" and c.is_file()), None)
    if hit is None:
        raise ReportError.from_catalog(
            "report.error_notebook_not_found", lang=lang, name=repr(os.fspath(item)), folder=config.notebooks_dir()
        )
    return hit.resolve()


def _load_notebook(path: Path, *, lang: str | None = None) -> _Notebook:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError.from_catalog("report.error_notebook_unreadable", lang=lang, path=path, error=exc) from exc
    return _Notebook(
        path=path,
        name=path.stem,
        titles=_titles(nb),
        declared=P.read_parameters(nb) if P.parameters_source(nb) is not None else {},
        imports=_imports(nb),
    )


def _titles(nb: Mapping[str, Any]) -> dict[str | None, str]:
    """First Markdown heading per language tag (``None``: cells without one)."""
    titles: dict[str | None, str] = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        tags = [t for t in cell.get("metadata", {}).get("tags", []) if str(t).startswith("lang-")]
        keys: list[str | None] = [t[5:] for t in tags] or [None]
        src = cell.get("source", "")
        for line in ("".join(src) if isinstance(src, list) else src).splitlines():
            match = re.match(r"#{1,6}\s+(.+?)\s*#*\s*$", line)
            if match:
                for key in keys:
                    titles.setdefault(key, match[1])
                break
    return titles


def _imports(nb: Mapping[str, Any]) -> set[str]:
    """Modules the notebook's code cells import (for warming kernels)."""
    found: set[str] = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        text = "".join(src) if isinstance(src, list) else src
        lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names if a.name != "*")
    return found


def _preload(nbs: list[_Notebook]) -> list[str]:
    """Modules the kernel zygote imports, cheapest-to-need first.

    First what every notebook imports, then what some import, then the heavy
    libraries salesnb's analyses import lazily (``_zygote.HEAVY_MODULES``). A module
    whose top-level name is also a file or package next to a notebook is left out: a
    kernel finds that one first (its working folder leads ``sys.path``), the zygote
    would find another.
    """
    local: set[str] = set()
    for folder in {nb.path.parent for nb in nbs}:
        with contextlib.suppress(OSError):
            local |= {_top(entry.name) for entry in folder.iterdir()
                      if entry.suffix == ".py" or os.path.isfile(entry / "__init__.py")}
    common = sorted(set.intersection(*(nb.imports for nb in nbs)))
    some = sorted(set.union(*(nb.imports for nb in nbs)) - set(common))
    wanted = [*common, *some, *(m for m in _zygote.HEAVY_MODULES if m not in common and m not in some)]
    return [m for m in wanted if _top(m) not in local]


def _top(name: str) -> str:
    """``pkg`` of ``pkg.mod`` or of a file name ``pkg.py``."""
    return name.removesuffix(".py").split(".")[0]


def _check_unique_names(nbs: list[_Notebook], *, lang: str | None = None) -> None:
    seen: dict[str, Path] = {}
    for nb in nbs:
        if nb.name in seen:
            raise ReportError.from_catalog(
                "report.error_duplicate_name", lang=lang, name=nb.name, first=seen[nb.name], second=nb.path
            )
        seen[nb.name] = nb.path


def _check_user_names(user: Mapping[str, Any], nbs: list[_Notebook], *, lang: str | None = None) -> None:
    """Check that every parameter the caller gives is declared by some selected notebook."""
    none = text("common.none", lang=lang)
    for name in user:
        if not any(name in nb.declared for nb in nbs):
            listing = "; ".join(f"{nb.path.name}: {', '.join(nb.declared) or none}" for nb in nbs)
            raise ParameterError.from_catalog("report.error_undeclared", lang=lang, name=name, listing=listing)


def check_report_params(values: Mapping[str, Any], nb: _Notebook) -> dict[str, Any]:
    """Check the values injected into one report against its notebook's ``parameters`` cell.

    The one place the runner checks parameter values (names, types, declared
    constraints) for a report; every report of the pack goes through it.

    Parameters
    ----------
    values : mapping
        The values the report will get (the runner's own and the caller's).
    nb : _Notebook
        The notebook, with its declared parameters.

    Returns
    -------
    dict
        The values, normalised.

    Raises
    ------
    ParameterError
        For a value the notebook's declaration does not accept.
    """
    return P.check_params(values, nb.declared, notebook=nb.path.name)


def _plan(
    nbs: list[_Notebook],
    *,
    general: dict[str, Any],
    user: dict[str, Any],
    per_rep: bool | Sequence[str],
    data_path: Path,
    lang: str | None = None,
) -> list[_Report]:
    """Return one entry per report: notebook, name, injected values, rep id."""
    reports: list[_Report] = []
    reps_cache: dict[str | None, list[str]] = {}
    for nb in nbs:
        values = {k: v for k, v in general.items() if k in nb.declared}
        values.update({k: v for k, v in user.items() if k in nb.declared})
        values = check_report_params(values, nb)
        rep_decl = nb.declared.get("rep_id")
        if not (per_rep and rep_decl is not None and "rep_id" not in user):
            reports.append(_Report(nb, nb.name, values, rep_id=None, per_rep=False))
            continue
        team = dict(values)
        if rep_decl.accepts(None):
            team["rep_id"] = None
        reports.append(_Report(nb, nb.name, team, rep_id=None, per_rep=True))
        end = _effective_period_end(values, nb.declared)
        if end not in reps_cache:
            reps_cache[end] = _active_reps(data_path, period_end=end, lang=lang)
        chosen = _chosen_reps(reps_cache[end], per_rep, end=end, lang=lang)
        reports += _rep_reports(nb, values, chosen)
    return reports


def _chosen_reps(active: list[str], per_rep: bool | Sequence[str], *, end: str | None, lang: str | None) -> list[str]:
    """Return the reps that get a page: every active one, or those ``per_rep`` lists."""
    if isinstance(per_rep, bool):
        return active
    unknown = [r for r in per_rep if r not in active]
    if unknown:
        shown = f"{', '.join(map(str, active[:12]))}{' ...' if len(active) > 12 else ''}"
        raise ParameterError.from_catalog(
            "report.error_reps_inactive", lang=lang, unknown=", ".join(map(str, unknown)), end=end, active=shown
        )
    return [r for r in active if r in set(per_rep)]


def _rep_reports(nb: _Notebook, values: dict[str, Any], reps: list[str]) -> list[_Report]:
    """Return one report per rep, each named by a file-safe suffix."""
    rep_decl = nb.declared["rep_id"]
    used: set[str] = set()
    reports = []
    for rep in reps:
        rep_value = _rep_value(rep, rep_decl)
        one = check_report_params({**values, "rep_id": rep_value}, nb)
        name = f"{nb.name}__{_safe_suffix(str(rep), used)}"
        reports.append(_Report(nb, name, one, rep_id=rep_value, per_rep=True))
    return reports


def _effective_period_end(values: Mapping[str, Any], declared: Mapping[str, P.Declared]) -> str | None:
    raw = values.get("period_end")
    if raw is None and "period_end" in declared:
        default = declared["period_end"].default
        raw = default if isinstance(default, str) else None
    if raw is None:
        return None
    try:
        return P.check_date("period_end", raw)
    except ParameterError:
        return None


def _rep_value(rep: str, decl: P.Declared) -> Any:
    if decl.accepts(rep):
        return rep
    if re.fullmatch(r"-?\d+", rep) and decl.accepts(int(rep)):
        return int(rep)
    return rep  # check_params then explains the mismatch


def _safe_suffix(rep: str, used: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]+", "_", rep).strip("_")[:60] or "rep"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base}-{n}", n + 1
    used.add(name.lower())
    return name


def _active_reps(data_path: Path, *, period_end: str | None, lang: str | None = None) -> list[str]:
    """Rep ids of the dataset's ``reps`` table active at ``period_end``, in file order.

    Active: employed on the period end (:func:`salesnb.data.employed`). Without a
    period end (no ``--period-end`` and no default in the notebook): the reps without a
    ``leave_date``. No wall clock. The table is read with the
    project's loader (:func:`salesnb.data.read_table`), so any source it reads works.
    """
    from salesnb.data import MissingTableError, employed, read_table

    try:
        reps = read_table(data_path, "reps")
    except MissingTableError as exc:
        raise DataSourceError.from_catalog("report.error_reps_table", lang=lang, error=exc) from exc
    ids = reps["rep_id"].astype("string")
    keep = reps["leave_date"].isna() if period_end is None else employed(reps, start=period_end)
    return [str(r) for r in ids[keep & ids.notna()]]


# --------------------------------------------------------------------------- assembling


def _reserve_run_dir(out_dir: Path, when: dt.datetime, *, lang: str | None = None) -> tuple[str, Path]:
    """Create ``<out_dir>/.<run-id>.partial/`` for a run id not taken yet; return both."""
    out_dir.mkdir(parents=True, exist_ok=True)
    base = when.strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        run_id = base if n == 1 else f"{base}-{n}"
        partial = out_dir / f".{run_id}.partial"
        if (out_dir / run_id).exists():
            continue
        try:
            partial.mkdir()
        except FileExistsError:
            continue
        return run_id, partial
    raise ReportError.from_catalog("report.error_run_id", lang=lang, folder=out_dir)  # pragma: no cover


def _report_lang(values: Mapping[str, Any], declared: Mapping[str, P.Declared], *, fallback: str) -> str:
    """Return the language a report is written in: injected ``lang``, else its default."""
    raw = values.get("lang", declared["lang"].default if "lang" in declared else fallback)
    try:
        return P.check_lang("lang", raw)
    except ParameterError:
        return fallback


def _data_hash(path: Path) -> str:
    """Return the dataset's content hash, the same :func:`salesnb.data.content_hash` the notebooks show."""
    from salesnb.data import content_hash

    return content_hash(path)


def _write_index(
    folder: Path,
    tasks: list[dict[str, Any]],
    results: list[NotebookResult],
    *,
    stamp: dict[str, Any],
    lang: str,
) -> None:
    """Write ``index.html`` for people and ``pack.json`` for machines."""
    finished = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    words = _html.labels(lang)
    pack_stamp = [
        (words["s_run"], stamp["run_id"]),
        (words["s_params"], _params_text(stamp["parameters"])),
        (words["s_data"], stamp["data"]),
        (words["s_hash"], stamp["data_hash"]),
        (words["s_version"], stamp["version"]),
        (words["s_started"], stamp["started"]),
        (words["s_finished"], finished),
    ]
    rows = [_index_row(task, r, folder) for task, r in zip(tasks, results, strict=True)]
    page = _html.index_page(rows, run_id=stamp["run_id"], stamp=pack_stamp, lang=lang)
    (folder / "index.html").write_text(page, encoding="utf-8")
    text_ = json.dumps(_manifest(results, stamp=stamp, finished=finished), indent=2, ensure_ascii=False)
    (folder / "pack.json").write_text(text_, encoding="utf-8")


def _index_row(task: dict[str, Any], r: NotebookResult, folder: Path) -> dict[str, Any]:
    """Return the index line of one report (its headline numbers when it ran)."""
    return {
        "title": task["title_base"],
        "rep_id": task["rep_id"],
        "per_rep": task["per_rep"],
        "status": r.status,
        "duration": r.duration,
        "error": r.error,
        "html": r.html_path.name,
        "ipynb": r.ipynb_path.name if r.ipynb_path else None,
        "headline": _headline_of(folder / r.ipynb_path.name) if r.ipynb_path and r.ok else [],
    }


def _manifest(results: list[NotebookResult], *, stamp: dict[str, Any], finished: str) -> dict[str, Any]:
    """Return ``pack.json``: the stamp and one entry per report."""
    return {
        **stamp,
        "finished": finished,
        "ok": all(r.ok for r in results),
        "results": [
            {
                "name": r.name,
                "notebook": str(r.notebook),
                "rep_id": r.rep_id,
                "params": r.params,
                "status": r.status,
                "duration": round(r.duration, 3),
                "error": r.error,
                "html": r.html_path.name,
                "ipynb": r.ipynb_path.name if r.ipynb_path else None,
            }
            for r in results
        ],
    }


def _params_text(values: Mapping[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=False)


def _build_tasks(
    reports: list[_Report],
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
    i: int, report: _Report, *, stamp: dict[str, Any], out_dir: Path, timeout: float, lang: str,
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
        "injected_source": P.to_source(report.params) if report.params else "",
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
        (words["s_params"], _params_text(params)),
        (words["s_data"], stamp["data"]),
        (words["s_hash"], stamp["data_hash"]),
        (words["s_version"], stamp["version"]),
        (words["s_started"], stamp["started"]),
    ]


#: Mime type of the headline numbers a notebook displays (see ``salesnb.display.Headline``).
HEADLINE_MIME = "application/vnd.salesnb.headline+json"


def _headline_of(ipynb: Path, *, limit: int = 4) -> list[dict[str, str]]:
    """Return the first headline cards an executed notebook displayed, for the index page."""
    try:
        nb = json.loads(ipynb.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            items = output.get("data", {}).get(HEADLINE_MIME, {}).get("items")
            if isinstance(items, list):
                return [{"label": str(i.get("label", "")), "value": str(i.get("value", ""))}
                        for i in items[:limit] if isinstance(i, dict)]
    return []


def _assemble(
    tasks: list[dict[str, Any]],
    outcomes: Mapping[int, dict[str, Any]],
    *,
    partial: Path,
    final: Path,
) -> list[NotebookResult]:
    """Return the results with final paths; write a stand-in page for any report without HTML."""
    results = []
    for task in tasks:
        outcome = outcomes[task["id"]]
        if outcome.get("status") != "ok" and not outcome.get("error"):
            outcome["error"] = "Error: " + text("report.failed_no_message", lang=task["lang"])
        html_name = outcome.get("html")
        if not html_name or not (partial / html_name).is_file():
            _stand_in(task, outcome, partial)
        ipynb = outcome.get("ipynb")
        results.append(
            NotebookResult(
                name=task["name"],
                notebook=Path(task["notebook"]),
                params=dict(task["params"]),
                status="ok" if outcome.get("status") == "ok" else "failed",
                duration=float(outcome.get("duration") or 0.0),
                error=outcome.get("error"),
                html_path=final / outcome["html"],
                ipynb_path=final / ipynb if ipynb else None,
                rep_id=task["rep_id"],
            )
        )
    return results


def _stand_in(task: dict[str, Any], outcome: dict[str, Any], partial: Path) -> None:
    """Write a failure page for a report that produced no HTML, and point the outcome at it."""
    html_name = f"{task['name']}.html"
    page = _html.failure_page(
        task["title"],
        outcome.get("error") or text("report.no_output", lang=task["lang"]),
        stamp=task["stamp_items"],
        lang=task["lang"],
    )
    (partial / html_name).write_text(page, encoding="utf-8")
    outcome["html"] = html_name
    if outcome.get("status") == "ok":  # pragma: no cover - defensive
        outcome.update(status="failed", error="ExportError: " + text("report.no_html", lang=task["lang"]))


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

    def begin(self, *, jobs: int, run_id: str) -> None:
        """Announce the run."""
        key = "report.progress_begin_one" if self.total == 1 else "report.progress_begin"
        self._say(text(key, lang=self.lang, run_id=run_id, total=self.total, jobs=jobs))

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
