"""Forecast every series of a long frame: :func:`forecast` (the method is in :mod:`salesnb.forecast`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from salesnb.forecast.inputs import Series, check_jobs, check_levels, level_label, prepare
from salesnb.forecast.intervals import interval_scale, nest
from salesnb.forecast.models import CALIBRATION_WINDOWS, MODEL_METHODS, Fit, fit_all, series_kind
from salesnb.forecast.reconcile import check_total, reconcile_total
from salesnb.params import check_positive_int

__all__ = ["forecast", "run_models", "series_frame"]


#: Most rolling origins used to calibrate the intervals (calls with few series use more than the usual 3).
_MAX_CALIBRATION_WINDOWS = 8


def run_models(series: list[Series], *, h: int, season_length: int, levels: tuple, freq: str,
               n_jobs: int) -> pd.DataFrame:
    """Forecast checked series: fit each one, calibrate the ranges over all of them, build the long frame.

    Parameters
    ----------
    series : list of Series
        Regular series (:func:`~salesnb.forecast.inputs.to_series`).
    h, season_length, levels, freq, n_jobs
        As checked by :func:`forecast`.

    Returns
    -------
    DataFrame
        The frame :func:`forecast` returns before reconciliation, with
        ``attrs["interval_scale"]``.
    """
    kinds = [series_kind(s.y, season_length) for s in series]
    windows = _calibration_windows(sum(k in MODEL_METHODS for k in kinds), h)
    tasks = [(s.y, h, season_length, levels, k, windows) for s, k in zip(series, kinds, strict=True)]
    fits = fit_all(tasks, n_jobs)
    scale = interval_scale([f.scores for f in fits if f.scores is not None], levels)
    offset = pd.tseries.frequencies.to_offset(freq)
    parts = [series_frame(s, fit, scale if fit.method in MODEL_METHODS else dict.fromkeys(levels, 1.0),
                              h=h, levels=levels, freq=freq, offset=offset)
             for s, fit in zip(series, fits, strict=True)]
    out = pd.concat(parts, ignore_index=True)
    out.attrs["interval_scale"] = {L: float(v) for L, v in scale.items()}
    return out


def _calibration_windows(n_model: int, h: int) -> int:
    """Return the rolling origins per series: enough for about 100 held-out scores, 3 to 8."""
    if not n_model:
        return CALIBRATION_WINDOWS
    return min(_MAX_CALIBRATION_WINDOWS, max(CALIBRATION_WINDOWS, math.ceil(100 / (n_model * h))))


def series_frame(s: Series, fit: Fit, stretch: dict[Any, float], *, h: int, levels: tuple, freq: str,
                     offset: pd.DateOffset) -> pd.DataFrame:
    """Return one series' rows: the point forecast and its stretched, clipped and nested bounds."""
    dates = pd.date_range(s.start + (len(s.y) - 1) * offset + offset, periods=h, freq=freq)
    cols: dict[str, Any] = {"series_id": [s.sid] * h, "ds": dates, "yhat": fit.mean}
    for L in levels:
        cols[f"yhat_lo_{level_label(L)}"] = fit.mean - stretch[L] * fit.dn[L]
        cols[f"yhat_hi_{level_label(L)}"] = fit.mean + stretch[L] * fit.up[L]
    part = pd.DataFrame(cols)
    values = part.iloc[:, 2:].to_numpy(dtype=float)
    if s.y.min() >= 0:
        values = np.clip(values, 0.0, None)
    part.iloc[:, 2:] = nest(values, len(levels))
    part["method"] = fit.method
    return part


def forecast(df: pd.DataFrame, *, h: int, season_length: int = 12, level: Sequence[float] = (80, 95),
             freq: str | None = None, n_jobs: int = 1, total: str | None = None,
             reconcile: str = "top_down") -> pd.DataFrame:
    """Forecast every series of a long frame ``h`` periods ahead, with intervals.

    The method (a median of AutoETS, AutoCES and Dynamic Optimized Theta for regular
    series, with fallbacks for short, intermittent, tiny and constant ones, and
    intervals calibrated on held-out history) is described in the module docstring.

    Parameters
    ----------
    df : DataFrame
        Long frame with columns ``series_id``, ``ds`` (period dates) and ``y``.
        Other columns are ignored; the frame is not changed. Periods missing inside a
        series count as zero.
    h : int
        Periods ahead.
    season_length : int, default 12
        Periods per season: 12 for monthly data, 52 for weekly data with a yearly
        pattern, 1 for no seasonality.
    level : sequence of float, default (80, 95)
        Coverage of the prediction intervals, in percent.
    freq : str, optional
        pandas frequency of ``ds`` (``"MS"``, ``"W-MON"`` ...); inferred when None.
    n_jobs : int, default 1
        Worker processes (-1: one per CPU). Results do not depend on it.
    total : str, optional
        The id of a series that is the sum of all the others (``"total"`` of
        :func:`salesnb.market.demand_levels`). The forecasts are then made to add up,
        period by period, so that a plan by category adds up to the company plan
        (see ``reconcile``).
    reconcile : {"top_down", "bottom_up", "ols"}, default "top_down"
        How, with ``total``: ``"top_down"``, the parts are scaled to the total's
        forecast, each keeping its share (forecast proportions, Athanasopoulos et al.,
        2009), and the total's forecast stays as it is; ``"bottom_up"``, the total's
        forecast becomes the sum of the parts' (which stay as they are); ``"ols"``, the
        gap is shared between the total and every part, the least-squares coherent
        forecasts (Hyndman et al., 2011). Intervals move (or scale) with their point
        forecast. On public hierarchies (``benchmarks/bench_reconcile.py``)
        ``top_down`` kept the total's accuracy and improved the parts' on three sets
        of three; ``bottom_up`` made the total worse on all three.

    Returns
    -------
    DataFrame
        ``series_id, ds, yhat``, then ``yhat_lo_<L>, yhat_hi_<L>`` per level and
        ``method`` (``regular``, ``short``, ``intermittent``, ``tiny``,
        ``constant``), sorted by ``series_id, ds``. ``attrs["interval_scale"]`` holds
        the stretch applied to the model ranges per level; ``attrs["reconciled"]``
        the ``total`` and ``reconcile`` used, when a total was given.

    Raises
    ------
    ParameterError
        A bad ``h``, ``season_length``, ``level``, ``freq``, ``n_jobs``,
        ``reconcile`` or ``total`` (not a series of ``df``).
    DataValidationError
        Missing columns, a missing or non-numeric ``y`` (the message names the series
        and the date), two rows for one period, dates off the frequency.

    Examples
    --------
    >>> fc = forecast(monthly, h=6)  # doctest: +SKIP
    >>> fc.columns.tolist()
    ['series_id', 'ds', 'yhat', 'yhat_lo_80', 'yhat_hi_80', 'yhat_lo_95', 'yhat_hi_95', 'method']
    """
    h = check_positive_int("h", h)
    season_length = check_positive_int("season_length", season_length)
    levels = check_levels(level)
    jobs = check_jobs(n_jobs)
    series, freq = prepare(df, freq)
    total_id = check_total(total, reconcile, series)
    out = run_models(series, h=h, season_length=season_length, levels=levels, freq=freq, n_jobs=jobs)
    if total_id is None:
        return out
    return reconcile_total(out, total_id, str(reconcile), n_parts=len(series) - 1, levels=levels)
