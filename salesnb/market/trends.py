"""Trend, momentum and mix: rolling sums, their growth on last year, shares over time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from salesnb.market.monthly import long_frame, month_matrix, relative_change, rolling_sum
from salesnb.market.orders import as_list, check_columns
from salesnb.market.periods import DAY, last_complete_month
from salesnb.params import check_choice, to_timestamp

__all__ = ["mix_over_time", "momentum", "trend"]


def trend(orders: pd.DataFrame, *, period_end: object, by: str | Sequence[str] | None = None,
          value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Monthly sales with rolling 3- and 12-month sums and their growth on last year.

    Only complete months count: a ``period_end`` inside a month leaves that month out.

    Parameters
    ----------
    orders : DataFrame
        Order lines.
    period_end : date-like
        Last day of history used.
    by : str or list of str, optional
        Grouping columns; None gives the whole business.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``ds`` (month start), ``y`` (the month's sales),
        ``rolling3`` and ``rolling12`` (sums of the last 3 and 12 months),
        ``growth_3m`` (rolling3 against the same 3 months a year earlier) and
        ``growth_12m`` (rolling12 against the 12 months before); NaN until there is
        enough history or when the earlier sum is not positive.
    """
    cols = as_list(by)
    check_columns(orders, [*cols, value, date])
    last = last_complete_month(to_timestamp("period_end", period_end))
    wide = month_matrix(orders, cols, value=value, date=date, last=last)
    y = wide.to_numpy()
    r3, r12 = rolling_sum(y, 3), rolling_sum(y, 12)
    g3, g12 = np.full(y.shape, np.nan), np.full(y.shape, np.nan)
    if y.shape[1] > 12:
        g3[:, 12:] = relative_change(r3[:, 12:], r3[:, :-12])
        g12[:, 12:] = relative_change(r12[:, 12:], r12[:, :-12])
    return long_frame(wide, cols, {"y": y, "rolling3": r3, "rolling12": r12, "growth_3m": g3, "growth_12m": g12})


def momentum(orders: pd.DataFrame, *, period_end: object, by: str | Sequence[str] | None = None,
             value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Latest 3-month and 12-month growth per group, and whether growth is speeding up.

    Parameters
    ----------
    orders : DataFrame
        Order lines.
    period_end : date-like
        Last day of history (only complete months count, as in :func:`trend`).
    by : str or list of str, optional
        Grouping columns.

    Returns
    -------
    DataFrame
        One row per group (largest last-12-month sales first): the ``by`` columns,
        ``last3``, ``last3_prior`` (the same 3 months a year earlier), ``growth_3m``,
        ``last12``, ``prior12``, ``growth_12m`` and ``momentum`` (growth_3m -
        growth_12m: positive means the recent months grow faster than the year).
    """
    cols = as_list(by)
    frame = trend(orders, period_end=period_end, by=cols, value=value, date=date)
    latest = frame.loc[frame["ds"] == frame["ds"].max()]
    earlier = frame.loc[frame["ds"] == frame["ds"].max() - pd.DateOffset(years=1), [*cols, "rolling3", "rolling12"]]
    out = latest.merge(earlier, on=cols, how="left", suffixes=("", "_ly")) if cols else latest.assign(
        rolling3_ly=earlier["rolling3"].sum() if len(earlier) else np.nan,
        rolling12_ly=earlier["rolling12"].sum() if len(earlier) else np.nan)
    out = pd.DataFrame({
        **{c: out[c].to_numpy() for c in cols},
        "last3": out["rolling3"].to_numpy(), "last3_prior": out["rolling3_ly"].to_numpy(),
        "growth_3m": out["growth_3m"].to_numpy(),
        "last12": out["rolling12"].to_numpy(), "prior12": out["rolling12_ly"].to_numpy(),
        "growth_12m": out["growth_12m"].to_numpy(),
    })
    out["momentum"] = out["growth_3m"] - out["growth_12m"]
    return out.sort_values("last12", ascending=False, kind="stable").reset_index(drop=True)


_FREQS = {"month": "M", "quarter": "Q", "year": "Y"}


def mix_over_time(orders: pd.DataFrame, *, by: str, period_end: object, freq: str = "quarter",
                  value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Each group's share of sales per month, quarter or year (product mix, channel mix).

    Parameters
    ----------
    orders : DataFrame
        Order lines.
    by : str
        The mix dimension (``"channel"``, ``"category"``, ``"product"`` ...).
    period_end : date-like
        Last day used; the last period may be incomplete (see ``complete``).
    freq : {"month", "quarter", "year"}
        Period length.

    Returns
    -------
    DataFrame
        Long frame: ``ds`` (period start), ``by``, ``sales``, ``share`` (of the
        period's total; NaN when the total is not positive) and ``complete``
        (False for a period that ends after ``period_end``).
    """
    check_columns(orders, [by, value, date])
    code = _FREQS[check_choice("freq", freq, tuple(_FREQS))]
    end = to_timestamp("period_end", period_end)
    data = orders.loc[orders[date] < end + DAY, list(dict.fromkeys([by, value, date]))]
    period = data[date].dt.to_period(code).rename("_period")
    sums = data.groupby([data[by], period], observed=True, dropna=False)[value].sum()
    if sums.empty:
        return pd.DataFrame(columns=["ds", by, "sales", "share", "complete"])
    wide = sums.unstack(by, fill_value=0.0)
    wide = wide.reindex(pd.period_range(wide.index.min(), end.to_period(code), freq=code), fill_value=0.0)
    long = wide.stack().rename("sales").reset_index().rename(columns={"level_0": "_period"})
    long.columns = ["_period", by, "sales"]
    total = long.groupby("_period")["sales"].transform("sum")
    long["share"] = np.where(total > 0, long["sales"] / total.where(total > 0), np.nan)
    long["complete"] = long["_period"].map(lambda p: p.end_time.normalize() <= end)
    long["ds"] = long["_period"].dt.to_timestamp()
    return long[["ds", by, "sales", "share", "complete"]].sort_values(["ds", by], kind="stable").reset_index(drop=True)
