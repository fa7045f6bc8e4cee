"""Product lifecycle: new products and their ramp-up, declining products."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.market.monthly import month_matrix, relative_change
from salesnb.market.orders import check_columns
from salesnb.market.periods import DAY, last_complete_month, month_window, window_orders
from salesnb.market.seasons import seasonality
from salesnb.params import check_positive_int, to_timestamp

__all__ = ["declining_products", "new_products", "product_lifecycle", "product_ramp"]


def product_lifecycle(enriched: pd.DataFrame, products: pd.DataFrame, *, period_end: object,
                      new_months: int = 12, threshold: float = -0.15, seasonal_adjust: bool = True,
                      value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Flag new and declining products, with the numbers behind each flag.

    A product is **new** when it was launched in the ``new_months`` months up to
    ``period_end``. It is **declining** when it is not new, its last 6 complete months
    sold at least ``-threshold`` (15 %) less than the same months a year earlier
    (``yoy_6m``), *and* they sold less than the 6 months before them (``change_6m``).
    That second comparison crosses seasons, so by default each month is first divided
    by the seasonal index of the product's category.

    Parameters
    ----------
    enriched : DataFrame
        Output of :func:`enrich_orders` (``product_id``, ``customer_id``, ``category``).
    products : DataFrame
        The ``products`` table (``product_id``, ``name``, ``category``, ``launch_date``).
    period_end : date-like
        Last day of history; only complete months enter the 6-month sums.
    new_months : int, default 12
        Launch window of new products.
    threshold : float, default -0.15
        Year-on-year change at or below which a product may be declining.
    seasonal_adjust : bool, default True
        Deseasonalise ``change_6m`` with category indices.

    Returns
    -------
    DataFrame
        One row per product: ``product_id``, ``product``, ``category``,
        ``launch_date``, ``months_since_launch``, ``customers`` and ``sales_12m``
        (last 12 months), ``last6``, ``prior6``, ``last6_ly``, ``change_6m``,
        ``yoy_6m``, ``is_new``, ``is_declining``.
    """
    check_columns(enriched, ["product_id", "customer_id", value, date])
    check_columns(products, ["product_id", "name", "category", "launch_date"], name="products")
    end = to_timestamp("period_end", period_end)
    new_months = check_positive_int("new_months", new_months)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not -1 <= threshold <= 0:
        raise ParameterError.from_catalog("market.error_threshold", value=repr(threshold))
    last = last_complete_month(end)
    ids = products["product_id"].astype(str)
    wide = month_matrix(enriched, ["product_id"], value=value, date=date, last=last, first=last - 17)
    wide.index = wide.index.astype(str)
    wide = wide.reindex(ids, fill_value=0.0)
    y = wide.to_numpy()
    adj = y
    if seasonal_adjust and "category" in enriched.columns:
        history = enriched.loc[enriched[date] < end + DAY, ["category", value, date]]
        adj = _deseasonalised(wide, history, products, value=value, date=date)
    last6, prior6, ly6 = y[:, -6:].sum(1), y[:, -12:-6].sum(1), y[:, -18:-12].sum(1)
    out = pd.DataFrame({
        "product_id": products["product_id"].to_numpy(),
        "product": products["name"].to_numpy(),
        "category": products["category"].to_numpy(),
        "launch_date": products["launch_date"].to_numpy(),
    })
    launch = pd.to_datetime(out["launch_date"])
    out["months_since_launch"] = ((end.year - launch.dt.year) * 12 + (end.month - launch.dt.month)).astype("Int64")
    window = window_orders(enriched, end, 12, date, columns=["product_id", "customer_id", value])
    per = window.groupby(["product_id", "customer_id"], observed=True)[value].sum()
    buyers = (per > 0).groupby(level="product_id").sum()
    sales12 = per.groupby(level="product_id").sum()
    out["customers"] = out["product_id"].astype(str).map(buyers.rename(index=str)).fillna(0).astype(int)
    out["sales_12m"] = out["product_id"].astype(str).map(sales12.rename(index=str)).fillna(0.0).astype(float)
    out["last6"], out["prior6"], out["last6_ly"] = last6, prior6, ly6
    out["change_6m"] = relative_change(adj[:, -6:].sum(1), adj[:, -12:-6].sum(1))
    out["yoy_6m"] = relative_change(last6, ly6)
    start_new, _ = month_window(end, new_months)
    out["is_new"] = ((launch >= start_new) & (launch < end + DAY)).to_numpy()
    out["is_declining"] = (~out["is_new"] & (out["yoy_6m"] <= threshold) & (out["change_6m"] < 0)).to_numpy()
    return out


def _deseasonalised(wide: pd.DataFrame, history: pd.DataFrame, products: pd.DataFrame, *, value: str,
                    date: str) -> np.ndarray:
    """Return the product x month sales of ``wide`` divided by their category's seasonal index of that month."""
    y = wide.to_numpy()
    if not len(history):
        return y
    idx = seasonality(history, by="category", value=value, date=date)
    lookup = idx.set_index(["category", "month"])["index"]
    cats = products["category"].astype(str).to_numpy()
    months_ = wide.columns.month.to_numpy()
    factor = np.array([[lookup.get((c, m), 1.0) for m in months_] for c in cats], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(factor > 0, y / np.where(factor > 0, factor, 1.0), y)


def new_products(enriched: pd.DataFrame, products: pd.DataFrame, *, period_end: object, months: int = 12,
                 value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Products launched in the last ``months`` months and how their sales ramp up.

    Returns
    -------
    DataFrame
        ``product_id``, ``product``, ``category``, ``launch_date``,
        ``months_since_launch``, ``customers`` (reached so far), ``sales_since_launch``,
        ``sales_last3`` (last 3 complete months) and ``avg_month`` (sales
        per month on sale), newest first.
    """
    life = product_lifecycle(enriched, products, period_end=period_end, new_months=months,
                             seasonal_adjust=False, value=value, date=date)
    ramp = product_ramp(enriched, products, period_end=period_end, months=months, value=value, date=date)
    out = life.loc[life["is_new"], ["product_id", "product", "category", "launch_date", "months_since_launch",
                                    "customers", "sales_12m"]].rename(columns={"sales_12m": "sales_since_launch"})
    if ramp.empty:
        out["sales_last3"] = 0.0
    else:
        last3 = ramp.loc[ramp["ds"] > ramp["ds"].max() - pd.DateOffset(months=3)].groupby("product_id")["sales"].sum()
        out["sales_last3"] = out["product_id"].map(last3).fillna(0.0).astype(float)
    on_sale = (out["months_since_launch"].astype(float) + 1).clip(lower=1)
    out["avg_month"] = out["sales_since_launch"] / on_sale
    return out.sort_values("launch_date", ascending=False, kind="stable").reset_index(drop=True)


def product_ramp(enriched: pd.DataFrame, products: pd.DataFrame, *, period_end: object, months: int = 12,
                 value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Month-by-month sales and reach of the products launched in the last ``months`` months.

    Returns
    -------
    DataFrame
        ``product_id``, ``product``, ``month_no`` (1 = launch month), ``ds``,
        ``sales``, ``cum_sales`` and ``cum_customers`` (distinct buyers so far), up
        to the month of ``period_end``.
    """
    end = to_timestamp("period_end", period_end)
    start, _ = month_window(end, check_positive_int("months", months))
    launch = pd.to_datetime(products["launch_date"])
    new = products.loc[(launch >= start) & (launch < end + DAY)]
    rows = []
    data = enriched.loc[enriched[date] < end + DAY, ["product_id", "customer_id", value, date]]
    data = data.loc[data["product_id"].isin(new["product_id"])]  # the lines of the new products only
    for pid, name, launched in zip(new["product_id"], new["name"], pd.to_datetime(new["launch_date"]), strict=True):
        lines = data.loc[data["product_id"] == pid]
        span = pd.period_range(launched.to_period("M"), end.to_period("M"), freq="M")
        month = lines[date].dt.to_period("M")
        sales = lines.groupby(month)[value].sum().reindex(span, fill_value=0.0)
        first_buy = lines.loc[lines[value] > 0].groupby("customer_id")[date].min().dt.to_period("M")
        reach = first_buy.value_counts().reindex(span, fill_value=0).cumsum()
        rows.append(pd.DataFrame({"product_id": pid, "product": name, "month_no": np.arange(1, len(span) + 1),
                                  "ds": span.to_timestamp(), "sales": sales.to_numpy(dtype=float),
                                  "cum_sales": sales.cumsum().to_numpy(dtype=float),
                                  "cum_customers": reach.to_numpy(dtype=int)}))
    if not rows:
        return pd.DataFrame(columns=["product_id", "product", "month_no", "ds", "sales", "cum_sales", "cum_customers"])
    return pd.concat(rows, ignore_index=True)


def declining_products(enriched: pd.DataFrame, products: pd.DataFrame, *, period_end: object,
                       threshold: float = -0.15, value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Return the declining products of :func:`product_lifecycle`, steepest fall first."""
    life = product_lifecycle(enriched, products, period_end=period_end, threshold=threshold, value=value, date=date)
    cols = ["product_id", "product", "category", "launch_date", "sales_12m", "last6", "last6_ly", "yoy_6m",
            "prior6", "change_6m", "customers"]
    return life.loc[life["is_declining"], cols].sort_values("yoy_6m", kind="stable").reset_index(drop=True)
