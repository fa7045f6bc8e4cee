"""The year's calendar, month by month: seasons, pushes, promotions, reviews, trainings and hires.

A *push* is the month before a high-season month that is not high season itself:
the month to fill the pipeline. Promotions are those the order lines show in the
same month of the last 12 months (their code, without the year's digits).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from salesnb.plan.standing import seasons
from salesnb.plan.team import review_calendar

if TYPE_CHECKING:
    from salesnb.plan.work import WorkPlan

__all__ = ["promotions", "year_calendar"]


def promotions(work: WorkPlan) -> pd.Series:
    """Return the promotions run in each calendar month of the last 12 months (``month -> list of names``)."""
    orders = work.orders
    if "promo_code" not in orders:
        return pd.Series(dtype=object)
    recent = orders.loc[orders["order_date"].between(work.start, work.end) & orders["promo_code"].notna(),
                        ["order_date", "promo_code"]]  # the two columns used, not a copy of every line's columns
    names = recent["promo_code"].astype(str).map(lambda code: re.sub(r"\d+$", "", code))
    by_month = names.groupby(recent["order_date"].dt.month).unique()
    return by_month.map(lambda values: sorted(values))


def year_calendar(work: WorkPlan) -> pd.DataFrame:
    """Return one row per month of the plan's year.

    Returns
    -------
    DataFrame
        ``month`` (first day), ``target``, ``index``, ``season``, ``push`` (bool),
        ``promotions`` (list), ``review`` (``monthly``/``quarterly``), ``training``
        (list of days) and ``hires`` (regions of the hires starting).
    """
    cal = seasons(work).set_index("month")
    months = pd.date_range(f"{work.year}-01-01", periods=12, freq="MS")
    out = pd.DataFrame({"month": months})
    num = out["month"].dt.month
    out["target"] = num.map(work.targets.monthly.groupby(work.targets.monthly["month"].dt.month)["target"].sum())
    out["index"] = num.map(cal["index"])
    out["season"] = num.map(cal["season"])
    after = num.map(lambda m: cal["season"].get(m % 12 + 1))
    out["push"] = (after == "high") & (out["season"] != "high")
    promos = promotions(work)
    out["promotions"] = num.map(lambda m: list(promos.get(m, [])))
    out["review"] = num.map(review_calendar(work.year).set_index("month")["kind"])
    out["training"] = num.map(lambda m: [d for d in work.training if d.month == m])
    out["hires"] = num.map(lambda m: work.hires.loc[work.hires["month"] == m, "region_id"].tolist())
    return out
