"""One model alone, for many series at low cost: :func:`theta_forecast` (Dynamic Optimized Theta).

:func:`salesnb.forecast.forecast` fits three models per series and re-runs them from
earlier origins to calibrate the ranges (about 0.06 s of CPU per monthly series).
For thousands of series where that cost matters (the reps of a large company in the
targets' feasibility check), :func:`theta_forecast` fits statsforecast's
``DynamicOptimizedTheta`` alone to every regular and short series, with the model's
own ranges (no calibration refits): about 25 times cheaper. Intermittent, tiny and
constant series get the same methods as in :func:`~salesnb.forecast.forecast`.
Bounds are clipped at zero for histories without a negative value and nested, as
there.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from salesnb.forecast.inputs import check_levels, prepare
from salesnb.forecast.models import MODEL_METHODS, Fit, fit_one, series_kind
from salesnb.forecast.predict import series_frame
from salesnb.params import check_positive_int

__all__ = ["THETA_METHOD", "theta_forecast"]

#: The ``method`` of a series forecast by :func:`theta_forecast`'s model.
THETA_METHOD = "theta"


def theta_forecast(df: pd.DataFrame, *, h: int, season_length: int = 12, level: Sequence[float] = (80, 95),
                   freq: str | None = None) -> pd.DataFrame:
    """Forecast every series of a long frame ``h`` periods ahead with Dynamic Optimized Theta alone.

    Parameters
    ----------
    df : DataFrame
        Long frame ``series_id, ds, y`` as for :func:`salesnb.forecast.forecast`.
    h : int
        Periods ahead.
    season_length : int, default 12
        Periods per season (a series shorter than two seasons is fitted without one).
    level : sequence of float, default (80, 95)
        Coverage of the prediction intervals, in percent.
    freq : str, optional
        pandas frequency of ``ds``; inferred when None.

    Returns
    -------
    DataFrame
        The columns of :func:`salesnb.forecast.forecast`; ``method`` is ``"theta"`` for
        the series the model forecast (``intermittent``, ``tiny`` or ``constant`` for
        the others, and ``tiny`` when the model fails). ``attrs["interval_scale"]`` is
        1 for every level (the model's own ranges).

    Raises
    ------
    ParameterError
        A bad ``h``, ``season_length``, ``level`` or ``freq``.
    DataValidationError
        As for :func:`salesnb.forecast.forecast`.
    """
    h = check_positive_int("h", h)
    season_length = check_positive_int("season_length", season_length)
    levels = check_levels(level)
    series, freq = prepare(df, freq)
    offset = pd.tseries.frequencies.to_offset(freq)
    unit = dict.fromkeys(levels, 1.0)
    parts = [series_frame(s, _fit(s.y, h, season_length, levels), unit, h=h, levels=levels, freq=freq,
                          offset=offset) for s in series]
    out = pd.concat(parts, ignore_index=True)
    out.attrs["interval_scale"] = {L: 1.0 for L in levels}
    return out


def _fit(y: np.ndarray, h: int, season_length: int, levels: tuple) -> Fit:
    """Return Dynamic Optimized Theta's fit of a regular or short series, else the class's usual method."""
    kind = series_kind(y, season_length)
    if kind not in MODEL_METHODS:
        return fit_one((y, h, season_length, levels, kind, 0))
    from statsforecast.models import DynamicOptimizedTheta

    m = season_length if kind == "regular" else 1
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            res = DynamicOptimizedTheta(season_length=m).forecast(y, h, level=list(levels))
        except Exception:  # a series the model cannot fit gets the tiny method, as in the ensemble
            res = None
    if res is None or not all(np.all(np.isfinite(v)) for v in res.values()):
        return fit_one((y, h, season_length, levels, "tiny", 0))
    mean = np.asarray(res["mean"], dtype=float)
    dn = {L: np.maximum(mean - res[f"lo-{L}"], 0.0) for L in levels}
    up = {L: np.maximum(res[f"hi-{L}"] - mean, 0.0) for L in levels}
    return Fit(THETA_METHOD, mean, dn, up)
