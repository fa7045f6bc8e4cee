"""Where a review's targets come from: the target plan, a targets file, or last year + growth.

Every source is turned into the same long frame of **daily targets**
(``rep_id, date, target``), so any span (a week, a month to date, the last 12 months)
sums to its target the same way.

Sources, in order:

1. ``targets`` given by the caller: a :class:`salesnb.targets.TargetPlan` (or any object
   with a ``daily`` frame), a DataFrame, or a CSV/xlsx path. Frames hold ``rep_id``,
   ``target`` and either ``date`` (daily targets) or ``month`` (``YYYY-MM``: spread over
   the month's working days with the weekday pattern of past sales).
2. ``salesnb.targets.breakdown`` when that module exists: one plan per calendar year,
   ``growth_pct = 100 x growth`` over last year's sales, broken down by the target
   cascade to every rep and working day (a ``VACANT-<region>`` placeholder holds the
   target of a region without a rep; it counts in the team target). When the cascade
   cannot plan a year (no sales the year before) the next source is used.
3. Otherwise **last year's same month plus growth**: each rep's monthly target is what
   the rep's current customers (``customers.rep_id``) bought in the same month last year,
   times ``1 + growth``; a rep whose customers bought nothing then (a new territory)
   gets the median of the other reps' bases. The month is spread over its working days
   with the weekday pattern, and days before hiring or after leaving get no target, so a
   rep hired mid-month has a pro-rated target.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError, SalesnbError
from salesnb.params import parameter_error
from salesnb.review._common import active_reps, country, customer_owner, memo, span
from salesnb.review.periods import working_day_flags

if TYPE_CHECKING:
    from salesnb.data import Dataset
    from salesnb.review.periods import DateLike
    from salesnb.targets import TargetPlan

    #: What a ``targets`` argument may be (see :func:`daily_targets`).
    TargetSource = TargetPlan | pd.DataFrame | str | Path

__all__ = ["DEFAULT_GROWTH", "check_growth", "daily_targets", "day_weights", "target_plan"]

#: Growth over last year used when no target plan or file is given.
DEFAULT_GROWTH = 0.05


def check_growth(growth: object) -> float:
    """Return a growth over last year, as a fraction, when it is a finite number above -1.

    The review's unit: ``0.05`` is +5 % (:func:`salesnb.targets.breakdown` takes a
    percent, ``growth_pct``, with its own checker).

    Parameters
    ----------
    growth : float
        Growth over last year as a fraction (``-0.1`` = -10 %).

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        ``The 'growth' parameter must be a number above -1 (0.05 = +5%). Got -1 instead.``
    """
    if isinstance(growth, bool) or not isinstance(growth, int | float) or not math.isfinite(growth) \
            or growth <= -1:
        raise ParameterError.from_catalog("review.error_growth", value=repr(growth))
    return float(growth)


def day_weights(dataset: Dataset, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Relative selling weight of each calendar day: the weekday index on working days, 0 otherwise.

    The weekday index (Monday = 0) comes from :func:`salesnb.market.weekday_indices`
    over the whole order history; with no history every working day weighs 1.
    """
    flags = working_day_flags(start, end, country=country(dataset))
    orders = dataset.orders
    index = np.ones(7)
    if not orders.empty:
        from salesnb.market import weekday_indices

        idx = weekday_indices(orders)
        index = idx.set_index("weekday")["index"].reindex(range(7), fill_value=0.0).to_numpy()
        if not np.isfinite(index).all() or index[:5].sum() <= 0:
            index = np.ones(7)
        index = np.where(index[: 7] > 0, index, 0.0)
        if index[:5].min() <= 0:  # a working weekday that never sold still gets some weight
            index[:5] = np.where(index[:5] > 0, index[:5], index[:5][index[:5] > 0].mean())
    weights = index[flags.index.weekday] * flags.to_numpy()
    return pd.Series(weights, index=flags.index, name="weight")


def _employment_mask(reps: pd.DataFrame, days: pd.DatetimeIndex) -> np.ndarray:
    """Reps x days: True when the rep is employed that day."""
    d = days.to_numpy()[None, :]
    hire = reps["hire_date"].to_numpy(dtype="datetime64[ns]")[:, None]
    leave = reps["leave_date"].to_numpy(dtype="datetime64[ns]")[:, None]
    after = np.isnat(hire) | (d >= hire)
    before = np.isnat(leave) | (d <= leave)
    return after & before


def _spread_monthly(dataset: Dataset, monthly: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                    *, prorate: bool) -> pd.DataFrame:
    """Spread ``rep_id, month (Period), target`` over working days; keep ``start..end``."""
    if monthly.empty:
        return pd.DataFrame({"rep_id": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]"),
                             "target": pd.Series(dtype=float)})
    first = monthly["month"].min().to_timestamp()
    last = monthly["month"].max().to_timestamp(how="end").normalize()
    weights = day_weights(dataset, first, last)
    month_of_day = weights.index.to_period("M")
    totals = weights.groupby(month_of_day).transform("sum").to_numpy()
    share = np.divide(weights.to_numpy(), totals, out=np.zeros(len(weights)), where=totals > 0)
    reps = sorted(monthly["rep_id"].astype(str).unique())
    wide = monthly.assign(rep_id=monthly["rep_id"].astype(str)).pivot_table(
        index="rep_id", columns="month", values="target", aggfunc="sum").reindex(reps).fillna(0.0)
    day_month = wide.columns.get_indexer(month_of_day)
    month_target = np.where(day_month[None, :] >= 0, wide.to_numpy()[:, np.clip(day_month, 0, None)], 0.0)
    values = month_target * share[None, :]
    if prorate:
        info = dataset.reps.assign(rep_id=dataset.reps["rep_id"].astype(str)).set_index("rep_id")
        info = info.reindex(reps)
        values = values * _employment_mask(info, weights.index)
    days = weights.index
    keep = (days >= start) & (days <= end)
    frame = pd.DataFrame({
        "rep_id": np.repeat(np.array(reps, dtype=object), keep.sum()),
        "date": np.tile(days[keep].to_numpy(), len(reps)),
        "target": values[:, keep].ravel(),
    })
    return frame


def _last_year_growth(dataset: Dataset, start: pd.Timestamp, end: pd.Timestamp, growth: float) -> pd.DataFrame:
    months = pd.period_range(start.to_period("M"), end.to_period("M"), freq="M")
    reps = active_reps(dataset, months[0].to_timestamp(), months[-1].to_timestamp(how="end").normalize())
    orders = dataset.orders
    ly_first = (months[0] - 12).to_timestamp()
    ly_last = (months[-1] - 12).to_timestamp(how="end").normalize()
    sel = orders.loc[(orders["order_date"] >= ly_first) & (orders["order_date"] <= ly_last),
                     ["order_date", "customer_id", "net_amount"]]
    owner = customer_owner(dataset)
    sel = sel.assign(rep_id=sel["customer_id"].astype(str).map(owner),
                     month=sel["order_date"].dt.to_period("M") + 12)
    base = sel.dropna(subset=["rep_id"]).groupby(["rep_id", "month"], observed=True)["net_amount"].sum()
    grid = pd.MultiIndex.from_product([reps["rep_id"].astype(str), months], names=["rep_id", "month"])
    base = base.reindex(grid, fill_value=0.0).rename("base").reset_index()
    positive = base.loc[base["base"] > 0].groupby("month")["base"].median()
    fallback = base["month"].map(positive).fillna(0.0)
    base["target"] = np.where(base["base"] > 0, base["base"], fallback) * (1 + growth)
    return _spread_monthly(dataset, base[["rep_id", "month", "target"]], start, end, prorate=True)


def _read_targets(source: TargetSource) -> pd.DataFrame:
    if hasattr(source, "daily") and isinstance(source.daily, pd.DataFrame):
        return source.daily
    if isinstance(source, pd.DataFrame):
        return source
    if isinstance(source, str | Path):
        path = Path(source).expanduser()
        if not path.exists():
            raise parameter_error("targets_missing", value=repr(str(source)))
        return pd.read_excel(path) if path.suffix.lower() in (".xlsx", ".xls") else pd.read_csv(path)
    raise ParameterError.from_catalog("review.error_targets_type", type=type(source).__name__)


def _from_frame(dataset: Dataset, frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    cols = set(frame.columns)
    if not {"rep_id", "target"} <= cols or not ({"date"} & cols or {"month"} & cols):
        raise parameter_error("targets_columns", columns=", ".join(map(str, frame.columns)))
    if "date" in cols:
        out = pd.DataFrame({"rep_id": frame["rep_id"].astype(str),
                            "date": pd.to_datetime(frame["date"]).dt.normalize(),
                            "target": pd.to_numeric(frame["target"], errors="coerce").fillna(0.0)})
        out = out.groupby(["rep_id", "date"], as_index=False, sort=True)["target"].sum()
        return out.loc[(out["date"] >= start) & (out["date"] <= end)].reset_index(drop=True)
    monthly = pd.DataFrame({"rep_id": frame["rep_id"].astype(str),
                            "month": pd.PeriodIndex(frame["month"].astype(str), freq="M"),
                            "target": pd.to_numeric(frame["target"], errors="coerce").fillna(0.0)})
    months = pd.period_range(start.to_period("M"), end.to_period("M"), freq="M")
    monthly = monthly.loc[monthly["month"].isin(months)]
    return _spread_monthly(dataset, monthly, start, end, prorate=False)


def _targets_module() -> Any:
    if importlib.util.find_spec("salesnb.targets") is None:
        return None
    import salesnb.targets as module  # type: ignore[import-not-found]

    return module if hasattr(module, "breakdown") else None


def _year_plan(module: Any, dataset: Dataset, year: int, growth: float) -> Any:
    """Return ``module.breakdown`` of a year, remembered while the dataset's orders frame lives (by content hash)."""
    digest = getattr(dataset, "content_hash", None)
    compute = lambda: module.breakdown(dataset, year=year, growth_pct=100 * growth)  # noqa: E731
    if not digest:
        return compute()
    key = ("target_plan", module.breakdown, digest, getattr(dataset, "n_rejected", 0), int(year), float(growth))
    return memo(dataset.orders, key, compute)


def target_plan(dataset: Dataset, *, year: int, growth: float = DEFAULT_GROWTH) -> Any:
    """Return the target cascade's plan of a year with the default method (last year's share plus growth).

    The same plan the review's daily targets come from, computed once per loaded dataset
    and year (the team page, the rep pages and their money cards share it): do not
    mutate it.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    year : int
        The plan's calendar year.
    growth : float, default 0.05
        Growth over last year (0.05 = +5 %).

    Returns
    -------
    TargetPlan
        As :func:`salesnb.targets.breakdown` returns it.

    Raises
    ------
    SalesnbError
        What :func:`salesnb.targets.breakdown` raises (no sales in the year before ...).
    """
    import salesnb.targets as module  # imported on use, as for the daily targets

    return _year_plan(module, dataset, year, check_growth(growth))


def _from_target_plan(module: Any, dataset: Dataset, start: pd.Timestamp, end: pd.Timestamp,
                      growth: float) -> pd.DataFrame:
    """Daily targets of the target cascade, one plan per calendar year of the span."""
    parts = []
    for year in range(start.year, end.year + 1):
        daily = _year_plan(module, dataset, year, growth).daily
        day = pd.to_datetime(daily["date"]).dt.normalize()
        # only the span's days (what _from_frame keeps): a year's plan is ~4 M rows at 100x the sample
        parts.append(daily.loc[(day >= start) & (day <= end), ["rep_id", "date", "target"]])
    return _from_frame(dataset, pd.concat(parts, ignore_index=True), start, end)


def daily_targets(dataset: Dataset, *, start: DateLike, end: DateLike, targets: TargetSource | None = None,
                  growth: float = DEFAULT_GROWTH) -> pd.DataFrame:
    """Daily targets per rep from ``start`` to ``end`` (see the module docstring for sources).

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    start, end : date
        The span (both included).
    targets : TargetPlan, DataFrame or path, optional
        Explicit targets; by default the target plan, else last year + growth.
    growth : float, default 0.05
        Growth over last year for the default targets (0.05 = +5 %).

    Returns
    -------
    DataFrame
        ``rep_id, date, target`` (days without a target may be absent). ``attrs["source"]``
        is ``"given"``, ``"plan"`` or ``"last_year_growth"``.
    """
    s, e = span(start, end)
    growth = check_growth(growth)
    if targets is not None:
        out, source = _from_frame(dataset, _read_targets(targets), s, e), "given"
    else:
        module = _targets_module()
        out, source = None, "last_year_growth"
        if module is not None:
            try:
                out, source = _from_target_plan(module, dataset, s, e, growth), "plan"
            except SalesnbError:  # e.g. no sales in the year before: fall back below
                out = None
        if out is None:
            out, source = _last_year_growth(dataset, s, e, growth), "last_year_growth"
    out = out.reset_index(drop=True)
    out.attrs["source"] = source
    return out
