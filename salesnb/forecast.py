"""Demand forecasts with intervals, their own backtest accuracy, and reconciled hierarchies.

Long frames in and out, shaped like statsforecast's: ``series_id, ds, y`` in;
``series_id, ds, yhat, yhat_lo_<L>, yhat_hi_<L>`` out.

The method, chosen by measured accuracy and speed (``benchmarks/bench_forecast.py``):

* **regular series** (at least two full seasons, not intermittent, not constant):
  the median of three statsforecast models, AutoETS, AutoCES and
  DynamicOptimizedTheta, each fitted with the season length. Median combinations of
  diverse exponential-smoothing and Theta models are a robust published recipe (the
  "SCUM" family of M4 benchmarks) that beats each member and the classic Theta method.
  Interval bounds are the median of the members' bounds;
* **short series** (fewer than two seasons, at least 8 points): AutoETS without a seasonal term;
* **intermittent demand** (half or more of the periods zero): Croston's method with the
  Syntetos-Boylan correction for the level, and intervals from the empirical quantiles
  of the series' own history;
* **constant series** (zeros included): the constant, with no spread;
* **tiny series** (under 8 points): the mean, with a normal interval from their spread.

Forecasts and bounds are clipped at zero when the history has no negative value.
Missing periods inside a series (a month with no orders) count as zero demand.
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError

__all__ = ["BacktestResult", "backtest", "forecast", "forecast_hierarchy", "mase", "smape"]

_MIN_POINTS = 4
#: AutoETS needs more points than parameters + 4; shorter series use the "tiny" rule.
_MIN_MODEL_POINTS = 8
_INTERMITTENT_SHARE = 0.5


# --------------------------------------------------------------------------- checks


def _check_h(h: object) -> int:
    if isinstance(h, bool) or not isinstance(h, int | np.integer) or h < 1:
        raise ParameterError(f"The 'h' parameter must be a positive integer. Got {h!r} instead.")
    return int(h)


def _check_levels(level: object) -> tuple[int, ...]:
    if isinstance(level, int | float) and not isinstance(level, bool):
        level = (level,)
    try:
        levels = tuple(level)  # type: ignore[arg-type]
    except TypeError:
        raise ParameterError(f"The 'level' parameter must be a sequence of percentages. Got {level!r}.") from None
    for lv in levels:
        if isinstance(lv, bool) or not isinstance(lv, int | float) or not 0 < lv < 100 or lv != int(lv):
            raise ParameterError(
                f"The 'level' parameter must hold whole percentages between 0 and 100. Got {level!r} instead.")
    return tuple(sorted({int(lv) for lv in levels}))


def _check_frame(df: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"Expected a DataFrame with columns series_id, ds, y. Got {type(df).__name__}.")
    missing = [c for c in ("series_id", "ds", "y") if c not in df.columns]
    if missing:
        raise ParameterError(
            f"The frame needs columns series_id, ds, y; missing {', '.join(missing)} "
            f"(it has {', '.join(map(str, df.columns))}).")
    if df.empty:
        raise ParameterError("The frame has no rows; there is nothing to forecast.")
    frame = df[["series_id", "ds", "y"]].copy()
    frame["series_id"] = frame["series_id"].astype(str)
    try:
        frame["ds"] = pd.to_datetime(frame["ds"])
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"The 'ds' column must hold dates: {exc}") from None
    frame["y"] = pd.to_numeric(frame["y"], errors="coerce").astype(float)
    bad = frame[~np.isfinite(frame["y"])]
    if len(bad):
        first = bad.iloc[0]
        raise ParameterError(
            f"The 'y' column must hold finite numbers; series {first['series_id']!r} has "
            f"{str(df.loc[first.name, 'y'])!r} at {first['ds']:%Y-%m-%d} ({len(bad)} such values). "
            "Fill missing periods with 0 or drop them.")
    if frame.duplicated(["series_id", "ds"]).any():
        dup = frame[frame.duplicated(["series_id", "ds"], keep=False)].iloc[0]
        raise ParameterError(f"Series {dup['series_id']!r} has two values for {dup['ds']:%Y-%m-%d}; "
                             "aggregate to one value per period first.")
    return frame


def _infer_freq(ds: pd.Series) -> str:
    dates = pd.DatetimeIndex(ds.unique()).sort_values()
    if (dates.day == 1).all():
        return "MS"
    if len(dates) > 1:
        steps = np.diff(dates.asi8) // 86_400_000_000_000
        if (steps % 7 == 0).all():
            return "W-" + dates[0].day_name()[:3].upper()
        if (steps == 1).all():
            return "D"
    raise ParameterError("Cannot tell the frequency of 'ds' (month starts or weekly dates expected); "
                         "pass freq='MS' or freq='W-MON'.")


def _regularise(frame: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Every series on a complete grid from its first to last date; gaps are zero."""
    parts = []
    for sid, group in frame.groupby("series_id", sort=True):
        grid = pd.date_range(group["ds"].min(), group["ds"].max(), freq=freq)
        if not group["ds"].isin(grid).all():
            raise ParameterError(f"Series {sid!r} has dates off the {freq} grid; pass the right freq.")
        values = group.set_index("ds")["y"].reindex(grid, fill_value=0.0)
        parts.append(pd.DataFrame({"series_id": sid, "ds": grid, "y": values.to_numpy()}))
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- models


def _kind(y: np.ndarray, season_length: int) -> str:
    if len(y) and np.all(y == y[0]):
        return "constant"
    if np.mean(y == 0) >= _INTERMITTENT_SHARE and len(y) >= _MIN_POINTS:
        return "intermittent"
    if len(y) < _MIN_MODEL_POINTS:
        return "tiny"
    if np.mean(y == 0) >= _INTERMITTENT_SHARE:
        return "intermittent"
    if len(y) < 2 * season_length or season_length < 2:
        return "short"
    return "regular"


def _future(last: pd.Timestamp, h: int, freq: str) -> pd.DatetimeIndex:
    return pd.date_range(last, periods=h + 1, freq=freq)[1:]


def _empty_like(sid: str, dates: pd.DatetimeIndex, point: np.ndarray, bounds: dict[int, tuple]) -> pd.DataFrame:
    out = pd.DataFrame({"series_id": sid, "ds": dates, "yhat": point})
    for lv, (lo, hi) in bounds.items():
        out[f"yhat_lo_{lv}"] = lo
        out[f"yhat_hi_{lv}"] = hi
    return out


def _simple(sid: str, y: np.ndarray, dates: pd.DatetimeIndex, kind: str, levels: Sequence[int]) -> pd.DataFrame:
    from scipy.stats import norm

    h = len(dates)
    if kind == "constant":
        point = np.full(h, y[0])
        return _empty_like(sid, dates, point, {lv: (point, point) for lv in levels})
    if kind == "tiny":
        mean, sd = float(np.mean(y)), float(np.std(y, ddof=1)) if len(y) > 1 else abs(float(y[0])) * 0.5
        point = np.full(h, mean)
        bounds = {lv: (point - norm.ppf(0.5 + lv / 200) * sd, point + norm.ppf(0.5 + lv / 200) * sd)
                  for lv in levels}
        return _empty_like(sid, dates, point, bounds)
    raise AssertionError(kind)  # pragma: no cover


def _statsforecast(frame: pd.DataFrame, models: list, *, h: int, freq: str, levels: Sequence[int]) -> pd.DataFrame:
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    data = frame.rename(columns={"series_id": "unique_id"})
    n_jobs = 1 if data["unique_id"].nunique() < 50 else max(1, min(2, os.cpu_count() or 1))
    sf = StatsForecast(models=models, freq=freq, n_jobs=n_jobs, fallback_model=Naive())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sf.forecast(df=data, h=h, level=list(levels))
    result = result.reset_index() if "unique_id" not in result.columns else result
    return result.rename(columns={"unique_id": "series_id"})


def _combine(raw: pd.DataFrame, names: list[str], levels: Sequence[int]) -> pd.DataFrame:
    out = raw[["series_id", "ds"]].copy()
    out["yhat"] = np.median(raw[names].to_numpy(), axis=1)
    for lv in levels:
        out[f"yhat_lo_{lv}"] = np.median(raw[[f"{n}-lo-{lv}" for n in names]].to_numpy(), axis=1)
        out[f"yhat_hi_{lv}"] = np.median(raw[[f"{n}-hi-{lv}" for n in names]].to_numpy(), axis=1)
    return out


def _regular(frame: pd.DataFrame, *, h: int, freq: str, season_length: int, levels: Sequence[int]) -> pd.DataFrame:
    from statsforecast.models import AutoCES, AutoETS, DynamicOptimizedTheta

    models = [AutoETS(season_length=season_length, alias="ets"),
              AutoCES(season_length=season_length, alias="ces"),
              DynamicOptimizedTheta(season_length=season_length, alias="dot")]
    raw = _statsforecast(frame, models, h=h, freq=freq, levels=levels)
    return _combine(raw, ["ets", "ces", "dot"], levels)


def _short(frame: pd.DataFrame, *, h: int, freq: str, levels: Sequence[int]) -> pd.DataFrame:
    from statsforecast.models import AutoETS

    raw = _statsforecast(frame, [AutoETS(season_length=1, alias="ets")], h=h, freq=freq, levels=levels)
    return _combine(raw, ["ets"], levels)


def _intermittent(frame: pd.DataFrame, *, h: int, freq: str, levels: Sequence[int]) -> pd.DataFrame:
    from statsforecast.models import CrostonSBA

    raw = _statsforecast(frame, [CrostonSBA(alias="sba")], h=h, freq=freq, levels=())
    out = raw[["series_id", "ds"]].copy()
    out["yhat"] = raw["sba"].to_numpy()
    history = frame.groupby("series_id")["y"]
    for lv in levels:
        lo_q, hi_q = (1 - lv / 100) / 2, 1 - (1 - lv / 100) / 2
        lo = history.quantile(lo_q)
        hi = history.quantile(hi_q)
        out[f"yhat_lo_{lv}"] = np.minimum(out["series_id"].map(lo).to_numpy(), out["yhat"].to_numpy())
        out[f"yhat_hi_{lv}"] = np.maximum(out["series_id"].map(hi).to_numpy(), out["yhat"].to_numpy())
    return out


def forecast(df: pd.DataFrame, *, h: int, season_length: int = 12, level: Sequence[int] = (80, 95),
             freq: str | None = None) -> pd.DataFrame:
    """Forecast every series of a long frame ``h`` periods ahead, with intervals.

    Parameters
    ----------
    df : DataFrame
        Long frame with columns ``series_id``, ``ds`` (period start dates) and ``y``.
        Other columns are ignored; the frame is not changed.
    h : int
        Periods ahead.
    season_length : int, default 12
        Periods per season (12 for monthly data, 52 for weekly; 1 for none).
    level : sequence of int, default (80, 95)
        Coverage of the prediction intervals, in percent.
    freq : str, optional
        pandas frequency of ``ds`` (``"MS"``, ``"W-MON"`` ...); inferred when None.

    Returns
    -------
    DataFrame
        ``series_id, ds, yhat`` and ``yhat_lo_<L>, yhat_hi_<L>`` per level, plus
        ``method`` (regular, short, intermittent, constant, tiny), sorted by
        ``series_id, ds``.

    Raises
    ------
    ParameterError
        Bad ``h``, ``level`` or ``season_length``; missing columns; a non-finite ``y``
        (the message names the series and date); two values for one period.

    Examples
    --------
    >>> fc = forecast(monthly, h=6)
    >>> fc.columns.tolist()[:3]
    ['series_id', 'ds', 'yhat']
    """
    h = _check_h(h)
    levels = _check_levels(level)
    if isinstance(season_length, bool) or not isinstance(season_length, int | np.integer) or season_length < 1:
        raise ParameterError(f"The 'season_length' parameter must be a positive integer. Got {season_length!r}.")
    frame = _check_frame(df)
    freq = freq or _infer_freq(frame["ds"])
    frame = _regularise(frame, freq)
    kinds = {sid: _kind(g["y"].to_numpy(), int(season_length)) for sid, g in frame.groupby("series_id", sort=True)}
    parts = []
    for kind in ("regular", "short", "intermittent"):
        ids = [sid for sid, k in kinds.items() if k == kind]
        if not ids:
            continue
        subset = frame[frame["series_id"].isin(ids)]
        if kind == "regular":
            part = _regular(subset, h=h, freq=freq, season_length=int(season_length), levels=levels)
        elif kind == "short":
            part = _short(subset, h=h, freq=freq, levels=levels)
        else:
            part = _intermittent(subset, h=h, freq=freq, levels=levels)
        parts.append(part.assign(method=kind))
    for sid, group in frame.groupby("series_id", sort=True):
        if kinds[sid] in ("constant", "tiny"):
            dates = _future(group["ds"].max(), h, freq)
            parts.append(_simple(sid, group["y"].to_numpy(), dates, kinds[sid], levels).assign(method=kinds[sid]))
    out = pd.concat(parts, ignore_index=True)
    out["ds"] = pd.to_datetime(out["ds"])
    nonneg = frame.groupby("series_id")["y"].min() >= 0
    value_cols = ["yhat", *[f"yhat_{s}_{lv}" for lv in levels for s in ("lo", "hi")]]
    clip = out["series_id"].map(nonneg).to_numpy()
    for col in value_cols:
        out[col] = np.where(clip, np.clip(out[col].to_numpy(dtype=float), 0, None), out[col].to_numpy(dtype=float))
    # intervals nest and contain the point forecast
    for lv in levels:
        out[f"yhat_lo_{lv}"] = np.minimum(out[f"yhat_lo_{lv}"], out["yhat"])
        out[f"yhat_hi_{lv}"] = np.maximum(out[f"yhat_hi_{lv}"], out["yhat"])
    for narrow, wide in itertools.pairwise(levels):
        out[f"yhat_lo_{wide}"] = np.minimum(out[f"yhat_lo_{wide}"], out[f"yhat_lo_{narrow}"])
        out[f"yhat_hi_{wide}"] = np.maximum(out[f"yhat_hi_{wide}"], out[f"yhat_hi_{narrow}"])
    cols = ["series_id", "ds", *value_cols, "method"]
    return out[cols].sort_values(["series_id", "ds"], kind="stable", ignore_index=True)


# --------------------------------------------------------------------------- accuracy


def smape(y: np.ndarray, yhat: np.ndarray) -> float:
    """sMAPE as in the M3 competition: mean of 200·|y − ŷ| / (|y| + |ŷ|), with 0/0 counted as 0."""
    y, yhat = np.asarray(y, dtype=float), np.asarray(yhat, dtype=float)
    denom = np.abs(y) + np.abs(yhat)
    terms = np.divide(200 * np.abs(y - yhat), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(terms.mean()) if len(terms) else float("nan")


def mase(y: np.ndarray, yhat: np.ndarray, train: np.ndarray, *, season_length: int = 12) -> float:
    """MASE: MAE over the in-sample MAE of the seasonal naive forecast.

    Falls back to the lag-1 naive scale when the training data is shorter than a
    season plus one; returns NaN when that scale is zero (a constant history).
    """
    train = np.asarray(train, dtype=float)
    m = season_length if len(train) > season_length else 1
    if len(train) <= m:
        return float("nan")
    scale = np.mean(np.abs(train[m:] - train[:-m]))
    if scale == 0:
        return float("nan")
    return float(np.mean(np.abs(np.asarray(y, dtype=float) - np.asarray(yhat, dtype=float))) / scale)


@dataclass
class BacktestResult:
    """How forecasts did on held-out history.

    Attributes
    ----------
    per_series : DataFrame
        ``series_id, smape, mase, coverage_<L>...`` averaged over the windows.
    overall : dict
        The same metrics over all series (mean of per-series values; coverage over
        all held-out points), plus ``n_series``, ``windows``, ``h``.
    cv : DataFrame
        Every held-out point: ``series_id, cutoff, ds, y, yhat`` and the bounds.
    skipped : DataFrame
        ``series_id, reason`` for series too short to hold out ``windows`` × ``h`` periods.
    """

    per_series: pd.DataFrame
    overall: dict[str, float]
    cv: pd.DataFrame
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["series_id", "reason"]))


def backtest(df: pd.DataFrame, *, h: int, windows: int = 3, season_length: int = 12,
             level: Sequence[int] = (80, 95), freq: str | None = None) -> BacktestResult:
    """Rolling-origin accuracy of :func:`forecast` on the last ``windows`` × ``h`` periods.

    The last ``h`` periods are forecast from everything before them, then the ``h``
    before those, and so on, ``windows`` times; each window is scored against what
    really happened.

    Parameters
    ----------
    df : DataFrame
        Long frame ``series_id, ds, y``.
    h : int
        Horizon of each window.
    windows : int, default 3
        Number of rolling origins.
    season_length, level, freq
        As in :func:`forecast`.

    Returns
    -------
    BacktestResult
    """
    h = _check_h(h)
    levels = _check_levels(level)
    if isinstance(windows, bool) or not isinstance(windows, int | np.integer) or windows < 1:
        raise ParameterError(f"The 'windows' parameter must be a positive integer. Got {windows!r} instead.")
    frame = _check_frame(df)
    freq = freq or _infer_freq(frame["ds"])
    frame = _regularise(frame, freq)
    lengths = frame.groupby("series_id").size()
    need = windows * h + _MIN_POINTS
    skipped = pd.DataFrame({"series_id": lengths.index[lengths < need],
                            "reason": [f"{n} periods; a backtest of {windows} x {h} needs {need}"
                                       for n in lengths[lengths < need]]})
    usable = frame[frame["series_id"].isin(lengths.index[lengths >= need])]
    if usable.empty:
        empty = pd.DataFrame(columns=["series_id", "smape", "mase", *[f"coverage_{lv}" for lv in levels]])
        return BacktestResult(empty, {"n_series": 0, "windows": windows, "h": h}, pd.DataFrame(), skipped)
    pos = usable.groupby("series_id").cumcount(ascending=False)  # 0 = last period
    cv_parts = []
    for w in range(windows, 0, -1):
        train = usable[pos >= w * h]
        test = usable[(pos < w * h) & (pos >= (w - 1) * h)]
        fc = forecast(train, h=h, season_length=season_length, level=levels, freq=freq)
        merged = test.merge(fc, on=["series_id", "ds"], how="left")
        merged["cutoff"] = merged["series_id"].map(train.groupby("series_id")["ds"].max())
        merged["window"] = windows - w + 1
        cv_parts.append(merged)
    cv = pd.concat(cv_parts, ignore_index=True)
    rows = []
    for sid, group in cv.groupby("series_id", sort=True):
        history = usable[usable["series_id"] == sid]
        per_window = []
        for _, wg in group.groupby("window"):
            train_y = history[history["ds"] <= wg["cutoff"].iloc[0]]["y"].to_numpy()
            per_window.append(mase(wg["y"], wg["yhat"], train_y, season_length=season_length))
        row = {"series_id": sid, "smape": smape(group["y"], group["yhat"]),
               "mase": float(np.nanmean(per_window)) if not np.all(np.isnan(per_window)) else float("nan")}
        for lv in levels:
            inside = (group["y"] >= group[f"yhat_lo_{lv}"]) & (group["y"] <= group[f"yhat_hi_{lv}"])
            row[f"coverage_{lv}"] = float(inside.mean())
        rows.append(row)
    per_series = pd.DataFrame(rows)
    overall: dict[str, float] = {"smape": float(per_series["smape"].mean()),
                                 "mase": float(per_series["mase"].mean(skipna=True)),
                                 "n_series": len(per_series), "windows": int(windows), "h": int(h)}
    for lv in levels:
        inside = (cv["y"] >= cv[f"yhat_lo_{lv}"]) & (cv["y"] <= cv[f"yhat_hi_{lv}"])
        overall[f"coverage_{lv}"] = float(inside.mean())
    return BacktestResult(per_series, overall, cv, skipped)


# --------------------------------------------------------------------------- hierarchy


def forecast_hierarchy(df: pd.DataFrame, *, h: int, levels: Sequence[str] = ("region", "category"),
                       season_length: int = 12, level: Sequence[int] = (80, 95),
                       freq: str | None = None) -> pd.DataFrame:
    """Forecast a two-way hierarchy so that every total is the sum of its parts.

    Bottom series are the combinations of the two ``levels`` columns; their totals
    by each column and the grand total are forecast too, then all are reconciled by
    OLS projection onto the space of coherent forecasts (Hyndman et al., 2011):
    ``ỹ = S (SᵀS)⁻¹ Sᵀ ŷ`` for each period. Bottom forecasts are then clipped at zero
    (when the history is non-negative) and every total is rebuilt from them, so
    sums hold exactly. Interval bounds move with their point forecast (an
    approximation; the backtest of the base series tells their real coverage).

    Parameters
    ----------
    df : DataFrame
        Long frame with the two ``levels`` columns, ``ds`` and ``y`` (bottom level).
    h : int
        Periods ahead.
    levels : pair of str
        Column names of the two dimensions (e.g. region and category).
    season_length, level, freq
        As in :func:`forecast`.

    Returns
    -------
    DataFrame
        ``series_id, level, <levels[0]>, <levels[1]>, ds, yhat`` and bounds, where
        ``level`` is ``total``, the name of a dimension, or ``bottom``; an empty
        dimension column means "all".
    """
    if len(levels) != 2:
        raise ParameterError(f"The 'levels' parameter must name two columns. Got {levels!r}.")
    a, b = levels
    missing = [c for c in (a, b, "ds", "y") if c not in df.columns]
    if missing:
        raise ParameterError(f"The frame needs columns {a}, {b}, ds, y; missing {', '.join(missing)}.")
    base = df[[a, b, "ds", "y"]].copy()
    base[a], base[b] = base[a].astype(str), base[b].astype(str)
    bottom = base.groupby([a, b, "ds"], as_index=False)["y"].sum()
    bottom_keys = bottom[[a, b]].drop_duplicates().sort_values([a, b]).itertuples(index=False, name=None)
    bottom_keys = list(bottom_keys)
    series = [("total", "", "", bottom.groupby("ds", as_index=False)["y"].sum())]
    for key in sorted(bottom[a].unique()):
        series.append((a, key, "", bottom[bottom[a] == key].groupby("ds", as_index=False)["y"].sum()))
    for key in sorted(bottom[b].unique()):
        series.append((b, "", key, bottom[bottom[b] == key].groupby("ds", as_index=False)["y"].sum()))
    for ka, kb in bottom_keys:
        series.append(("bottom", ka, kb, bottom[(bottom[a] == ka) & (bottom[b] == kb)][["ds", "y"]]))
    # all series over the same dates, so the totals are exact sums of the bottom
    all_ds = pd.DatetimeIndex(sorted(bottom["ds"].unique()))
    long = []
    for i, (_, _, _, frame) in enumerate(series):
        values = frame.set_index("ds")["y"].reindex(all_ds, fill_value=0.0)
        long.append(pd.DataFrame({"series_id": f"s{i:05d}", "ds": all_ds, "y": values.to_numpy()}))
    base_fc = forecast(pd.concat(long, ignore_index=True), h=h, season_length=season_length,
                       level=level, freq=freq)
    levels_pct = _check_levels(level)
    n_bottom = len(bottom_keys)
    # summing matrix S: rows = all series, columns = bottom series
    s_rows = []
    for lvl, ka, kb, _ in series:
        if lvl == "total":
            s_rows.append(np.ones(n_bottom))
        elif lvl == a:
            s_rows.append(np.array([1.0 if k[0] == ka else 0.0 for k in bottom_keys]))
        elif lvl == b:
            s_rows.append(np.array([1.0 if k[1] == kb else 0.0 for k in bottom_keys]))
        else:
            s_rows.append(np.array([1.0 if k == (ka, kb) else 0.0 for k in bottom_keys]))
    smat = np.vstack(s_rows)
    proj = smat @ np.linalg.pinv(smat.T @ smat) @ smat.T
    ids = [f"s{i:05d}" for i in range(len(series))]
    wide = base_fc.pivot(index="ds", columns="series_id", values="yhat")[ids]
    reconciled = wide.to_numpy() @ proj.T
    nonneg = bool((bottom["y"] >= 0).all())
    bottom_idx = [i for i, s in enumerate(series) if s[0] == "bottom"]
    bottom_vals = reconciled[:, bottom_idx]
    if nonneg:
        bottom_vals = np.clip(bottom_vals, 0, None)
    coherent = bottom_vals @ smat.T
    shift = pd.DataFrame(coherent - wide.to_numpy(), index=wide.index, columns=ids)
    out = base_fc.copy()
    delta = out.apply(lambda r: shift.at[r["ds"], r["series_id"]], axis=1).to_numpy()
    for col in ["yhat", *[f"yhat_{s}_{lv}" for lv in levels_pct for s in ("lo", "hi")]]:
        out[col] = out[col].to_numpy() + delta
        if nonneg:
            out[col] = np.clip(out[col], 0, None)
    out["yhat"] = [coherent[wide.index.get_loc(d), ids.index(s)] for d, s in zip(out["ds"], out["series_id"],
                                                                                   strict=True)]
    meta = pd.DataFrame([(ids[i], s[0], s[1], s[2]) for i, s in enumerate(series)],
                        columns=["series_id", "level", a, b])
    out = meta.merge(out, on="series_id")
    for lv in levels_pct:
        out[f"yhat_lo_{lv}"] = np.minimum(out[f"yhat_lo_{lv}"], out["yhat"])
        out[f"yhat_hi_{lv}"] = np.maximum(out[f"yhat_hi_{lv}"], out["yhat"])
    names = {i: (s[0], s[1], s[2]) for i, s in zip(ids, series, strict=True)}
    out["series_id"] = [" / ".join(p for p in (names[s][1], names[s][2]) if p) or "total" for s in out["series_id"]]
    return out.sort_values(["level", a, b, "ds"], kind="stable", ignore_index=True)
