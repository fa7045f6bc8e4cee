"""Selling expenses against the budget, their share of net sales, and contribution per rep and region.

* :func:`expenses_vs_budget` — spent against budgeted by month, line and region;
* :func:`selling_cost_share` — selling expenses (and the cost of goods) as a share of net sales;
* :func:`contribution` — each rep's or region's gross margin minus the selling
  expenses charged to them (salaries, travel, cars ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from salesnb.market.orders import as_list
from salesnb.market.periods import in_days
from salesnb.money.margin import costed_orders
from salesnb.params import check_choice, to_timestamp
from salesnb.schema import EXPENSE_LINES

if TYPE_CHECKING:
    from salesnb.data import Dataset

__all__ = ["BUDGET_BY", "contribution", "expense_lines", "expenses_vs_budget", "selling_cost_share"]

#: What :func:`expenses_vs_budget` can group by.
BUDGET_BY = ("month", "line", "region_id")


def _window(frame: pd.DataFrame, date: str, start: object, end: object) -> pd.DataFrame:
    """Rows of ``frame`` whose ``date`` falls from ``start`` to ``end`` (None: open)."""
    lo = to_timestamp("start", start) if start is not None else pd.Timestamp.min
    hi = to_timestamp("end", end) if end is not None else pd.Timestamp.max - pd.Timedelta(days=2)
    return frame.loc[in_days(frame[date], lo, hi)]


def expense_lines(dataset: Dataset, *, start: object = None, end: object = None) -> pd.DataFrame:
    """Return the ``expenses`` table of a span with ``month`` (first day) and empty ``rep_id``/``region_id`` added.

    Parameters
    ----------
    dataset : Dataset
        Needs the optional ``expenses`` table.
    start, end : date-like, optional
        Both days included; open by default.

    Returns
    -------
    DataFrame
        ``expense_id, date, month, line, amount, rep_id, region_id``.
    """
    out = _window(dataset["expenses"], "date", start, end).copy()
    for col in ("rep_id", "region_id"):
        if col not in out.columns:
            out[col] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["month"] = out["date"].dt.to_period("M").dt.to_timestamp()
    return out[["expense_id", "date", "month", "line", "amount", "rep_id", "region_id"]]


def _budget_lines(dataset: Dataset) -> pd.DataFrame:
    """Return the ``budget`` table with ``month`` as a first day and ``region_id`` (empty for the company)."""
    budget = dataset["budget"].copy()
    if "region_id" not in budget.columns:
        budget["region_id"] = pd.Series(pd.NA, index=budget.index, dtype="string")
    budget["month"] = pd.to_datetime({"year": budget["year"], "month": budget["month"], "day": 1})
    return budget


def expenses_vs_budget(dataset: Dataset, *, start: object = None, end: object = None,
                       by: str | Sequence[str] = ("month", "line")) -> pd.DataFrame:
    """Selling expenses against their budget.

    Expense lines only (the ``revenue`` budget is compared in :func:`selling_cost_share`).
    With ``region_id`` in ``by``, the company-wide budget rows and expenses charged to no
    region form a group with an empty ``region_id``.

    Parameters
    ----------
    dataset : Dataset
        Needs ``expenses`` and ``budget``.
    start, end : date-like, optional
        Months whose first day falls in the span (both included).
    by : str or sequence of str, default ("month", "line")
        Any of ``month``, ``line``, ``region_id``.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``actual``, ``budget``, ``variance`` (actual - budget; above 0
        is overspending) and ``variance_pct`` (variance / budget; NaN without a budget).
    """
    cols = as_list(by)
    for col in cols:
        check_choice("by", col, BUDGET_BY)
    spent = expense_lines(dataset, start=start, end=end)
    budget = _window(_budget_lines(dataset), "month", start, end)
    budget = budget.loc[budget["line"].isin(EXPENSE_LINES)]
    keys = cols or ["_all"]
    spent, budget = spent.assign(_all=0), budget.assign(_all=0)
    actual = spent.groupby(keys, dropna=False, sort=True)["amount"].sum().rename("actual")
    planned = budget.groupby(keys, dropna=False, sort=True)["amount"].sum().rename("budget")
    out = pd.concat([actual, planned], axis=1).fillna(0.0).reset_index()
    out["variance"] = out["actual"] - out["budget"]
    out["variance_pct"] = out["variance"] / out["budget"].where(out["budget"] > 0)
    return out.drop(columns="_all", errors="ignore")


def selling_cost_share(dataset: Dataset, *, start: object = None, end: object = None) -> pd.DataFrame:
    """Per month: net sales against the revenue budget, and costs as shares of net sales.

    Parameters
    ----------
    dataset : Dataset
        Needs ``orders`` and ``expenses`` (``budget`` for the revenue budget).
    start, end : date-like, optional
        Both days included.

    Returns
    -------
    DataFrame
        ``month, net_sales, revenue_budget, cost_of_goods, selling_expenses,
        expense_share`` (selling expenses / net sales) and ``cost_share`` (cost of goods /
        net sales); NaN shares in a month without sales.
    """
    lines = _window(costed_orders(dataset, shared=True)[["order_date", "month", "net_amount", "cost"]], "order_date",
                    start, end)
    sales = lines.groupby("month", sort=True)[["net_amount", "cost"]].sum().rename(
        columns={"net_amount": "net_sales", "cost": "cost_of_goods"})
    spent = expense_lines(dataset, start=start, end=end).groupby("month", sort=True)["amount"].sum()
    out = sales.join(spent.rename("selling_expenses"), how="outer").fillna(0.0)
    if dataset.has("budget"):
        budget = _budget_lines(dataset)
        revenue = budget.loc[budget["line"] == "revenue"].groupby("month")["amount"].sum()
        out["revenue_budget"] = revenue.reindex(out.index)
    else:
        out["revenue_budget"] = float("nan")
    positive = out["net_sales"].where(out["net_sales"] > 0)
    out["expense_share"] = out["selling_expenses"] / positive
    out["cost_share"] = out["cost_of_goods"] / positive
    out = out.reset_index()
    return out[["month", "net_sales", "revenue_budget", "cost_of_goods", "selling_expenses", "expense_share",
                "cost_share"]]


def contribution(dataset: Dataset, *, by: str = "rep", start: object = None, end: object = None) -> pd.DataFrame:
    """Gross margin minus the direct selling expenses, per rep or per region.

    A rep's direct expenses are the ``expenses`` rows naming the rep; a region's are
    the rows naming the region (rows naming a rep count for the rep's region when they
    name no region). Sales count for the rep of the order and the region of that rep's
    territory.

    Parameters
    ----------
    dataset : Dataset
        Needs ``orders`` and ``expenses``.
    by : {"rep", "region"}, default "rep"
        The level.
    start, end : date-like, optional
        Both days included.

    Returns
    -------
    DataFrame
        ``rep_id`` (or ``region_id``), ``net_sales``, ``margin``, ``expenses``,
        ``contribution`` (margin - expenses), ``contribution_pct`` (of net sales), by
        largest contribution first.
    """
    check_choice("by", by, ("rep", "region"))
    key = "rep_id" if by == "rep" else "region_id"
    costed = costed_orders(dataset, shared=True)[["order_date", "rep_id", "rep_region", "net_amount", "margin"]]
    lines = _window(costed, "order_date", start, end)
    lines = lines.assign(region_id=lines["rep_region"])
    sales = lines.groupby(key, sort=True)[["net_amount", "margin"]].sum().rename(columns={"net_amount": "net_sales"})
    spent = expense_lines(dataset, start=start, end=end)
    if key == "region_id":
        rep_region = dataset.reps.set_index("rep_id")["region_id"]
        spent = spent.assign(region_id=spent["region_id"].fillna(spent["rep_id"].map(rep_region)))
    cost = spent.dropna(subset=[key]).groupby(key, sort=True)["amount"].sum().rename("expenses")
    out = sales.join(cost, how="outer").fillna(0.0)
    out["contribution"] = out["margin"] - out["expenses"]
    out["contribution_pct"] = out["contribution"] / out["net_sales"].where(out["net_sales"] > 0)
    out = out.reset_index().rename(columns={"index": key})
    return out.sort_values("contribution", ascending=False, kind="stable").reset_index(drop=True)


