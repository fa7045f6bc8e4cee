"""Forecast one series: its class (regular, short, intermittent, tiny, constant) and its models.

Regular and short series get the median of AutoETS, AutoCES and
DynamicOptimizedTheta with ranges from the ETS and Theta members, plus the held-out
scores that calibrate those ranges (:mod:`salesnb.forecast.intervals`); the other
classes get the simple methods the package docstring describes. statsforecast is
imported only when a model is fitted.
"""

from __future__ import annotations

import math
import multiprocessing
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CALIBRATION_WINDOWS", "INTERMITTENT_ADI", "MIN_MODEL_POINTS", "MODEL_METHODS", "Fit", "fit_all",
           "fit_one", "series_kind"]


#: Fewer observations than this: the ``tiny`` method.
MIN_MODEL_POINTS = 8


#: Average inter-demand interval from which a series is intermittent (Syntetos & Boylan).
INTERMITTENT_ADI = 1.32


#: Rolling origins used to calibrate the intervals (more for calls with few series).
CALIBRATION_WINDOWS = 3


#: Narrowest range used to score held-out misses, as a share of the mean period-to-period change.
_RANGE_FLOOR = 0.01


MODEL_METHODS = ("regular", "short")


@dataclass
class Fit:
    """One series' forecast: method, point forecast, offsets down and up per level, held-out scores."""

    method: str
    mean: np.ndarray
    dn: dict[Any, np.ndarray]
    up: dict[Any, np.ndarray]
    scores: dict[Any, np.ndarray] | None = None


def series_kind(y: np.ndarray, season_length: int) -> str:
    """Return the class of a series: constant, tiny, intermittent, regular or short."""
    if np.all(y == y[0]):
        return "constant"
    if len(y) < MIN_MODEL_POINTS:
        return "tiny"
    nonzero = np.count_nonzero(y)
    if y.min() >= 0 and len(y) / nonzero >= INTERMITTENT_ADI:
        return "intermittent"
    if season_length > 1 and len(y) >= 2 * season_length:
        return "regular"
    return "short" if season_length > 1 else "regular"


def _offsets(result: dict, levels: Sequence[Any]) -> tuple[dict, dict]:
    mean = result["mean"]
    dn = {lv: np.maximum(mean - result[f"lo-{lv}"], 0.0) for lv in levels}
    up = {lv: np.maximum(result[f"hi-{lv}"] - mean, 0.0) for lv in levels}
    return dn, up


def _ensemble(y: np.ndarray, h: int, m: int, levels: Sequence[Any],
              spec: dict[str, Any] | None = None) -> tuple[Fit | None, dict[str, Any]]:
    """Fit the median of AutoETS, AutoCES and DynamicOptimizedTheta; ranges from ETS and Theta.

    ``spec`` fixes the ETS and CES structure chosen on a longer history (calibration
    refits re-estimate parameters only). Returns the fit (None when no member could be
    fitted) and the structures chosen.
    """
    lv = list(levels)
    means, ranged, chosen = _members(y, h, m, lv, spec or {})
    means = [np.asarray(v, dtype=float) for v in means if np.all(np.isfinite(v))]
    ranged = [r for r in ranged if all(np.all(np.isfinite(r[k])) for k in r)]
    if not means:
        return None, chosen
    mean = np.median(np.vstack(means), axis=0)
    if not ranged:
        from statsforecast.models import Naive

        ranged = [Naive().forecast(y, h, level=lv)]
    parts = [_offsets(r, levels) for r in ranged]
    dn = {L: np.mean([p[0][L] for p in parts], axis=0) for L in levels}
    up = {L: np.mean([p[1][L] for p in parts], axis=0) for L in levels}
    return Fit("", mean, dn, up), chosen


def _members(y: np.ndarray, h: int, m: int, lv: list[Any],
             spec: dict[str, Any]) -> tuple[list[np.ndarray], list[dict], dict[str, Any]]:
    """Return the members' point forecasts, the results with ranges (ETS, Theta) and the structures chosen."""
    from statsforecast.models import AutoCES, AutoETS, DynamicOptimizedTheta

    chosen: dict[str, Any] = {}
    means: list[np.ndarray] = []
    ranged: list[dict] = []
    try:
        ets = (AutoETS(season_length=m, model=spec["ets"][0], damped=spec["ets"][1]) if "ets" in spec
               else AutoETS(season_length=m))
        ets.fit(y)
        res = ets.predict(h, level=lv)
        comp = ets.model_["components"]
        chosen["ets"] = ("".join(comp[:3]), comp[3] == "D")
        means.append(res["mean"])
        ranged.append(res)
    except Exception:  # a member that cannot fit this series drops out
        pass
    try:
        ces = AutoCES(season_length=m, model=spec.get("ces", "Z"))
        ces.fit(y)
        means.append(ces.predict(h)["mean"])
        chosen["ces"] = ces.model_["seasontype"]
    except Exception:
        pass
    try:
        res = DynamicOptimizedTheta(season_length=m).forecast(y, h, level=lv)
        means.append(res["mean"])
        ranged.append(res)
    except Exception:
        pass
    return means, ranged, chosen


def _scores(fit: Fit, actual: np.ndarray, levels: Sequence[Any], floor: float) -> dict[Any, np.ndarray]:
    """Each miss in units of the range given for it, on the side where it fell.

    A range is taken as at least ``floor`` wide, so that a near-perfect fit of a
    noise-free history (ranges of width ~0) does not produce absurd scores.
    """
    miss = actual - fit.mean
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for L in levels:
            width = np.maximum(np.where(miss >= 0, fit.up[L], fit.dn[L]), floor)
            score = np.abs(miss) / width
            out[L] = np.where(miss == 0, 0.0, np.where(width > 0, score, np.inf))
    return out


def fit_one(task: tuple) -> Fit:
    """Return the fit of one task ``(y, h, m, levels, kind, windows)``, warnings silenced."""
    y, h, m, levels, kind, windows = task
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return _fit_kind(y, h, m, levels, kind, windows)


def _fit_kind(y: np.ndarray, h: int, m: int, levels: Sequence[Any], kind: str, windows: int) -> Fit:
    """Return the fit of the method of ``kind`` (a model series whose models all fail is fitted as tiny)."""
    if kind == "constant":
        zeros = {L: np.zeros(h) for L in levels}
        return Fit(kind, np.full(h, float(y[0])), zeros, dict(zeros))
    if kind in MODEL_METHODS:
        season = m if kind == "regular" else 1
        fit, chosen = _ensemble(y, h, season, levels)
        if fit is not None:
            fit.method = kind
            fit.scores = _calibration_scores(y, h, season, levels, chosen, windows,
                                             min_train=2 * season if season > 1 else MIN_MODEL_POINTS)
            return fit
        kind = "tiny"
    if kind == "intermittent":
        return _fit_intermittent(y, h, levels)
    return _fit_tiny(y, h, levels)


def _fit_intermittent(y: np.ndarray, h: int, levels: Sequence[Any]) -> Fit:
    """Return the mean rate of CrostonSBA, ADIDA and IMAPA, with ranges from the history's own quantiles."""
    from statsforecast.models import ADIDA, IMAPA, CrostonSBA

    rates = []
    for model in (CrostonSBA(), ADIDA(), IMAPA()):
        try:
            value = np.asarray(model.forecast(y, h)["mean"], dtype=float)
        except Exception:
            continue
        if np.all(np.isfinite(value)):
            rates.append(value)
    mean = np.mean(rates, axis=0) if rates else np.full(h, y.mean())
    dn, up = {}, {}
    for L in levels:
        lo, hi = np.quantile(y, [(1 - L / 100) / 2, (1 + L / 100) / 2])
        dn[L] = np.maximum(mean - lo, 0.0)
        up[L] = np.maximum(hi - mean, 0.0)
    return Fit("intermittent", mean, dn, up)


def _fit_tiny(y: np.ndarray, h: int, levels: Sequence[Any]) -> Fit:
    """Return the mean of the last value and the average, with their normal ranges averaged."""
    from statsforecast.models import HistoricAverage, Naive

    parts = []
    for model in (Naive(), HistoricAverage()):
        try:
            res = model.forecast(y, h, level=list(levels))
        except Exception:
            continue
        if all(np.all(np.isfinite(v)) for v in res.values()):
            parts.append(res)
    if not parts:
        zeros = {L: np.zeros(h) for L in levels}
        return Fit("tiny", np.full(h, float(y[-1])), zeros, dict(zeros))
    mean = np.mean([p["mean"] for p in parts], axis=0)
    offs = [_offsets(p, levels) for p in parts]
    dn = {L: np.mean([o[0][L] for o in offs], axis=0) for L in levels}
    up = {L: np.mean([o[1][L] for o in offs], axis=0) for L in levels}
    return Fit("tiny", mean, dn, up)


def _calibration_scores(y: np.ndarray, h: int, m: int, levels: Sequence[Any], chosen: dict[str, Any],
                        windows: int, *, min_train: int) -> dict[Any, np.ndarray] | None:
    """Scores of the method re-run from ``windows`` earlier origins, half a horizon apart."""
    step = max(1, math.ceil(h / 2))
    floor = _RANGE_FLOOR * float(np.mean(np.abs(np.diff(y))))
    found: list[dict[Any, np.ndarray]] = []
    for w in range(windows):
        end = len(y) - w * step
        horizon = min(h, end - min_train)
        if horizon < 1:
            break
        fit, _ = _ensemble(y[: end - horizon], horizon, m, levels, chosen)
        if fit is not None:
            found.append(_scores(fit, y[end - horizon: end], levels, floor))
    if not found:
        return None
    return {L: np.concatenate([f[L] for f in found]) for L in levels}


def fit_all(tasks: list[tuple], n_jobs: int) -> list[Fit]:
    """Return the fits of all tasks, in their order, on ``n_jobs`` worker processes."""
    if n_jobs <= 1 or len(tasks) < 2:
        return [fit_one(t) for t in tasks]
    # longest series first (they take longest), results put back in order
    order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i][0]))
    workers = min(n_jobs, len(tasks))
    chunk = max(1, len(tasks) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        done = list(pool.map(fit_one, [tasks[i] for i in order], chunksize=chunk))
    out: list[Fit] = [None] * len(tasks)  # type: ignore[list-item]
    for i, fit in zip(order, done, strict=True):
        out[i] = fit
    return out
