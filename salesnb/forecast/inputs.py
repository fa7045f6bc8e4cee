"""What comes into a forecast: the parameters, the long frame, and one regular series per id.

Missing periods inside a series count as zero demand; a series starts at its first
row and ends at its last. Every problem is a :class:`~salesnb.errors.ParameterError`
or a :class:`~salesnb.errors.DataValidationError` whose message (from the catalog)
names the series and the date.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from salesnb.catalog import text
from salesnb.errors import DataValidationError, ParameterError
from salesnb.params import check_positive_int

__all__ = ["Series", "bound_cols", "check_frame", "check_freq", "check_jobs", "check_levels", "clean_frame",
           "infer_freq", "level_label", "prepare", "to_series"]


def check_levels(level: object) -> tuple[int | float, ...]:
    """Return interval levels as sorted unique percentages (whole numbers as ``int``)."""
    values = (level,) if isinstance(level, Real) else level
    try:
        items = list(values)  # type: ignore[call-overload]
    except TypeError:
        items = None
    if not items or any(isinstance(v, bool) or not isinstance(v, Real) or not 0 < v < 100 for v in items):
        raise ParameterError.from_catalog("forecast.error_level", value=repr(level))
    out = sorted({int(v) if float(v).is_integer() else float(v) for v in items})
    return tuple(out)


def check_freq(freq: object) -> str | None:
    """Return ``freq`` as a pandas frequency string (None stays None)."""
    if freq is None:
        return None
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        offset = None
    if offset is None:
        raise ParameterError.from_catalog("forecast.error_freq", value=repr(freq))
    return offset.freqstr


def check_jobs(n_jobs: object) -> int:
    """Return the number of worker processes (-1: one per CPU)."""
    if n_jobs == -1:
        return max(1, multiprocessing.cpu_count())
    return check_positive_int("n_jobs", n_jobs)


def level_label(level: int | float) -> str:
    """Return an interval level as it appears in column names (``80``, ``97.5``)."""
    return str(level)


def bound_cols(levels: Sequence[int | float]) -> list[str]:
    """Return the bound columns ``yhat_lo_<L>, yhat_hi_<L>`` per level, levels ascending."""
    return [f"yhat_{side}_{level_label(lv)}" for lv in levels for side in ("lo", "hi")]


@dataclass
class Series:
    """One regular series: its id, first period and values (missing periods as zeros)."""

    sid: Hashable
    start: pd.Timestamp
    y: np.ndarray


def check_frame(df: object, columns: Sequence[str]) -> pd.DataFrame:
    """Return the ``columns`` of a DataFrame with at least one row, or raise naming what is missing."""
    if not isinstance(df, pd.DataFrame):
        raise ParameterError.from_catalog("forecast.error_df_type", type=type(df).__name__)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataValidationError.from_catalog(
            "forecast.error_columns", needed=", ".join(columns), missing=", ".join(missing),
            columns=", ".join(map(str, df.columns)) or text("forecast.no_columns"))
    if df.empty:
        raise DataValidationError.from_catalog("forecast.error_no_rows")
    return df.loc[:, list(columns)].reset_index(drop=True)


def clean_frame(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Return the frame with dates parsed, ``y`` numeric and finite, keys present; errors name series and date."""
    for key in keys:
        if frame[key].isna().any():
            row = int(np.flatnonzero(frame[key].isna().to_numpy())[0])
            raise DataValidationError.from_catalog("forecast.error_key_empty", column=key, row=row)
    try:
        ds = pd.to_datetime(frame["ds"])
    except (ValueError, TypeError) as exc:
        raise DataValidationError.from_catalog("forecast.error_ds_dates", error=exc) from None
    if ds.isna().any():
        row = int(np.flatnonzero(ds.isna().to_numpy())[0])
        raise DataValidationError.from_catalog("forecast.error_ds_empty", row=row)
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
        what = text("forecast.y_missing") if pd.isna(value) else text("forecast.y_not_finite", value=repr(value))
        more = " " + text("forecast.y_more", n=int(bad.sum()) - 1) if bad.sum() > 1 else ""
        raise DataValidationError.from_catalog("forecast.error_y", who=who, date=f"{frame.at[first, 'ds']:%Y-%m-%d}",
                                               what=what, more=more)
    frame["y"] = y
    return frame


def infer_freq(dates: pd.Series) -> str:
    """Return the frequency of the ``ds`` dates, or raise asking for ``freq``."""
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
    raise DataValidationError.from_catalog("forecast.error_freq_unknown")


def to_series(frame: pd.DataFrame, freq: str) -> list[Series]:
    """Return one regular series per id, gaps filled with zeros, sorted by id."""
    dup = frame.duplicated(["series_id", "ds"], keep=False)
    if dup.any():
        row = frame[dup].iloc[0]
        raise DataValidationError.from_catalog("forecast.error_duplicates", series=repr(row["series_id"]),
                                               n=int(dup.sum()), date=f"{row['ds']:%Y-%m-%d}")
    out = []
    for sid, group in frame.sort_values("ds", kind="stable").groupby("series_id", sort=True):
        ds = pd.DatetimeIndex(group["ds"])
        grid = pd.date_range(ds[0], ds[-1], freq=freq)
        pos = grid.searchsorted(ds)
        off = (pos >= len(grid)) | (grid[np.minimum(pos, len(grid) - 1)] != ds) if len(grid) else ds == ds
        if off.any():
            when = ds[off][0]
            raise DataValidationError.from_catalog("forecast.error_off_calendar", series=repr(sid), freq=repr(freq),
                                                   date=f"{when:%Y-%m-%d}")
        y = np.zeros(len(grid))
        y[pos] = group["y"].to_numpy(dtype=float)
        out.append(Series(sid, grid[0], y))
    return out


def prepare(df: object, freq: object) -> tuple[list[Series], str]:
    """Return the regular series of a checked long frame ``series_id, ds, y`` and their frequency."""
    frame = clean_frame(check_frame(df, ("series_id", "ds", "y")), ("series_id",))
    freq = check_freq(freq) or infer_freq(frame["ds"])
    return to_series(frame, freq), freq
