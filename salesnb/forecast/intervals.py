"""Interval calibration: the conformal stretch of the model ranges, and nesting the bounds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["conformal_quantile", "interval_scale", "nest"]


#: Held-out scores wanted before the intervals are calibrated at all.
_MIN_SCORES = 20


#: Largest stretch of the model ranges (a guard for degenerate, noise-free histories).
_MAX_STRETCH = 3.0


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """Return the ceil((n + 1)·L)-th smallest score (the largest finite one if that is infinite)."""
    ranked = np.sort(scores)
    k = min(len(ranked), math.ceil((len(ranked) + 1) * level / 100)) - 1
    value = ranked[k]
    if not np.isfinite(value):
        finite = ranked[np.isfinite(ranked)]
        value = finite[-1] if len(finite) else 1.0
    return float(value)


def nest(values: np.ndarray, n_levels: int) -> np.ndarray:
    """Columns ``yhat, lo_1, hi_1, lo_2, hi_2 ...`` (levels ascending) made to nest."""
    out = values.copy()
    inner_lo = inner_hi = out[:, 0]
    for i in range(n_levels):
        lo, hi = 1 + 2 * i, 2 + 2 * i
        out[:, lo] = np.minimum(out[:, lo], inner_lo)
        out[:, hi] = np.maximum(out[:, hi], inner_hi)
        inner_lo, inner_hi = out[:, lo], out[:, hi]
    return out


def interval_scale(pooled: list[dict[Any, np.ndarray]], levels: Sequence[Any]) -> dict[Any, float]:
    """Return the stretch of the model ranges per level, from the held-out scores of a call's series.

    The average of 1 (the models' own range) and the conformal quantile of the pooled
    scores, at most ``_MAX_STRETCH``; 1 when fewer than ``_MIN_SCORES`` scores exist.
    """
    scale = {}
    for L in levels:
        scores = np.concatenate([p[L] for p in pooled]) if pooled else np.array([])
        if len(scores) >= _MIN_SCORES:
            scale[L] = min(_MAX_STRETCH, (1.0 + conformal_quantile(scores, L)) / 2)
        else:
            scale[L] = 1.0
    return scale
