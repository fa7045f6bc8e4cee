"""Make the forecasts of the parts add up to the forecast of their total, period by period."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.forecast.inputs import Series, bound_cols
from salesnb.forecast.intervals import nest
from salesnb.params import parameter_error

__all__ = ["RECONCILE_METHODS", "check_total", "reconcile_total"]


#: Ways :func:`reconcile_total` makes the parts add up to the total.
RECONCILE_METHODS = ("bottom_up", "top_down", "ols")


def check_total(total: object, reconcile: object, series: list[Series]) -> str | None:
    """Return the validated ``total`` series id (or None); ``reconcile`` must name a method."""
    if reconcile not in RECONCILE_METHODS:
        # params' "choice" text with the methods in their documented order (check_choice sorts them)
        raise parameter_error("choice", name="reconcile", allowed=", ".join(map(repr, RECONCILE_METHODS)),
                              value=repr(reconcile))
    if total is None:
        return None
    if not isinstance(total, str) or not total:
        raise ParameterError.from_catalog("forecast.error_total_type", value=repr(total))
    ids = {str(s.sid) for s in series}
    if total not in ids:
        shown = ", ".join(sorted(map(repr, ids))[:5])
        raise ParameterError.from_catalog("forecast.error_total_missing", value=repr(total),
                                          shown=shown + (" ..." if len(ids) > 5 else ""))
    return total


def reconcile_total(fc: pd.DataFrame, total: str, method: str, *, n_parts: int,
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
    bounds = bound_cols(levels)
    parts = out.loc[~is_total]
    tot = out.loc[is_total].set_index("ds")
    new, scale, moved, complete = _move_parts(parts, tot["yhat"], method, n_parts=n_parts)
    out.loc[~is_total, "yhat"] = new
    for col in bounds:
        old_bound = parts[col].to_numpy(dtype=float)
        bound = old_bound * scale + moved
        out.loc[~is_total, col] = np.where(old_bound >= 0, np.maximum(bound, 0.0), bound)
    if method != "top_down":  # the total of a complete period is rebuilt as the sum of its parts
        _rebuild_total(out, is_total, tot["yhat"], parts.loc[complete, "ds"].unique(), bounds)
    out[["yhat", *bounds]] = nest(out[["yhat", *bounds]].to_numpy(dtype=float), len(levels))
    out.attrs = dict(fc.attrs, reconciled={"total": total, "method": method})
    return out


def _move_parts(parts: pd.DataFrame, total_yhat: pd.Series, method: str, *,
                n_parts: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the parts' new forecasts, their scale, the shift beyond the scale, and which rows are complete.

    A period is complete when it has a forecast for the total and for all ``n_parts`` parts.
    """
    target = total_yhat.reindex(parts["ds"]).to_numpy(dtype=float)
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
    return new, scale, new - yhat * scale, complete


def _rebuild_total(out: pd.DataFrame, is_total: np.ndarray, old_total: pd.Series, done: np.ndarray,
                   bounds: list[str]) -> None:
    """Set the total of every complete period (``done``) to the sum of its parts, moving its bounds along."""
    summed = out.loc[~is_total].groupby("ds")["yhat"].sum()
    new_total = old_total.where(~old_total.index.isin(done), summed.reindex(old_total.index))
    rows = out.index[is_total]
    delta = new_total.to_numpy(dtype=float) - old_total.to_numpy(dtype=float)
    out.loc[rows, "yhat"] = new_total.to_numpy(dtype=float)
    for col in bounds:
        old_bound = out.loc[rows, col].to_numpy(dtype=float)
        bound = old_bound + delta
        out.loc[rows, col] = np.where(old_bound >= 0, np.maximum(bound, 0.0), bound)
