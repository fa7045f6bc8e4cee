"""Coherent forecasts of a grouped hierarchy (region x category ...): every total is the sum of its parts."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from salesnb.errors import DataValidationError, ParameterError
from salesnb.forecast.inputs import (
    Series,
    bound_cols,
    check_frame,
    check_freq,
    check_jobs,
    check_levels,
    clean_frame,
    infer_freq,
    to_series,
)
from salesnb.forecast.intervals import nest
from salesnb.forecast.predict import run_models
from salesnb.params import check_choice, check_positive_int

__all__ = ["forecast_hierarchy"]


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
    h = check_positive_int("h", h)
    season_length = check_positive_int("season_length", season_length)
    levels_pct = check_levels(level)
    jobs = check_jobs(n_jobs)
    check_choice("method", method, ("ols", "bottom_up"))
    cols = _check_level_columns(levels)
    bottom, freq = _bottom_series(df, cols, freq)
    offset = pd.tseries.frequencies.to_offset(freq)
    grid, mat, starts = _bottom_matrix(bottom, freq, offset)
    keys = [tuple(str(s.sid).split("\x1f")) for s in bottom]
    nodes = _nodes(keys, cols)
    smat = np.vstack([row for _, _, row in nodes])
    ids = [_node_id(cols, label) for _, label, _ in nodes]
    node_series = []
    for sid, (_, _, row) in zip(ids, nodes, strict=True):
        start = int(starts[row > 0].min())
        node_series.append(Series(sid, grid[start], row @ mat[:, start:] if len(bottom) else np.zeros(0)))
    base = run_models(node_series, h=h, season_length=season_length, levels=levels_pct, freq=freq, n_jobs=jobs)
    base = base.set_index(["series_id", "ds"])
    index = pd.MultiIndex.from_product([ids, pd.date_range(grid[-1] + offset, periods=h, freq=freq)])
    yhat = base["yhat"].reindex(index).to_numpy().reshape(len(ids), h)
    if method == "ols":
        bottom_fc = np.linalg.solve(smat.T @ smat, smat.T @ yhat)
    else:
        bottom_fc = yhat[[ids.index(_node_id(cols, key)) for key in keys]]
    nonneg = np.array([s.y.min() >= 0 for s in bottom])
    bottom_fc[nonneg] = np.clip(bottom_fc[nonneg], 0.0, None)
    out = _coherent(base.reindex(index).reset_index(names=["series_id", "ds"]), smat @ bottom_fc, yhat,
                    nonneg=np.repeat([bool(np.all(nonneg[row > 0])) for _, _, row in nodes], h), levels=levels_pct)
    meta = pd.DataFrame([(sid, name, *label) for sid, (name, label, _) in zip(ids, nodes, strict=True)],
                        columns=["series_id", "level", *cols])
    out = meta.merge(out, on="series_id", how="right", validate="one_to_many")
    out.attrs["method"] = method
    return out[["series_id", "level", *cols, "ds", "yhat", *bound_cols(levels_pct), "method"]].reset_index(drop=True)


def _check_level_columns(levels: object) -> list[str]:
    """Return the ``levels`` columns as a list: one to three distinct names, none reserved for the output."""
    if isinstance(levels, str) or not isinstance(levels, Sequence) or not 1 <= len(levels) <= 3 \
            or len(set(levels)) != len(levels) or not all(isinstance(c, str) for c in levels):
        raise ParameterError.from_catalog("forecast.error_levels", value=repr(levels))
    cols = list(levels)
    reserved = {"series_id", "level", "ds", "y", "yhat", "method"}
    if reserved & set(cols):
        raise ParameterError.from_catalog("forecast.error_levels_reserved", names=sorted(reserved & set(cols)))
    return cols


def _bottom_series(df: pd.DataFrame, cols: list[str], freq: str | None) -> tuple[list[Series], str]:
    """Return one regular series per combination of ``cols`` (rows of a period summed), and the frequency."""
    frame = clean_frame(check_frame(df, (*cols, "ds", "y")), cols)
    for c in cols:
        frame[c] = frame[c].astype(str)
        if (frame[c] == "total").any():
            raise DataValidationError.from_catalog("forecast.error_total_value", column=c)
    freq = check_freq(freq) or infer_freq(frame["ds"])
    frame = frame.groupby([*cols, "ds"], as_index=False, sort=True)["y"].sum()
    frame["series_id"] = frame[cols].astype(str).agg("\x1f".join, axis=1)
    return to_series(frame[["series_id", "ds", "y"]], freq), freq


def _bottom_matrix(bottom: list[Series], freq: str,
                   offset: pd.DateOffset) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """Return the common date grid, the bottom series on it (zeros before a start) and each one's start."""
    last = max(s.start + (len(s.y) - 1) * offset for s in bottom)
    first = min(s.start for s in bottom)
    grid = pd.date_range(first, last, freq=freq)
    mat = np.zeros((len(bottom), len(grid)))
    starts = np.zeros(len(bottom), dtype=int)
    for i, s in enumerate(bottom):
        starts[i] = grid.get_loc(s.start)
        mat[i, starts[i]: starts[i] + len(s.y)] = s.y
    return grid, mat, starts


def _nodes(keys: list[tuple[str, ...]], cols: list[str]) -> list[tuple[str, tuple[str, ...], np.ndarray]]:
    """Return every node as (level name, label, summing row): every subset of the columns, larger splits last."""
    nodes: list[tuple[str, tuple[str, ...], np.ndarray]] = []
    for r in range(len(cols) + 1):
        for subset in combinations(range(len(cols)), r):
            groups: dict[tuple[str, ...], list[int]] = {}
            for j, key in enumerate(keys):
                label = tuple(key[c] if c in subset else "total" for c in range(len(cols)))
                groups.setdefault(label, []).append(j)
            name = "+".join(cols[c] for c in subset) or "total"
            for label in sorted(groups):
                row = np.zeros(len(keys))
                row[groups[label]] = 1.0
                nodes.append((name, label, row))
    return nodes


def _node_id(cols: list[str], label: tuple[str, ...]) -> str:
    """Return a node's series id: ``"total"`` or ``"region:North / category:Shoes"``."""
    return " / ".join(f"{cols[c]}:{v}" for c, v in enumerate(label) if v != "total") or "total"


def _coherent(out: pd.DataFrame, coherent: np.ndarray, yhat: np.ndarray, *, nonneg: np.ndarray,
              levels: tuple) -> pd.DataFrame:
    """Put the coherent forecasts in ``out`` and move each node's bounds with its point forecast."""
    shift = (coherent - yhat).reshape(-1)
    out["yhat"] = coherent.reshape(-1)
    bounds = bound_cols(levels)
    for col in bounds:
        moved = out[col].to_numpy(dtype=float) + shift
        out[col] = np.where(nonneg, np.clip(moved, 0.0, None), moved)
    out[["yhat", *bounds]] = nest(out[["yhat", *bounds]].to_numpy(dtype=float), len(levels))
    return out
