"""How well the forecasts do on held-out history: sMAPE, MASE and the rolling-origin backtest."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from salesnb.catalog import text
from salesnb.errors import ParameterError
from salesnb.forecast.inputs import Series, bound_cols, check_jobs, check_levels, level_label, prepare
from salesnb.forecast.predict import run_models
from salesnb.forecast.reconcile import check_total, reconcile_total
from salesnb.params import check_positive_int

__all__ = ["MIN_BACKTEST_TRAIN", "BacktestResult", "backtest", "mase", "naive_scale", "smape"]


#: A backtest window needs this many observations before its cutoff.
MIN_BACKTEST_TRAIN = 4


def smape(y: Sequence[float] | np.ndarray, yhat: Sequence[float] | np.ndarray) -> float:
    """Compute sMAPE as in the M3 competition, in percent (0-200).

    The mean of ``200·|y − ŷ| / (|y| + |ŷ|)``, a term being 0 when both are 0.

    Examples
    --------
    >>> smape([100, 0], [50, 0])
    33.33333333333333
    """
    y, yhat = np.asarray(y, dtype=float), np.asarray(yhat, dtype=float)
    if y.shape != yhat.shape:
        raise ParameterError.from_catalog("forecast.error_lengths", y=y.shape, yhat=yhat.shape)
    if y.size == 0:
        return float("nan")
    denom = np.abs(y) + np.abs(yhat)
    terms = np.divide(200 * np.abs(y - yhat), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(terms.mean())


def naive_scale(train: np.ndarray, season_length: int) -> float:
    """In-sample MAE of the seasonal naive forecast (lag-1 when too short or zero)."""
    if len(train) > season_length:
        scale = float(np.mean(np.abs(train[season_length:] - train[:-season_length])))
        if scale > 0:
            return scale
    if len(train) > 1:
        return float(np.mean(np.abs(np.diff(train))))
    return float("nan")


def mase(y: Sequence[float] | np.ndarray, yhat: Sequence[float] | np.ndarray,
         train: Sequence[float] | np.ndarray, *, season_length: int = 12) -> float:
    """Mean absolute scaled error.

    The forecast's MAE divided by the in-sample MAE of the seasonal naive forecast
    (the value ``season_length`` periods before). When the history is not longer than
    one season, or that scale is zero, the lag-1 naive scale is used instead. When
    even that is zero (a flat history) the result is 0 for a perfect forecast and NaN
    otherwise; NaN also for a history of one point.

    Examples
    --------
    >>> mase([3, 5], [4, 4], [1, 2, 3, 4], season_length=12)
    1.0
    """
    season_length = check_positive_int("season_length", season_length)
    y, yhat = np.asarray(y, dtype=float), np.asarray(yhat, dtype=float)
    error = float(np.mean(np.abs(y - yhat))) if y.size else float("nan")
    scale = naive_scale(np.asarray(train, dtype=float), season_length)
    if not scale > 0:
        return 0.0 if error == 0 and scale == 0 else float("nan")
    return error / scale


@dataclass
class BacktestResult:
    """How :func:`forecast` did on held-out history.

    Attributes
    ----------
    per_series : DataFrame
        ``series_id, smape, mase, coverage_<L>...``: sMAPE in percent (M3 definition),
        MASE, and the share (0-1) of held-out values inside each interval, over all the
        windows the series took part in (``cv`` tells which). Only numeric columns
        besides ``series_id``.
    overall : dict
        ``smape`` and ``mase`` (means of the per-series values; series with an
        undefined MASE are left out of its mean), ``coverage_<L>`` (share of all
        held-out values), ``n_series``, ``n_skipped``, ``windows``, ``h``.
    cv : DataFrame
        Every held-out point: ``series_id, window, cutoff, ds, y, yhat``, the bounds
        and ``method``.
    skipped : DataFrame
        ``series_id, n_obs, reason`` for series too short for any window.
    """

    per_series: pd.DataFrame
    overall: dict[str, float]
    cv: pd.DataFrame
    skipped: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"series_id": [], "n_obs": [], "reason": []}))


def backtest(df: pd.DataFrame, *, h: int, windows: int = 3, season_length: int = 12,
             level: Sequence[float] = (80, 95), freq: str | None = None, n_jobs: int = 1,
             total: str | None = None, reconcile: str = "top_down") -> BacktestResult:
    """Rolling-origin accuracy of :func:`forecast` on the last ``windows`` × ``h`` periods.

    Window 1 forecasts the ``h`` periods that end ``(windows - 1) × h`` periods before
    each series' last one from everything before them; the last window forecasts the
    last ``h`` periods. Every window is one :func:`forecast` call over all the series
    that can take part, so it is judged exactly as it runs.

    A series takes part in a window when at least ``MIN_BACKTEST_TRAIN`` (4)
    observations precede its cutoff; a series too short for every window is listed in
    ``skipped`` with the reason, never dropped silently.

    Parameters
    ----------
    df : DataFrame
        Long frame ``series_id, ds, y`` as for :func:`forecast`.
    h : int
        Horizon of each window.
    windows : int, default 3
        Number of rolling origins.
    season_length, level, freq, n_jobs, total, reconcile
        As in :func:`forecast`; ``season_length`` also sets the MASE scale. With
        ``total`` every window's forecasts are reconciled before they are judged, so
        the accuracy is that of the numbers :func:`forecast` reports.

    Returns
    -------
    BacktestResult

    Examples
    --------
    >>> result = backtest(monthly, h=6, windows=2)  # doctest: +SKIP
    >>> result.overall["smape"]  # doctest: +SKIP
    """
    h = check_positive_int("h", h)
    windows = check_positive_int("windows", windows)
    season_length = check_positive_int("season_length", season_length)
    levels = check_levels(level)
    jobs = check_jobs(n_jobs)
    series, freq = prepare(df, freq)
    total_id = check_total(total, reconcile, series)
    skipped = [(s.sid, len(s.y), text("forecast.skipped_reason", n=len(s.y), h=h, need=h + MIN_BACKTEST_TRAIN,
                                      min=MIN_BACKTEST_TRAIN))
               for s in series if len(s.y) - h < MIN_BACKTEST_TRAIN]
    cv_parts = []
    scales: dict[tuple[Hashable, int], float] = {}
    for k in range(windows, 0, -1):
        train = [Series(s.sid, s.start, s.y[: len(s.y) - k * h]) for s in series
                 if len(s.y) - k * h >= MIN_BACKTEST_TRAIN]
        if not train:
            continue
        fc = run_models(train, h=h, season_length=season_length, levels=levels, freq=freq, n_jobs=jobs)
        if total_id is not None:
            fc = reconcile_total(fc, total_id, str(reconcile), n_parts=len(series) - 1, levels=levels)
        actual = _held_out(series, k, h=h, freq=freq, season_length=season_length, scales=scales)
        part = actual.merge(fc, on=["series_id", "ds"], how="left", validate="one_to_one")
        part.insert(1, "window", windows - k + 1)
        cv_parts.append(part)
    cols = ["series_id", "window", "cutoff", "ds", "y", "yhat", *bound_cols(levels), "method"]
    cv = pd.concat(cv_parts, ignore_index=True)[cols] if cv_parts else pd.DataFrame(columns=cols)
    per_series = _per_series(cv, scales, windows=windows, levels=levels)
    overall = _overall(per_series, cv, levels)
    overall.update(n_series=len(per_series), n_skipped=len(skipped), windows=windows, h=h)
    skipped_frame = pd.DataFrame(skipped, columns=["series_id", "n_obs", "reason"])
    return BacktestResult(per_series, overall, cv, skipped_frame)


def _held_out(series: list[Series], k: int, *, h: int, freq: str, season_length: int,
              scales: dict[tuple[Hashable, int], float]) -> pd.DataFrame:
    """Return the held-out values of window ``k`` (counted from the end) and record each series' MASE scale."""
    offset = pd.tseries.frequencies.to_offset(freq)
    actual = []
    for s in series:
        cut = len(s.y) - k * h
        if cut < MIN_BACKTEST_TRAIN:
            continue
        scales[(s.sid, k)] = naive_scale(s.y[:cut], season_length)
        actual.append(pd.DataFrame({"series_id": [s.sid] * h,
                                    "ds": pd.date_range(s.start + cut * offset, periods=h, freq=freq),
                                    "y": s.y[cut: cut + h],
                                    "cutoff": s.start + (cut - 1) * offset}))
    return pd.concat(actual, ignore_index=True)


def _per_series(cv: pd.DataFrame, scales: dict[tuple[Hashable, int], float], *, windows: int,
                levels: Sequence[Any]) -> pd.DataFrame:
    """Return sMAPE, MASE and interval coverage per series over the held-out points ``cv``."""
    rows = []
    for sid, group in cv.groupby("series_id", sort=True):
        y, yhat = group["y"].to_numpy(dtype=float), group["yhat"].to_numpy(dtype=float)
        scaled = []
        for window, wg in group.groupby("window", sort=True):
            scale = scales[(sid, windows - int(window) + 1)]
            err = np.abs(wg["y"].to_numpy(dtype=float) - wg["yhat"].to_numpy(dtype=float))
            if scale > 0:
                scaled.append(err / scale)
            else:  # flat history (scale 0): a perfect forecast scores 0, any miss is undefined
                scaled.append(np.where((err == 0) & (scale == 0), 0.0, np.nan))
        row: dict[str, Any] = {"series_id": sid, "smape": smape(y, yhat),
                               "mase": float(np.mean(np.concatenate(scaled)))}
        for L in levels:
            inside = (y >= group[f"yhat_lo_{level_label(L)}"]) & (y <= group[f"yhat_hi_{level_label(L)}"])
            row[f"coverage_{level_label(L)}"] = float(inside.mean())
        rows.append(row)
    per_cols = ["series_id", "smape", "mase", *[f"coverage_{level_label(L)}" for L in levels]]
    return pd.DataFrame(rows, columns=per_cols)


def _overall(per_series: pd.DataFrame, cv: pd.DataFrame, levels: Sequence[Any]) -> dict[str, float]:
    """Return the mean sMAPE and MASE of the series and the coverage of all held-out points."""
    overall: dict[str, float] = {
        "smape": float(per_series["smape"].mean()) if len(per_series) else float("nan"),
        "mase": float(per_series["mase"].mean(skipna=True)) if per_series["mase"].notna().any() else float("nan"),
    }
    for L in levels:
        inside = (cv["y"] >= cv[f"yhat_lo_{level_label(L)}"]) & (cv["y"] <= cv[f"yhat_hi_{level_label(L)}"])
        overall[f"coverage_{level_label(L)}"] = float(inside.mean()) if len(cv) else float("nan")
    return overall
