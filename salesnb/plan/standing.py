"""Where we stand: this year against the same period last year, seasons and trends.

Every figure is :mod:`salesnb.market`'s, on the same order lines and end date as the
market analysis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from salesnb import market, money

if TYPE_CHECKING:
    from salesnb.plan.work import WorkPlan

__all__ = ["competitors", "same_period", "seasons", "trends"]


def same_period(work: WorkPlan, *, by: str | None = None) -> pd.DataFrame:
    """Return this year to date against the same period last year (:func:`salesnb.market.compare_periods`)."""
    return market.compare_periods(work.orders, by=by, period_end=work.end, comparison="ytd")


def seasons(work: WorkPlan) -> pd.DataFrame:
    """Return the company's seasonal index and season name of each calendar month.

    Returns
    -------
    DataFrame
        ``month`` (1-12), ``index``, ``season`` (``high``, ``low``, ``normal``).
    """
    orders = work.orders.loc[work.orders["order_date"] <= work.end, ["order_date", "net_amount"]]
    named = market.name_seasons(market.seasonality(orders))
    return named[["month", "index", "season"]].reset_index(drop=True)


def trends(work: WorkPlan, *, by: str = "region") -> pd.DataFrame:
    """Return each group's 3- and 12-month growth and whether it speeds up (:func:`salesnb.market.momentum`)."""
    return market.momentum(work.orders, period_end=work.end, by=by)


def competitors(work: WorkPlan) -> pd.DataFrame:
    """Return each competitor's profile and what it took from us in the last 12 months, most losses first.

    :func:`salesnb.money.competitor_profiles`; empty when the data names no competitor.
    """
    prof = money.competitor_profiles(work.dataset, start=work.start, end=work.end)
    if prof.empty:
        return prof
    return prof.sort_values(["losses", "competitor"], ascending=[False, True], kind="stable").reset_index(drop=True)
