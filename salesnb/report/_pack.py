"""Plan, run and assemble one report pack (main-process side; standard library only)."""

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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesnb import __version__, config
from salesnb import params as P
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
    period: str | None = None,
    lang: str = "en",
    per_rep: bool | Sequence[str] = False,
    params: Mapping[str, Any] | None = None,
    jobs: int = 2,
    timeout: float | None = None,
    progress: bool = True,
) -> PackResult:
    """Run notebooks into an HTML report pack ``<out>/<run-id>/``.

    Every parameter is checked before any kernel starts. Notebooks then run on
    ``jobs`` worker processes; each is saved as an executed ``.ipynb`` and exported
    to HTML with code hidden, a run stamp in the footer and nothing fetched from the
    network. ``index.html`` links them with a status line each; ``pack.json`` holds
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
    period : str, optional
        Period end, ``YYYY-MM`` (the month's last day) or ``YYYY-MM-DD``; injected as
        ``period_end`` (and as ``as_of``, the day a lead list is drawn up) where declared.
    lang : {"en", "es"}
        Report language, injected as ``lang`` where declared.
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
    if type(jobs) is not int or jobs < 1:
        raise ParameterError(f"The 'jobs' option must be a whole number >= 1. Got {jobs!r}.")
    limit = float(config.DEFAULT_TIMEOUT if timeout is None else timeout)
    if not limit > 0:
        raise ParameterError(f"The 'timeout' option must be a positive number. Got {timeout!r}.")
    lang = P.check_lang("lang", lang)
    period_end = None if period is None else P.check_date("period", period)
    user = dict(params or {})
    for name, value in user.items():
        P.check_name(name)
        P.check_plain(value, name=name)

    nbs = [_load_notebook(path) for path in _resolve_notebooks(notebooks)]
    _check_unique_names(nbs)
    _check_user_names(user, nbs)
    data_path = config.resolve_data_path(data)
    if not data_path.exists():
        raise DataSourceError(f"The dataset {data_path} does not exist (data={str(data)!r}).")
    general = {"data": str(data_path), "lang": lang}
    if period_end is not None:
        general["period_end"] = period_end
        general["as_of"] = period_end
    plans = _plan(nbs, general=general, user=user, per_rep=per_rep, data_path=data_path)

    out_dir = Path(out).expanduser().resolve() if out is not None else config.reports_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    run_id, partial = _reserve_run_dir(out_dir, started_at)
    with _sigterm_exits():
        try:
            data_hash = _data_hash(data_path)
            stamp = {
                "run_id": run_id,
                "data": str(data_path),
                "data_hash": data_hash,
                "version": __version__,
                "started": started_at.isoformat(timespec="seconds"),
                "parameters": {**general, **user},
            }
            tasks = _build_tasks(plans, stamp=stamp, out_dir=partial, timeout=limit, lang=lang)
            settings = {
                "cwd": str(nbs[0].path.parent),
                "warm_imports": sorted(set.intersection(*(nb.imports for nb in nbs))),
                "preload": _preload(nbs),
                "templates_dir": str(config.templates_dir()),
            }
            printer = _Progress(len(tasks), enabled=progress)
            printer.begin(jobs=min(jobs, len(tasks)), run_id=run_id)
            outcomes = _pool.run_tasks(
                tasks, jobs=jobs, settings=settings, on_start=printer.start, on_done=printer.done
            )
            final = out_dir / run_id
            results = _assemble(tasks, outcomes, partial=partial, final=final)
            _write_index(partial, tasks, results, stamp=stamp, lang=lang)
            os.rename(partial, final)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    _html.write_atomic(out_dir / "latest.html", _html.latest_page(run_id))
    printer.end(results, seconds=time.monotonic() - began)
    ok = all(r.ok for r in results)
    return PackResult(ok, final, final / "index.html", results, run_id)


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
) -> list[Path]:
    if notebooks is None:
        folder = config.notebooks_dir()
        found = sorted(folder.glob("*.ipynb"))
        if not found:
            raise ReportError(f"No notebooks to run: {folder} has no *.ipynb files.")
        return [p.resolve() for p in found]
    if isinstance(notebooks, str | os.PathLike):
        notebooks = [notebooks]
    paths = []
    for item in notebooks:
        raw = Path(item).expanduser()
        candidates = [raw, raw.with_name(raw.name + ".ipynb")]
        if not raw.is_absolute():
            base = config.notebooks_dir()
            candidates += [base / raw, base / (raw.name + ".ipynb")]
        hit = next((c for c in candidates if c.suffix == ".ipynb" and c.is_file()), None)
        if hit is None:
            raise ReportError(
                f"Notebook {os.fspath(item)!r} not found (looked in the current folder and {config.notebooks_dir()})."
            )
        paths.append(hit.resolve())
    if not paths:
        raise ReportError("No notebooks to run.")
    return paths


def _load_notebook(path: Path) -> _Notebook:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"Cannot read the notebook {path}: {exc}") from exc
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


def _check_unique_names(nbs: list[_Notebook]) -> None:
    seen: dict[str, Path] = {}
    for nb in nbs:
        if nb.name in seen:
            raise ReportError(
                f"Two notebooks are named {nb.name}: {seen[nb.name]} and {nb.path}; "
                "rename one, their reports would overwrite each other."
            )
        seen[nb.name] = nb.path


def _check_user_names(user: Mapping[str, Any], nbs: list[_Notebook]) -> None:
    for name in user:
        if not any(name in nb.declared for nb in nbs):
            listing = "; ".join(f"{nb.path.name}: {', '.join(nb.declared) or 'none'}" for nb in nbs)
            raise ParameterError(f"Parameter '{name}' is not declared by any selected notebook ({listing}).")


def _plan(
    nbs: list[_Notebook],
    *,
    general: dict[str, Any],
    user: dict[str, Any],
    per_rep: bool | Sequence[str],
    data_path: Path,
) -> list[dict[str, Any]]:
    """One entry per report: notebook, name, injected values, rep id."""
    plans: list[dict[str, Any]] = []
    reps_cache: dict[str | None, list[str]] = {}
    for nb in nbs:
        label = nb.path.name
        values = {k: v for k, v in general.items() if k in nb.declared}
        values.update({k: v for k, v in user.items() if k in nb.declared})
        values = P.check_params(values, nb.declared, notebook=label)
        rep_decl = nb.declared.get("rep_id")
        if not (per_rep and rep_decl is not None and "rep_id" not in user):
            plans.append(_plan_entry(nb, values, rep_id=None, per_rep=False, suffix=""))
            continue
        team = dict(values)
        if rep_decl.accepts(None):
            team["rep_id"] = None
        plans.append(_plan_entry(nb, team, rep_id=None, per_rep=True, suffix=""))
        end = _effective_period_end(values, nb.declared)
        if end not in reps_cache:
            reps_cache[end] = _active_reps(data_path, period_end=end)
        used: set[str] = set()
        chosen = reps_cache[end]
        if not isinstance(per_rep, bool):
            unknown = [r for r in per_rep if r not in chosen]
            if unknown:
                raise ParameterError(
                    f"per_rep names rep(s) {', '.join(map(str, unknown))} that are not active at {end}; "
                    f"active reps: {', '.join(map(str, chosen[:12]))}{' ...' if len(chosen) > 12 else ''}.")
            chosen = [r for r in chosen if r in set(per_rep)]
        for rep in chosen:
            rep_value = _rep_value(rep, rep_decl)
            one = P.check_params({**values, "rep_id": rep_value}, nb.declared, notebook=label)
            suffix = _safe_suffix(str(rep), used)
            plans.append(_plan_entry(nb, one, rep_id=rep_value, per_rep=True, suffix=suffix))
    return plans


def _plan_entry(nb: _Notebook, values: dict[str, Any], *, rep_id: Any, per_rep: bool, suffix: str) -> dict[str, Any]:
    return {
        "nb": nb,
        "name": f"{nb.name}__{suffix}" if suffix else nb.name,
        "params": values,
        "rep_id": rep_id,
        "per_rep": per_rep,
    }


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


def _active_reps(data_path: Path, *, period_end: str | None) -> list[str]:
    """Rep ids of the dataset's ``reps`` table active at ``period_end``, in file order.

    Active: employed on the period end (:func:`salesnb.data.employed`). Without a
    period end (no ``--period`` and no default in the notebook): the reps without a
    ``leave_date``. No wall clock. The table is read with the
    project's loader (:func:`salesnb.data.read_table`), so any source it reads works.
    """
    from salesnb.data import MissingTableError, employed, read_table

    try:
        reps = read_table(data_path, "reps")
    except MissingTableError as exc:
        raise DataSourceError(f"--per-rep needs the reps table: {exc}") from exc
    ids = reps["rep_id"].astype("string")
    keep = reps["leave_date"].isna() if period_end is None else employed(reps, start=period_end)
    return [str(r) for r in ids[keep & ids.notna()]]


# --------------------------------------------------------------------------- assembling


def _reserve_run_dir(out_dir: Path, when: dt.datetime) -> tuple[str, Path]:
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
    raise ReportError(f"Cannot find a free run id in {out_dir}.")  # pragma: no cover


def _report_lang(values: Mapping[str, Any], declared: Mapping[str, P.Declared], *, fallback: str) -> str:
    """The language a report is written in: injected ``lang``, else its default."""
    raw = values.get("lang", declared["lang"].default if "lang" in declared else fallback)
    try:
        return P.check_lang("lang", raw)
    except ParameterError:
        return fallback


def _data_hash(path: Path) -> str:
    """The dataset's content hash, the same :func:`salesnb.data.content_hash` the notebooks show."""
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
    """``index.html`` for people and ``pack.json`` for machines."""
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
    rows = [
        {
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
        for task, r in zip(tasks, results, strict=True)
    ]
    page = _html.index_page(rows, run_id=stamp["run_id"], stamp=pack_stamp, lang=lang)
    (folder / "index.html").write_text(page, encoding="utf-8")
    manifest = {
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
    text = json.dumps(manifest, indent=2, ensure_ascii=False)
    (folder / "pack.json").write_text(text, encoding="utf-8")


def _params_text(values: Mapping[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=False)


def _build_tasks(
    plans: list[dict[str, Any]],
    *,
    stamp: dict[str, Any],
    out_dir: Path,
    timeout: float,
    lang: str,
) -> list[dict[str, Any]]:
    tasks = []
    with_rep_pages = {str(p["nb"].path) for p in plans if p["rep_id"] is not None}
    for i, plan in enumerate(plans):
        nb: _Notebook = plan["nb"]
        task_lang = _report_lang(plan["params"], nb.declared, fallback=lang)
        base = nb.title(task_lang)
        title = base if plan["rep_id"] is None else f"{base} · {plan['rep_id']}"
        words = _html.labels(task_lang)
        items = [
            (words["s_run"], stamp["run_id"]),
            (words["s_report"], title),
            (words["s_params"], _params_text(plan["params"])),
            (words["s_data"], stamp["data"]),
            (words["s_hash"], stamp["data_hash"]),
            (words["s_version"], stamp["version"]),
            (words["s_started"], stamp["started"]),
        ]
        tasks.append(
            {
                "id": i,
                "name": plan["name"],
                "title": title,
                "title_base": base,
                "lang": task_lang,
                "notebook": str(nb.path),
                "params": plan["params"],
                "injected_source": P.to_source(plan["params"]) if plan["params"] else "",
                "rep_id": plan["rep_id"],
                "per_rep": plan["per_rep"],
                # the team and rep pages of one notebook may share a kernel, its namespace
                # reset between pages
                "reuse_key": str(nb.path) if str(nb.path) in with_rep_pages else None,
                "timeout": timeout,
                "out_dir": str(out_dir),
                "stamp": stamp,
                "stamp_items": items,
                "failed_label": words["failed_banner"],
                "toc_label": words["toc"],
                "chart_label": words["chart"],
            }
        )
    return tasks


#: Mime type of the headline numbers a notebook displays (see ``salesnb.display.Headline``).
HEADLINE_MIME = "application/vnd.salesnb.headline+json"


def _headline_of(ipynb: Path, *, limit: int = 4) -> list[dict[str, str]]:
    """The first headline cards an executed notebook displayed, for the index page."""
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
    """Results with final paths; a stand-in page for any report without HTML."""
    results = []
    for task in tasks:
        outcome = outcomes[task["id"]]
        if outcome.get("status") != "ok" and not outcome.get("error"):
            outcome["error"] = "Error: the report failed without a message"
        html_name = outcome.get("html")
        if not html_name or not (partial / html_name).is_file():
            html_name = f"{task['name']}.html"
            page = _html.failure_page(
                task["title"],
                outcome.get("error") or "no output",
                stamp=task["stamp_items"],
                lang=task["lang"],
            )
            (partial / html_name).write_text(page, encoding="utf-8")
            outcome["html"] = html_name
            if outcome.get("status") == "ok":  # pragma: no cover - defensive
                outcome.update(status="failed", error="ExportError: no HTML was written")
        ipynb = outcome.get("ipynb")
        results.append(
            NotebookResult(
                name=task["name"],
                notebook=Path(task["notebook"]),
                params=dict(task["params"]),
                status="ok" if outcome.get("status") == "ok" else "failed",
                duration=float(outcome.get("duration") or 0.0),
                error=outcome.get("error"),
                html_path=final / html_name,
                ipynb_path=final / ipynb if ipynb else None,
                rep_id=task["rep_id"],
            )
        )
    return results


class _Progress:
    """One line per report start/end on stderr."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total, self.enabled, self.finished = total, enabled, 0
        self.width = len(str(total))

    def _say(self, text: str) -> None:
        if self.enabled:
            with contextlib.suppress(Exception):
                sys.stderr.write(text + "\n")
                sys.stderr.flush()

    def begin(self, *, jobs: int, run_id: str) -> None:
        noun = "report" if self.total == 1 else "reports"
        self._say(f"salesnb run {run_id}: {self.total} {noun} on {jobs} worker(s)")

    def start(self, task: dict[str, Any]) -> None:
        self._say(f"{'':>{2 * self.width + 3}} start   {task['name']}")

    def done(self, task: dict[str, Any], result: dict[str, Any]) -> None:
        self.finished += 1
        status = "ok    " if result.get("status") == "ok" else "FAILED"
        line = (
            f"[{self.finished:>{self.width}}/{self.total}] {status}  {task['name']} "
            f"({float(result.get('duration') or 0):.1f} s)"
        )
        if result.get("status") != "ok":
            line += f": {result.get('error')}"
        self._say(line)

    def end(self, results: list[NotebookResult], *, seconds: float) -> None:
        failed = sum(1 for r in results if not r.ok)
        self._say(f"salesnb run: {len(results) - failed} ok, {failed} failed in {seconds:.1f} s")
