"""Seasonality: monthly and weekday indices, high and low seasons, the months ahead.

An index of 1.2 for March means March sells 20 % above an average month once the
trend is removed; groups with thin history are pulled toward the company's pattern.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.market.monthly import monthly_sales
from salesnb.market.orders import as_list, check_columns
from salesnb.market.periods import DAY, last_complete_month
from salesnb.params import check_positive_int, to_timestamp

__all__ = ["name_seasons", "season_ahead", "seasonal_matrix", "seasonality", "weekday_indices"]


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
    by_cols = as_list(by)
    check_columns(orders, [*by_cols, value, date])
    if shrink < 0 or not np.isfinite(shrink):
        raise ParameterError.from_catalog("market.error_shrink", value=repr(shrink))
    if orders.empty:
        raise ParameterError.from_catalog("market.error_no_history")
    total_monthly = monthly_sales(orders, [], value, date).set_index("_month")["y"]
    total_monthly.index = total_monthly.index.to_timestamp()
    overall, _ = _raw_monthly_index(total_monthly)
    if not by_cols:
        return pd.DataFrame({"month": np.arange(1, 13), "index": overall, "raw_index": overall,
                             "weight": 1.0})
    monthly = monthly_sales(orders, by_cols, value, date)
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
    by_cols = as_list(by)
    check_columns(orders, [*by_cols, value, date])
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
        raise ParameterError.from_catalog("market.error_season_thresholds", low=low, high=high)
    season = np.where(indices["index"] >= high, "high", np.where(indices["index"] <= low, "low", "normal"))
    return indices.assign(season=season)


def season_ahead(orders: pd.DataFrame, *, period_end: object, months: int = 3,
                 by: str | Sequence[str] | None = None, high: float = 1.1, low: float = 0.9,
                 value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Return the seasonal index and season name of the next ``months`` months.

    Indices come from :func:`seasonality` on the history up to ``period_end``; the
    months ahead start the month after ``period_end`` when it is a month's last day,
    else with the month of ``period_end`` itself (its rest is still ahead).

    Parameters
    ----------
    orders : DataFrame
        Order lines with ``date``, ``value`` and the ``by`` columns.
    period_end : date-like
        Last day of known history.
    months : int, default 3
        How many months ahead.
    by : str or list of str, optional
        Grouping columns (one set of months per group).
    high, low : float
        Season thresholds, as in :func:`name_seasons`.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``ds`` (first day of the month), ``month`` (1-12),
        ``index`` and ``season`` (``high``, ``low`` or ``normal``), in month order.
    """
    end = to_timestamp("period_end", period_end)
    months = check_positive_int("months", months)
    check_columns(orders, [*as_list(by), value, date])
    history = orders.loc[orders[date] < end + DAY, list(dict.fromkeys([*as_list(by), value, date]))]
    indices = name_seasons(seasonality(history, by=by, value=value, date=date), high=high, low=low)
    first = last_complete_month(end) + 1
    ahead = pd.DataFrame({"ds": pd.period_range(first, periods=months, freq="M").to_timestamp()})
    ahead["month"] = ahead["ds"].dt.month
    keep = [*as_list(by), "month", "index", "season"]
    out = ahead.merge(indices[keep], on="month", how="left")
    return out[[*as_list(by), "ds", "month", "index", "season"]].sort_values(
        [*as_list(by), "ds"], kind="stable").reset_index(drop=True)


def seasonal_matrix(orders: pd.DataFrame, *, by: str = "category", period_end: object | None = None,
                    top: int | None = 15, value: str = "net_amount", date: str = "order_date",
                    shrink: float = 2.0) -> pd.DataFrame:
    """Seasonal indices as a heatmap-ready matrix: one row per group, one column per month.

    Parameters
    ----------
    orders : DataFrame
        Order lines.
    by : str, default "category"
        The rows (``"category"``, ``"region"``, ``"province"``, ``"channel"`` ...).
    period_end : date-like, optional
        Ignore orders after this day.
    top : int or None, default 15
        Keep the largest groups only (a readable heatmap); None keeps all.
    shrink : float
        As in :func:`seasonality`.

    Returns
    -------
    DataFrame
        Index: the groups (largest sales first); columns: months 1-12; values: indices.
    """
    if top is not None:
        check_positive_int("top", top)
    check_columns(orders, [by, value, date])
    if period_end is not None:
        keep = list(dict.fromkeys([by, value, date]))
        orders = orders.loc[orders[date] < to_timestamp("period_end", period_end) + DAY, keep]
    idx = seasonality(orders, by=by, value=value, date=date, shrink=shrink)
    matrix = idx.pivot(index=by, columns="month", values="index")
    size = orders.groupby(by, observed=True)[value].sum()
    order = size.reindex(matrix.index).sort_values(ascending=False, kind="stable").index
    matrix = matrix.loc[order[:top] if top is not None else order]
    matrix.columns.name = "month"
    return matrix
