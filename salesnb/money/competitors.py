"""Competitors: who takes our leads and customers, where, through which channel, at what price.

Losses come from leads lost to a named competitor (``leads.lost_to``) and customers
lost to one (``customers.lost_to``, dated by ``lost_date``). A customer loss carries the
customer's sales over the twelve months before it and its main product category.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from salesnb.market.orders import as_list
from salesnb.market.periods import in_days
from salesnb.params import check_choice, to_timestamp

if TYPE_CHECKING:
    from salesnb.data import Dataset

__all__ = ["LOSS_BY", "competitor_losses", "competitor_profiles", "losses", "where_competitors_win"]

#: What :func:`competitor_losses` can group by.
LOSS_BY = ("competitor", "kind", "region", "province", "channel", "category")


def _province_region(dataset: Dataset) -> pd.Series:
    """Province id -> the name of its parent region (its own name at the top)."""
    regions = dataset.regions.set_index("region_id")
    names = regions["name"]
    return regions["parent_id"].map(names).fillna(names)


def _lead_losses(dataset: Dataset) -> pd.DataFrame:
    """Leads lost to a named competitor, one row each."""
    if not dataset.has("leads") or "lost_to" not in dataset["leads"]:
        return pd.DataFrame(columns=["competitor", "kind", "date", "province", "channel", "category", "value"])
    leads = dataset["leads"]
    lost = leads.loc[(leads["status"] == "lost") & leads["lost_to"].notna()]
    value = lost["est_investment"].astype(float) if "est_investment" in lost else pd.Series(float("nan"), lost.index)
    return pd.DataFrame({"competitor": lost["lost_to"].astype(str), "kind": "lead", "date": lost["closed_date"],
                         "province": lost["region_id"].astype(str), "channel": lost["channel"].astype(str),
                         "category": pd.NA, "value": value})


def _customer_losses(dataset: Dataset) -> pd.DataFrame:
    """Return customers lost to a named competitor, with their last year's sales and main category."""
    cust = dataset.customers
    if "lost_to" not in cust:
        return _lead_losses(dataset).iloc[0:0]
    lost = cust.loc[cust["lost_to"].notna()]
    orders = dataset.orders  # the lost customers' lines only, then their categories
    orders = orders.loc[orders["customer_id"].isin(lost["customer_id"]), ["customer_id", "product_id", "order_date",
                                                                          "net_amount"]]
    orders = orders.merge(dataset.products[["product_id", "category"]], on="product_id", how="left")
    when = lost.set_index("customer_id")["lost_date"]
    since = orders["customer_id"].map(when)
    recent = orders.loc[since.isna() | ((orders["order_date"] <= since) &
                                        (orders["order_date"] > since - pd.DateOffset(years=1)))]
    value = recent.groupby("customer_id")["net_amount"].sum()
    main = orders.groupby(["customer_id", "category"])["net_amount"].sum().reset_index()
    main = main.sort_values(["customer_id", "net_amount"], ascending=[True, False], kind="stable")
    category = main.drop_duplicates("customer_id").set_index("customer_id")["category"]
    ids = lost["customer_id"]
    return pd.DataFrame({"competitor": lost["lost_to"].astype(str), "kind": "customer",
                         "date": lost.get("lost_date", pd.NaT),
                         "province": lost["region_id"].astype(str), "channel": lost["channel"].astype(str),
                         "category": ids.map(category), "value": ids.map(value).fillna(0.0)})


def losses(dataset: Dataset, *, start: object = None, end: object = None) -> pd.DataFrame:
    """Every loss to a named competitor: leads and customers, one row each.

    Parameters
    ----------
    dataset : Dataset
        Leads and customers with ``lost_to`` (none otherwise).
    start, end : date-like, optional
        Losses dated in the span (both days included); undated losses count when no
        span is given.

    Returns
    -------
    DataFrame
        ``competitor, kind`` (``lead`` or ``customer``), ``date, province, region,
        channel, category, value`` (estimated investment of a lead; a customer's sales
        over the year before the loss).
    """
    cols = ["competitor", "kind", "date", "province", "channel", "category", "value"]
    parts = [f.dropna(axis=1, how="all") for f in (_lead_losses(dataset), _customer_losses(dataset)) if len(f)]
    out = pd.concat(parts, ignore_index=True).reindex(columns=cols) if parts else pd.DataFrame(columns=cols)
    out["date"] = pd.to_datetime(out["date"])
    out["region"] = out["province"].map(_province_region(dataset)).fillna(out["province"])
    if start is not None or end is not None:
        lo = to_timestamp("start", start) if start is not None else pd.Timestamp("1900-01-01")
        hi = to_timestamp("end", end) if end is not None else pd.Timestamp("2200-01-01")
        out = out.loc[in_days(out["date"], lo, hi)]
    return out[["competitor", "kind", "date", "province", "region", "channel", "category", "value"]].reset_index(
        drop=True)


def competitor_losses(dataset: Dataset, *, by: str | Sequence[str] = ("competitor",), start: object = None,
                      end: object = None) -> pd.DataFrame:
    """Losses to competitors counted per group.

    Parameters
    ----------
    dataset : Dataset
        As :func:`losses`.
    by : str or sequence of str, default ("competitor",)
        Any of ``competitor, kind, region, province, channel, category``.
    start, end : date-like, optional
        As :func:`losses`.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``leads`` (leads lost), ``customers`` (customers lost),
        ``losses`` (both), ``value`` and ``share`` (of all losses), most losses first.
    """
    cols = as_list(by)
    for col in cols:
        check_choice("by", col, LOSS_BY)
    rows = losses(dataset, start=start, end=end)
    rows = rows.assign(leads=(rows["kind"] == "lead").astype(int), customers=(rows["kind"] == "customer").astype(int))
    out = rows.groupby(cols, dropna=False, sort=True)[["leads", "customers", "value"]].sum().reset_index()
    out["losses"] = out["leads"] + out["customers"]
    total = max(int(out["losses"].sum()), 1)
    out["share"] = out["losses"] / total
    out = out[[*cols, "leads", "customers", "losses", "value", "share"]]
    return out.sort_values(["losses", *cols], ascending=[False, *[True] * len(cols)], kind="stable").reset_index(
        drop=True)


def where_competitors_win(dataset: Dataset, *, by: str = "region", start: object = None,
                          end: object = None) -> pd.DataFrame:
    """Return a competitor x ``by`` table of losses, with each competitor's strongest place.

    Returns
    -------
    DataFrame
        One row per competitor: a column per value of ``by`` (losses there), ``total``
        and ``strongest`` (the value of ``by`` where it took most).
    """
    check_choice("by", by, LOSS_BY[2:])
    rows = losses(dataset, start=start, end=end)
    table = pd.crosstab(rows["competitor"], rows[by].fillna("–"))
    out = table.copy()
    out["total"] = table.sum(axis=1)
    out["strongest"] = table.idxmax(axis=1) if len(table.columns) else pd.NA
    out = out.sort_values("total", ascending=False, kind="stable")
    out.columns.name = None
    return out.reset_index()


def competitor_profiles(dataset: Dataset, *, start: object = None, end: object = None) -> pd.DataFrame:
    """Return the ``competitors`` table (when given) with each rival's losses, value and strongest region.

    Returns
    -------
    DataFrame
        ``competitor, price_position, channels, regions, notes, leads, customers,
        losses, value, strongest``; competitors named only in ``lost_to`` have empty notes.
    """
    counts = competitor_losses(dataset, start=start, end=end)
    wins = where_competitors_win(dataset, start=start, end=end)[["competitor", "strongest"]]
    out = counts.merge(wins, on="competitor", how="left")
    if dataset.has("competitors"):
        info = dataset["competitors"].rename(columns={"name": "competitor"})
        out = info.merge(out, on="competitor", how="outer")
    for col in ("price_position", "channels", "regions", "notes"):
        if col not in out:
            out[col] = pd.NA
    for col in ("leads", "customers", "losses"):
        out[col] = out[col].fillna(0).astype(int)
    out = out.sort_values(["losses", "competitor"], ascending=[False, True], kind="stable")
    return out[["competitor", "price_position", "channels", "regions", "notes", "leads", "customers", "losses",
                "value", "strongest"]].reset_index(drop=True)
