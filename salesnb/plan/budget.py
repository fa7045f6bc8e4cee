"""Budget and incentives: revenue, margin, selling expenses, commission cost and contribution for the year.

Every amount is :mod:`salesnb.money`'s or the target breakdown's:

* revenue is the target by month (:attr:`WorkPlan.targets`);
* margin is the revenue times the margin goal, against last 12 months' margin
  (:func:`salesnb.money.margin`, computed once: :attr:`WorkPlan.margin_total`);
* selling expenses by line and month are the ``budget`` table's lines for the plan's
  year; where it has none for that year, the last 12 months' budget is carried over
  month by month, and last year's actual spending (:func:`salesnb.money.expenses_vs_budget`)
  stands beside it;
* the commission cost is the incentive scheme's cost share of the last 12 months
  (:func:`salesnb.money.commissions` once, :attr:`WorkPlan.commission_table`, and
  :func:`salesnb.money.incentive_cost`) applied to the target;
* the contribution by region is :func:`salesnb.money.contribution` of the last 12 months.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesnb import money

if TYPE_CHECKING:
    from salesnb.plan.work import WorkPlan

__all__ = ["budget_months", "expense_plan", "has_money", "incentives", "margin_goal", "margin_last_year",
           "region_contribution"]

#: Budget lines that are not selling expenses.
NOT_EXPENSES = ("revenue",)


def has_money(work: WorkPlan) -> dict[str, bool]:
    """Return which money tables the dataset has: ``expenses``, ``budget``, ``competitors``."""
    return {name: bool(work.dataset.has(name)) for name in ("expenses", "budget", "competitors")}


def margin_last_year(work: WorkPlan) -> float:
    """Return the gross margin share of net sales over the last 12 months (:func:`salesnb.money.margin`)."""
    total = work.margin_total
    return float(total["margin_pct"].iloc[0]) if len(total) else float("nan")


def margin_goal(work: WorkPlan) -> float:
    """Return the year's gross-margin goal: the director's, else the last 12 months' margin."""
    goal = work.goals.get("margin")
    return float(goal) if goal is not None else margin_last_year(work)


def expense_plan(work: WorkPlan) -> pd.DataFrame:
    """Return the year's selling-expense budget by line and month.

    Returns
    -------
    DataFrame
        ``line, month`` (first day, in the plan's year), ``budget``, ``last_year`` (actual
        spending in the same calendar month of the last 12 months) and ``source``
        (``budget``: the table's line for that year; ``carried``: last 12 months' budget).
    """
    ds = work.dataset
    lines = ds["budget"].assign(line=lambda f: f["line"].astype(str))
    lines = lines.loc[~lines["line"].isin(NOT_EXPENSES)]
    own = lines.loc[lines["year"].astype(int) == work.year]
    source = "budget" if len(own) else "carried"
    if not len(own):
        month_start = pd.to_datetime(dict(year=lines["year"].astype(int), month=lines["month"].astype(int), day=1))
        own = lines.loc[month_start.between(work.start, work.end)]
    out = own.groupby(["line", own["month"].astype(int).rename("moy")])["amount"].sum().rename("budget").reset_index()
    actual = money.expense_lines(ds, start=work.start, end=work.end)
    spent = actual.groupby(["line", actual["date"].dt.month.rename("moy")])["amount"].sum().rename("last_year")
    out = out.merge(spent.reset_index(), on=["line", "moy"], how="outer").fillna({"budget": 0.0, "last_year": 0.0})
    out["month"] = pd.to_datetime(dict(year=work.year, month=out["moy"], day=1))
    out["source"] = source
    return out[["line", "month", "budget", "last_year", "source"]].sort_values(["line", "month"]).reset_index(drop=True)


def incentives(work: WorkPlan) -> dict[str, Any]:
    """Return the incentive scheme and its cost.

    Returns
    -------
    dict
        ``plan`` (:func:`salesnb.money.commission_plan` tiers), ``last_year``
        (:func:`salesnb.money.incentive_cost` of the last 12 months), ``share`` (its cost
        per euro of net sales) and ``cost`` (that share of the year's target).
    """
    table = work.commission_table
    cost = money.incentive_cost(table)
    share = cost["share"] if np.isfinite(cost["share"]) else 0.0
    return {"plan": money.commission_plan(work.dataset), "last_year": cost, "share": share,
            "cost": share * float(work.targets.annual_target)}


def budget_months(work: WorkPlan) -> pd.DataFrame:
    """Return the year's budget by month: ``month, revenue, margin, expenses, commission, contribution``.

    ``margin`` is the revenue times the margin goal (:func:`margin_goal`); ``contribution`` is margin minus
    selling expenses minus commission.
    """
    monthly = work.targets.monthly.groupby("month")["target"].sum().rename("revenue").reset_index()
    monthly["margin"] = monthly["revenue"] * margin_goal(work)
    expenses = expense_plan(work).groupby("month")["budget"].sum() if has_money(work)["budget"] else None
    monthly["expenses"] = monthly["month"].map(expenses).fillna(0.0) if expenses is not None else 0.0
    monthly["commission"] = monthly["revenue"] * incentives(work)["share"]
    monthly["contribution"] = monthly["margin"] - monthly["expenses"] - monthly["commission"]
    return monthly


def region_contribution(work: WorkPlan) -> pd.DataFrame:
    """Return each region's contribution over the last 12 months, with its target for the year.

    Returns
    -------
    DataFrame
        ``region_id, name, net_sales, margin, expenses, contribution, contribution_pct, target``.
    """
    contrib = money.contribution(work.dataset, by="region", start=work.start, end=work.end)
    regions = work.targets.regions[["region_id", "name", "target"]]
    out = regions.merge(contrib, on="region_id", how="left")
    return out[["region_id", "name", "net_sales", "margin", "expenses", "contribution", "contribution_pct", "target"]]
