"""The chance of meeting the plan: forecasts of each region's and rep's history.

Top-down targets say what the company needs; a forecast of each region's and each
rep's own history says what the trend alone would bring.

* :func:`history_series` — monthly sales per region and per rep (the accounts they
  hold now), in the long shape :func:`salesnb.forecast.forecast` reads;
* :func:`forecast_history` — their forecast through December of the plan's year, with
  80 % and 95 % intervals; series with less than two years of history get none. The
  reps go through the same ensemble as the regions up to :data:`REP_THETA_ABOVE` rep
  series and through Dynamic Optimized Theta alone above it (``rep_method``,
  :func:`rep_method_for`);
* :func:`forecast_check` — how those methods did on the last 12 months of history,
  forecast from what came before (WAPE, error of the totals, interval coverage);
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
from salesnb.data.memo import memo_key, remember, remembered
from salesnb.params import check_choice, check_positive_int, parameter_error
from salesnb.targets.basis import sales_lines
from salesnb.targets.plan import TargetPlan
from salesnb.vocab import REP_FORECAST_METHODS

__all__ = ["MIN_MONTHS", "REP_THETA_ABOVE", "feasibility", "forecast_check", "forecast_history", "history_series",
           "rep_method_for"]

_Z80 = 1.2815515655446004
_Z95 = 1.959963984540054
#: Months of history a series needs before it is forecast.
MIN_MONTHS = 24
_FORECAST_COLUMNS = ["series_id", "ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]
#: Above this many rep series, ``rep_method="auto"`` forecasts the reps with Dynamic Optimized Theta alone
#: (the 1x sample has 24 rep series and the 10x one 240: both keep the ensemble; 100x has 2,400).
#: Measured on the 10x sample's last 12 months, Theta alone for the reps: WAPE 0.374 -> 0.389, error of
#: the 12-month total 13.3 -> 13.9 %, 80/95 % coverage 81.5/94.0 -> 79.3/92.5 %, about 25 times less CPU
#: (``benchmarks/bench_rep_forecasts.py``).
REP_THETA_ABOVE = 500
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


def rep_method_for(n_reps: int, rep_method: str = "auto") -> str:
    """Return the method that forecasts ``n_reps`` rep series: ``"ensemble"`` or ``"theta"``.

    ``"auto"`` gives ``"theta"`` above :data:`REP_THETA_ABOVE` rep series and
    ``"ensemble"`` up to it; the other choices are returned as they are.

    Parameters
    ----------
    n_reps : int
        Rep series to forecast.
    rep_method : {"auto", "ensemble", "theta"}, default "auto"
        The choice asked for.

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        When ``rep_method`` is not one of the choices.
    """
    check_choice("rep_method", rep_method, REP_FORECAST_METHODS)
    if rep_method != "auto":
        return rep_method
    return "theta" if n_reps > REP_THETA_ABOVE else "ensemble"


def forecast_history(dataset: Dataset, plan: TargetPlan, *, min_months: int = MIN_MONTHS, rep_method: str = "auto",
                     cache: bool = True) -> pd.DataFrame:
    """Forecast every region's and rep's monthly sales through December of the plan's year.

    Runs :func:`salesnb.forecast.forecast` on :func:`history_series` with the 80 % and
    95 % intervals and keeps the plan's year. With ``rep_method="theta"`` (the choice of
    ``"auto"`` above :data:`REP_THETA_ABOVE` rep series) the regions alone go through
    that ensemble, their intervals calibrated among the regions, and the reps through
    :func:`salesnb.forecast.theta_forecast` (Dynamic Optimized Theta with its own
    ranges, about 25 times cheaper). The target breakdown and the work plan forecast
    the same histories: with ``cache`` the result is remembered on disk
    (:func:`salesnb.data.memo.remembered`), keyed by the series' bytes, the options
    (the reps' method included) and the forecast engine's code and versions, so the
    second report reads it (and waits for the first when both start together) and the
    numbers are those of a fresh run.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    plan : TargetPlan
        From :func:`salesnb.targets.breakdown`.
    min_months : int, default 24
        Months of history a series needs to be forecast.
    rep_method : {"auto", "ensemble", "theta"}, default "auto"
        How the reps are forecast (see :func:`rep_method_for`).
    cache : bool, default True
        Remember the forecasts in :func:`salesnb.config.cache_dir` (False: always compute).

    Returns
    -------
    DataFrame
        ``series_id, ds, yhat, yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95`` for the
        12 months of the plan's year (empty when no series has enough history);
        ``attrs["rep_method"]`` is the method used for the reps and
        ``attrs["rep_series"]`` how many rep series there were.

    Raises
    ------
    ParameterError
        A bad ``rep_method``, or a history that already runs to the end of the plan's year.
    """
    check_choice("rep_method", rep_method, REP_FORECAST_METHODS)
    series = _shared_series(dataset, plan, min_months=min_months)
    n_reps = _rep_count(series)
    method = rep_method_for(n_reps, rep_method)
    if series.empty:
        return _stamped(pd.DataFrame(columns=_FORECAST_COLUMNS), method, n_reps)
    last = series["ds"].max().to_period("M")
    horizon = (pd.Period(f"{plan.year}-12", freq="M") - last).n
    if horizon < 1:
        raise parameter_error("targets_history_done", year=plan.year)

    def compute() -> pd.DataFrame:
        out = _forecast(series, horizon=horizon, reps=method)
        out = out.loc[out["ds"].dt.year == plan.year, [c for c in _FORECAST_COLUMNS if c in out.columns]]
        return _stamped(out.reset_index(drop=True), method, n_reps)

    if not cache:
        return compute()
    options = f"h={horizon}|year={plan.year}|{_FORECAST_OPTIONS}|reps={method}|limit={REP_THETA_ABOVE}"
    key = memo_key(*_series_bytes(series), options, _engine_stamp())
    return remembered("forecast", key, compute)


def forecast_check(dataset: Dataset, plan: TargetPlan, *, rep_method: str = "auto", holdout: int = 12,
                   min_months: int = MIN_MONTHS, cache: bool = True) -> pd.DataFrame:
    """Return how the methods of :func:`forecast_history` did on held-out history, per level.

    Every series of :func:`history_series` is cut ``holdout`` months before its end,
    forecast from what came before with the same methods as :func:`forecast_history`
    (``rep_method`` chosen on the full history's number of rep series, so the check
    judges what the forecasts ran) and scored on the months cut off. Remembered on
    disk like the forecasts when ``cache``.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    plan : TargetPlan
        From :func:`salesnb.targets.breakdown`.
    rep_method : {"auto", "ensemble", "theta"}, default "auto"
        As for :func:`forecast_history`.
    holdout : int, default 12
        Months held out at the end of each series.
    min_months : int, default 24
        As for :func:`forecast_history`.
    cache : bool, default True
        Remember the result in :func:`salesnb.config.cache_dir`.

    Returns
    -------
    DataFrame
        One row per level (``region``, ``rep``) with series: ``level, method, series,
        months`` (held-out months scored), ``wape`` (sum of absolute monthly errors /
        sum of actual sales), ``total_error`` (mean over the series of |forecast total −
        actual total| / actual total over the held-out months), ``coverage_80`` and
        ``coverage_95`` (share of held-out months inside each interval).
        ``attrs``: ``rep_method``, ``rep_series``, ``holdout``.

    Raises
    ------
    ParameterError
        A bad ``rep_method`` or ``holdout``.
    """
    check_choice("rep_method", rep_method, REP_FORECAST_METHODS)
    holdout = check_positive_int("holdout", holdout)
    series = _shared_series(dataset, plan, min_months=min_months)
    n_reps = _rep_count(series)
    method = rep_method_for(n_reps, rep_method)
    cut = series["ds"].max() - pd.DateOffset(months=holdout)
    train, actual = series.loc[series["ds"] <= cut], series.loc[series["ds"] > cut]

    def compute() -> pd.DataFrame:
        scored = _check_scores(_forecast(train, horizon=holdout, reps=method) if len(train) else train, actual,
                               reps=method)
        scored.attrs.update(holdout=holdout)
        return _stamped(scored, method, n_reps)

    if not cache:
        return compute()
    options = f"check|holdout={holdout}|{_FORECAST_OPTIONS}|reps={method}|limit={REP_THETA_ABOVE}"
    key = memo_key(*_series_bytes(series), options, _engine_stamp())
    return remembered("forecast-check", key, compute)


def _shared_series(dataset: Dataset, plan: TargetPlan, *, min_months: int) -> pd.DataFrame:
    """Return :func:`history_series`, built once while the plan and the dataset's tables are the same objects.

    :func:`forecast_history` and :func:`forecast_check` share it (~6 s of CPU at 100x).
    The frame is shared: callers only read it.
    """
    return remember(dataset, ("history_series", min_months),
                    lambda: history_series(dataset, plan, min_months=min_months), along=(plan,))


def _rep_count(series: pd.DataFrame) -> int:
    """Return how many rep series a ``series_id, ds, y`` frame holds."""
    ids = pd.Series(series["series_id"].unique(), dtype=object)
    return int(ids.astype(str).str.startswith("rep:").sum())


def _stamped(frame: pd.DataFrame, method: str, n_reps: int) -> pd.DataFrame:
    """Return ``frame`` with the reps' method, their series count and the ``"auto"`` limit in its attrs."""
    frame.attrs.update(rep_method=method, rep_series=n_reps, rep_limit=REP_THETA_ABOVE)
    return frame


def _forecast(series: pd.DataFrame, *, horizon: int, reps: str) -> pd.DataFrame:
    """Forecast ``series`` ``horizon`` months ahead: all by the ensemble, or the reps by Theta alone."""
    from salesnb.forecast import forecast, theta_forecast  # heavy: statsforecast is imported only when needed

    options = {"h": horizon, "season_length": 12, "level": (80, 95), "freq": "MS"}
    if reps == "ensemble":
        return forecast(series, **options)
    is_rep = series["series_id"].astype(str).str.startswith("rep:")
    parts = []
    if (~is_rep).any():
        parts.append(forecast(series.loc[~is_rep], **options))
    if is_rep.any():
        parts.append(theta_forecast(series.loc[is_rep], **options))
    out = pd.concat(parts, ignore_index=True)
    out.attrs = {"interval_scale": parts[0].attrs["interval_scale"]}
    return out


def _check_scores(fc: pd.DataFrame, actual: pd.DataFrame, *, reps: str) -> pd.DataFrame:
    """Score held-out forecasts per level: WAPE, mean error of the totals, interval coverage."""
    cols = ["level", "method", "series", "months", "wape", "total_error", "coverage_80", "coverage_95"]
    both = actual.merge(fc, on=["series_id", "ds"], how="inner") if len(fc) else actual.iloc[:0]
    if both.empty:
        return pd.DataFrame(columns=cols)
    both = both.assign(level=both["series_id"].astype(str).str.split(":").str[0])
    rows = []
    for level, g in both.groupby("level", sort=True):
        totals = g.groupby("series_id")[["y", "yhat"]].sum()
        total_error = (totals["yhat"] - totals["y"]).abs() / totals["y"].where(totals["y"] > 0)
        rows.append({"level": level, "method": reps if level == "rep" else "ensemble",
                     "series": g["series_id"].nunique(), "months": len(g),
                     "wape": float((g["y"] - g["yhat"]).abs().sum() / g["y"].abs().sum()) if g["y"].abs().sum() > 0
                     else float("nan"),
                     "total_error": float(total_error.mean()),
                     **{f"coverage_{L}": float(((g["y"] >= g[f"yhat_lo_{L}"]) & (g["y"] <= g[f"yhat_hi_{L}"])).mean())
                        for L in (80, 95)}})
    return pd.DataFrame(rows, columns=cols)


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
