"""Review periods, their comparisons and working days.

A review period is a calendar week (Monday to Sunday), month, quarter or year, or a
custom span; it is read *as of* a date inside it (``period_end``), so a review of
October run on the 15th covers October 1-15 and paces toward October 31.

Comparisons:

* **same period last year** (*mismo período del año anterior*): for spans made of whole
  months the same calendar months a year earlier (February 2025 is compared with all of
  February 2024, leap day included); for spans of whole ISO weeks the same weekdays
  52 weeks (364 days) earlier; otherwise both dates moved back one year (29 February
  becomes 28 February);
* **prior period of equal length**: the same number of whole months (or whole weeks)
  just before; otherwise the same number of days just before.

Working days are Monday to Friday minus the public holidays of the dataset's country
(the ``holidays`` library); ``salesnb.workdays`` is used instead when it exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from salesnb import workdays
from salesnb.errors import ParameterError
from salesnb.params import parameter_error, to_timestamp

__all__ = [
    "PERIOD_KINDS",
    "Period",
    "holiday_dates",
    "period_range",
    "prior_period",
    "same_period_last_year",
    "working_day_flags",
    "working_days",
]

#: Period kinds :func:`period_range` understands (plus a start date for a custom span).
PERIOD_KINDS = ("week", "month", "quarter", "year", "custom")

DateLike = str | dt.date | pd.Timestamp | np.datetime64


def _month_aligned(start: pd.Timestamp, end: pd.Timestamp) -> bool:
    return start.day == 1 and (end + pd.Timedelta(days=1)).day == 1


def _week_aligned(start: pd.Timestamp, end: pd.Timestamp) -> bool:
    return start.weekday() == 0 and end.weekday() == 6


def _months_between(start: pd.Timestamp, end: pd.Timestamp) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def same_period_last_year(start: DateLike, end: DateLike) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the same span one year earlier (see the module docstring for the rule).

    Examples
    --------
    >>> same_period_last_year("2025-02-01", "2025-02-28")
    (Timestamp('2024-02-01 00:00:00'), Timestamp('2024-02-29 00:00:00'))
    >>> same_period_last_year("2024-02-29", "2024-03-10")
    (Timestamp('2023-02-28 00:00:00'), Timestamp('2023-03-10 00:00:00'))
    """
    s, e = to_timestamp("start", start), to_timestamp("end", end)
    if _month_aligned(s, e):
        ly_start = s - pd.DateOffset(years=1)
        ly_end = (e + pd.Timedelta(days=1) - pd.DateOffset(years=1)) - pd.Timedelta(days=1)
        return ly_start, ly_end
    if _week_aligned(s, e):
        return s - pd.Timedelta(days=364), e - pd.Timedelta(days=364)
    return s - pd.DateOffset(years=1), e - pd.DateOffset(years=1)


def prior_period(start: DateLike, end: DateLike) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the span of equal length just before ``start`` (whole months or weeks stay whole).

    Examples
    --------
    >>> prior_period("2026-10-01", "2026-10-31")
    (Timestamp('2026-09-01 00:00:00'), Timestamp('2026-09-30 00:00:00'))
    >>> prior_period("2026-10-01", "2026-10-15")
    (Timestamp('2026-09-16 00:00:00'), Timestamp('2026-09-30 00:00:00'))
    """
    s, e = to_timestamp("start", start), to_timestamp("end", end)
    if _month_aligned(s, e):
        n = _months_between(s, e)
        return s - pd.DateOffset(months=n), s - pd.Timedelta(days=1)
    days = (e - s).days + 1
    return s - pd.Timedelta(days=days), s - pd.Timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A review period read as of a date.

    Attributes
    ----------
    kind : str
        ``week``, ``month``, ``quarter``, ``year`` or ``custom``.
    start, end : Timestamp
        First and last day of the whole period.
    as_of : Timestamp
        Last day with facts (``start <= as_of <= end``); KPIs cover ``start..as_of``.
    """

    kind: str
    start: pd.Timestamp
    end: pd.Timestamp
    as_of: pd.Timestamp

    @property
    def complete(self) -> bool:
        """Whether the period is over at ``as_of``."""
        return self.as_of >= self.end

    @property
    def to_date(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """``(start, as_of)``: the span the KPIs cover."""
        return self.start, self.as_of

    @property
    def days(self) -> int:
        """Calendar days from start to as_of, both included."""
        return (self.as_of - self.start).days + 1

    @property
    def last_year(self) -> Period:
        """The same period one year earlier, read as of the matching day."""
        ly_start, ly_end = same_period_last_year(self.start, self.end)
        if self.complete:
            ly_as_of = ly_end
        else:
            _, ly_as_of = same_period_last_year(self.start, self.as_of)
            ly_as_of = min(max(ly_as_of, ly_start), ly_end)
        return Period(self.kind, ly_start, ly_end, ly_as_of)

    @property
    def prior(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The span of equal length before the to-date span (see :func:`prior_period`)."""
        return prior_period(self.start, self.as_of)

    def year(self) -> Period:
        """Return the calendar year holding ``as_of``, read as of the same day."""
        return period_range("year", self.as_of)


def period_range(period: str, period_end: DateLike, *, start: DateLike | None = None) -> Period:
    """Return the review period of a kind holding ``period_end``.

    Parameters
    ----------
    period : str
        ``"week"`` (the ISO week, Monday to Sunday), ``"month"``, ``"quarter"``,
        ``"year"``, ``"custom"`` (with ``start``), or a start date ``"YYYY-MM-DD"``
        as a shorthand for a custom span.
    period_end : date or str
        The reporting date: facts up to and including this day.
    start : date or str, optional
        First day of a custom span.

    Returns
    -------
    Period
        Calendar bounds and ``as_of = period_end``. A custom span ends at ``period_end``.

    Raises
    ------
    ParameterError
        For an unknown kind, a custom span without a start, or a start after the end;
        in the report language (``period`` is a notebook parameter).

    Examples
    --------
    >>> p = period_range("quarter", "2026-10-31")
    >>> p.start.date(), p.end.date(), p.as_of.date()
    (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31), datetime.date(2026, 10, 31))
    """
    as_of = to_timestamp("period_end", period_end)
    kind = period.strip().lower() if isinstance(period, str) else period
    if isinstance(kind, str) and kind not in PERIOD_KINDS and kind[:1].isdigit():
        start, kind = kind, "custom"
    if kind not in PERIOD_KINDS:
        allowed = ", ".join(repr(k) for k in PERIOD_KINDS)
        raise parameter_error("period_kind", allowed=allowed, value=repr(period))
    if kind == "custom":
        if start is None:
            raise parameter_error("period_custom")
        first = to_timestamp("period", start)
        if first > as_of:
            raise parameter_error("period_order", end=as_of.date(), start=first.date())
        return Period("custom", first, as_of, as_of)
    if kind == "week":
        first = as_of - pd.Timedelta(days=as_of.weekday())
        last = first + pd.Timedelta(days=6)
    elif kind == "month":
        first = as_of.replace(day=1)
        last = first + pd.offsets.MonthEnd(1)
    elif kind == "quarter":
        first = pd.Timestamp(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
        last = first + pd.offsets.QuarterEnd(1)
    else:
        first = pd.Timestamp(as_of.year, 1, 1)
        last = pd.Timestamp(as_of.year, 12, 31)
    return Period(kind, first, pd.Timestamp(last).normalize(), as_of)


# ------------------------------------------------------------------------- working days


@lru_cache(maxsize=32)
def holiday_dates(start: DateLike, end: DateLike, *, country: str = "ES") -> list[pd.Timestamp]:
    """Public holidays of ``country`` between two dates (both included); [] if unknown."""
    s, e = to_timestamp("start", start), to_timestamp("end", end)
    try:
        table = workdays.holiday_table(s, e, country=str(country).upper())
    except ParameterError:  # a country the holidays library does not know
        return []
    return [pd.Timestamp(d) for d in table["date"]]


def working_day_flags(start: DateLike, end: DateLike, *, country: str = "ES") -> pd.Series:
    """One boolean per calendar day from start to end: True on working days.

    Working days are Monday-Friday that are not public holidays of ``country``
    (from :func:`salesnb.workdays.day_calendar`). A country the ``holidays`` library
    does not know has no holidays: Monday-Friday only.
    """
    s, e = to_timestamp("start", start), to_timestamp("end", end)
    days = pd.date_range(s, e, freq="D")
    if len(days) == 0:
        return pd.Series([], index=days, dtype=bool, name="working")
    try:
        cal = workdays.day_calendar(s, e, country=str(country).upper())
    except ParameterError:
        return pd.Series(days.weekday < 5, index=days, name="working")
    return pd.Series(cal["working"].to_numpy(dtype=bool), index=days, name="working")


def working_days(start: DateLike, end: DateLike, *, country: str = "ES") -> int:
    """Count the working days from start to end, both included (0 when end < start)."""
    s, e = to_timestamp("start", start), to_timestamp("end", end)
    if e < s:
        return 0
    return int(working_day_flags(s, e, country=country).sum())
