"""Sales per group and calendar month, rolling sums and growth: the monthly basics.

The seasonality, trend, product-lifecycle and demand modules of :mod:`salesnb.market`
all start from a group x month matrix with missing months as zero; these functions
build it and turn it back into a long frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["long_frame", "month_matrix", "monthly_sales", "relative_change", "rolling_sum"]


def monthly_sales(frame: pd.DataFrame, by: list[str], value: str, date: str) -> pd.DataFrame:
    """Sales per group and calendar month, with missing months inside the span as 0."""
    month = frame[date].dt.to_period("M").rename("_month")
    grouped = frame.groupby([*(frame[c] for c in by), month], observed=True, sort=True)[value].sum()
    span = pd.period_range(month.min(), month.max(), freq="M")
    if by:
        groups = grouped.index.droplevel("_month").unique()
        full = pd.MultiIndex.from_tuples(
            [(*(g if isinstance(g, tuple) else (g,)), m) for g in groups for m in span],
            names=[*by, "_month"])
    else:
        full = pd.Index(span, name="_month")
    return grouped.reindex(full, fill_value=0.0).rename("y").reset_index()


def month_matrix(orders: pd.DataFrame, by: list[str], *, value: str, date: str, last: pd.Period,
                  first: pd.Period | None = None) -> pd.DataFrame:
    """Sales per group (rows) and month (columns, ``first`` .. ``last``), missing months 0.

    Without ``by`` the single row is labelled ``"total"``.
    """
    month = orders[date].dt.to_period("M")
    keep = month <= last
    if first is not None:
        keep &= month >= first
    data, month = orders.loc[keep, list(dict.fromkeys([*by, value]))], month[keep].rename("_month")
    if first is None:
        first = month.min() if len(month) else last
    span = pd.period_range(first, last, freq="M")
    if by:
        sums = data.groupby([*(data[c] for c in by), month], observed=True, dropna=False)[value].sum()
        wide = sums.unstack("_month", fill_value=0.0) if len(sums) else pd.DataFrame(
            index=pd.MultiIndex.from_arrays([[]] * len(by), names=by) if len(by) > 1 else pd.Index([], name=by[0]))
    else:
        wide = data.groupby(month)[value].sum().to_frame("total").T
        wide.index = pd.Index(["total"], name="series")
    return wide.reindex(columns=span, fill_value=0.0).fillna(0.0).astype(float)


def rolling_sum(values: np.ndarray, window: int) -> np.ndarray:
    """Row-wise trailing sums over ``window`` columns; NaN until the window is full."""
    out = np.full(values.shape, np.nan)
    if values.shape[1] >= window:
        csum = np.cumsum(np.pad(values, ((0, 0), (1, 0))), axis=1)
        out[:, window - 1:] = csum[:, window:] - csum[:, :-window]
    return out


def relative_change(num: np.ndarray | pd.Series, den: np.ndarray | pd.Series) -> np.ndarray:
    """``num / den - 1`` where ``den > 0``, else NaN."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0) - 1, np.nan)


def long_frame(wide: pd.DataFrame, by: list[str], columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Group x month matrices -> a long frame: ``by`` columns, ``ds``, one column per matrix."""
    n, m = wide.shape
    out: dict[str, Any] = {}
    if by:
        keys = wide.index.to_frame(index=False)
        for col in by:
            out[col] = np.repeat(keys[col].to_numpy(), m)
    out["ds"] = np.tile(wide.columns.to_timestamp().to_numpy(), n)
    for name, values in columns.items():
        out[name] = np.asarray(values, dtype=float).reshape(-1)
    return pd.DataFrame(out)
