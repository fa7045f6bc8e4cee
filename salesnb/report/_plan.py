"""Step 1 of a pack: check every option and parameter and list the reports, before any kernel starts."""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salesnb import config
from salesnb import params as P
from salesnb.catalog import text
from salesnb.errors import DataSourceError, ParameterError
from salesnb.report._notebooks import Notebook, check_unique_names, load_notebook, resolve_notebooks

#: Parameters the runner itself passes to every notebook that declares them.
#: ``as_of`` takes the period end too (the lead list is drawn up on that day).
GENERAL_PARAMS = ("data", "lang", "period_end", "as_of")


@dataclass(frozen=True)
class Report:
    """One report to run: a notebook, or a notebook for one rep."""

    nb: Notebook
    name: str
    params: dict[str, Any]
    rep_id: Any
    per_rep: bool


@dataclass(frozen=True)
class PackPlan:
    """Everything checked and listed before any kernel starts (see :func:`plan_pack`).

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

    notebooks: list[Notebook]
    reports: list[Report]
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


def plan_pack(
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
) -> PackPlan:
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
    PackPlan
    """
    lang = P.check_lang("lang", lang)
    jobs = _check_jobs(jobs, lang=lang)
    limit = _check_timeout(timeout, lang=lang)
    end = None if period_end is None else P.check_date(*period_end, lang=lang)
    user = _check_user_values(params, lang=lang)
    nbs = [load_notebook(path, lang=lang) for path in resolve_notebooks(notebooks, lang=lang)]
    check_unique_names(nbs, lang=lang)
    _check_user_names(user, nbs, lang=lang)
    data_path = _dataset(data, lang=lang)
    general: dict[str, Any] = {"data": str(data_path), "lang": lang}
    if end is not None:
        general["period_end"] = end
        general["as_of"] = end
    reports = plan_reports(nbs, general=general, user=user, per_rep=per_rep, data_path=data_path, lang=lang)
    out_dir = Path(out).expanduser().resolve() if out is not None else config.reports_dir()
    return PackPlan(nbs, reports, data_path, general, user, lang, jobs, limit, out_dir)


def period_end_option(
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


def _check_user_values(params: Mapping[str, Any] | None, *, lang: str) -> dict[str, Any]:
    """Return the caller's parameters after checking their names and that values are plain."""
    user = dict(params or {})
    for name, value in user.items():
        P.check_name(name, lang=lang)
        P.check_plain(value, name=name, lang=lang)
    return user


def _dataset(data: str | os.PathLike[str], *, lang: str) -> Path | str:
    if config.is_database_url(data):  # the password goes to the workers' environment, never into a parameter
        from salesnb.data.sql import split_secret

        url, secret = split_secret(str(data).strip())
        if secret is not None:
            os.environ["SALESNB_DB_PASSWORD"] = secret
        return url
    data_path = config.resolve_data_path(data)
    if not data_path.exists():
        raise DataSourceError.from_catalog(
            "report.error_data_missing", lang=lang, path=data_path, value=repr(str(data))
        )
    return data_path


def _check_user_names(user: Mapping[str, Any], nbs: list[Notebook], *, lang: str | None = None) -> None:
    """Check that every parameter the caller gives is declared by some selected notebook."""
    none = text("common.none", lang=lang)
    for name in user:
        if not any(name in nb.declared for nb in nbs):
            listing = "; ".join(f"{nb.path.name}: {', '.join(nb.declared) or none}" for nb in nbs)
            raise ParameterError.from_catalog("report.error_undeclared", lang=lang, name=name, listing=listing)


def check_report_params(values: Mapping[str, Any], nb: Notebook, *, lang: str | None = None) -> dict[str, Any]:
    """Check the values injected into one report, before any kernel starts.

    The one place the runner checks parameter values for a report; every report of
    the pack goes through it. Names and types against the notebook's ``parameters``
    cell first (only plain literals of the declared type can be injected: ``"6"`` for
    an ``int`` is refused here although a notebook's own check would read it), then,
    for the workbook's notebooks, the notebook's rules through
    :func:`salesnb.params.check_notebook` — the same call its validation cell makes,
    so a value the notebook would refuse is refused here with the same message.

    Parameters
    ----------
    values : mapping
        The values the report will get (the runner's own and the caller's).
    nb : Notebook
        The notebook, with its declared parameters.
    lang : {"en", "es"}, optional
        Language of the messages (the pack's); else the report's own ``lang``.

    Returns
    -------
    dict
        The values, normalised.

    Raises
    ------
    ParameterError
        For a value the notebook's declaration does not accept.
    """
    checked = P.check_params(values, nb.declared, notebook=nb.path.name, lang=lang)
    if nb.path.stem in P.NOTEBOOK_RULES:
        defaults = {name: d.default for name, d in nb.declared.items() if d.default is not P.MISSING}
        P.check_notebook({**defaults, **checked}, notebook=nb.path.stem, lang=lang)
    return checked


def plan_reports(
    nbs: list[Notebook],
    *,
    general: dict[str, Any],
    user: dict[str, Any],
    per_rep: bool | Sequence[str],
    data_path: Path,
    lang: str | None = None,
) -> list[Report]:
    """Return one entry per report: notebook, name, injected values, rep id."""
    reports: list[Report] = []
    reps_cache: dict[str | None, list[str]] = {}
    for nb in nbs:
        values = {k: v for k, v in general.items() if k in nb.declared}
        values.update({k: v for k, v in user.items() if k in nb.declared})
        values = check_report_params(values, nb, lang=lang)
        rep_decl = nb.declared.get("rep_id")
        if not (per_rep and rep_decl is not None and "rep_id" not in user):
            reports.append(Report(nb, nb.name, values, rep_id=None, per_rep=False))
            continue
        team = dict(values)
        if rep_decl.accepts(None):
            team["rep_id"] = None
        reports.append(Report(nb, nb.name, team, rep_id=None, per_rep=True))
        end = _effective_period_end(values, nb.declared)
        if end not in reps_cache:
            reps_cache[end] = active_reps(data_path, period_end=end, lang=lang)
        chosen = _chosen_reps(reps_cache[end], per_rep, end=end, lang=lang)
        reports += _rep_reports(nb, values, chosen, lang=lang)
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


def _rep_reports(nb: Notebook, values: dict[str, Any], reps: list[str], *, lang: str | None) -> list[Report]:
    """Return one report per rep, each named by a file-safe suffix."""
    rep_decl = nb.declared["rep_id"]
    used: set[str] = set()
    reports = []
    for rep in reps:
        rep_value = _rep_value(rep, rep_decl)
        one = check_report_params({**values, "rep_id": rep_value}, nb, lang=lang)
        name = f"{nb.name}__{safe_suffix(str(rep), used)}"
        reports.append(Report(nb, name, one, rep_id=rep_value, per_rep=True))
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


def safe_suffix(rep: str, used: set[str]) -> str:
    """Return a file-safe suffix for a rep's page, unique (ignoring case) among ``used``."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "_", rep).strip("_")[:60] or "rep"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base}-{n}", n + 1
    used.add(name.lower())
    return name


def active_reps(data_path: Path, *, period_end: str | None, lang: str | None = None) -> list[str]:
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
