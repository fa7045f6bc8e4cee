"""Market analysis: seasonality, same-period comparisons, mix, trends, attractiveness.

This module starts with seasonality, which the target breakdown reuses.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError

__all__ = ["name_seasons", "seasonality", "weekday_indices"]


def _as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _check_columns(frame: pd.DataFrame, columns: Sequence[str], *, name: str = "orders") -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"The {name} frame needs column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, frame.columns))}."
        )


def _monthly(frame: pd.DataFrame, by: list[str], value: str, date: str) -> pd.DataFrame:
    """Sales per group and calendar month, with missing months inside the span as 0."""
    month = frame[date].dt.to_period("M")
    grouped = frame.assign(_month=month).groupby([*by, "_month"], observed=True, sort=True)[value].sum()
    span = pd.period_range(month.min(), month.max(), freq="M")
    if by:
        groups = grouped.index.droplevel("_month").unique()
        full = pd.MultiIndex.from_tuples(
            [(*(g if isinstance(g, tuple) else (g,)), m) for g in groups for m in span],
            names=[*by, "_month"])
    else:
        full = pd.Index(span, name="_month")
    return grouped.reindex(full, fill_value=0.0).rename("y").reset_index()


def _raw_monthly_index(series: pd.Series) -> tuple[np.ndarray, float]:
    """Raw monthly index (12 values) and the number of years behind it.

    Uses the ratio to a centred 2x12 moving average (classical multiplicative
    decomposition) when there are at least 24 months, else the ratio of each
    month to its year's mean. Months with no ratio get 1.
    """
    y = series.to_numpy(dtype=float)
    months = series.index.month.to_numpy()
    if len(y) >= 24:
        weights = np.r_[0.5, np.ones(11), 0.5] / 12
        trend = np.convolve(y, weights, mode="valid")  # length n-12, centred at i+6
        ratio = np.full(len(y), np.nan)
        centre = slice(6, 6 + len(trend))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio[centre] = np.where(trend > 0, y[centre] / trend, np.nan)
    else:
        years = series.index.year.to_numpy()
        ratio = np.full(len(y), np.nan)
        for year in np.unique(years):
            sel = years == year
            mean = y[sel].mean()
            if mean > 0:
                ratio[sel] = y[sel] / mean
    raw = np.ones(12)
    for m in range(1, 13):
        vals = ratio[(months == m) & ~np.isnan(ratio)]
        if len(vals):
            raw[m - 1] = float(np.median(vals)) if len(vals) >= 3 else float(vals.mean())
    raw = np.clip(raw, 0, None)
    if raw.sum() > 0:
        raw = raw * 12 / raw.sum()
    return raw, len(y) / 12


def seasonality(orders: pd.DataFrame, *, by: str | Sequence[str] | None = None, value: str = "net_amount",
                date: str = "order_date", shrink: float = 2.0) -> pd.DataFrame:
    """Monthly seasonal indices, per group, shrunk toward the total where history is thin.

    An index of 1.2 for March means March sells 20% above an average month once
    trend is removed. Indices average exactly 1 over the 12 months of each group.

    Parameters
    ----------
    orders : DataFrame
        Order lines with a date column and a value column (and the ``by`` columns).
    by : str or list of str, optional
        Grouping columns (e.g. ``"category"`` or ``["region_id", "category"]``);
        None gives one index for the whole business.
    value, date : str
        Value and date columns.
    shrink : float, default 2.0
        Strength of the pull toward the overall index, in years of history: a group
        with ``n`` years gets weight ``n / (n + shrink)`` on its own pattern, and
        groups selling less than 1% of the total are pulled harder. 0 disables it.

    Returns
    -------
    DataFrame
        Long frame: the ``by`` columns, ``month`` (1-12), ``index``, ``raw_index``
        (before shrinkage) and ``weight`` (the weight of the group's own pattern).

    Examples
    --------
    >>> idx = seasonality(orders, by="category")
    >>> idx.pivot(index="category", columns="month", values="index")
    """
    by_cols = _as_list(by)
    _check_columns(orders, [*by_cols, value, date])
    if shrink < 0 or not np.isfinite(shrink):
        raise ParameterError(f"The 'shrink' parameter must be a non-negative number. Got {shrink!r} instead.")
    if orders.empty:
        raise ParameterError("Seasonality needs order history; the orders frame is empty.")
    total_monthly = _monthly(orders, [], value, date).set_index("_month")["y"]
    total_monthly.index = total_monthly.index.to_timestamp()
    overall, _ = _raw_monthly_index(total_monthly)
    if not by_cols:
        return pd.DataFrame({"month": np.arange(1, 13), "index": overall, "raw_index": overall,
                             "weight": 1.0})
    monthly = _monthly(orders, by_cols, value, date)
    grand = float(monthly["y"].sum()) or 1.0
    rows = []
    for key, group in monthly.groupby(by_cols, observed=True, sort=True):
        series = group.set_index("_month")["y"]
        series.index = series.index.to_timestamp()
        # a group's own span: from its first to its last non-zero month
        nz = np.flatnonzero(series.to_numpy() != 0)
        series = series.iloc[nz[0]: nz[-1] + 1] if len(nz) else series.iloc[0:0]
        if len(series) >= 12 and series.sum() > 0:
            raw, years = _raw_monthly_index(series)
        else:
            raw, years = overall.copy(), 0.0
        share = float(series.sum()) / grand
        weight = years / (years + shrink) if shrink > 0 else 1.0
        weight *= min(1.0, share / 0.01) if shrink > 0 else 1.0
        index = weight * raw + (1 - weight) * overall
        index = index * 12 / index.sum()
        key = key if isinstance(key, tuple) else (key,)
        for m in range(12):
            rows.append((*key, m + 1, index[m], raw[m], weight))
    return pd.DataFrame(rows, columns=[*by_cols, "month", "index", "raw_index", "weight"])


def weekday_indices(orders: pd.DataFrame, *, by: str | Sequence[str] | None = None,
                    value: str = "net_amount", date: str = "order_date", shrink: float = 2.0) -> pd.DataFrame:
    """Day-of-week indices (Monday = 0), averaging 1 over the days that sell.

    Computed as each weekday's mean daily sales over the mean of all selling
    weekdays, shrunk toward the overall pattern like :func:`seasonality`.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``weekday`` (0-6), ``index``.
    """
    by_cols = _as_list(by)
    _check_columns(orders, [*by_cols, value, date])
    days = pd.date_range(orders[date].min(), orders[date].max(), freq="D")
    n_weekdays = pd.Series(days.weekday).value_counts().reindex(range(7), fill_value=0).to_numpy()

    def index_of(frame: pd.DataFrame) -> np.ndarray:
        sums = frame.groupby(frame[date].dt.weekday)[value].sum().reindex(range(7), fill_value=0.0)
        per_day = np.divide(sums.to_numpy(), n_weekdays, out=np.zeros(7), where=n_weekdays > 0)
        selling = per_day > 0
        return per_day / per_day[selling].mean() if selling.any() else np.ones(7)

    overall = index_of(orders)
    if not by_cols:
        return pd.DataFrame({"weekday": range(7), "index": overall})
    rows = []
    grand = float(orders[value].sum()) or 1.0
    for key, group in orders.groupby(by_cols, observed=True, sort=True):
        years = len(days) / 365.25
        weight = (years / (years + shrink)) * min(1.0, float(group[value].sum()) / grand / 0.01) \
            if shrink > 0 else 1.0
        index = weight * index_of(group) + (1 - weight) * overall
        key = key if isinstance(key, tuple) else (key,)
        rows.extend((*key, d, index[d]) for d in range(7))
    return pd.DataFrame(rows, columns=[*by_cols, "weekday", "index"])


def name_seasons(indices: pd.DataFrame, *, high: float = 1.1, low: float = 0.9) -> pd.DataFrame:
    """Label each month high, low or normal season from its index.

    Parameters
    ----------
    indices : DataFrame
        Output of :func:`seasonality`.
    high, low : float
        Thresholds: ``index >= high`` is high season, ``index <= low`` is low season.

    Returns
    -------
    DataFrame
        ``indices`` with a ``season`` column (``high``, ``low`` or ``normal``).
    """
    if not low < 1 < high:
        raise ParameterError(f"Expected low < 1 < high for season thresholds. Got low={low}, high={high}.")
    season = np.where(indices["index"] >= high, "high", np.where(indices["index"] <= low, "low", "normal"))
    return indices.assign(season=season)
