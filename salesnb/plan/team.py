"""Team and activities: headcount, vacancies and hires with their ramp, the evaluation and the reviews.

* :func:`headcount` — reps per region now and planned for the year's end;
* :func:`hires_plan` — each planned hire with the month they reach full quota;
* :func:`evaluation` — the 12-item evaluation's KPIs and weights (the review's);
* :func:`review_calendar` — the monthly reviews and the quarterly evaluations;
* :func:`activity_last_year` — calls, visits and new customers per rep and month over
  the last 12 months against each rep's capacity (the review's KPI functions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb import review
from salesnb.data import employed

if TYPE_CHECKING:
    from salesnb.plan.work import WorkPlan

__all__ = ["activity_last_year", "evaluation", "headcount", "hires_plan", "review_calendar"]


def headcount(work: WorkPlan) -> pd.DataFrame:
    """Return reps per region: ``region_id, name, now, leaving, vacancies, hires, planned``.

    ``now`` are the reps employed at the plan's end date; ``leaving`` those with a
    leave date in the plan's year; ``vacancies`` the vacancies the target breakdown
    holds targets for; ``hires`` the planned hires; ``planned`` = now − leaving + hires.
    """
    reps = work.dataset.reps
    now = reps.loc[employed(reps, start=work.end)]
    year_start, year_end = pd.Timestamp(work.year, 1, 1), pd.Timestamp(work.year, 12, 31)
    leaving = now.loc[now["leave_date"].between(year_start, year_end)]
    regions = work.targets.regions[["region_id", "name"]].copy()
    ids = regions["region_id"]
    regions["now"] = ids.map(now.groupby("region_id").size()).fillna(0).astype(int)
    regions["leaving"] = ids.map(leaving.groupby("region_id").size()).fillna(0).astype(int)
    vacant = work.targets.reps.loc[work.targets.reps["status"] == "vacant"]
    regions["vacancies"] = ids.map(vacant.groupby("region_id").size()).fillna(0).astype(int)
    regions["hires"] = ids.map(work.hires.groupby("region_id").size()).fillna(0).astype(int)
    regions["planned"] = regions["now"] - regions["leaving"] + regions["hires"]
    return regions.reset_index(drop=True)


def hires_plan(work: WorkPlan) -> pd.DataFrame:
    """Return each planned hire: ``region_id, name, month, full_quota_month, months_at_full``.

    A new rep ramps up for the plan's ``ramp_months`` (the target breakdown's ramp)
    and carries a full quota from ``full_quota_month`` (13 = not this year).
    """
    ramp = int(work.target_options.get("ramp_months", 3))
    names = work.targets.regions.set_index("region_id")["name"]
    out = work.hires.assign(name=work.hires["region_id"].map(names))
    out["full_quota_month"] = out["month"] + ramp
    out["months_at_full"] = (13 - out["full_quota_month"]).clip(lower=0)
    return out[["region_id", "name", "month", "full_quota_month", "months_at_full"]]


def evaluation() -> pd.DataFrame:
    """Return the KPIs of the 12-item evaluation with their default weights (``kpi, weight``), heaviest first."""
    weights = review.check_weights(None)
    out = pd.DataFrame({"kpi": list(weights), "weight": list(weights.values())})
    out = out.loc[out["weight"] > 0]
    return out.sort_values(["weight", "kpi"], ascending=[False, True], kind="stable").reset_index(drop=True)


def review_calendar(year: int) -> pd.DataFrame:
    """Return the year's review meetings: ``month, kind`` (``monthly`` every month, ``quarterly`` after a quarter).

    The quarterly evaluation of the 12 KPIs is held in the month after each quarter
    (January for the last quarter of the year before).
    """
    rows = [(m, "quarterly" if m in (1, 4, 7, 10) else "monthly") for m in range(1, 13)]
    return pd.DataFrame(rows, columns=["month", "kind"]).assign(year=int(year))


def activity_last_year(work: WorkPlan) -> pd.DataFrame:
    """Return each active rep's calls, visits and new customers per month over the last 12 months.

    Returns
    -------
    DataFrame
        ``rep_id, name, region_id, calls, visits, new_customers`` (per month),
        ``capacity`` (contacts a month: weekly capacity × 52 / 12) and ``use``
        ((calls + visits) / capacity).
    """
    ds, s, e = work.dataset, work.start, work.end
    reps = ds.reps.loc[employed(ds.reps, start=e)].assign(rep_id=lambda f: f["rep_id"].astype(str))
    out = reps[["rep_id", "name", "region_id"]].copy()
    for name, kpi in (("calls", review.kpi_calls), ("visits", review.kpi_visits),
                      ("new_customers", review.kpi_new_customers)):
        out[name] = out["rep_id"].map(kpi(ds, start=s, end=e)).fillna(0.0).astype(float) / 12
    out["capacity"] = reps["weekly_capacity"].astype(float).to_numpy() * 52 / 12
    with np.errstate(divide="ignore", invalid="ignore"):
        out["use"] = (out["calls"] + out["visits"]) / out["capacity"].where(out["capacity"] > 0)
    return out.reset_index(drop=True)
