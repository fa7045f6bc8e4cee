"""The director's choices for the plan: checked one rule each, from the parameters cell or a file.

The choices (target, growth, method, ramp, hires, goals, training days ...) are the
``05_work_plan`` notebook's parameters. A director who keeps them with the data
writes them in ``plan.toml`` next to the data (inside a data folder, or beside an
.xlsx workbook), with the parameters' names as keys::

    growth_pct = 10.0
    hires = [{region = "ES-MD", month = 3}]
    training = ["2027-01-19", "2027-09-14"]
    dso_goal = 55

:func:`with_assumptions` reads that file (or the one the ``assumptions`` parameter
names) and checks the merged values with the notebook's own rules, so a value in
the file is refused exactly as the same value in the parameters cell would be.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from salesnb import config
from salesnb.errors import ParameterError
from salesnb.params import NotebookParams, check_notebook, to_timestamp

__all__ = ["FILE_NAME", "NOT_IN_FILE", "assumptions_path", "check_goals", "check_hires", "check_training",
           "with_assumptions"]

#: The assumptions file looked for next to the data.
FILE_NAME = "plan.toml"
#: Parameters that belong to the run, not to the director's choices: a file may not set them.
NOT_IN_FILE = ("data", "lang", "year", "period_end", "assumptions")
_NOTEBOOK = "05_work_plan"


def check_hires(hires: object, *, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Check planned hires and return them as a frame.

    Parameters
    ----------
    hires : list of dict
        ``{"region": region_id, "month": 1-12}`` per hire.
    regions : DataFrame, optional
        The ``regions`` table; when given, every region must be one of its ids.

    Returns
    -------
    DataFrame
        ``region_id, month``, in the order given.

    Raises
    ------
    ParameterError
        For anything else, naming the hire.
    """
    if not isinstance(hires, Sequence) or isinstance(hires, str):
        raise ParameterError.from_catalog("plan.error_hires", value=repr(hires))
    known = None if regions is None else set(regions["region_id"].astype(str))
    rows = [_check_hire(i, hire, known) for i, hire in enumerate(hires, start=1)]
    return pd.DataFrame(rows, columns=["region_id", "month"])


def _check_hire(i: int, hire: object, known: set[str] | None) -> tuple[str, int]:
    """Return ``(region_id, month)`` of one hire, or raise naming it."""
    ok = isinstance(hire, Mapping) and set(hire) == {"region", "month"}
    month = hire.get("month") if ok else None
    if not ok or isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12 \
            or not isinstance(hire["region"], str):
        raise ParameterError.from_catalog("plan.error_hire", i=i, value=repr(hire))
    if known is not None and hire["region"] not in known:
        shown = ", ".join(sorted(known)[:12])
        raise ParameterError.from_catalog("plan.error_hire_region", i=i, value=repr(hire["region"]), known=shown)
    return hire["region"], month


def check_training(training: object, *, year: int | None = None) -> list[pd.Timestamp]:
    """Check training days and return them sorted.

    Parameters
    ----------
    training : list of str
        Days as ``MM-DD`` (in the plan's year) or ``YYYY-MM-DD`` (within ``year`` when given).
    year : int, optional
        The plan's year; without it ``MM-DD`` days are checked against a leap year.

    Returns
    -------
    list of Timestamp

    Raises
    ------
    ParameterError
        For anything but a list of such days, or a day outside ``year``.
    """
    if not isinstance(training, Sequence) or isinstance(training, str):
        raise ParameterError.from_catalog("plan.error_training", value=repr(training))
    full = [f"{year or 2028}-{day}" if isinstance(day, str) and re.fullmatch(r"\d\d-\d\d", day) else day
            for day in training]
    days = sorted(to_timestamp("training", day) for day in full)
    outside = [d for d in days if year is not None and d.year != int(year)]
    if outside:
        raise ParameterError.from_catalog("plan.error_training_year", value=str(outside[0].date()), year=year)
    return days


def check_goals(goals: Mapping[str, float] | None) -> dict[str, float | None]:
    """Return the plan's goals: ``dso_days`` (45), ``response_hours`` (24), ``margin`` (None: last year's).

    Raises
    ------
    ParameterError
        For an unknown goal or a value that is not a number above 0 (``margin`` below 1).
    """
    out: dict[str, float | None] = {"dso_days": 45.0, "response_hours": 24.0, "margin": None}
    for name, value in (goals or {}).items():
        if name not in out:
            raise ParameterError.from_catalog("plan.error_goal_name", value=repr(name), known=", ".join(out))
        bad = isinstance(value, bool) or not isinstance(value, int | float) or not value > 0
        if bad or (name == "margin" and value >= 1):
            raise ParameterError.from_catalog("plan.error_goal", name=name, value=repr(value))
        out[name] = float(value)
    return out


def assumptions_path(data: str, given: str = "") -> Path | None:
    """Return the assumptions file to read: ``given``, else ``plan.toml`` next to the data, else None.

    Raises
    ------
    ParameterError
        When ``given`` names a file that does not exist.
    """
    if given.strip():
        path = Path(given).expanduser().resolve()
        if not path.is_file():
            raise ParameterError.from_catalog("plan.error_file_missing", path=str(path))
        return path
    source = config.resolve_data_path(data)
    folder = source if source.is_dir() else source.parent
    found = folder / FILE_NAME
    return found if found.is_file() else None


def with_assumptions(p: NotebookParams, *, lang: str | None = None) -> tuple[NotebookParams, Path | None]:
    """Return the notebook's parameters with the assumptions file's values, checked, and the file read.

    Parameters
    ----------
    p : NotebookParams
        From ``params.check_notebook(globals(), notebook="05_work_plan")``.
    lang : {"en", "es"}, optional
        Language of the messages.

    Returns
    -------
    (NotebookParams, Path or None)

    Raises
    ------
    ParameterError
        For an unreadable file, a key the file may not set, or a value the notebook's
        rules refuse.
    """
    path = assumptions_path(p.data, p.assumptions)
    if path is None:
        return p, None
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ParameterError.from_catalog("plan.error_file", lang=lang, path=str(path), error=str(exc)) from exc
    allowed = [name for name in p if name not in NOT_IN_FILE]
    for name in values:
        if name not in allowed:
            raise ParameterError.from_catalog("plan.error_file_key", lang=lang, path=str(path), name=name,
                                              allowed=", ".join(allowed))
    return check_notebook({**dict(p), **values}, notebook=_NOTEBOOK, lang=lang), path
