"""Demand forecasts with intervals, their own backtest accuracy, and coherent hierarchies.

Long frames in and out, shaped like statsforecast's: ``series_id, ds, y`` in;
``series_id, ds, yhat, yhat_lo_<L>, yhat_hi_<L>, method`` out.

How each series is forecast
---------------------------
Missing periods inside a series (a month without orders) count as **zero demand**; a
series starts at its first row and ends at its last. Each series is then put in one
class, named in the ``method`` column:

``regular``
    At least two full seasons of history. The median of three statsforecast models
    fitted with the season length: ``AutoETS``, ``AutoCES`` and
    ``DynamicOptimizedTheta``. A median of diverse exponential-smoothing and Theta
    models is a published, robust recipe (the "SCUM" benchmark of Petropoulos and
    Svetunkov, 2020, without its slow ARIMA member); on M1 and Tourism monthly it beats
    each member and the classic Theta method (``benchmarks/README.md``).
``short``
    8 periods up to two seasons: the same three models without a seasonal term.
``intermittent``
    A sale on average every 1.32 periods or rarer (the Syntetos-Boylan cut-off) and no
    negative value: the mean of ``CrostonSBA``, ``ADIDA`` and ``IMAPA`` (a flat rate),
    with ranges from the empirical quantiles of the series' own history.
``tiny``
    Fewer than 8 periods: the mean of ``Naive`` (the last value) and ``HistoricAverage``.
``constant``
    Every value equal (all-zero series included): that value, with no spread.

Intervals of regular and short series
-------------------------------------
The combined range starts from the ETS and Theta members' ranges, averaged around the
median forecast (CES contributes its point forecast only: its ranges are simulated and
cost twenty times its fit). Models' own ranges are too narrow on real sales: they
ignore that the model itself may be wrong. So the method is re-run from up to three
earlier origins on the last periods of each series (rolling origin, the model
structure chosen on the full history, its parameters re-estimated), and every
held-out miss is measured in units of the range the method gave for it. The
conformal quantile of those scores, pooled over the series of the call, says by how
much the ranges must be stretched to reach their nominal coverage on held-out data.
The final stretch is the average of 1 (the models' own range) and that conformal
factor: an equal-weight combination of two estimates of the same quantile. Alone,
each missed the nominal coverage by more than 5 points on one benchmark set; the
average stayed within 5 points on both (see ``benchmarks/README.md``). The factors used
are in ``result.attrs["interval_scale"]``.

Forecasts and bounds are clipped at zero for every series whose history has no
negative value. Bounds always nest (``lo_95 <= lo_80 <= yhat <= hi_80 <= hi_95``).
Everything is deterministic: the models are fitted by deterministic optimisers and
no random numbers are drawn.
"""

from __future__ import annotations

import math
import multiprocessing
import warnings
from collections.abc import Hashable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import combinations
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from salesnb.errors import DataValidationError, ParameterError

__all__ = ["BacktestResult", "backtest", "forecast", "forecast_hierarchy", "mase", "smape"]

#: Fewer observations than this: the ``tiny`` method.
MIN_MODEL_POINTS = 8
#: Average inter-demand interval from which a series is intermittent (Syntetos & Boylan).
INTERMITTENT_ADI = 1.32
#: Rolling origins used to calibrate the intervals (more for calls with few series).
CALIBRATION_WINDOWS = 3
_MAX_CALIBRATION_WINDOWS = 8
#: Held-out scores wanted before the intervals are calibrated at all.
_MIN_SCORES = 20
#: Narrowest range used to score held-out misses, as a share of the mean period-to-period change.
_RANGE_FLOOR = 0.01
#: Largest stretch of the model ranges (a guard for degenerate, noise-free histories).
_MAX_STRETCH = 3.0
#: A backtest window needs this many observations before its cutoff.
MIN_BACKTEST_TRAIN = 4

_MODEL_METHODS = ("regular", "short")


# --------------------------------------------------------------------------- parameters


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ParameterError(f"The '{name}' parameter must be a positive integer. Got {value!r} instead.")
    return int(value)


def _check_levels(level: object) -> tuple[int | float, ...]:
    """Interval levels as sorted unique percentages (whole numbers as ``int``)."""
    values = (level,) if isinstance(level, Real) else level
    try:
        items = list(values)  # type: ignore[call-overload]
    except TypeError:
        items = None
    if not items or any(isinstance(v, bool) or not isinstance(v, Real) or not 0 < v < 100 for v in items):
        raise ParameterError(
            "The 'level' parameter must be a percentage or a sequence of percentages strictly "
            f"between 0 and 100, e.g. (80, 95). Got {level!r} instead.")
    out = sorted({int(v) if float(v).is_integer() else float(v) for v in items})
    return tuple(out)


def _check_freq(freq: object) -> str | None:
    if freq is None:
        return None
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        offset = None
    if offset is None:
        raise ParameterError(
            f"The 'freq' parameter must be a pandas frequency such as 'MS' or 'W-MON', or None. "
            f"Got {freq!r} instead.")
    return offset.freqstr


def _check_jobs(n_jobs: object) -> int:
    if n_jobs == -1:
        return max(1, multiprocessing.cpu_count())
    return _positive_int("n_jobs", n_jobs)


def _label(level: int | float) -> str:
    return str(level)


def _bound_cols(levels: Sequence[int | float]) -> list[str]:
    return [f"yhat_{side}_{_label(lv)}" for lv in levels for side in ("lo", "hi")]


# --------------------------------------------------------------------------- input


@dataclass
class _Series:
    sid: Hashable
    start: pd.Timestamp
    y: np.ndarray


def _frame(df: object, columns: Sequence[str]) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"The 'df' parameter must be a pandas DataFrame. Got {type(df).__name__} instead.")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataValidationError(
            f"The frame needs the columns {', '.join(columns)}; missing {', '.join(missing)} "
            f"(it has {', '.join(map(str, df.columns)) or 'none'}).")
    if df.empty:
        raise DataValidationError("The frame has no rows: there is nothing to forecast.")
    return df.loc[:, list(columns)].reset_index(drop=True)


def _clean(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Dates parsed, ``y`` numeric and finite, keys present; errors name series and date."""
    for key in keys:
        if frame[key].isna().any():
            row = int(np.flatnonzero(frame[key].isna().to_numpy())[0])
            raise DataValidationError(f"The '{key}' column is empty on row {row}; every row needs one.")
    try:
        ds = pd.to_datetime(frame["ds"])
    except (ValueError, TypeError) as exc:
        raise DataValidationError(f"The 'ds' column must hold dates: {exc}") from None
    if ds.isna().any():
        row = int(np.flatnonzero(ds.isna().to_numpy())[0])
        raise DataValidationError(f"The 'ds' column is empty on row {row}; every row needs a date.")
    if getattr(ds.dt, "tz", None) is not None:
        ds = ds.dt.tz_localize(None)
    frame["ds"] = ds
    raw = frame["y"]
    y = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = ~np.isfinite(y.to_numpy())
    if bad.any():
        first = frame.index[bad][0]
        who = ", ".join(f"{k} {frame.at[first, k]!r}" for k in keys)
        value = raw.at[first]
        what = "missing (NaN)" if pd.isna(value) else f"not a finite number ({value!r})"
        more = f" ({int(bad.sum()) - 1} more such rows)" if bad.sum() > 1 else ""
        raise DataValidationError(
            f"The 'y' value of {who} on {frame.at[first, 'ds']:%Y-%m-%d} is {what}{more}. "
            "Put 0 for a period without sales, or drop the row; forecast() never guesses a value.")
    frame["y"] = y
    return frame


def _infer_freq(dates: pd.Series) -> str:
    unique = pd.DatetimeIndex(dates.unique()).sort_values()
    if len(unique) >= 3:
        inferred = pd.infer_freq(unique)
        if inferred:
            return pd.tseries.frequencies.to_offset(inferred).freqstr
    if (unique.day == 1).all():
        return "MS"
    if unique.is_month_end.all():
        return "ME"
    if len(unique) >= 2:
        days = np.diff(unique.asi8) // 86_400_000_000_000
        if (days % 7 == 0).all():
            return "W-" + unique[0].day_name()[:3].upper()
        if (days == 1).all():
            return "D"
    raise DataValidationError(
        "Cannot tell the frequency of 'ds' (month starts and regular weekly dates are recognised); "
        "pass freq='MS', freq='W-MON' or another pandas frequency.")


def _series(frame: pd.DataFrame, freq: str) -> list[_Series]:
    """One regular series per id, gaps filled with zeros, sorted by id."""
    dup = frame.duplicated(["series_id", "ds"], keep=False)
    if dup.any():
        row = frame[dup].iloc[0]
        raise DataValidationError(
            f"Series {row['series_id']!r} has {int(dup.sum())} rows for the same dates, first on "
            f"{row['ds']:%Y-%m-%d}; aggregate to one value per period first.")
    out = []
    for sid, group in frame.sort_values("ds", kind="stable").groupby("series_id", sort=True):
        ds = pd.DatetimeIndex(group["ds"])
        grid = pd.date_range(ds[0], ds[-1], freq=freq)
        pos = grid.searchsorted(ds)
        off = (pos >= len(grid)) | (grid[np.minimum(pos, len(grid) - 1)] != ds) if len(grid) else ds == ds
        if off.any():
            when = ds[off][0]
            raise DataValidationError(
                f"Series {sid!r} has a date off the {freq!r} calendar ({when:%Y-%m-%d}); "
                f"pass the right freq or move the dates to period starts.")
        y = np.zeros(len(grid))
        y[pos] = group["y"].to_numpy(dtype=float)
        out.append(_Series(sid, grid[0], y))
    return out


# --------------------------------------------------------------------------- one series


@dataclass
class _Fit:
    method: str
    mean: np.ndarray
    dn: dict[Any, np.ndarray]
    up: dict[Any, np.ndarray]
    scores: dict[Any, np.ndarray] | None = None


def _kind(y: np.ndarray, season_length: int) -> str:
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
              spec: dict[str, Any] | None = None) -> tuple[_Fit | None, dict[str, Any]]:
    """Median of AutoETS, AutoCES and DynamicOptimizedTheta; ranges from ETS and Theta.

    ``spec`` fixes the ETS and CES structure chosen on a longer history (calibration
    refits re-estimate parameters only). Returns the fit (None when no member could be
    fitted) and the structures chosen.
    """
    from statsforecast.models import AutoCES, AutoETS, DynamicOptimizedTheta

    spec = spec or {}
    chosen: dict[str, Any] = {}
    means: list[np.ndarray] = []
    ranged: list[dict] = []
    lv = list(levels)
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
    return _Fit("", mean, dn, up), chosen


def _scores(fit: _Fit, actual: np.ndarray, levels: Sequence[Any], floor: float) -> dict[Any, np.ndarray]:
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


def _fit_one(task: tuple) -> _Fit:
    y, h, m, levels, kind, windows = task
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return _fit_kind(y, h, m, levels, kind, windows)


def _fit_kind(y: np.ndarray, h: int, m: int, levels: Sequence[Any], kind: str, windows: int) -> _Fit:
    zeros = {L: np.zeros(h) for L in levels}
    if kind == "constant":
        return _Fit(kind, np.full(h, float(y[0])), zeros, dict(zeros))
    if kind in _MODEL_METHODS:
        season = m if kind == "regular" else 1
        fit, chosen = _ensemble(y, h, season, levels)
        if fit is not None:
            fit.method = kind
            fit.scores = _calibration_scores(y, h, season, levels, chosen, windows,
                                             min_train=2 * season if season > 1 else MIN_MODEL_POINTS)
            return fit
        kind = "tiny"
    if kind == "intermittent":
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
        return _Fit(kind, mean, dn, up)
    # tiny: the last value and the average, with their normal ranges averaged
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
        return _Fit("tiny", np.full(h, float(y[-1])), zeros, dict(zeros))
    mean = np.mean([p["mean"] for p in parts], axis=0)
    offs = [_offsets(p, levels) for p in parts]
    dn = {L: np.mean([o[0][L] for o in offs], axis=0) for L in levels}
    up = {L: np.mean([o[1][L] for o in offs], axis=0) for L in levels}
    return _Fit("tiny", mean, dn, up)


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


def _fit_all(tasks: list[tuple], n_jobs: int) -> list[_Fit]:
    if n_jobs <= 1 or len(tasks) < 2:
        return [_fit_one(t) for t in tasks]
    # longest series first (they take longest), results put back in order
    order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i][0]))
    workers = min(n_jobs, len(tasks))
    chunk = max(1, len(tasks) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        done = list(pool.map(_fit_one, [tasks[i] for i in order], chunksize=chunk))
    out: list[_Fit] = [None] * len(tasks)  # type: ignore[list-item]
    for i, fit in zip(order, done, strict=True):
        out[i] = fit
    return out


def _conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The ceil((n + 1)·L)-th smallest score (the largest finite one if that is infinite)."""
    ranked = np.sort(scores)
    k = min(len(ranked), math.ceil((len(ranked) + 1) * level / 100)) - 1
    value = ranked[k]
    if not np.isfinite(value):
        finite = ranked[np.isfinite(ranked)]
        value = finite[-1] if len(finite) else 1.0
    return float(value)


# --------------------------------------------------------------------------- forecast


def _run(series: list[_Series], *, h: int, season_length: int, levels: tuple, freq: str,
         n_jobs: int) -> pd.DataFrame:
    kinds = [_kind(s.y, season_length) for s in series]
    n_model = sum(k in _MODEL_METHODS for k in kinds)
    windows = CALIBRATION_WINDOWS
    if n_model:
        windows = min(_MAX_CALIBRATION_WINDOWS, max(CALIBRATION_WINDOWS, math.ceil(100 / (n_model * h))))
    tasks = [(s.y, h, season_length, levels, k, windows) for s, k in zip(series, kinds, strict=True)]
    fits = _fit_all(tasks, n_jobs)
    pooled = [f.scores for f in fits if f.scores is not None]
    scale = {}
    for L in levels:
        scores = np.concatenate([p[L] for p in pooled]) if pooled else np.array([])
        if len(scores) >= _MIN_SCORES:
            scale[L] = min(_MAX_STRETCH, (1.0 + _conformal_quantile(scores, L)) / 2)
        else:
            scale[L] = 1.0
    offset = pd.tseries.frequencies.to_offset(freq)
    parts = []
    for s, fit in zip(series, fits, strict=True):
        dates = pd.date_range(s.start + (len(s.y) - 1) * offset + offset, periods=h, freq=freq)
        stretch = scale if fit.method in _MODEL_METHODS else dict.fromkeys(levels, 1.0)
        cols: dict[str, Any] = {"series_id": [s.sid] * h, "ds": dates, "yhat": fit.mean}
        for L in levels:
            cols[f"yhat_lo_{_label(L)}"] = fit.mean - stretch[L] * fit.dn[L]
            cols[f"yhat_hi_{_label(L)}"] = fit.mean + stretch[L] * fit.up[L]
        part = pd.DataFrame(cols)
        values = part.iloc[:, 2:].to_numpy(dtype=float)
        if s.y.min() >= 0:
            values = np.clip(values, 0.0, None)
        part.iloc[:, 2:] = _nest(values, len(levels))
        part["method"] = fit.method
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out.attrs["interval_scale"] = {L: float(v) for L, v in scale.items()}
    return out


def _nest(values: np.ndarray, n_levels: int) -> np.ndarray:
    """Columns ``yhat, lo_1, hi_1, lo_2, hi_2 ...`` (levels ascending) made to nest."""
    out = values.copy()
    inner_lo = inner_hi = out[:, 0]
    for i in range(n_levels):
        lo, hi = 1 + 2 * i, 2 + 2 * i
        out[:, lo] = np.minimum(out[:, lo], inner_lo)
        out[:, hi] = np.maximum(out[:, hi], inner_hi)
        inner_lo, inner_hi = out[:, lo], out[:, hi]
    return out


def _prepare(df: object, freq: object) -> tuple[list[_Series], str]:
    frame = _clean(_frame(df, ("series_id", "ds", "y")), ("series_id",))
    freq = _check_freq(freq) or _infer_freq(frame["ds"])
    return _series(frame, freq), freq


RECONCILE_METHODS = ("bottom_up", "top_down", "ols")


def _check_total(total: object, reconcile: object, series: list[_Series]) -> str | None:
    """The validated ``total`` series id (or None); ``reconcile`` must name a method."""
    if reconcile not in RECONCILE_METHODS:
        raise ParameterError(f"The 'reconcile' parameter must be one of {', '.join(map(repr, RECONCILE_METHODS))}. "
                             f"Got {reconcile!r} instead.")
    if total is None:
        return None
    if not isinstance(total, str) or not total:
        raise ParameterError(f"The 'total' parameter must be a series id (str) or None. Got {total!r} instead.")
    ids = {str(s.sid) for s in series}
    if total not in ids:
        shown = ", ".join(sorted(map(repr, ids))[:5])
        raise ParameterError(f"The 'total' parameter names the series {total!r}, which is not in the frame "
                             f"(series: {shown}{' ...' if len(ids) > 5 else ''}).")
    return total


def _reconcile_total(fc: pd.DataFrame, total: str, method: str, *, n_parts: int,
                     levels: Sequence[Any]) -> pd.DataFrame:
    """Make the other series' forecasts add up to ``total``'s, period by period.

    ``bottom_up``: the total becomes the sum of the parts. ``top_down``: the parts are
    scaled to the total (each keeps its share; where the parts are negative or sum to
    zero the gap is shared equally). ``ols``: the gap is shared between the total and
    the parts, ``(total - sum) / (k + 1)`` each, the least-squares coherent forecasts of
    a one-level hierarchy; a part forecast at or above zero stays there. Intervals move
    (or, for ``top_down``, scale) with their point forecast, stay at or above zero where
    they were, and are kept nested. Only periods with a forecast for the total and for
    all ``n_parts`` parts are changed (a part too short to take part in a backtest
    window, or ending on another date, leaves those periods as they are).
    """
    is_total = (fc["series_id"].astype(str) == total).to_numpy()
    if not is_total.any() or is_total.all():
        return fc
    out = fc.copy()
    bounds = _bound_cols(levels)
    parts = out.loc[~is_total]
    tot = out.loc[is_total].set_index("ds")
    target = tot["yhat"].reindex(parts["ds"]).to_numpy(dtype=float)
    grouped = parts.groupby("ds", sort=False)["yhat"]
    sums = grouped.transform("sum").to_numpy(dtype=float)
    counts = grouped.transform("size").to_numpy(dtype=float)
    lowest = grouped.transform("min").to_numpy(dtype=float)
    yhat = parts["yhat"].to_numpy(dtype=float)
    complete = np.isfinite(target) & (counts == n_parts)
    scale = np.ones(len(parts))
    shift = np.zeros(len(parts))
    if method == "top_down":
        proportional = complete & (sums > 0) & (lowest >= 0) & (target >= 0)
        scale = np.where(proportional, target / np.where(sums > 0, sums, 1.0), 1.0)
        shift = np.where(complete & ~proportional, (target - sums) / counts, 0.0)
    elif method == "ols":
        shift = np.where(complete, (target - sums) / (counts + 1), 0.0)
    new = yhat * scale + shift
    if method == "ols":
        new = np.where(yhat >= 0, np.maximum(new, 0.0), new)
    moved = new - yhat * scale
    out.loc[~is_total, "yhat"] = new
    for col in bounds:
        old_bound = parts[col].to_numpy(dtype=float)
        bound = old_bound * scale + moved
        out.loc[~is_total, col] = np.where(old_bound >= 0, np.maximum(bound, 0.0), bound)
    if method != "top_down":  # the total of a complete period is rebuilt as the sum of its parts
        done = parts.loc[complete, "ds"].unique()
        summed = out.loc[~is_total].groupby("ds")["yhat"].sum()
        old_total = tot["yhat"]
        new_total = old_total.where(~old_total.index.isin(done), summed.reindex(old_total.index))
        rows = out.index[is_total]
        delta = new_total.to_numpy(dtype=float) - old_total.to_numpy(dtype=float)
        out.loc[rows, "yhat"] = new_total.to_numpy(dtype=float)
        for col in bounds:
            old_bound = out.loc[rows, col].to_numpy(dtype=float)
            bound = old_bound + delta
            out.loc[rows, col] = np.where(old_bound >= 0, np.maximum(bound, 0.0), bound)
    out[["yhat", *bounds]] = _nest(out[["yhat", *bounds]].to_numpy(dtype=float), len(levels))
    out.attrs = dict(fc.attrs, reconciled={"total": total, "method": method})
    return out


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
    h = _positive_int("h", h)
    season_length = _positive_int("season_length", season_length)
    levels = _check_levels(level)
    jobs = _check_jobs(n_jobs)
    series, freq = _prepare(df, freq)
    total_id = _check_total(total, reconcile, series)
    out = _run(series, h=h, season_length=season_length, levels=levels, freq=freq, n_jobs=jobs)
    if total_id is None:
        return out
    return _reconcile_total(out, total_id, str(reconcile), n_parts=len(series) - 1, levels=levels)


# --------------------------------------------------------------------------- accuracy


def smape(y: Sequence[float] | np.ndarray, yhat: Sequence[float] | np.ndarray) -> float:
    """sMAPE as in the M3 competition, in percent (0-200).

    The mean of ``200·|y − ŷ| / (|y| + |ŷ|)``, a term being 0 when both are 0.

    Examples
    --------
    >>> smape([100, 0], [50, 0])
    33.33333333333333
    """
    y, yhat = np.asarray(y, dtype=float), np.asarray(yhat, dtype=float)
    if y.shape != yhat.shape:
        raise ParameterError(f"'y' and 'yhat' must have the same length. Got {y.shape} and {yhat.shape}.")
    if y.size == 0:
        return float("nan")
    denom = np.abs(y) + np.abs(yhat)
    terms = np.divide(200 * np.abs(y - yhat), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(terms.mean())


def _scale(train: np.ndarray, season_length: int) -> float:
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
    season_length = _positive_int("season_length", season_length)
    y, yhat = np.asarray(y, dtype=float), np.asarray(yhat, dtype=float)
    error = float(np.mean(np.abs(y - yhat))) if y.size else float("nan")
    scale = _scale(np.asarray(train, dtype=float), season_length)
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
    h = _positive_int("h", h)
    windows = _positive_int("windows", windows)
    season_length = _positive_int("season_length", season_length)
    levels = _check_levels(level)
    jobs = _check_jobs(n_jobs)
    series, freq = _prepare(df, freq)
    total_id = _check_total(total, reconcile, series)
    offset = pd.tseries.frequencies.to_offset(freq)
    bounds = _bound_cols(levels)
    skipped = [(s.sid, len(s.y), f"{len(s.y)} periods; a window of {h} needs at least "
                f"{h + MIN_BACKTEST_TRAIN} ({MIN_BACKTEST_TRAIN} before the cutoff)")
               for s in series if len(s.y) - h < MIN_BACKTEST_TRAIN]
    cv_parts = []
    scales: dict[tuple[Hashable, int], float] = {}
    for k in range(windows, 0, -1):
        train = [_Series(s.sid, s.start, s.y[: len(s.y) - k * h]) for s in series
                 if len(s.y) - k * h >= MIN_BACKTEST_TRAIN]
        if not train:
            continue
        fc = _run(train, h=h, season_length=season_length, levels=levels, freq=freq, n_jobs=jobs)
        if total_id is not None:
            fc = _reconcile_total(fc, total_id, str(reconcile), n_parts=len(series) - 1, levels=levels)
        actual = []
        for s in series:
            cut = len(s.y) - k * h
            if cut < MIN_BACKTEST_TRAIN:
                continue
            scales[(s.sid, k)] = _scale(s.y[:cut], season_length)
            actual.append(pd.DataFrame({"series_id": [s.sid] * h,
                                        "ds": pd.date_range(s.start + cut * offset, periods=h, freq=freq),
                                        "y": s.y[cut: cut + h],
                                        "cutoff": s.start + (cut - 1) * offset}))
        part = pd.concat(actual, ignore_index=True).merge(fc, on=["series_id", "ds"], how="left",
                                                          validate="one_to_one")
        part.insert(1, "window", windows - k + 1)
        cv_parts.append(part)
    cols = ["series_id", "window", "cutoff", "ds", "y", "yhat", *bounds, "method"]
    cv = pd.concat(cv_parts, ignore_index=True)[cols] if cv_parts else pd.DataFrame(columns=cols)
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
            inside = (y >= group[f"yhat_lo_{_label(L)}"]) & (y <= group[f"yhat_hi_{_label(L)}"])
            row[f"coverage_{_label(L)}"] = float(inside.mean())
        rows.append(row)
    per_cols = ["series_id", "smape", "mase", *[f"coverage_{_label(L)}" for L in levels]]
    per_series = pd.DataFrame(rows, columns=per_cols)
    overall: dict[str, float] = {
        "smape": float(per_series["smape"].mean()) if len(per_series) else float("nan"),
        "mase": float(per_series["mase"].mean(skipna=True)) if per_series["mase"].notna().any() else float("nan"),
    }
    for L in levels:
        inside = (cv["y"] >= cv[f"yhat_lo_{_label(L)}"]) & (cv["y"] <= cv[f"yhat_hi_{_label(L)}"])
        overall[f"coverage_{_label(L)}"] = float(inside.mean()) if len(cv) else float("nan")
    overall.update(n_series=len(per_series), n_skipped=len(skipped), windows=windows, h=h)
    skipped_frame = pd.DataFrame(skipped, columns=["series_id", "n_obs", "reason"])
    return BacktestResult(per_series, overall, cv, skipped_frame)


# --------------------------------------------------------------------------- hierarchy


def forecast_hierarchy(df: pd.DataFrame, *, h: int, levels: Sequence[str] = ("region", "category"),
                       method: str = "ols", season_length: int = 12, level: Sequence[float] = (80, 95),
                       freq: str | None = None, n_jobs: int = 1) -> pd.DataFrame:
    """Forecast a grouped hierarchy so that every total is exactly the sum of its parts.

    The bottom series are the combinations of the ``levels`` columns (e.g. region ×
    category) that occur in ``df``; every aggregate is forecast too: each region, each
    category, and the grand total (for three columns, every pair as well). All are
    forecast with :func:`forecast`, then reconciled:

    * ``"ols"`` (default): the forecasts of all nodes are projected onto the coherent
      ones, ``b = (SᵀS)⁻¹ Sᵀ ŷ`` for each period, where ``S`` sums bottom series into
      nodes (Hyndman et al., 2011). Every node's own forecast counts, so a noisy bottom
      series borrows strength from the totals;
    * ``"bottom_up"``: the bottom forecasts are summed.

    Bottom forecasts are then clipped at zero where their history has no negative value
    and every total is rebuilt as their sum, so the sums hold to floating-point
    precision. Each node's interval is its own, moved by as much as its point forecast
    moved; intervals are not summed (quantiles do not add up).

    Every bottom series runs from its first period to the last period of the whole
    frame (a combination that stopped selling has zeros until the end), so that every
    node is forecast for the same dates.

    Parameters
    ----------
    df : DataFrame
        Long frame with the ``levels`` columns, ``ds`` and ``y``; several rows for one
        combination and period are summed (order lines can go in as they are).
    h : int
        Periods ahead.
    levels : sequence of str, default ("region", "category")
        Columns whose combinations are the bottom series (one to three).
    method : {"ols", "bottom_up"}, default "ols"
        Reconciliation.
    season_length, level, freq, n_jobs
        As in :func:`forecast`.

    Returns
    -------
    DataFrame
        ``series_id, level, <levels...>, ds, yhat``, the bounds and ``method``.
        ``level`` is ``"total"`` or the ``+``-joined columns a node is split by
        (``"region"``, ``"category"``, ``"region+category"``); an aggregated column
        holds ``"total"``. ``series_id`` is ``"total"`` or e.g.
        ``"region:North / category:Shoes"``. Sorted by level (total first), the level
        columns and ``ds``. ``attrs["method"]`` names the reconciliation.
    """
    h = _positive_int("h", h)
    season_length = _positive_int("season_length", season_length)
    levels_pct = _check_levels(level)
    jobs = _check_jobs(n_jobs)
    if method not in ("ols", "bottom_up"):
        raise ParameterError(f"The 'method' parameter must be one of 'bottom_up', 'ols'. Got {method!r} instead.")
    if isinstance(levels, str) or not isinstance(levels, Sequence) or not 1 <= len(levels) <= 3 \
            or len(set(levels)) != len(levels) or not all(isinstance(c, str) for c in levels):
        raise ParameterError(
            f"The 'levels' parameter must be one to three distinct column names. Got {levels!r} instead.")
    cols = list(levels)
    reserved = {"series_id", "level", "ds", "y", "yhat", "method"}
    if reserved & set(cols):
        raise ParameterError(f"The 'levels' parameter cannot name {sorted(reserved & set(cols))}.")
    frame = _clean(_frame(df, (*cols, "ds", "y")), cols)
    for c in cols:
        frame[c] = frame[c].astype(str)
        if (frame[c] == "total").any():
            raise DataValidationError(f"The '{c}' column has a value 'total', which names the aggregates; "
                                      "rename it.")
    freq = _check_freq(freq) or _infer_freq(frame["ds"])
    frame = frame.groupby([*cols, "ds"], as_index=False, sort=True)["y"].sum()
    frame["series_id"] = frame[cols].astype(str).agg("\x1f".join, axis=1)
    bottom = _series(frame[["series_id", "ds", "y"]], freq)
    offset = pd.tseries.frequencies.to_offset(freq)
    last = max(s.start + (len(s.y) - 1) * offset for s in bottom)
    first = min(s.start for s in bottom)
    grid = pd.date_range(first, last, freq=freq)
    keys = [tuple(str(s.sid).split("\x1f")) for s in bottom]
    n_bottom = len(bottom)
    mat = np.zeros((n_bottom, len(grid)))
    starts = np.zeros(n_bottom, dtype=int)
    for i, s in enumerate(bottom):
        starts[i] = grid.get_loc(s.start)
        mat[i, starts[i]: starts[i] + len(s.y)] = s.y
    # nodes: every subset of the columns, larger splits last
    nodes: list[tuple[str, tuple[str, ...], np.ndarray]] = []
    for r in range(len(cols) + 1):
        for subset in combinations(range(len(cols)), r):
            groups: dict[tuple[str, ...], list[int]] = {}
            for j, key in enumerate(keys):
                label = tuple(key[c] if c in subset else "total" for c in range(len(cols)))
                groups.setdefault(label, []).append(j)
            name = "+".join(cols[c] for c in subset) or "total"
            for label in sorted(groups):
                row = np.zeros(n_bottom)
                row[groups[label]] = 1.0
                nodes.append((name, label, row))
    smat = np.vstack([row for _, _, row in nodes])
    ids = [" / ".join(f"{cols[c]}:{v}" for c, v in enumerate(label) if v != "total") or "total"
           for _, label, _ in nodes]
    node_series = []
    for sid, (_, _, row) in zip(ids, nodes, strict=True):
        start = int(starts[row > 0].min())
        node_series.append(_Series(sid, grid[start], row @ mat[:, start:] if n_bottom else np.zeros(0)))
    base = _run(node_series, h=h, season_length=season_length, levels=levels_pct, freq=freq, n_jobs=jobs)
    base = base.set_index(["series_id", "ds"])
    dates = pd.date_range(last + offset, periods=h, freq=freq)
    index = pd.MultiIndex.from_product([ids, dates])
    yhat = base["yhat"].reindex(index).to_numpy().reshape(len(ids), h)
    if method == "ols":
        bottom_fc = np.linalg.solve(smat.T @ smat, smat.T @ yhat)
    else:
        order = [ids.index(" / ".join(f"{cols[c]}:{v}" for c, v in enumerate(key))) for key in keys]
        bottom_fc = yhat[order]
    nonneg = np.array([s.y.min() >= 0 for s in bottom])
    bottom_fc[nonneg] = np.clip(bottom_fc[nonneg], 0.0, None)
    coherent = smat @ bottom_fc
    shift = (coherent - yhat).reshape(-1)
    out = base.reindex(index).reset_index(names=["series_id", "ds"])
    node_nonneg = np.repeat([bool(np.all(nonneg[row > 0])) for _, _, row in nodes], h)
    out["yhat"] = coherent.reshape(-1)
    bounds = _bound_cols(levels_pct)
    for col in bounds:
        moved = out[col].to_numpy(dtype=float) + shift
        out[col] = np.where(node_nonneg, np.clip(moved, 0.0, None), moved)
    out[["yhat", *bounds]] = _nest(out[["yhat", *bounds]].to_numpy(dtype=float), len(levels_pct))
    meta = pd.DataFrame([(sid, name, *label) for sid, (name, label, _) in zip(ids, nodes, strict=True)],
                        columns=["series_id", "level", *cols])
    out = meta.merge(out, on="series_id", how="right", validate="one_to_many")
    out.attrs["method"] = method
    return out[["series_id", "level", *cols, "ds", "yhat", *bounds, "method"]].reset_index(drop=True)
