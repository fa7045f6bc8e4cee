"""A target plan as an Excel workbook: a summary sheet and one sheet per rep.

Written with :func:`salesnb.export.write_xlsx`, so every text cell passes its
formula-injection guard: a rep called ``=HYPERLINK(...)`` is shown as text and runs
nothing. Amounts stay numbers and dates stay dates, so the sheets add up when opened.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from salesnb.export import write_xlsx
from salesnb.params import parameter_error
from salesnb.targets.plan import TargetPlan

__all__ = ["plan_sheets", "to_xlsx"]


def plan_sheets(plan: TargetPlan) -> dict[str, pd.DataFrame]:
    """Return the frames :func:`to_xlsx` writes, by sheet name (before the formula guard).

    ``Summary``: one row per rep with a target (``rep_id, name, region_id, status,
    last_year, target`` and one column per month, ``2027-01`` …). Then one sheet per
    rep, named by ``rep_id``, in long form: ``level`` (``month``, ``week``, ``day``),
    ``period`` (``2027-01``, ``2027-W05``, ``2027-02-01``), ``start``, ``end``,
    ``working_days`` and ``target``; each level adds up to the rep's annual target.
    """
    reps = plan.reps.loc[plan.reps["target"] > 0]
    monthly = (plan.rep_monthly.astype({"rep_id": str})
               .groupby(["rep_id", "month"])["target"].sum().unstack(fill_value=0))
    monthly.columns = [m.strftime("%Y-%m") for m in monthly.columns]
    summary = reps[["rep_id", "name", "region_id", "status", "book", "target"]].rename(columns={"book": "last_year"})
    summary = summary.merge(monthly, left_on="rep_id", right_index=True, how="left").fillna(
        dict.fromkeys(monthly.columns, 0))
    sheets = {"Summary": summary.reset_index(drop=True)}
    daily = plan.daily.astype({"rep_id": str}).groupby(["rep_id", "date"], sort=True)["target"].sum().reset_index()
    weekly = plan.weekly.astype({"rep_id": str})
    for rep_id in reps["rep_id"]:
        sheets[str(rep_id)] = _rep_sheet(daily.loc[daily["rep_id"] == rep_id], weekly.loc[weekly["rep_id"] == rep_id])
    return sheets


def _rep_sheet(days: pd.DataFrame, weeks: pd.DataFrame) -> pd.DataFrame:
    """Build one rep's sheet: their months, ISO weeks and days, each adding up to the year."""
    month = days["date"].dt.to_period("M")
    by_month = days.groupby(month).agg(start=("date", "min"), end=("date", "max"),
                                       working_days=("date", "size"), target=("target", "sum"))
    month_rows = pd.DataFrame({
        "level": "month", "period": [str(p) for p in by_month.index],
        "start": [p.start_time for p in by_month.index], "end": [p.end_time.normalize() for p in by_month.index],
        "working_days": by_month["working_days"].to_numpy(), "target": by_month["target"].to_numpy(),
    })
    week_rows = pd.DataFrame({
        "level": "week",
        "period": [f"{y}-W{w:02d}" for y, w in zip(weeks["iso_year"], weeks["iso_week"], strict=True)],
        "start": weeks["week_start"].to_numpy(),
        "end": (weeks["week_start"] + pd.Timedelta(days=6)).to_numpy(),
        "working_days": weeks["days"].to_numpy(), "target": weeks["target"].to_numpy(),
    })
    day_rows = pd.DataFrame({
        "level": "day", "period": days["date"].dt.strftime("%Y-%m-%d").to_numpy(),
        "start": days["date"].to_numpy(), "end": days["date"].to_numpy(),
        "working_days": np.ones(len(days), dtype=np.int64), "target": days["target"].to_numpy(),
    })
    return pd.concat([month_rows, week_rows, day_rows], ignore_index=True)


def to_xlsx(plan: TargetPlan, path: str | os.PathLike[str]) -> Path:
    r"""Write a plan as an ``.xlsx`` workbook (see :func:`plan_sheets` for the layout).

    Parameters
    ----------
    plan : TargetPlan
        From :func:`salesnb.targets.breakdown`.
    path : path
        The file to write (folders are created); replaced when it exists, written to a
        temporary name first so a crash never leaves half a workbook.

    Returns
    -------
    pathlib.Path
        The file written. Sheet names are made valid for Excel (31 characters, no
        ``[]:*?/\``) and unique.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise parameter_error("xlsx_path", value=repr(str(path)))
    return write_xlsx(plan_sheets(plan), path)
