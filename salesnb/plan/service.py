"""Collection and after-sales: the review's receivables and complaints, with the plan's goals.

* :func:`collection` — the DSO now and its goal, what is overdue by age;
* :func:`collectors` — who collects what by when (the review's collection plan);
* :func:`service` — complaint numbers and service times against the goals;
* :func:`causes` — complaints by cause, most frequent first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from salesnb import review

if TYPE_CHECKING:
    from salesnb.plan.work import WorkPlan

__all__ = ["causes", "collection", "collectors", "service"]


def collection(work: WorkPlan) -> dict[str, Any]:
    """Return ``dso`` (the review's, at the plan's end date), ``dso_goal``, ``open``, ``overdue`` and ``aging``.

    ``aging`` is :func:`salesnb.review.aging` of every open invoice (one row).
    """
    aging = review.aging(work.dataset, as_of=work.end, invoices=work.invoices)
    return {"dso": work.dso, "dso_goal": work.goals["dso_days"], "open": float(aging["total"].iloc[0]),
            "overdue": float(aging["overdue"].iloc[0]), "aging": aging}


def collectors(work: WorkPlan, *, top: int = 15) -> pd.DataFrame:
    """Return the customers to collect from, biggest and oldest first, with the rep and the day it is due by.

    Invoices more than 60 days overdue are to be collected by the end of the plan's
    first month, the rest by the end of its first quarter.

    Returns
    -------
    DataFrame
        :func:`salesnb.review.collection_plan` columns plus ``rep`` (name) and ``by``.
    """
    plan = review.collection_plan(work.dataset, as_of=work.end, invoices=work.invoices, top=top)
    names = work.dataset.reps.set_index(work.dataset.reps["rep_id"].astype(str))["name"]
    plan["rep"] = plan["rep_id"].astype(str).map(names).fillna(plan["rep_id"].astype(str))
    first_month = pd.Timestamp(work.year, 1, 31)
    first_quarter = pd.Timestamp(work.year, 3, 31)
    plan["by"] = plan["oldest_days"].gt(60).map({True: first_month, False: first_quarter})
    return plan


def service(work: WorkPlan) -> dict[str, float]:
    """Return the review's complaint summary of the last 12 months, with ``response_goal`` in hours."""
    out = review.complaints_summary(work.dataset, start=work.start, end=work.end, times=work.complaints)
    return {**out, "response_goal": work.goals["response_hours"]}


def causes(work: WorkPlan) -> pd.DataFrame:
    """Return complaints of the last 12 months by cause (:func:`salesnb.review.complaints_by`), most first."""
    by = review.complaints_by(work.dataset, start=work.start, end=work.end, by="category",
                              response_sla_hours=work.goals["response_hours"])
    return by.sort_values(["complaints", "category"], ascending=[False, True], kind="stable").reset_index(drop=True)
