"""Is the plan realistic? A bottom-up check against forecasts, and the chance of meeting it.

Top-down targets say what the company needs; a forecast of each region's and each
rep's own history says what the trend alone would bring. Two views:

* :func:`bottom_up` — per region and per rep, the year's target against the sum of
  the forecast and of its 80 % / 95 % upper bounds, and against last year. A target
  above the sum of the 95 % upper bounds, or growing more than ``max_growth`` over
  last year, is flagged *unrealistic*; above the 80 % bound it is a *stretch*.
  Summing monthly bounds treats a region's months as moving together, which is
  the cautious reading of an annual upper bound.
* :func:`feasibility` — per region and month, P(actual ≥ target), reading the
  forecast as a normal distribution whose spread comes from its intervals
  (σ = half the width of the 95 % interval / 1.96, averaged with the 80 % one / 1.2816).

Forecasts come from :func:`salesnb.forecast.forecast` (:func:`forecast_history`
runs it); series with less than two years of history get none, and their rows say so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from salesnb.data import Dataset
from salesnb.params import parameter_error
from salesnb.targets.cascade import _sales

__all__ = ["bottom_up", "feasibility", "forecast_history", "history_series"]

_Z80 = 1.2815515655446004
_Z95 = 1.959963984540054
#: Months of history a series needs before it is forecast.
MIN_MONTHS = 24


def history_series(dataset: Dataset, plan: Any, *, min_months: int = MIN_MONTHS) -> pd.DataFrame:
    """Monthly sales up to the plan's ``base_end``, per region and per rep, in the long forecast shape.

    Regions (``series_id = "region:<id>"``) are the plan's territories; a rep's series
    (``"rep:<id>"``) is the sales of the accounts they hold now, so a rep who took
    over a book is compared with that book's history. Only complete months count;
    series shorter than ``min_months`` (from their first sale) are left out.

    Returns
    -------
    DataFrame
        ``series_id, ds, y`` (``ds`` = first day of the month), sorted.
    """
    hist = _sales(dataset)
    last = plan.base_end
    month_end = last + pd.offsets.MonthEnd(0)
    last_month = last.to_period("M") if last == month_end else last.to_period("M") - 1
    hist = hist.loc[hist["order_date"].dt.to_period("M") <= last_month]
    month = hist["order_date"].dt.to_period("M")
    frames = []
    for prefix, col, keep in (("region", "region_id", set(plan.regions["region_id"])),
                              ("rep", "owner", set(plan.reps.loc[plan.reps["status"] != "vacant", "rep_id"]))):
        rows = hist.loc[hist[col].astype(str).isin(keep)]
        sums = rows.groupby([rows[col].astype(str), month.loc[rows.index]], observed=True)["net_amount"].sum()
        for key, series in sums.groupby(level=0, sort=True):
            series = series.droplevel(0)
            span = pd.period_range(series.index.min(), last_month, freq="M")
            series = series.reindex(span, fill_value=0.0)
            if len(series) < min_months:
                continue
            frames.append(pd.DataFrame({"series_id": f"{prefix}:{key}", "ds": span.to_timestamp(),
                                        "y": series.to_numpy(dtype=float)}))
    if not frames:
        return pd.DataFrame({"series_id": pd.Series(dtype=str), "ds": pd.Series(dtype="datetime64[ns]"),
                             "y": pd.Series(dtype=float)})
    return pd.concat(frames, ignore_index=True)


def forecast_history(dataset: Dataset, plan: Any, *, min_months: int = MIN_MONTHS) -> pd.DataFrame:
    """Forecast every region's and rep's monthly sales through December of the plan's year.

    Runs :func:`salesnb.forecast.forecast` on :func:`history_series` with the 80 % and
    95 % intervals and keeps the plan's year.

    Returns
    -------
    DataFrame
        ``series_id, ds, yhat, yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95`` for the
        12 months of the plan's year (empty when no series has enough history).
    """
    from salesnb.forecast import forecast  # heavy: statsforecast is imported only when needed

    series = history_series(dataset, plan, min_months=min_months)
    columns = ["series_id", "ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]
    if series.empty:
        return pd.DataFrame(columns=columns)
    last = series["ds"].max().to_period("M")
    horizon = (pd.Period(f"{plan.year}-12", freq="M") - last).n
    if horizon < 1:
        raise parameter_error("targets_history_done", year=plan.year)
    out = forecast(series, h=horizon, season_length=12, level=(80, 95), freq="MS")
    out = out.loc[out["ds"].dt.year == plan.year, [c for c in columns if c in out.columns]]
    return out.reset_index(drop=True)


def _sigma(frame: pd.DataFrame) -> np.ndarray:
    """Standard deviation implied by the 80 % and 95 % intervals (mean of the two readings)."""
    readings = []
    if {"yhat_lo_95", "yhat_hi_95"} <= set(frame.columns):
        readings.append((frame["yhat_hi_95"] - frame["yhat_lo_95"]).to_numpy(dtype=float) / (2 * _Z95))
    if {"yhat_lo_80", "yhat_hi_80"} <= set(frame.columns):
        readings.append((frame["yhat_hi_80"] - frame["yhat_lo_80"]).to_numpy(dtype=float) / (2 * _Z80))
    if not readings:
        raise parameter_error("targets_forecast_intervals")
    return np.nanmean(np.vstack(readings), axis=0)


def _p_above(target: np.ndarray, mean: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """P(X ≥ target) for X ~ Normal(mean, sigma); a step when sigma is 0."""
    out = np.where(mean >= target, 1.0, 0.0)
    ok = sigma > 0
    z = (target[ok] - mean[ok]) / (sigma[ok] * math.sqrt(2))
    out[ok] = 0.5 * np.array([math.erfc(v) for v in z])
    return out


def feasibility(plan: Any, forecasts: pd.DataFrame) -> pd.DataFrame:
    """P(actual ≥ target) per region and month, from the regions' forecast intervals.

    Parameters
    ----------
    plan : TargetPlan
    forecasts : DataFrame
        From :func:`forecast_history` (rows whose ``series_id`` starts with ``region:``
        are used).

    Returns
    -------
    DataFrame
        ``region_id, name, month, target, yhat, sigma, p_meet`` for every region and
        month with a forecast (regions without one are left out).
    """
    regions = forecasts.loc[forecasts["series_id"].astype(str).str.startswith("region:")].copy()
    cols = ["region_id", "name", "month", "target", "yhat", "sigma", "p_meet"]
    if regions.empty:
        return pd.DataFrame(columns=cols)
    regions["region_id"] = regions["series_id"].str.slice(len("region:"))
    regions["month"] = regions["ds"].dt.to_period("M").dt.to_timestamp()
    target = plan.monthly.groupby(["region_id", "month"])["target"].sum().rename("target").reset_index()
    out = regions.merge(target, on=["region_id", "month"], how="inner")
    out["sigma"] = _sigma(out)
    out["p_meet"] = _p_above(out["target"].to_numpy(dtype=float), out["yhat"].to_numpy(dtype=float),
                             out["sigma"].to_numpy(dtype=float))
    out["name"] = out["region_id"].map(plan.regions.set_index("region_id")["name"])
    return out[cols].sort_values(["region_id", "month"], kind="stable").reset_index(drop=True)


def bottom_up(plan: Any, forecasts: pd.DataFrame, *, max_growth: float = 0.30) -> pd.DataFrame:
    """The year's target of each region and rep against its forecast and last year.

    Parameters
    ----------
    plan : TargetPlan
    forecasts : DataFrame
        From :func:`forecast_history`.
    max_growth : float, default 0.30
        Growth over last year above which a target is flagged unrealistic.

    Returns
    -------
    DataFrame
        ``level`` (region/rep), ``id, name, target, last_year, growth, forecast, hi_80,
        hi_95, vs_forecast`` (target / forecast − 1) and ``flag``: ``unrealistic`` (above
        the 95 % bound or growth above ``max_growth``), ``stretch`` (above the 80 % bound),
        ``ok``, or ``no_forecast`` (not enough history; growth is still checked).
    """
    if isinstance(max_growth, bool) or not isinstance(max_growth, int | float) or max_growth <= 0:
        raise parameter_error("targets_max_growth", value=repr(max_growth))
    sums = forecasts.assign(series_id=forecasts["series_id"].astype(str)).groupby("series_id")[
        [c for c in ("yhat", "yhat_hi_80", "yhat_hi_95") if c in forecasts.columns]].sum()
    regions = plan.regions.assign(level="region", id=plan.regions["region_id"])[
        ["level", "id", "name", "target", "last_year"]]
    reps = plan.reps.loc[plan.reps["target"] > 0]
    reps = reps.assign(level="rep", id=reps["rep_id"], last_year=reps["book"])[
        ["level", "id", "name", "target", "last_year"]]
    out = pd.concat([regions, reps], ignore_index=True)
    key = out["level"] + ":" + out["id"].astype(str)
    out["forecast"] = key.map(sums["yhat"]) if "yhat" in sums else np.nan
    out["hi_80"] = key.map(sums["yhat_hi_80"]) if "yhat_hi_80" in sums else np.nan
    out["hi_95"] = key.map(sums["yhat_hi_95"]) if "yhat_hi_95" in sums else np.nan
    target = out["target"].astype(float)
    last = out["last_year"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["growth"] = np.where(last > 0, target / last - 1, np.nan)
        out["vs_forecast"] = np.where(out["forecast"] > 0, target / out["forecast"] - 1, np.nan)
    too_fast = out["growth"] > max_growth
    flag = np.select(
        [out["forecast"].isna() & ~too_fast, (target > out["hi_95"]) | too_fast, target > out["hi_80"]],
        ["no_forecast", "unrealistic", "stretch"], default="ok")
    out["flag"] = flag
    cols = ["level", "id", "name", "target", "last_year", "growth", "forecast", "hi_80", "hi_95", "vs_forecast",
            "flag"]
    return out[cols]
