"""Gross margin: net sales minus the cost of the goods sold, by any grouping, and against last year.

The cost of an order line is its quantity times the line's ``unit_cost`` when the
orders carry one, else the product's ``unit_cost`` (returns, with a negative quantity,
give the cost back). :func:`costed_orders` is that one frame; :func:`margin` groups it
and :func:`margin_comparison` sets a period against the same period a year earlier
(the periods of :func:`salesnb.market.periods.period_bounds`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pandas as pd

from salesnb.data.memo import remember
from salesnb.errors import ParameterError
from salesnb.market.orders import as_list, enrich_orders
from salesnb.market.periods import in_days, period_bounds
from salesnb.params import to_timestamp

if TYPE_CHECKING:
    from salesnb.data import Dataset

__all__ = ["GROUPS", "costed_orders", "group_columns", "margin", "margin_comparison", "remember", "with_margin"]

#: Names a margin can be grouped by -> the columns of :func:`costed_orders` that carry them.
GROUPS: dict[str, tuple[str, ...]] = {
    "product": ("product_id", "product"),
    "category": ("category",),
    "customer": ("customer_id", "customer"),
    "rep": ("rep_id",),
    "region": ("rep_region",),
    "province": ("region_id", "province"),
    "channel": ("channel",),
    "month": ("month",),
    "promo_code": ("promo_code",),
}


def group_columns(by: str | Sequence[str] | None) -> list[str]:
    """Return the columns behind the group names ``by`` (see :data:`GROUPS`).

    Raises
    ------
    ParameterError
        For a name that is not a key of :data:`GROUPS`.
    """
    cols: list[str] = []
    for name in as_list(by):
        if name not in GROUPS:
            raise ParameterError.from_catalog("money.error_by", value=repr(name), allowed=", ".join(GROUPS))
        cols += [c for c in GROUPS[name] if c not in cols]
    return cols


def costed_orders(dataset: Dataset, *, start: object = None, end: object = None,
                  shared: bool = False) -> pd.DataFrame:
    """Order lines with what they cost: :func:`~salesnb.market.orders.enrich_orders` plus cost columns.

    Parameters
    ----------
    dataset : Dataset
        Needs ``orders``, ``customers``, ``regions``, ``products`` (and ``reps``).
    start, end : date-like, optional
        Only the lines dated from ``start`` to ``end`` (both days included), in the
        same order, costed alone (never shared); all by default.
    shared : bool, default False
        Return the one frame computed for this dataset's tables (:func:`remember`: the
        money page's dozen sections join the order lines once, not once each). The
        result is shared: do not modify it. False returns a copy of that frame, which
        the caller owns.

    Returns
    -------
    DataFrame
        The enriched order lines plus ``unit_cost`` (the line's, else the product's),
        ``cost`` (quantity x unit_cost), ``margin`` (net_amount - cost), ``rep_region``
        (the region of the rep's territory) and ``promo_code`` (empty when absent).
    """
    if start is not None or end is not None:
        return _costed(_lines_between(dataset, start, end))  # cost only those lines
    if not hasattr(dataset, "tables"):  # any object with the frames: nothing to remember them by
        return _costed(dataset)
    lines = remember(dataset, "costed_orders", lambda: _costed(dataset))
    return lines if shared else lines.copy()


def _lines_between(dataset: Dataset, start: object, end: object) -> Dataset:
    """Return the dataset with only the order lines dated ``start..end`` (its content hash marked as a part)."""
    orders = dataset.orders
    lo = to_timestamp("start", start) if start is not None else orders["order_date"].min()
    hi = to_timestamp("end", end) if end is not None else orders["order_date"].max()
    tables = {**dataset.tables, "orders": orders.loc[in_days(orders["order_date"], lo, hi)]}
    if not dataclasses.is_dataclass(dataset):  # any object with the frames (enrich_orders takes one)
        return SimpleNamespace(**{**vars(dataset), **tables})  # type: ignore[return-value]
    return dataclasses.replace(dataset, tables=tables, content_hash=f"{dataset.content_hash}#orders={lo}..{hi}")


def _costed(dataset: Dataset) -> pd.DataFrame:
    """Compute the frame of :func:`costed_orders`."""
    out = enrich_orders(dataset)
    product_cost = out["product_id"].map(dataset.products.set_index("product_id")["unit_cost"]).astype(float)
    if "unit_cost" in out.columns:
        out["unit_cost"] = out["unit_cost"].astype(float).fillna(product_cost)
    else:
        out["unit_cost"] = product_cost
    out["cost"] = out["quantity"].astype(float) * out["unit_cost"]
    out["margin"] = out["net_amount"].astype(float) - out["cost"]
    out["rep_region"] = out["rep_id"].map(dataset.reps.set_index("rep_id")["region_id"])
    if "promo_code" not in out.columns:
        out["promo_code"] = pd.Series(pd.NA, index=out.index, dtype="string")
    return out


def with_margin(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` (``net_sales``, ``cost``) with ``margin`` and ``margin_pct`` (NaN on no sales)."""
    out = frame.copy()
    out["margin"] = out["net_sales"] - out["cost"]
    sales = out["net_sales"].where(out["net_sales"] != 0)
    out["margin_pct"] = out["margin"] / sales
    return out


def _sum(lines: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Net sales and cost of ``lines`` per group (one row for all when ``cols`` is empty)."""
    values = lines[["net_amount", "cost"]].astype(float).rename(columns={"net_amount": "net_sales"})
    if not cols:
        return pd.DataFrame({"net_sales": [values["net_sales"].sum()], "cost": [values["cost"].sum()]})
    grouped = pd.concat([lines[cols], values], axis=1).groupby(cols, observed=True, dropna=False, sort=True)
    return grouped[["net_sales", "cost"]].sum().reset_index()


def margin(dataset: Dataset, *, by: str | Sequence[str] | None = ("category",), start: object = None,
           end: object = None, lines: pd.DataFrame | None = None) -> pd.DataFrame:
    """Net sales, cost of goods and gross margin per group.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    by : str, sequence of str or None, default ("category",)
        Any of ``product, category, customer, rep, region, province, channel, month,
        promo_code`` (:data:`GROUPS`); None gives one row for the whole business.
    start, end : date-like, optional
        First and last day of the order dates counted (both included); all by default.
    lines : DataFrame, optional
        :func:`costed_orders` of ``dataset``, already computed (speed-up; the lines
        from ``start`` to ``end`` are enough).

    Returns
    -------
    DataFrame
        The group columns, ``net_sales``, ``cost``, ``margin``, ``margin_pct``
        (margin / net sales), by largest net sales first.

    Examples
    --------
    >>> margin(ds, by="rep", start="2026-01-01", end="2026-10-31")  # doctest: +SKIP
    """
    cols = group_columns(by)
    lines = costed_orders(dataset, shared=True) if lines is None else lines
    lo = to_timestamp("start", start) if start is not None else lines["order_date"].min()
    hi = to_timestamp("end", end) if end is not None else lines["order_date"].max()
    out = with_margin(_sum(lines.loc[in_days(lines["order_date"], lo, hi), [*cols, "net_amount", "cost"]], cols))
    return out.sort_values("net_sales", ascending=False, kind="stable").reset_index(drop=True)


def margin_comparison(dataset: Dataset, *, by: str | Sequence[str] | None = ("category",),
                      period_end: object, comparison: str = "ytd") -> pd.DataFrame:
    """Margin per group in a period against the same period a year earlier.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    by : str, sequence of str or None
        As in :func:`margin`.
    period_end : date-like
        Last day of the current period.
    comparison : {"ytd", "month", "quarter", "year", "rolling12"}
        The period (:func:`salesnb.market.periods.period_bounds`).

    Returns
    -------
    DataFrame
        The group columns, ``net_sales``, ``margin``, ``margin_pct``, ``prior_net_sales``,
        ``prior_margin``, ``prior_margin_pct``, ``margin_change`` and ``pct_points``
        (change of margin_pct, in fractions: 0.01 = one point), by largest margin first.
    """
    cols = group_columns(by)
    bounds = period_bounds(period_end, comparison=comparison)
    lines = costed_orders(dataset, shared=True)
    keep = [*cols, "net_amount", "cost"]
    now = with_margin(_sum(lines.loc[in_days(lines["order_date"], bounds.start, bounds.end), keep], cols))
    before = with_margin(_sum(lines.loc[in_days(lines["order_date"], bounds.prior_start, bounds.prior_end), keep],
                              cols))
    before = before.rename(columns={c: f"prior_{c}" for c in ("net_sales", "cost", "margin", "margin_pct")})
    out = now.merge(before, on=cols, how="outer") if cols else pd.concat([now, before], axis=1)
    for col in ("net_sales", "margin", "prior_net_sales", "prior_margin"):
        out[col] = out[col].fillna(0.0)
    out["margin_change"] = out["margin"] - out["prior_margin"]
    out["pct_points"] = out["margin_pct"] - out["prior_margin_pct"]
    keep = [*cols, "net_sales", "margin", "margin_pct", "prior_net_sales", "prior_margin", "prior_margin_pct",
            "margin_change", "pct_points"]
    out = out[keep].sort_values("margin", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs.update(start=bounds.start, end=bounds.end, prior_start=bounds.prior_start,
                     prior_end=bounds.prior_end)
    return out


