"""The chance of meeting the plan: forecasts of each region's and rep's history.

Top-down targets say what the company needs; a forecast of each region's and each
rep's own history says what the trend alone would bring.

* :func:`history_series` — monthly sales per region and per rep (the accounts they
  hold now), in the long shape :func:`salesnb.forecast.forecast` reads;
* :func:`forecast_history` — their forecast through December of the plan's year, with
  80 % and 95 % intervals; series with less than two years of history get none;
* :func:`feasibility` — per region and month, P(actual ≥ target), reading the
  forecast as a normal distribution whose spread comes from its intervals
  (σ = half the width of the 95 % interval / 1.96, averaged with the 80 % one / 1.2816).

:func:`salesnb.targets.checks.bottom_up` compares each year's target with the same forecasts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from salesnb.data import Dataset
from salesnb.data.memo import memo_key, remembered
from salesnb.params import parameter_error
from salesnb.targets.basis import sales_lines
from salesnb.targets.plan import TargetPlan

__all__ = ["MIN_MONTHS", "feasibility", "forecast_history", "history_series"]

_Z80 = 1.2815515655446004
_Z95 = 1.959963984540054
#: Months of history a series needs before it is forecast.
MIN_MONTHS = 24
_FORECAST_COLUMNS = ["series_id", "ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]
#: The options :func:`forecast_history` passes to the engine (part of the memo key).
_FORECAST_OPTIONS = "season_length=12|level=(80, 95)|freq=MS"


def history_series(dataset: Dataset, plan: TargetPlan, *, min_months: int = MIN_MONTHS) -> pd.DataFrame:
    """Return monthly sales up to the plan's ``base_end``, per region and per rep, in the long forecast shape.

    Regions (``series_id = "region:<id>"``) are the plan's territories; a rep's series
    (``"rep:<id>"``) is the sales of the accounts they hold now, so a rep who took
    over a book is compared with that book's history. Only complete months count;
    series shorter than ``min_months`` (from their first sale) are left out.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    plan : TargetPlan
        From :func:`salesnb.targets.breakdown`.
    min_months : int, default 24
        Months of history a series needs.

    Returns
    -------
    DataFrame
        ``series_id, ds, y`` (``ds`` = first day of the month), sorted.
    """
    hist = sales_lines(dataset)
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


def forecast_history(dataset: Dataset, plan: TargetPlan, *, min_months: int = MIN_MONTHS,
                     cache: bool = True) -> pd.DataFrame:
    """Forecast every region's and rep's monthly sales through December of the plan's year.

    Runs :func:`salesnb.forecast.forecast` on :func:`history_series` with the 80 % and
    95 % intervals and keeps the plan's year. The target breakdown and the work plan
    forecast the same histories: with ``cache`` the result is remembered on disk
    (:func:`salesnb.data.memo.remembered`), keyed by the series' bytes, the options and
    the forecast engine's code and versions, so the second report reads it (and waits
    for the first when both start together) and the numbers are those of a fresh run.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    plan : TargetPlan
        From :func:`salesnb.targets.breakdown`.
    min_months : int, default 24
        Months of history a series needs to be forecast.
    cache : bool, default True
        Remember the forecasts in :func:`salesnb.config.cache_dir` (False: always compute).

    Returns
    -------
    DataFrame
        ``series_id, ds, yhat, yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95`` for the
        12 months of the plan's year (empty when no series has enough history).

    Raises
    ------
    ParameterError
        When the history already runs to the end of the plan's year.
    """
    series = history_series(dataset, plan, min_months=min_months)
    if series.empty:
        return pd.DataFrame(columns=_FORECAST_COLUMNS)
    last = series["ds"].max().to_period("M")
    horizon = (pd.Period(f"{plan.year}-12", freq="M") - last).n
    if horizon < 1:
        raise parameter_error("targets_history_done", year=plan.year)
    if not cache:
        return _forecast_year(series, horizon=horizon, year=plan.year)
    key = memo_key(*_series_bytes(series), f"h={horizon}|year={plan.year}|{_FORECAST_OPTIONS}", _engine_stamp())
    return remembered("forecast", key, lambda: _forecast_year(series, horizon=horizon, year=plan.year))


def _forecast_year(series: pd.DataFrame, *, horizon: int, year: int) -> pd.DataFrame:
    """Forecast ``series`` ``horizon`` months ahead and keep the months of ``year``."""
    from salesnb.forecast import forecast  # heavy: statsforecast is imported only when needed

    out = forecast(series, h=horizon, season_length=12, level=(80, 95), freq="MS")
    out = out.loc[out["ds"].dt.year == year, [c for c in _FORECAST_COLUMNS if c in out.columns]]
    return out.reset_index(drop=True)


def _series_bytes(series: pd.DataFrame) -> list[bytes]:
    """Return the exact bytes of a ``series_id, ds, y`` frame (ids, dates and values, in order)."""
    ids = "\0".join(series["series_id"].astype(str)).encode()
    ds = series["ds"].to_numpy(dtype="datetime64[ns]").view(np.int64).tobytes()
    return [ids, ds, series["y"].to_numpy(dtype=float).tobytes()]


def _engine_stamp() -> str:
    """Return what a remembered forecast also depends on: the engine's source and the libraries' versions."""
    import importlib.metadata
    import importlib.resources

    import salesnb

    digest = memo_key(*(f.read_bytes() for f in sorted(importlib.resources.files("salesnb.forecast").iterdir(),
                                                         key=lambda f: f.name) if f.name.endswith(".py")))
    versions = [f"{name}={importlib.metadata.version(name)}" for name in ("statsforecast", "numpy", "pandas", "scipy")]
    return "|".join([digest, salesnb.__version__, *versions])


def _sigma(frame: pd.DataFrame) -> np.ndarray:
    """Return the standard deviation implied by the 80 % and 95 % intervals (mean of the two readings)."""
    readings = []
    if {"yhat_lo_95", "yhat_hi_95"} <= set(frame.columns):
        readings.append((frame["yhat_hi_95"] - frame["yhat_lo_95"]).to_numpy(dtype=float) / (2 * _Z95))
    if {"yhat_lo_80", "yhat_hi_80"} <= set(frame.columns):
        readings.append((frame["yhat_hi_80"] - frame["yhat_lo_80"]).to_numpy(dtype=float) / (2 * _Z80))
    if not readings:
        raise parameter_error("targets_forecast_intervals")
    return np.nanmean(np.vstack(readings), axis=0)


def _p_above(target: np.ndarray, mean: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Return P(X ≥ target) for X ~ Normal(mean, sigma); a step when sigma is 0."""
    out = np.where(mean >= target, 1.0, 0.0)
    ok = sigma > 0
    z = (target[ok] - mean[ok]) / (sigma[ok] * math.sqrt(2))
    out[ok] = 0.5 * np.array([math.erfc(v) for v in z])
    return out


def feasibility(plan: TargetPlan, forecasts: pd.DataFrame) -> pd.DataFrame:
    """Return P(actual ≥ target) per region and month, from the regions' forecast intervals.

    Parameters
    ----------
    plan : TargetPlan
        From :func:`salesnb.targets.breakdown`.
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
