"""The target plan: what :func:`salesnb.targets.breakdown` returns, and what every view reads.

:class:`TargetPlan` holds the breakdown as tidy frames per level (region, region ×
category, month, rep × month, ISO week, working day), the reps planned, the working-day
calendar and the reconciliation audit. Views, charts, the workbook export, the
feasibility checks and the periodic review read these public attributes; nothing
outside the cascade needs its internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["TargetPlan"]


@dataclass
class TargetPlan:
    """A target breakdown, as tidy frames per level, and its reconciliation audit.

    Amounts are whole multiples of ``unit`` (int64 columns when ``unit`` is a whole
    number). Every level adds up exactly to the annual target.

    Attributes
    ----------
    year, method, annual_target, unit, currency, country :
        What was planned, and how.
    base_start, base_end : Timestamp
        The 12 months "last year" means (both days included).
    regions : DataFrame
        ``region_id, name, last_year, potential_share, weight, target, locked``.
    region_category : DataFrame
        ``region_id, category, last_year, target, share, growth``.
    monthly : DataFrame
        ``region_id, category, month, target, last_year, index`` (``month`` is the
        first day of the month; ``index`` the seasonal index used).
    rep_monthly : DataFrame
        ``rep_id, region_id, category, month, target``.
    weekly : DataFrame
        ``rep_id, region_id, iso_year, iso_week, week_start, target, days``: the sum of
        a rep's daily targets by ISO week (``days``: working days with a row).
    daily : DataFrame
        ``rep_id, region_id, category, date, target``: one row per rep, category and
        working day of a month in which that rep has a target for that category.
    reps : DataFrame
        One row per rep planned (``VACANT-…`` placeholders included): ``rep_id, name,
        region_id, hire_date, leave_date, weekly_capacity, status`` (``active``,
        ``ramping``, ``leaving``, ``vacant``), ``ramp_end``, ``book`` (last year's sales
        of the accounts they hold), ``book_share``, ``capacity_share``, ``weight``,
        ``availability`` (share of the year's working days at full quota), ``locked``,
        ``target``.
    calendar : DataFrame
        The day calendar of each holiday calendar used (``calendar`` = subdivision or
        ``""``), as :func:`salesnb.workdays.day_calendar`.
    audit : DataFrame
        One row per parent-child check: ``level, parent, expected, actual, ok``.
    notes : list of dict
        Things the reader should know (``{"code": "vacant", "region_id": …}``).
    params : dict
        The arguments of :func:`breakdown`, for the report stamp.
    """

    year: int
    method: str
    annual_target: int | float
    unit: float
    currency: str
    country: str
    base_start: pd.Timestamp
    base_end: pd.Timestamp
    regions: pd.DataFrame
    region_category: pd.DataFrame
    monthly: pd.DataFrame
    rep_monthly: pd.DataFrame
    weekly: pd.DataFrame
    daily: pd.DataFrame
    reps: pd.DataFrame
    calendar: pd.DataFrame
    audit: pd.DataFrame
    notes: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Return True when every audit check passes."""
        return bool(self.audit["ok"].all())

    def rep_annual(self) -> pd.DataFrame:
        """Return one row per rep with a target: ``rep_id, name, region_id, status, last_year, target``."""
        reps = self.reps.loc[self.reps["target"] > 0]
        return reps[["rep_id", "name", "region_id", "status", "book", "target"]].rename(
            columns={"book": "last_year"}).reset_index(drop=True)

    def __repr__(self) -> str:
        """Return a one-line summary: year, method, target, sizes and the audit's verdict."""
        return (f"TargetPlan(year={self.year}, method={self.method!r}, annual_target={self.annual_target}, "
                f"regions={len(self.regions)}, reps={int((self.reps['target'] > 0).sum())}, "
                f"daily_rows={len(self.daily)}, audit_ok={self.ok})")
