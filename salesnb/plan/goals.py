"""The year's goals and their basis: figures from the target breakdown, the forecasts and the review.

* :func:`year_goals` — the summary's goals against last year (net sales, new and
  active customers, DSO, complaint response, headcount; margin once the data has costs);
* :func:`target_vs_forecast` — the annual target against the regions' forecasts and
  their bands, and the chance of meeting each month;
* :func:`target_split` — the target by quarter, month, region or category, with last
  year and the seasonal index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesnb import review
from salesnb.params import check_choice
from salesnb.plan.budget import margin_goal, margin_last_year
from salesnb.plan.prospects import expected_wins
from salesnb.plan.team import headcount

if TYPE_CHECKING:
    from salesnb.plan.work import WorkPlan

__all__ = ["SPLITS", "target_split", "target_vs_forecast", "year_goals"]

#: The ways :func:`target_split` cuts the target.
SPLITS = ("quarter", "month", "region", "category")


def year_goals(work: WorkPlan) -> pd.DataFrame:
    """Return the year's goals against last year's figures, one row per goal.

    Net sales are the target breakdown's; the gross margin (a share of net sales) is
    :func:`salesnb.money.margin`'s against the director's goal; new customers are the leads' expected wins
    (:func:`salesnb.plan.prospects.expected_wins`); active customers are last year's
    minus those the churn model expects to lose plus the new ones; DSO, complaint
    response and headcount are the review's measures at the plan's end date.

    Returns
    -------
    DataFrame
        ``goal, last_year, target, change`` (target / last year − 1, NaN when not a
        ratio that means anything), in the summary's order.
    """
    tp, ds = work.targets, work.dataset
    last_sales = float(tp.regions["last_year"].sum())
    new_last = float(review.kpi_new_customers(ds, start=work.start, end=work.end, team=True).get(review.TEAM, 0))
    wins = float(expected_wins(work)["expected_wins"].sum())
    active_last = float(work.churn.scores["customer_id"].nunique())
    at_risk = float(work.churn.scores["risk"].sum())
    heads = headcount(work)
    response = float(work.complaints["response_hours"].median()) if len(work.complaints) else np.nan
    rows = [
        ("net_sales", last_sales, float(tp.annual_target)),
        ("margin", margin_last_year(work), margin_goal(work)),
        ("new_customers", new_last, round(wins)),
        ("active_customers", active_last, round(active_last - at_risk + wins)),
        ("dso_days", work.dso, work.goals["dso_days"]),
        ("response_hours", response, work.goals["response_hours"]),
        ("headcount", float(heads["now"].sum()), float(heads["planned"].sum())),
    ]
    out = pd.DataFrame(rows, columns=["goal", "last_year", "target"])
    with np.errstate(divide="ignore", invalid="ignore"):
        out["change"] = np.where(out["last_year"] > 0, out["target"] / out["last_year"] - 1, np.nan)
    return out


def target_vs_forecast(work: WorkPlan) -> dict[str, Any]:
    """Return the annual target against the sum of the regions' forecasts.

    Returns
    -------
    dict
        ``target``, ``forecast`` (sum of the regions' yearly forecasts), ``hi_80`` and
        ``hi_95`` (sums of their upper bounds, as :func:`salesnb.targets.bottom_up`
        adds them), ``vs_forecast`` (target / forecast − 1), ``p_month`` (average
        chance of meeting a region's month, from :func:`salesnb.targets.feasibility`),
        ``months_below`` (region-months below a 25 % chance), ``months`` (region-months
        with a forecast), ``flags`` (regions per flag of the bottom-up check).
    """
    regions = work.checked.loc[work.checked["level"] == "region"]
    have = regions.loc[regions["forecast"].notna()]
    target = float(work.targets.annual_target)
    forecast = float(have["forecast"].sum()) if len(have) else np.nan
    feas = work.feasible
    return {
        "target": target,
        "covered": float(have["target"].sum()),
        "forecast": forecast,
        "hi_80": float(have["hi_80"].sum()) if len(have) else np.nan,
        "hi_95": float(have["hi_95"].sum()) if len(have) else np.nan,
        "vs_forecast": float(have["target"].sum()) / forecast - 1 if forecast and forecast > 0 else np.nan,
        "p_month": float(feas["p_meet"].mean()) if len(feas) else np.nan,
        "months_below": int((feas["p_meet"] < 0.25).sum()),
        "months": len(feas),
        "flags": regions["flag"].value_counts().to_dict(),
    }


def target_split(work: WorkPlan, *, by: str) -> pd.DataFrame:
    """Return the annual target split one way, with last year and the growth asked.

    Parameters
    ----------
    work : WorkPlan
    by : {"quarter", "month", "region", "category"}

    Returns
    -------
    DataFrame
        ``<by>, last_year, target, growth, share`` (of the annual target); the month
        split adds ``index``, the company's seasonal index that month (weighted by
        last year's sales), ``p_meet`` the average chance over regions.
    """
    check_choice("by", by, SPLITS)
    monthly = work.targets.monthly
    if by == "region":
        out = work.targets.regions[["region_id", "name", "last_year", "target"]].copy()
    else:
        key = monthly["month"].dt.quarter if by == "quarter" else monthly[by]
        out = monthly.groupby(key.rename(by))[["last_year", "target"]].sum().reset_index()
    if by == "month":
        weighted = (monthly["index"] * monthly["last_year"]).groupby(monthly["month"]).sum()
        out["index"] = out["month"].map(weighted / monthly.groupby("month")["last_year"].sum())
        out["p_meet"] = out["month"].map(work.feasible.groupby("month")["p_meet"].mean())
    with np.errstate(divide="ignore", invalid="ignore"):
        last = out["last_year"].astype(float)
        out["growth"] = np.where(last > 0, out["target"].astype(float) / last - 1, np.nan)
    out["share"] = out["target"].astype(float) / float(work.targets.annual_target)
    return out.reset_index(drop=True)
