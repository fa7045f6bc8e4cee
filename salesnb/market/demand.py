"""Monthly demand series for :mod:`salesnb.forecast`, backtest sizes and forecast totals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.market.monthly import long_frame, month_matrix
from salesnb.market.orders import as_list, check_columns
from salesnb.market.periods import last_complete_month
from salesnb.params import check_positive_int, to_timestamp

__all__ = ["accuracy_of", "backtest_windows", "demand_levels", "demand_series", "forecast_summary", "total_first"]


def demand_series(enriched: pd.DataFrame, *, period_end: object, level: str | Sequence[str] = "total",
                  value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Monthly demand as the long ``series_id, ds, y`` frame :mod:`salesnb.forecast` reads.

    Only complete months count: when ``period_end`` is not a month's last day its
    month is left out, and so is anything after it. Each series starts at its first
    month with sales; months without sales after that are 0.

    Parameters
    ----------
    enriched : DataFrame
        Order lines (usually :func:`enrich_orders`).
    period_end : date-like
        Last day of history.
    level : str or list of str, default "total"
        ``"total"`` for one series (id ``"total"``), or the column(s) whose values
        name the series (``"category"``, ``"region"``, ``["region", "category"]``;
        several columns are joined with ``"/"``).

    Returns
    -------
    DataFrame
        ``series_id`` (str), ``ds`` (first day of the month), ``y`` (float), sorted.
    """
    cols = [] if level == "total" else as_list(level)
    check_columns(enriched, [*cols, value, date])
    last = last_complete_month(to_timestamp("period_end", period_end))
    wide = month_matrix(enriched, cols, value=value, date=date, last=last)
    if cols:
        keys = wide.index.to_frame(index=False).astype(str)
        wide.index = keys.agg("/".join, axis=1) if len(cols) > 1 else keys[cols[0]]
    wide.index.name = "series_id"
    y = wide.to_numpy()
    started = np.cumsum(y != 0, axis=1) > 0
    out = long_frame(wide, [], {"y": y, "_on": started})
    out.insert(0, "series_id", np.repeat(wide.index.astype(str).to_numpy(), wide.shape[1]))
    out = out.loc[out["_on"] > 0, ["series_id", "ds", "y"]]
    return out.sort_values(["series_id", "ds"], kind="stable").reset_index(drop=True)


def demand_levels(enriched: pd.DataFrame, *, period_end: object,
                  levels: Sequence[str | Sequence[str]] = ("total", "category"), value: str = "net_amount",
                  date: str = "order_date") -> pd.DataFrame:
    """Several :func:`demand_series` levels stacked in one long frame (e.g. total and per category).

    Returns
    -------
    DataFrame
        ``series_id, ds, y``; the levels in the order given.

    Raises
    ------
    ParameterError
        When two levels produce the same ``series_id`` (a category called ``"total"``).
    """
    frames = [demand_series(enriched, period_end=period_end, level=lvl, value=value, date=date) for lvl in levels]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["series_id", "ds", "y"])
    ids = [set(f["series_id"]) for f in frames]
    clash = set().union(*[a & b for i, a in enumerate(ids) for b in ids[i + 1:]]) if len(ids) > 1 else set()
    if clash:
        raise ParameterError.from_catalog("market.error_levels_clash", levels=repr(list(levels)),
                                          clash=str(sorted(clash)))
    return out


def backtest_windows(series: pd.DataFrame, *, h: int, season_length: int = 12, max_windows: int = 3) -> int:
    """How many rolling backtest windows of ``h`` periods the history allows.

    Each window should train on at least two full seasons, as the production forecast
    does; otherwise the backtest would judge a simpler model than the one used. The
    longest series decides; the answer is between 1 and ``max_windows``.

    Examples
    --------
    36 months, ``h=6``: (36 - 24) / 6 = 2 windows.
    """
    h = check_positive_int("h", h)
    check_positive_int("season_length", season_length)
    check_positive_int("max_windows", max_windows)
    check_columns(series, ["series_id", "ds"], name="series")
    longest = int(series.groupby("series_id").size().max()) if len(series) else 0
    return int(min(max_windows, max(1, (longest - 2 * season_length) // h)))


def accuracy_of(per_series: pd.DataFrame, series_id: str = "total") -> dict[str, float] | None:
    """One series' row of a backtest's ``per_series`` frame as a dict (None when it was skipped)."""
    check_columns(per_series, ["series_id"], name="backtest")
    row = per_series.loc[per_series["series_id"].astype(str) == str(series_id)]
    return None if row.empty else {k: float(v) for k, v in row.iloc[0].drop("series_id").items()}


def forecast_summary(forecast: pd.DataFrame, *, months: int = 3) -> pd.DataFrame:
    """Sum the first ``months`` forecast months per series (e.g. next quarter).

    Interval bounds are summed month by month, which gives a slightly wide
    (conservative) range: the months rarely all miss on the same side.

    Parameters
    ----------
    forecast : DataFrame
        Output of :func:`salesnb.forecast.forecast` (``series_id, ds, yhat,
        yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95``).
    months : int, default 3
        Months summed (fewer when the forecast is shorter).

    Returns
    -------
    DataFrame
        ``series_id``, ``start``, ``end`` (first days of the first and last month),
        ``months``, the summed ``yhat`` and interval columns, and ``method`` when the
        forecast has one; the ``"total"`` series first.
    """
    months = check_positive_int("months", months)
    check_columns(forecast, ["series_id", "ds", "yhat"], name="forecast")
    bounds = [c for c in forecast.columns if c.startswith(("yhat_lo_", "yhat_hi_"))]
    head = forecast.sort_values(["series_id", "ds"], kind="stable").groupby("series_id", sort=True).head(months)
    extra = {"method": ("method", "first")} if "method" in forecast.columns else {}
    out = head.groupby("series_id", sort=True).agg(start=("ds", "min"), end=("ds", "max"), months=("ds", "size"),
                                                   yhat=("yhat", "sum"), **{c: (c, "sum") for c in bounds}, **extra)
    return total_first(out.reset_index())


def total_first(frame: pd.DataFrame, *, column: str = "series_id") -> pd.DataFrame:
    """Return a copy with the ``"total"`` row(s) of ``column`` on top, the rest in their order."""
    check_columns(frame, [column], name="series")
    first = frame[column].astype(str).eq("total")
    return pd.concat([frame[first], frame[~first]], ignore_index=True)
