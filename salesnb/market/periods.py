"""Periods in whole days: the current period against the same period last year.

:func:`period_bounds` says which days a comparison covers, :func:`compare_periods`
sums sales per group over both, :func:`fastest_growing` picks the group that grew
most. The date helpers below (month ends, windows of whole months) are shared by the
other analysis modules of :mod:`salesnb.market`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from salesnb.market.orders import as_list, check_columns
from salesnb.params import check_choice, check_positive_int, to_timestamp
from salesnb.vocab import COMPARISONS as VOCAB_COMPARISONS

__all__ = [
    "COMPARISONS",
    "DAY",
    "Period",
    "compare_periods",
    "fastest_growing",
    "in_days",
    "is_month_end",
    "is_new",
    "last_complete_month",
    "month_start",
    "month_window",
    "period_bounds",
    "shares_of_change",
    "window_orders",
    "years_back",
]


#: Comparison periods understood by :func:`period_bounds` (one list with notebook 01's parameter rules).
COMPARISONS = VOCAB_COMPARISONS


#: One day: a period "to" a date includes that whole day.
DAY = pd.Timedelta(days=1)


def is_month_end(ts: pd.Timestamp) -> bool:
    """Return whether ``ts`` is the last day of its month."""
    return ts.day == ts.days_in_month


def years_back(ts: pd.Timestamp, years: int = 1) -> pd.Timestamp:
    """Return the same day ``years`` earlier; a month's last day maps to that month's last day.

    29 Feb 2024 -> 28 Feb 2023, and 28 Feb 2025 (the month's end) -> 29 Feb 2024, so a
    period ending on a month end always compares whole months.
    """
    back = ts - pd.DateOffset(years=years)
    return back + pd.offsets.MonthEnd(0) if is_month_end(ts) else back


def month_start(ts: pd.Timestamp) -> pd.Timestamp:
    """Return the first day of the month of ``ts``."""
    return pd.Timestamp(ts.year, ts.month, 1)


def last_complete_month(period_end: pd.Timestamp) -> pd.Period:
    """Return the last calendar month that ``period_end`` covers completely."""
    month = period_end.to_period("M")
    return month if is_month_end(period_end) else month - 1


def in_days(dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Mask of dates from ``start`` to ``end``, both whole days included."""
    return (dates >= start) & (dates < end + DAY)


def month_window(period_end: pd.Timestamp, months: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the ``months`` months ending at ``period_end`` (whole months when it is a month end)."""
    if is_month_end(period_end):
        return month_start(period_end) - pd.DateOffset(months=months - 1), period_end
    return period_end - pd.DateOffset(months=months) + DAY, period_end


def window_orders(orders: pd.DataFrame, period_end: object, months: int | None, date: str, *,
                  columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the order lines of the ``months`` months ending at ``period_end`` (all history up to it when None).

    The window is :func:`month_window`: whole months when ``period_end`` is a month end.
    ``columns`` keeps only those columns (a caller that sums one value copies three
    columns of the lines, not all of them); all by default.
    """
    end = to_timestamp("period_end", period_end)
    keep = slice(None) if columns is None else list(dict.fromkeys(columns))
    if months is None:
        return orders.loc[orders[date] < end + DAY, keep]
    start, _ = month_window(end, check_positive_int("months", months))
    return orders.loc[in_days(orders[date], start, end), keep]


class Period(NamedTuple):
    """A period and the one it is compared with (all whole days, ends included)."""

    start: pd.Timestamp
    end: pd.Timestamp
    prior_start: pd.Timestamp
    prior_end: pd.Timestamp


def period_bounds(period_end: object, *, comparison: str = "ytd") -> Period:
    """Return the current period ending at ``period_end`` and the same period a year earlier.

    Parameters
    ----------
    period_end : date-like
        Last day of the period (``"2026-10-31"``).
    comparison : {"ytd", "month", "quarter", "year", "rolling12"}
        * ``ytd``: 1 January to ``period_end`` against the same dates last year;
        * ``month``: the month of ``period_end`` up to that day, against the same
          days of the same month last year;
        * ``quarter``: the quarter to date against the same quarter last year;
        * ``year``: the last *complete* calendar year on or before ``period_end``
          (the year itself when ``period_end`` is 31 December, else the year
          before) against the year before it;
        * ``rolling12``: the twelve months ending at ``period_end`` against the
          twelve months before them.

        The prior end is the same day a year earlier, except that a month's last
        day maps to that month's last day: 29 Feb 2024 compares with 28 Feb 2023,
        and 28 Feb 2025 with 29 Feb 2024.

    Returns
    -------
    Period
        ``(start, end, prior_start, prior_end)`` as Timestamps.

    Examples
    --------
    >>> period_bounds("2026-10-31", comparison="ytd")
    Period(start=Timestamp('2026-01-01 00:00:00'), end=Timestamp('2026-10-31 00:00:00'), \
prior_start=Timestamp('2025-01-01 00:00:00'), prior_end=Timestamp('2025-10-31 00:00:00'))
    """
    end = to_timestamp("period_end", period_end)
    check_choice("comparison", comparison, COMPARISONS)
    if comparison == "ytd":
        start = pd.Timestamp(end.year, 1, 1)
    elif comparison == "month":
        start = month_start(end)
    elif comparison == "quarter":
        start = pd.Timestamp(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    elif comparison == "year":
        year = end.year if (end.month, end.day) == (12, 31) else end.year - 1
        start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    else:  # rolling12
        prior_end = years_back(end)
        return Period(prior_end + DAY, end, years_back(prior_end) + DAY, prior_end)
    return Period(start, end, start - pd.DateOffset(years=1), years_back(end))


def compare_periods(orders: pd.DataFrame, *, by: str | Sequence[str] | None, period_end: object,
                    comparison: str = "ytd", value: str = "net_amount",
                    date: str = "order_date") -> pd.DataFrame:
    """Sales per group in the current period against the same period last year.

    Parameters
    ----------
    orders : DataFrame
        Order lines (usually :func:`enrich_orders`) with ``date``, ``value`` and ``by``.
    by : str, list of str or None
        Grouping column(s), e.g. ``"region"``, ``"category"``, ``"channel"``,
        ``["customer_id", "customer"]``; None gives one row for the whole business.
    period_end : date-like
        Last day of the current period.
    comparison : {"ytd", "month", "quarter", "year", "rolling12"}
        See :func:`period_bounds`.
    value, date : str
        Amount and date columns.

    Returns
    -------
    DataFrame
        One row per group found in either period (sorted by current sales, largest
        first): the ``by`` columns, ``current``, ``prior``, ``change`` (current -
        prior), ``growth`` (change / prior; NaN when the prior period sold nothing
        or less), ``contribution`` (the group's share of the total change, so the
        column sums to 1; NaN in every row when the total change is too small to
        share, see :func:`shares_of_change`) and ``share`` (of current sales).
    """
    cols = as_list(by)
    check_columns(orders, [*cols, value, date])
    bounds = period_bounds(period_end, comparison=comparison)
    keep = list(dict.fromkeys([*cols, value]))  # the lines' other columns are not copied
    current = orders.loc[in_days(orders[date], bounds.start, bounds.end), keep]
    prior = orders.loc[in_days(orders[date], bounds.prior_start, bounds.prior_end), keep]
    if cols:
        cur = current.groupby(cols, observed=True, dropna=False, sort=True)[value].sum()
        pri = prior.groupby(cols, observed=True, dropna=False, sort=True)[value].sum()
        out = pd.concat({"current": cur, "prior": pri}, axis=1).fillna(0.0).reset_index()
    else:
        out = pd.DataFrame({"current": [float(current[value].sum())], "prior": [float(prior[value].sum())]})
    out["current"] = out["current"].astype(float)
    out["prior"] = out["prior"].astype(float)
    out["change"] = out["current"] - out["prior"]
    out["growth"] = np.where(out["prior"] > 0, out["change"] / out["prior"].where(out["prior"] > 0), np.nan)
    out["contribution"] = shares_of_change(out["change"])
    total = float(out["current"].sum())
    out["share"] = out["current"] / total if total != 0 else np.nan
    return out.sort_values("current", ascending=False, kind="stable").reset_index(drop=True)


def shares_of_change(change: pd.Series) -> pd.Series:
    """Return each group's share of the total change, or NaN throughout when it cannot be shared.

    A change is shared out only when no group moved more than the total did
    (``max |change| <= |total change|``, total not 0): then the shares run from
    -100 % to 100 % and add up to 100 %. When groups offset each other (the total
    grew 10 while one group grew 50 and another fell 40) a share would read 500 %
    or -400 %: the shares are NaN and each group's change in money is its
    contribution.

    Examples
    --------
    >>> shares_of_change(pd.Series([30.0, 10.0])).tolist()
    [0.75, 0.25]
    >>> shares_of_change(pd.Series([50.0, -40.0])).isna().all()
    np.True_
    """
    values = change.astype(float)
    total = float(values.sum())
    if total == 0 or float(values.abs().max()) > abs(total) * (1 + 1e-9):
        return pd.Series(np.nan, index=change.index)
    return values / total


def is_new(compared: pd.DataFrame) -> pd.Series:
    """Return True for the groups of :func:`compare_periods` that are new: selling now, nothing before.

    A group is new only with positive sales in the current period and none in the
    comparison period; a group with only returns now (negative sales) is not new,
    and neither is one with nothing in either period.

    Examples
    --------
    >>> frame = pd.DataFrame({"current": [120.0, -600.0, 0.0, 50.0], "prior": [0.0, 0.0, 0.0, 40.0]})
    >>> is_new(frame).tolist()
    [True, False, False, False]
    """
    check_columns(compared, ["current", "prior"], name="comparison")
    return (compared["current"] > 0) & (compared["prior"] == 0)


def fastest_growing(compared: pd.DataFrame, *, by: str, min_share: float = 0.02) -> pd.Series | None:
    """Return the group of :func:`compare_periods` growing fastest among those that mattered last year.

    Groups whose prior sales were below ``min_share`` of the prior total are left out,
    so a tiny newcomer does not win with +400 %. None when no group qualifies.
    """
    check_columns(compared, [by, "prior", "growth"], name="comparison")
    prior_total = float(compared["prior"].clip(lower=0).sum())
    eligible = compared.loc[(compared["prior"] >= min_share * prior_total) & compared["growth"].notna()]
    if eligible.empty:
        return None
    return eligible.sort_values("growth", ascending=False, kind="stable").iloc[0]
