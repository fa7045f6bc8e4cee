"""Pareto: ABC classes, key accounts and how concentrated sales are (HHI)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.market.monthly import relative_change
from salesnb.market.orders import as_list, check_columns
from salesnb.market.periods import window_orders, years_back
from salesnb.params import check_fraction, check_positive_int, to_timestamp

__all__ = ["abc", "concentration", "key_accounts"]


def abc(orders: pd.DataFrame, *, by: str | Sequence[str] = "product_id", period_end: object,
        months: int | None = 12, a: float = 0.8, b: float = 0.95, value: str = "net_amount",
        date: str = "order_date") -> pd.DataFrame:
    """ABC (Pareto) classes of products, customers or any other group.

    Groups are ranked by sales in the window; **A** is the fewest top groups that
    together make at least ``a`` (80 %) of sales, **B** the next ones up to ``b``
    (95 %), **C** the rest. Groups that sold nothing or returned more than they
    bought count as zero and are C.

    Parameters
    ----------
    orders : DataFrame
        Order lines.
    by : str or list of str
        The items (``"product_id"``, ``["customer_id", "customer"]`` ...).
    period_end : date-like
        Last day of the window.
    months : int or None, default 12
        Window length in months ending at ``period_end``; None uses all history.
    a, b : float
        Cumulative-share limits of classes A and B (``0 < a < b < 1``).

    Returns
    -------
    DataFrame
        One row per group, best first: the ``by`` columns, ``sales``, ``share``,
        ``cum_share``, ``rank`` (1 = best), ``rank_share`` (rank / number of groups,
        the x of a Pareto curve) and ``abc`` (``A``, ``B`` or ``C``).
    """
    cols = as_list(by)
    check_columns(orders, [*cols, value, date])
    a, b = check_fraction("a", a), check_fraction("b", b)
    if not a < b:
        raise ParameterError.from_catalog("market.error_abc_order", a=a, b=b)
    data = window_orders(orders, period_end, months, date, columns=[*cols, value])
    sales = data.groupby(cols, observed=True, dropna=False)[value].sum().rename("sales").reset_index()
    sales = sales.sort_values("sales", ascending=False, kind="stable").reset_index(drop=True)
    positive = sales["sales"].clip(lower=0)
    total = float(positive.sum())
    share = positive / total if total > 0 else positive * 0.0
    cum = share.cumsum()
    before = cum - share
    sales["share"] = share
    sales["cum_share"] = cum
    sales["rank"] = np.arange(1, len(sales) + 1)
    sales["rank_share"] = sales["rank"] / max(len(sales), 1)
    cls = np.where(before < a - 1e-12, "A", np.where(before < b - 1e-12, "B", "C"))
    sales["abc"] = np.where(positive > 0, cls, "C")
    return sales


def key_accounts(enriched: pd.DataFrame, *, period_end: object, months: int = 12, a: float = 0.8,
                 b: float = 0.95, value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Class-A customers (the fewest that make ``a`` of sales), with their growth.

    Parameters
    ----------
    enriched : DataFrame
        Output of :func:`enrich_orders`.
    period_end : date-like
        Last day of the window.
    months : int, default 12
        Window length; growth compares with the same window a year earlier.

    Returns
    -------
    DataFrame
        ``rank``, ``customer_id``, ``customer``, ``channel``, ``province``,
        ``region``, ``sales``, ``prior`` (same window a year earlier), ``growth``,
        ``share`` and ``cum_share``, best first.
    """
    check_columns(enriched, ["customer_id", value, date])
    classes = abc(enriched, by="customer_id", period_end=period_end, months=months, a=a, b=b,
                  value=value, date=date)
    top = classes.loc[classes["abc"] == "A"]
    end = to_timestamp("period_end", period_end)
    prior = window_orders(enriched, years_back(end), months, date, columns=["customer_id", value])
    prior_sales = prior.groupby("customer_id", observed=True)[value].sum()
    attrs = [c for c in ("customer", "channel", "province", "region") if c in enriched.columns]
    info = enriched.drop_duplicates("customer_id").set_index("customer_id")[attrs]
    out = top.join(info, on="customer_id")
    out["prior"] = out["customer_id"].map(prior_sales).fillna(0.0).astype(float)
    out["growth"] = relative_change(out["sales"], out["prior"])
    return out[["rank", "customer_id", *attrs, "sales", "prior", "growth", "share", "cum_share"]].reset_index(drop=True)


def concentration(orders: pd.DataFrame, *, by: str | Sequence[str] = "customer_id", period_end: object,
                  months: int | None = 12, top: int = 10, value: str = "net_amount",
                  date: str = "order_date") -> pd.DataFrame:
    """How concentrated sales are: the top-``top`` share and the Herfindahl-Hirschman index.

    HHI is the sum of squared percentage shares, from near 0 (sales spread over many
    customers) to 10,000 (one customer buys everything); ``10,000 / HHI`` is the
    *effective number* of equally sized customers the business depends on.
    Returns are netted per group and groups with no positive sales are left out.

    Returns
    -------
    DataFrame
        One row: ``n`` (groups with positive sales), ``top`` (``top``, or fewer when
        there are fewer groups), ``top_share``, ``hhi`` and ``effective_n``.
    """
    cols = as_list(by)
    check_columns(orders, [*cols, value, date])
    top = check_positive_int("top", top)
    data = window_orders(orders, period_end, months, date, columns=[*cols, value])
    sales = data.groupby(cols, observed=True, dropna=False)[value].sum()
    sales = sales[sales > 0].sort_values(ascending=False, kind="stable")
    total = float(sales.sum())
    if total <= 0:
        return pd.DataFrame({"n": [0], "top": [0], "top_share": [np.nan], "hhi": [np.nan], "effective_n": [np.nan]})
    share = sales.to_numpy() / total
    hhi = float(np.sum((100 * share) ** 2))
    return pd.DataFrame({"n": [len(sales)], "top": [min(top, len(sales))], "top_share": [float(share[:top].sum())],
                         "hhi": [hhi], "effective_n": [10_000 / hhi]})
