"""Checks of a target plan: the reconciliation audit, and targets against their forecast.

* :func:`audit_plan` — the audit of :attr:`TargetPlan.audit <salesnb.targets.TargetPlan.audit>`:
  every parent against the sum of its children (:data:`AUDIT_LEVELS`), recomputed from
  the plan's frames in whole units, so "reconciles" means equal to the unit.
* :func:`bottom_up` — per region and per rep, the year's target against the sum of
  the forecast and of its 80 % / 95 % upper bounds, and against last year. A target
  above the sum of the 95 % upper bounds, or growing more than ``max_growth`` over
  last year, is flagged *unrealistic*; above the 80 % bound it is a *stretch*.
  Summing monthly bounds treats a region's months as moving together, which is
  the cautious reading of an annual upper bound.

Forecasts come from :func:`salesnb.targets.outlook.forecast_history`; series with
less than two years of history get none, and their rows say so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesnb.params import parameter_error
from salesnb.targets.allocate import from_units
from salesnb.targets.outlook import MIN_MONTHS, feasibility, forecast_history, history_series
from salesnb.targets.plan import TargetPlan

__all__ = [
    "AUDIT_LEVELS",
    "MIN_MONTHS",  # re-exported: the forecast side lives in salesnb.targets.outlook
    "audit_plan",
    "bottom_up",
    "feasibility",
    "forecast_history",
    "history_series",
]


# --------------------------------------------------------------------------- the audit


def _units_of(values: pd.Series | np.ndarray, unit: float) -> np.ndarray:
    """Turn amounts back into whole units (exact for the multiples a plan holds)."""
    return np.rint(np.asarray(values, dtype=float) / unit).astype(np.int64)


def _codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """Return the integer codes and sorted uniques of a key column (categoricals keep their categories)."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), pd.Index(values.cat.categories)
    codes, uniques = pd.factorize(np.asarray(values), sort=True)
    return codes, pd.Index(uniques)


def _sum_by(frame: pd.DataFrame, keys: list[str], unit: float) -> pd.Series:
    """Sum whole units by keys: a Series indexed by the keys' values (only keys present)."""
    units = _units_of(frame["target"], unit)
    coded = [_codes(frame[k]) for k in keys]
    shape = tuple(max(len(u), 1) for _, u in coded)
    flat = np.ravel_multi_index(tuple(c for c, _ in coded), shape) if len(frame) else np.zeros(0, np.int64)
    size = int(np.prod(shape))
    if size <= 20_000_000:  # dense key space: counting beats sorting
        present = np.flatnonzero(np.bincount(flat, minlength=size))
        sums = np.bincount(flat, weights=units.astype(float), minlength=size)[present]
    else:
        present, inverse = np.unique(flat, return_inverse=True)
        sums = np.bincount(inverse, weights=units.astype(float), minlength=len(present))
    positions = np.unravel_index(present, shape)
    levels = [u[pos] for (_, u), pos in zip(coded, positions, strict=True)]
    index = pd.MultiIndex.from_arrays(levels, names=keys) if len(keys) > 1 else pd.Index(levels[0], name=keys[0])
    return pd.Series(np.rint(sums).astype(np.int64), index=index)


def _check(level: str, parent: pd.Series, children: pd.Series) -> pd.DataFrame:
    """Compare parent totals with the sum of their children (missing on either side counts as 0)."""
    index = parent.index.union(children.index)
    expected = parent.reindex(index, fill_value=0).to_numpy(dtype=np.int64)
    actual = children.reindex(index, fill_value=0).to_numpy(dtype=np.int64)
    if isinstance(index, pd.MultiIndex):
        parts = [np.array([_label(v) for v in lv], dtype=object)[codes]
                 for lv, codes in zip(index.levels, index.codes, strict=True)]
        labels = [" | ".join(t) for t in zip(*parts, strict=True)]
    else:
        labels = [_label(v) for v in index]
    return pd.DataFrame({"level": level, "parent": labels, "expected": expected, "actual": actual})


def _label(value: object) -> str:
    if isinstance(value, pd.Timestamp | np.datetime64):
        return pd.Timestamp(value).strftime("%Y-%m")
    return str(value)


#: The checks of :attr:`TargetPlan.audit`, by ``level`` code.
AUDIT_LEVELS = {
    "annual_regions": "annual target = sum of region targets",
    "region_categories": "each region = sum of its categories",
    "region_category_months": "each region x category = sum of its 12 months",
    "region_category_month_reps": "each region x category x month = sum over the region's reps",
    "region_reps": "each region = sum of its reps' annual targets",
    "rep_months": "each rep's annual target = sum of their months",
    "rep_category_month_days": "each rep x category x month = sum of its working days",
    "rep_month_days": "each rep x month = sum of their days that month",
    "rep_weeks": "each rep's annual target = sum of their ISO weeks",
    "annual_days": "annual target = sum of every daily target",
    "annual_weeks": "annual target = sum of every weekly target",
    "lock_rep": "a locked rep's target = the lock",
    "lock_region": "a locked region's target = the lock",
    "no_negative": "number of negative targets at any level = 0",
}


def audit_plan(*, total: int, unit: float, regions: pd.DataFrame, region_category: pd.DataFrame,
               monthly: pd.DataFrame, rep_monthly: pd.DataFrame, daily: pd.DataFrame, weekly: pd.DataFrame,
               reps: pd.DataFrame, locks: list[tuple[str, str, int]] = ()) -> pd.DataFrame:
    """Recompute every parent-child check of a plan from its frames.

    Parameters
    ----------
    total : int
        The annual target in whole units.
    unit : float
        The plan's rounding step.
    regions, region_category, monthly, rep_monthly, daily, weekly, reps : DataFrame
        The plan's frames, as :class:`~salesnb.targets.TargetPlan` describes them.
    locks : list of (level, id, units)
        The locked targets, in whole units.

    Returns
    -------
    DataFrame
        ``level`` (a code of :data:`AUDIT_LEVELS`), ``parent`` (the parent's key, e.g.
        ``"R007 | Sofás | 2027-03"``), ``expected`` (the parent's amount), ``actual`` (the sum
        of its children), ``ok``; amounts in currency (multiples of ``unit``), except
        ``no_negative`` which counts rows.
    """
    parts = _sum_checks(total, unit, regions=regions, region_category=region_category, monthly=monthly,
                        rep_monthly=rep_monthly, daily=daily, weekly=weekly, reps=reps)
    parts += [_lock_check(level, ident, units, unit, regions=regions, reps=reps) for level, ident, units in locks]
    negatives = sum(int((f["target"] < 0).sum()) for f in (regions, region_category, monthly, rep_monthly,
                                                         daily, weekly))
    parts.append(pd.DataFrame({"level": "no_negative", "parent": ["all levels"], "expected": [0],
                               "actual": [negatives]}))
    audit = pd.concat(parts, ignore_index=True)
    audit["ok"] = audit["expected"] == audit["actual"]
    is_count = audit["level"] == "no_negative"
    for col in ("expected", "actual"):
        values = audit[col].to_numpy(dtype=np.int64)
        audit[col] = np.where(is_count, values, from_units(values, unit))
    return audit


def _sum_checks(total: int, unit: float, *, regions: pd.DataFrame, region_category: pd.DataFrame,
                monthly: pd.DataFrame, rep_monthly: pd.DataFrame, daily: pd.DataFrame, weekly: pd.DataFrame,
                reps: pd.DataFrame) -> list[pd.DataFrame]:
    """Check each parent against the sum of its children, for every level of :data:`AUDIT_LEVELS` but the locks."""
    daily_m = daily[["rep_id", "category", "target"]].assign(
        month=daily["date"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]"))
    rep_target = pd.Series(_units_of(reps["target"], unit), index=reps["rep_id"].to_numpy())
    total_s = pd.Series([total], index=["total"])

    def whole(frame: pd.DataFrame) -> pd.Series:
        return pd.Series([int(_units_of(frame["target"], unit).sum())], index=["total"])

    def by(frame: pd.DataFrame, *keys: str) -> pd.Series:
        return _sum_by(frame, list(keys), unit)

    return [
        _check("annual_regions", total_s, whole(regions)),
        _check("region_categories", by(regions, "region_id"), by(region_category, "region_id")),
        _check("region_category_months", by(region_category, "region_id", "category"),
               by(monthly, "region_id", "category")),
        _check("region_category_month_reps", by(monthly, "region_id", "category", "month"),
               by(rep_monthly, "region_id", "category", "month")),
        _check("region_reps", by(regions, "region_id"), by(reps, "region_id")),
        _check("rep_months", rep_target, by(rep_monthly, "rep_id")),
        _check("rep_category_month_days", by(rep_monthly, "rep_id", "category", "month"),
               by(daily_m, "rep_id", "category", "month")),
        _check("rep_month_days", by(rep_monthly, "rep_id", "month"), by(daily_m, "rep_id", "month")),
        _check("rep_weeks", rep_target, by(weekly, "rep_id")),
        _check("annual_days", total_s, whole(daily)),
        _check("annual_weeks", total_s, whole(weekly)),
    ]


def _lock_check(level: str, ident: str, units: int, unit: float, *, regions: pd.DataFrame,
                reps: pd.DataFrame) -> pd.DataFrame:
    """Check a locked region's or rep's target against its lock (one row)."""
    frame = regions if level == "region" else reps
    key = "region_id" if level == "region" else "rep_id"
    got = _units_of(frame.loc[frame[key] == ident, "target"], unit).sum()
    return pd.DataFrame({"level": f"lock_{level}", "parent": [ident], "expected": [units], "actual": [int(got)]})


# --------------------------------------------------------------------------- bottom-up


def bottom_up(plan: TargetPlan, forecasts: pd.DataFrame, *, max_growth: float = 0.30) -> pd.DataFrame:
    """Compare the year's target of each region and rep with its forecast and last year.

    Parameters
    ----------
    plan : TargetPlan
        From :func:`salesnb.targets.breakdown`.
    forecasts : DataFrame
        From :func:`~salesnb.targets.outlook.forecast_history`.
    max_growth : float, default 0.30
        Growth over last year above which a target is flagged unrealistic.

    Returns
    -------
    DataFrame
        ``level`` (region/rep), ``id, name, target, last_year, growth, forecast, hi_80,
        hi_95, vs_forecast`` (target / forecast − 1) and ``flag``: ``unrealistic`` (above
        the 95 % bound or growth above ``max_growth``), ``stretch`` (above the 80 % bound),
        ``ok``, or ``no_forecast`` (not enough history; growth is still checked).

    Raises
    ------
    ParameterError
        When ``max_growth`` is not a number above 0.
    """
    if isinstance(max_growth, bool) or not isinstance(max_growth, int | float) or max_growth <= 0:
        raise parameter_error("targets_max_growth", value=repr(max_growth))
    sums = forecasts.assign(series_id=forecasts["series_id"].astype(str)).groupby("series_id")[
        [c for c in ("yhat", "yhat_hi_80", "yhat_hi_95") if c in forecasts.columns]].sum()
    regions = plan.regions.assign(level="region", id=plan.regions["region_id"])[
        ["level", "id", "name", "target", "last_year"]]
    reps = plan.reps.loc[plan.reps["target"] > 0]
    reps = reps.assign(level="rep", id=reps["rep_id"], last_year=reps["book"])[
        ["level", "id", "name", "target", "last_year"]]
    out = pd.concat([regions, reps], ignore_index=True)
    key = out["level"] + ":" + out["id"].astype(str)
    out["forecast"] = key.map(sums["yhat"]) if "yhat" in sums else np.nan
    out["hi_80"] = key.map(sums["yhat_hi_80"]) if "yhat_hi_80" in sums else np.nan
    out["hi_95"] = key.map(sums["yhat_hi_95"]) if "yhat_hi_95" in sums else np.nan
    target = out["target"].astype(float)
    last = out["last_year"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["growth"] = np.where(last > 0, target / last - 1, np.nan)
        out["vs_forecast"] = np.where(out["forecast"] > 0, target / out["forecast"] - 1, np.nan)
    too_fast = out["growth"] > max_growth
    flag = np.select(
        [out["forecast"].isna() & ~too_fast, (target > out["hi_95"]) | too_fast, target > out["hi_80"]],
        ["no_forecast", "unrealistic", "stretch"], default="ok")
    out["flag"] = flag
    cols = ["level", "id", "name", "target", "last_year", "growth", "forecast", "hi_80", "hi_95", "vs_forecast",
            "flag"]
    return out[cols]
