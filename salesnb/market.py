"""Market analysis: seasonality, same-period comparisons, trends, mix, Pareto/ABC, attractiveness.

Every function takes order lines first (usually the frame of :func:`enrich_orders`,
which adds channel, province, region, category, product and customer names to each
line) and its options keyword-only; none mutates its inputs. Periods are whole days:
a comparison "to 31 Oct 2026" includes every order dated that day.

Main pieces, in the order the market notebook uses them:

* :func:`enrich_orders`, :func:`filter_orders` - one joined frame everyone reuses;
* :func:`period_bounds`, :func:`compare_periods` - sales against the same period last year;
* :func:`seasonality`, :func:`name_seasons`, :func:`season_ahead`, :func:`seasonal_matrix`;
* :func:`trend`, :func:`momentum`, :func:`mix_over_time` - rolling sums and shares over time;
* :func:`abc`, :func:`key_accounts`, :func:`concentration` - Pareto classes and HHI;
* :func:`attractiveness`, :func:`penetration`, :func:`market_map`, :func:`whitespace`,
  :func:`top_areas` - where the market is and where we are not yet;
* :func:`product_lifecycle`, :func:`new_products`, :func:`product_ramp`,
  :func:`declining_products`;
* :func:`demand_series`, :func:`demand_levels`, :func:`forecast_summary` - monthly series
  for :mod:`salesnb.forecast` and the next months' totals;
* :func:`headline`, :func:`period_label`, :func:`period_note`, :func:`concentration_text`,
  :func:`translate`, :func:`kinds`, :func:`explore` - what the notebook shows, in the
  report language (:mod:`salesnb.i18n`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from salesnb import i18n
from salesnb.errors import ParameterError
from salesnb.params import parameter_error

__all__ = [
    "COMPARISONS",
    "DEFAULT_WEIGHTS",
    "QUADRANTS",
    "Period",
    "abc",
    "accuracy_note",
    "accuracy_of",
    "accuracy_text",
    "attractiveness",
    "backtest_windows",
    "compare_periods",
    "concentration",
    "concentration_text",
    "declining_products",
    "demand_levels",
    "demand_series",
    "enrich_orders",
    "explore",
    "fastest_growing",
    "filter_orders",
    "forecast_summary",
    "headline",
    "key_accounts",
    "kinds",
    "market_map",
    "mix_over_time",
    "momentum",
    "name_seasons",
    "new_products",
    "penetration",
    "period_bounds",
    "period_label",
    "period_note",
    "product_lifecycle",
    "product_ramp",
    "season_ahead",
    "season_label",
    "seasonal_matrix",
    "seasonality",
    "top_areas",
    "total_first",
    "translate",
    "trend",
    "weekday_indices",
    "whitespace",
]

#: Comparison periods understood by :func:`period_bounds`.
COMPARISONS = ("ytd", "month", "quarter", "year", "rolling12")

#: Default weights of the attractiveness index (they are normalised to sum 1).
DEFAULT_WEIGHTS: dict[str, float] = {
    "population": 0.3,
    "households": 0.2,
    "gdp_per_capita": 0.2,
    "retail_sales": 0.3,
}

#: Indicators that measure size; the index takes their logarithm.
_SIZE_INDICATORS = ("population", "households", "retail_sales")

_DAY = pd.Timedelta(days=1)


def _as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _check_columns(frame: pd.DataFrame, columns: Sequence[str], *, name: str = "orders") -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"The {name} frame needs column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, frame.columns))}."
        )


def _monthly(frame: pd.DataFrame, by: list[str], value: str, date: str) -> pd.DataFrame:
    """Sales per group and calendar month, with missing months inside the span as 0."""
    month = frame[date].dt.to_period("M")
    grouped = frame.assign(_month=month).groupby([*by, "_month"], observed=True, sort=True)[value].sum()
    span = pd.period_range(month.min(), month.max(), freq="M")
    if by:
        groups = grouped.index.droplevel("_month").unique()
        full = pd.MultiIndex.from_tuples(
            [(*(g if isinstance(g, tuple) else (g,)), m) for g in groups for m in span],
            names=[*by, "_month"])
    else:
        full = pd.Index(span, name="_month")
    return grouped.reindex(full, fill_value=0.0).rename("y").reset_index()


# --------------------------------------------------------------------------- parameters


def _timestamp(value: object, name: str = "period_end") -> pd.Timestamp:
    """A day (midnight Timestamp) from a date-like value, or ParameterError."""
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        ts = pd.NaT
    if ts is pd.NaT or pd.isna(ts):
        raise ParameterError(
            f"The '{name}' parameter must be a date such as '2026-10-31'. Got {value!r} instead.")
    return ts.tz_localize(None).normalize() if ts.tzinfo else ts.normalize()


def _positive_int(name: str, value: object) -> int:
    if type(value) is not int or value < 1:
        raise ParameterError(f"The '{name}' parameter must be a positive integer. Got {value!r} instead.")
    return value


def _fraction(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ParameterError(f"The '{name}' parameter must be a number between 0 and 1. Got {value!r} instead.")
    return float(value)


def _choice(name: str, value: object, choices: Sequence[str]) -> str:
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ParameterError(f"The '{name}' parameter must be one of {allowed}. Got {value!r} instead.")
    return str(value)


def _is_month_end(ts: pd.Timestamp) -> bool:
    return ts.day == ts.days_in_month


def _years_back(ts: pd.Timestamp, years: int = 1) -> pd.Timestamp:
    """The same day ``years`` earlier; a month's last day maps to that month's last day.

    29 Feb 2024 -> 28 Feb 2023, and 28 Feb 2025 (the month's end) -> 29 Feb 2024, so a
    period ending on a month end always compares whole months.
    """
    back = ts - pd.DateOffset(years=years)
    return back + pd.offsets.MonthEnd(0) if _is_month_end(ts) else back


def _month_start(ts: pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(ts.year, ts.month, 1)


def _last_complete_month(period_end: pd.Timestamp) -> pd.Period:
    """The last calendar month that ``period_end`` covers completely."""
    month = period_end.to_period("M")
    return month if _is_month_end(period_end) else month - 1


def _in_days(dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Mask of dates from ``start`` to ``end``, both whole days included."""
    return (dates >= start) & (dates < end + _DAY)


def _window(period_end: pd.Timestamp, months: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The ``months`` months ending at ``period_end`` (whole months when it is a month end)."""
    if _is_month_end(period_end):
        return _month_start(period_end) - pd.DateOffset(months=months - 1), period_end
    return period_end - pd.DateOffset(months=months) + _DAY, period_end


# --------------------------------------------------------------------------- enrich, filter


def enrich_orders(dataset: Any) -> pd.DataFrame:
    """Order lines with the attributes every market analysis groups by.

    Joins ``orders`` with ``customers`` (channel and the customer's region), ``regions``
    (the customer's province name and its parent region) and ``products`` (category
    and name). This is the frame every other function of this module expects.

    Parameters
    ----------
    dataset : Dataset
        A loaded dataset (:func:`salesnb.data.load`) or any object with ``orders``,
        ``customers``, ``regions`` and ``products`` frames.

    Returns
    -------
    DataFrame
        The order columns plus ``customer`` (name), ``channel``, ``region_id`` (the
        customer's province, or whatever level customers sit at), ``province`` (its
        name), ``parent_id`` and ``region`` (the parent's name; the province's own
        name when it has no parent), ``product`` (name), ``category`` and ``month``
        (first day of the order's month). One row per order line, in order.
    """
    orders = dataset.orders
    customers = dataset.customers[["customer_id", "name", "channel", "region_id"]].rename(
        columns={"name": "customer"})
    regions = dataset.regions[["region_id", "name", "parent_id"]].rename(columns={"name": "province"})
    parents = dataset.regions[["region_id", "name"]].rename(columns={"region_id": "parent_id", "name": "region"})
    products = dataset.products[["product_id", "name", "category"]].rename(columns={"name": "product"})
    drop = [c for c in ("customer", "channel", "region_id", "province", "parent_id", "region", "product",
                        "category", "month") if c in orders.columns]
    out = orders.drop(columns=drop)
    out = out.merge(customers, on="customer_id", how="left", validate="many_to_one")
    out = out.merge(regions, on="region_id", how="left", validate="many_to_one")
    out = out.merge(parents, on="parent_id", how="left", validate="many_to_one")
    out["region"] = out["region"].fillna(out["province"])
    out = out.merge(products, on="product_id", how="left", validate="many_to_one")
    out["month"] = out["order_date"].dt.to_period("M").dt.to_timestamp()
    return out


def _options(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, str]:
    """Lower-cased names and codes found in ``columns`` -> the column they belong to."""
    found: dict[str, str] = {}
    for col in columns:
        if col in frame.columns:
            for value in frame[col].dropna().astype(str).unique():
                found.setdefault(value.strip().lower(), col)
    return found


def filter_orders(enriched: pd.DataFrame, *, region: str = "", category: str = "") -> pd.DataFrame:
    """The order lines of one region or province and/or one category.

    Parameters
    ----------
    enriched : DataFrame
        Output of :func:`enrich_orders`.
    region : str
        A region or province, by name or code (``"Andalucía"``, ``"ES-AN"``,
        ``"Sevilla"``); case and surrounding spaces are ignored. Empty keeps all.
    category : str
        A product category by name; empty keeps all.

    Returns
    -------
    DataFrame
        A filtered copy.

    Raises
    ------
    ParameterError
        When ``region`` or ``category`` is not in the data; the message lists the choices,
        in the report language (these are notebook parameters).
    """
    mask = pd.Series(True, index=enriched.index)
    for name, value, columns in (("region", region, ("region", "parent_id", "province", "region_id")),
                                 ("category", category, ("category",))):
        if not isinstance(value, str):
            raise parameter_error("text", name=name, value=repr(value))
        key = value.strip().lower()
        if not key:
            continue
        options = _options(enriched, columns)
        if key not in options:
            names = sorted({str(v) for v in enriched[columns[0]].dropna().unique()})
            shown = ", ".join(names[:30]) + (" ..." if len(names) > 30 else "")
            raise parameter_error(f"{name}_not_found", shown=shown, value=repr(value))
        hit = pd.Series(False, index=enriched.index)
        for col in columns:
            if col in enriched.columns:
                hit |= enriched[col].astype("string").str.strip().str.lower().eq(key).fillna(False)
        mask &= hit
    return enriched.loc[mask].copy()


# --------------------------------------------------------------------------- same period


class Period(NamedTuple):
    """A period and the one it is compared with (all whole days, ends included)."""

    start: pd.Timestamp
    end: pd.Timestamp
    prior_start: pd.Timestamp
    prior_end: pd.Timestamp


def period_bounds(period_end: object, *, comparison: str = "ytd") -> Period:
    """The current period ending at ``period_end`` and the same period a year earlier.

    Parameters
    ----------
    period_end : date-like
        Last day of the period (``"2026-10-31"``).
    comparison : {"ytd", "month", "quarter", "year", "rolling12"}
        * ``ytd``: 1 January to ``period_end`` against the same dates last year;
        * ``month``: the month of ``period_end`` up to that day, against the same
          days of the same month last year;
        * ``quarter``: the quarter to date against the same quarter last year;
        * ``year``: the last *complete* calendar year on or before ``period_end``
          (the year itself when ``period_end`` is 31 December, else the year
          before) against the year before it;
        * ``rolling12``: the twelve months ending at ``period_end`` against the
          twelve months before them.

        The prior end is the same day a year earlier, except that a month's last
        day maps to that month's last day: 29 Feb 2024 compares with 28 Feb 2023,
        and 28 Feb 2025 with 29 Feb 2024.

    Returns
    -------
    Period
        ``(start, end, prior_start, prior_end)`` as Timestamps.

    Examples
    --------
    >>> period_bounds("2026-10-31", comparison="ytd")
    Period(start=Timestamp('2026-01-01 00:00:00'), end=Timestamp('2026-10-31 00:00:00'), \
prior_start=Timestamp('2025-01-01 00:00:00'), prior_end=Timestamp('2025-10-31 00:00:00'))
    """
    end = _timestamp(period_end)
    _choice("comparison", comparison, COMPARISONS)
    if comparison == "ytd":
        start = pd.Timestamp(end.year, 1, 1)
    elif comparison == "month":
        start = _month_start(end)
    elif comparison == "quarter":
        start = pd.Timestamp(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    elif comparison == "year":
        year = end.year if (end.month, end.day) == (12, 31) else end.year - 1
        start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    else:  # rolling12
        prior_end = _years_back(end)
        return Period(prior_end + _DAY, end, _years_back(prior_end) + _DAY, prior_end)
    return Period(start, end, start - pd.DateOffset(years=1), _years_back(end))


def compare_periods(orders: pd.DataFrame, *, by: str | Sequence[str] | None, period_end: object,
                    comparison: str = "ytd", value: str = "net_amount",
                    date: str = "order_date") -> pd.DataFrame:
    """Sales per group in the current period against the same period last year.

    Parameters
    ----------
    orders : DataFrame
        Order lines (usually :func:`enrich_orders`) with ``date``, ``value`` and ``by``.
    by : str, list of str or None
        Grouping column(s), e.g. ``"region"``, ``"category"``, ``"channel"``,
        ``["customer_id", "customer"]``; None gives one row for the whole business.
    period_end : date-like
        Last day of the current period.
    comparison : {"ytd", "month", "quarter", "year", "rolling12"}
        See :func:`period_bounds`.
    value, date : str
        Amount and date columns.

    Returns
    -------
    DataFrame
        One row per group found in either period (sorted by current sales, largest
        first): the ``by`` columns, ``current``, ``prior``, ``change`` (current -
        prior), ``growth`` (change / prior; NaN when the prior period sold nothing
        or less), ``contribution`` (the group's share of the total change, so the
        column sums to 1; NaN when the total did not change) and ``share`` (of
        current sales).
    """
    cols = _as_list(by)
    _check_columns(orders, [*cols, value, date])
    bounds = period_bounds(period_end, comparison=comparison)
    current = orders.loc[_in_days(orders[date], bounds.start, bounds.end)]
    prior = orders.loc[_in_days(orders[date], bounds.prior_start, bounds.prior_end)]
    if cols:
        cur = current.groupby(cols, observed=True, dropna=False, sort=True)[value].sum()
        pri = prior.groupby(cols, observed=True, dropna=False, sort=True)[value].sum()
        out = pd.concat({"current": cur, "prior": pri}, axis=1).fillna(0.0).reset_index()
    else:
        out = pd.DataFrame({"current": [float(current[value].sum())], "prior": [float(prior[value].sum())]})
    out["current"] = out["current"].astype(float)
    out["prior"] = out["prior"].astype(float)
    out["change"] = out["current"] - out["prior"]
    out["growth"] = np.where(out["prior"] > 0, out["change"] / out["prior"].where(out["prior"] > 0), np.nan)
    total_change = float(out["change"].sum())
    out["contribution"] = out["change"] / total_change if total_change != 0 else np.nan
    total = float(out["current"].sum())
    out["share"] = out["current"] / total if total != 0 else np.nan
    return out.sort_values("current", ascending=False, kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- seasonality

def _raw_monthly_index(series: pd.Series) -> tuple[np.ndarray, float]:
    """Raw monthly index (12 values) and the number of years behind it.

    Uses the ratio to a centred 2x12 moving average (classical multiplicative
    decomposition) when there are at least 24 months, else the ratio of each
    month to its year's mean. Months with no ratio get 1.
    """
    y = series.to_numpy(dtype=float)
    months = series.index.month.to_numpy()
    if len(y) >= 24:
        weights = np.r_[0.5, np.ones(11), 0.5] / 12
        trend = np.convolve(y, weights, mode="valid")  # length n-12, centred at i+6
        ratio = np.full(len(y), np.nan)
        centre = slice(6, 6 + len(trend))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio[centre] = np.where(trend > 0, y[centre] / trend, np.nan)
    else:
        years = series.index.year.to_numpy()
        ratio = np.full(len(y), np.nan)
        for year in np.unique(years):
            sel = years == year
            mean = y[sel].mean()
            if mean > 0:
                ratio[sel] = y[sel] / mean
    raw = np.ones(12)
    for m in range(1, 13):
        vals = ratio[(months == m) & ~np.isnan(ratio)]
        if len(vals):
            raw[m - 1] = float(np.median(vals)) if len(vals) >= 3 else float(vals.mean())
    raw = np.clip(raw, 0, None)
    if raw.sum() > 0:
        raw = raw * 12 / raw.sum()
    return raw, len(y) / 12


def seasonality(orders: pd.DataFrame, *, by: str | Sequence[str] | None = None, value: str = "net_amount",
                date: str = "order_date", shrink: float = 2.0) -> pd.DataFrame:
    """Monthly seasonal indices, per group, shrunk toward the total where history is thin.

    An index of 1.2 for March means March sells 20% above an average month once
    trend is removed. Indices average exactly 1 over the 12 months of each group.

    Parameters
    ----------
    orders : DataFrame
        Order lines with a date column and a value column (and the ``by`` columns).
    by : str or list of str, optional
        Grouping columns (e.g. ``"category"`` or ``["region_id", "category"]``);
        None gives one index for the whole business.
    value, date : str
        Value and date columns.
    shrink : float, default 2.0
        Strength of the pull toward the overall index, in years of history: a group
        with ``n`` years gets weight ``n / (n + shrink)`` on its own pattern, and
        groups selling less than 1% of the total are pulled harder. 0 disables it.

    Returns
    -------
    DataFrame
        Long frame: the ``by`` columns, ``month`` (1-12), ``index``, ``raw_index``
        (before shrinkage) and ``weight`` (the weight of the group's own pattern).

    Examples
    --------
    >>> idx = seasonality(orders, by="category")
    >>> idx.pivot(index="category", columns="month", values="index")
    """
    by_cols = _as_list(by)
    _check_columns(orders, [*by_cols, value, date])
    if shrink < 0 or not np.isfinite(shrink):
        raise ParameterError(f"The 'shrink' parameter must be a non-negative number. Got {shrink!r} instead.")
    if orders.empty:
        raise ParameterError("Seasonality needs order history; the orders frame is empty.")
    total_monthly = _monthly(orders, [], value, date).set_index("_month")["y"]
    total_monthly.index = total_monthly.index.to_timestamp()
    overall, _ = _raw_monthly_index(total_monthly)
    if not by_cols:
        return pd.DataFrame({"month": np.arange(1, 13), "index": overall, "raw_index": overall,
                             "weight": 1.0})
    monthly = _monthly(orders, by_cols, value, date)
    grand = float(monthly["y"].sum()) or 1.0
    rows = []
    for key, group in monthly.groupby(by_cols, observed=True, sort=True):
        series = group.set_index("_month")["y"]
        series.index = series.index.to_timestamp()
        # a group's own span: from its first to its last non-zero month
        nz = np.flatnonzero(series.to_numpy() != 0)
        series = series.iloc[nz[0]: nz[-1] + 1] if len(nz) else series.iloc[0:0]
        if len(series) >= 12 and series.sum() > 0:
            raw, years = _raw_monthly_index(series)
        else:
            raw, years = overall.copy(), 0.0
        share = float(series.sum()) / grand
        weight = years / (years + shrink) if shrink > 0 else 1.0
        weight *= min(1.0, share / 0.01) if shrink > 0 else 1.0
        index = weight * raw + (1 - weight) * overall
        index = index * 12 / index.sum()
        key = key if isinstance(key, tuple) else (key,)
        for m in range(12):
            rows.append((*key, m + 1, index[m], raw[m], weight))
    return pd.DataFrame(rows, columns=[*by_cols, "month", "index", "raw_index", "weight"])


def weekday_indices(orders: pd.DataFrame, *, by: str | Sequence[str] | None = None,
                    value: str = "net_amount", date: str = "order_date", shrink: float = 2.0) -> pd.DataFrame:
    """Day-of-week indices (Monday = 0), averaging 1 over the days that sell.

    Computed as each weekday's mean daily sales over the mean of all selling
    weekdays, shrunk toward the overall pattern like :func:`seasonality`.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``weekday`` (0-6), ``index``.
    """
    by_cols = _as_list(by)
    _check_columns(orders, [*by_cols, value, date])
    days = pd.date_range(orders[date].min(), orders[date].max(), freq="D")
    n_weekdays = pd.Series(days.weekday).value_counts().reindex(range(7), fill_value=0).to_numpy()

    def index_of(frame: pd.DataFrame) -> np.ndarray:
        sums = frame.groupby(frame[date].dt.weekday)[value].sum().reindex(range(7), fill_value=0.0)
        per_day = np.divide(sums.to_numpy(), n_weekdays, out=np.zeros(7), where=n_weekdays > 0)
        selling = per_day > 0
        return per_day / per_day[selling].mean() if selling.any() else np.ones(7)

    overall = index_of(orders)
    if not by_cols:
        return pd.DataFrame({"weekday": range(7), "index": overall})
    rows = []
    grand = float(orders[value].sum()) or 1.0
    for key, group in orders.groupby(by_cols, observed=True, sort=True):
        years = len(days) / 365.25
        weight = (years / (years + shrink)) * min(1.0, float(group[value].sum()) / grand / 0.01) \
            if shrink > 0 else 1.0
        index = weight * index_of(group) + (1 - weight) * overall
        key = key if isinstance(key, tuple) else (key,)
        rows.extend((*key, d, index[d]) for d in range(7))
    return pd.DataFrame(rows, columns=[*by_cols, "weekday", "index"])


def name_seasons(indices: pd.DataFrame, *, high: float = 1.1, low: float = 0.9) -> pd.DataFrame:
    """Label each month high, low or normal season from its index.

    Parameters
    ----------
    indices : DataFrame
        Output of :func:`seasonality`.
    high, low : float
        Thresholds: ``index >= high`` is high season, ``index <= low`` is low season.

    Returns
    -------
    DataFrame
        ``indices`` with a ``season`` column (``high``, ``low`` or ``normal``).
    """
    if not low < 1 < high:
        raise ParameterError(f"Expected low < 1 < high for season thresholds. Got low={low}, high={high}.")
    season = np.where(indices["index"] >= high, "high", np.where(indices["index"] <= low, "low", "normal"))
    return indices.assign(season=season)


# --------------------------------------------------------------------------- monthly matrices


def _month_matrix(orders: pd.DataFrame, by: list[str], *, value: str, date: str, last: pd.Period,
                  first: pd.Period | None = None) -> pd.DataFrame:
    """Sales per group (rows) and month (columns, ``first`` .. ``last``), missing months 0.

    Without ``by`` the single row is labelled ``"total"``.
    """
    month = orders[date].dt.to_period("M")
    keep = month <= last
    if first is not None:
        keep &= month >= first
    data, month = orders.loc[keep], month[keep].rename("_month")
    if first is None:
        first = month.min() if len(month) else last
    span = pd.period_range(first, last, freq="M")
    if by:
        sums = data.groupby([*(data[c] for c in by), month], observed=True, dropna=False)[value].sum()
        wide = sums.unstack("_month", fill_value=0.0) if len(sums) else pd.DataFrame(
            index=pd.MultiIndex.from_arrays([[]] * len(by), names=by) if len(by) > 1 else pd.Index([], name=by[0]))
    else:
        wide = data.groupby(month)[value].sum().to_frame("total").T
        wide.index = pd.Index(["total"], name="series")
    return wide.reindex(columns=span, fill_value=0.0).fillna(0.0).astype(float)


def _rolling_sum(values: np.ndarray, window: int) -> np.ndarray:
    """Row-wise trailing sums over ``window`` columns; NaN until the window is full."""
    out = np.full(values.shape, np.nan)
    if values.shape[1] >= window:
        csum = np.cumsum(np.pad(values, ((0, 0), (1, 0))), axis=1)
        out[:, window - 1:] = csum[:, window:] - csum[:, :-window]
    return out


def _ratio(num: np.ndarray | pd.Series, den: np.ndarray | pd.Series) -> np.ndarray:
    """``num / den - 1`` where ``den > 0``, else NaN."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0) - 1, np.nan)


def _long(wide: pd.DataFrame, by: list[str], columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Group x month matrices -> a long frame: ``by`` columns, ``ds``, one column per matrix."""
    n, m = wide.shape
    out: dict[str, Any] = {}
    if by:
        keys = wide.index.to_frame(index=False)
        for col in by:
            out[col] = np.repeat(keys[col].to_numpy(), m)
    out["ds"] = np.tile(wide.columns.to_timestamp().to_numpy(), n)
    for name, values in columns.items():
        out[name] = np.asarray(values, dtype=float).reshape(-1)
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- seasons ahead


def season_ahead(orders: pd.DataFrame, *, period_end: object, months: int = 3,
                 by: str | Sequence[str] | None = None, high: float = 1.1, low: float = 0.9,
                 value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """The seasonal index and season name of the next ``months`` months.

    Indices come from :func:`seasonality` on the history up to ``period_end``; the
    months ahead start the month after ``period_end`` when it is a month's last day,
    else with the month of ``period_end`` itself (its rest is still ahead).

    Parameters
    ----------
    orders : DataFrame
        Order lines with ``date``, ``value`` and the ``by`` columns.
    period_end : date-like
        Last day of known history.
    months : int, default 3
        How many months ahead.
    by : str or list of str, optional
        Grouping columns (one set of months per group).
    high, low : float
        Season thresholds, as in :func:`name_seasons`.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``ds`` (first day of the month), ``month`` (1-12),
        ``index`` and ``season`` (``high``, ``low`` or ``normal``), in month order.
    """
    end = _timestamp(period_end)
    months = _positive_int("months", months)
    _check_columns(orders, [value, date])
    history = orders.loc[orders[date] < end + _DAY]
    indices = name_seasons(seasonality(history, by=by, value=value, date=date), high=high, low=low)
    first = _last_complete_month(end) + 1
    ahead = pd.DataFrame({"ds": pd.period_range(first, periods=months, freq="M").to_timestamp()})
    ahead["month"] = ahead["ds"].dt.month
    keep = [*_as_list(by), "month", "index", "season"]
    out = ahead.merge(indices[keep], on="month", how="left")
    return out[[*_as_list(by), "ds", "month", "index", "season"]].sort_values(
        [*_as_list(by), "ds"], kind="stable").reset_index(drop=True)


def seasonal_matrix(orders: pd.DataFrame, *, by: str = "category", period_end: object | None = None,
                    top: int | None = 15, value: str = "net_amount", date: str = "order_date",
                    shrink: float = 2.0) -> pd.DataFrame:
    """Seasonal indices as a heatmap-ready matrix: one row per group, one column per month.

    Parameters
    ----------
    orders : DataFrame
        Order lines.
    by : str, default "category"
        The rows (``"category"``, ``"region"``, ``"province"``, ``"channel"`` ...).
    period_end : date-like, optional
        Ignore orders after this day.
    top : int or None, default 15
        Keep the largest groups only (a readable heatmap); None keeps all.
    shrink : float
        As in :func:`seasonality`.

    Returns
    -------
    DataFrame
        Index: the groups (largest sales first); columns: months 1-12; values: indices.
    """
    if top is not None:
        _positive_int("top", top)
    _check_columns(orders, [by, value, date])
    if period_end is not None:
        orders = orders.loc[orders[date] < _timestamp(period_end) + _DAY]
    idx = seasonality(orders, by=by, value=value, date=date, shrink=shrink)
    matrix = idx.pivot(index=by, columns="month", values="index")
    size = orders.groupby(by, observed=True)[value].sum()
    order = size.reindex(matrix.index).sort_values(ascending=False, kind="stable").index
    matrix = matrix.loc[order[:top] if top is not None else order]
    matrix.columns.name = "month"
    return matrix


# --------------------------------------------------------------------------- trend, momentum, mix


def trend(orders: pd.DataFrame, *, period_end: object, by: str | Sequence[str] | None = None,
          value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Monthly sales with rolling 3- and 12-month sums and their growth on last year.

    Only complete months count: a ``period_end`` inside a month leaves that month out.

    Parameters
    ----------
    orders : DataFrame
        Order lines.
    period_end : date-like
        Last day of history used.
    by : str or list of str, optional
        Grouping columns; None gives the whole business.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``ds`` (month start), ``y`` (the month's sales),
        ``rolling3`` and ``rolling12`` (sums of the last 3 and 12 months),
        ``growth_3m`` (rolling3 against the same 3 months a year earlier) and
        ``growth_12m`` (rolling12 against the 12 months before); NaN until there is
        enough history or when the earlier sum is not positive.
    """
    cols = _as_list(by)
    _check_columns(orders, [*cols, value, date])
    last = _last_complete_month(_timestamp(period_end))
    wide = _month_matrix(orders, cols, value=value, date=date, last=last)
    y = wide.to_numpy()
    r3, r12 = _rolling_sum(y, 3), _rolling_sum(y, 12)
    g3, g12 = np.full(y.shape, np.nan), np.full(y.shape, np.nan)
    if y.shape[1] > 12:
        g3[:, 12:] = _ratio(r3[:, 12:], r3[:, :-12])
        g12[:, 12:] = _ratio(r12[:, 12:], r12[:, :-12])
    return _long(wide, cols, {"y": y, "rolling3": r3, "rolling12": r12, "growth_3m": g3, "growth_12m": g12})


def momentum(orders: pd.DataFrame, *, period_end: object, by: str | Sequence[str] | None = None,
             value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Latest 3-month and 12-month growth per group, and whether growth is speeding up.

    Parameters
    ----------
    orders : DataFrame
        Order lines.
    period_end : date-like
        Last day of history (only complete months count, as in :func:`trend`).
    by : str or list of str, optional
        Grouping columns.

    Returns
    -------
    DataFrame
        One row per group (largest last-12-month sales first): the ``by`` columns,
        ``last3``, ``last3_prior`` (the same 3 months a year earlier), ``growth_3m``,
        ``last12``, ``prior12``, ``growth_12m`` and ``momentum`` (growth_3m -
        growth_12m: positive means the recent months grow faster than the year).
    """
    cols = _as_list(by)
    frame = trend(orders, period_end=period_end, by=cols, value=value, date=date)
    latest = frame.loc[frame["ds"] == frame["ds"].max()]
    earlier = frame.loc[frame["ds"] == frame["ds"].max() - pd.DateOffset(years=1), [*cols, "rolling3", "rolling12"]]
    out = latest.merge(earlier, on=cols, how="left", suffixes=("", "_ly")) if cols else latest.assign(
        rolling3_ly=earlier["rolling3"].sum() if len(earlier) else np.nan,
        rolling12_ly=earlier["rolling12"].sum() if len(earlier) else np.nan)
    out = pd.DataFrame({
        **{c: out[c].to_numpy() for c in cols},
        "last3": out["rolling3"].to_numpy(), "last3_prior": out["rolling3_ly"].to_numpy(),
        "growth_3m": out["growth_3m"].to_numpy(),
        "last12": out["rolling12"].to_numpy(), "prior12": out["rolling12_ly"].to_numpy(),
        "growth_12m": out["growth_12m"].to_numpy(),
    })
    out["momentum"] = out["growth_3m"] - out["growth_12m"]
    return out.sort_values("last12", ascending=False, kind="stable").reset_index(drop=True)


_FREQS = {"month": "M", "quarter": "Q", "year": "Y"}


def mix_over_time(orders: pd.DataFrame, *, by: str, period_end: object, freq: str = "quarter",
                  value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Each group's share of sales per month, quarter or year (product mix, channel mix).

    Parameters
    ----------
    orders : DataFrame
        Order lines.
    by : str
        The mix dimension (``"channel"``, ``"category"``, ``"product"`` ...).
    period_end : date-like
        Last day used; the last period may be incomplete (see ``complete``).
    freq : {"month", "quarter", "year"}
        Period length.

    Returns
    -------
    DataFrame
        Long frame: ``ds`` (period start), ``by``, ``sales``, ``share`` (of the
        period's total; NaN when the total is not positive) and ``complete``
        (False for a period that ends after ``period_end``).
    """
    _check_columns(orders, [by, value, date])
    code = _FREQS[_choice("freq", freq, tuple(_FREQS))]
    end = _timestamp(period_end)
    data = orders.loc[orders[date] < end + _DAY]
    period = data[date].dt.to_period(code).rename("_period")
    sums = data.groupby([data[by], period], observed=True, dropna=False)[value].sum()
    if sums.empty:
        return pd.DataFrame(columns=["ds", by, "sales", "share", "complete"])
    wide = sums.unstack(by, fill_value=0.0)
    wide = wide.reindex(pd.period_range(wide.index.min(), end.to_period(code), freq=code), fill_value=0.0)
    long = wide.stack().rename("sales").reset_index().rename(columns={"level_0": "_period"})
    long.columns = ["_period", by, "sales"]
    total = long.groupby("_period")["sales"].transform("sum")
    long["share"] = np.where(total > 0, long["sales"] / total.where(total > 0), np.nan)
    long["complete"] = long["_period"].map(lambda p: p.end_time.normalize() <= end)
    long["ds"] = long["_period"].dt.to_timestamp()
    return long[["ds", by, "sales", "share", "complete"]].sort_values(["ds", by], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- Pareto, ABC, concentration


def _window_orders(orders: pd.DataFrame, period_end: object, months: int | None, date: str) -> pd.DataFrame:
    end = _timestamp(period_end)
    if months is None:
        return orders.loc[orders[date] < end + _DAY]
    start, _ = _window(end, _positive_int("months", months))
    return orders.loc[_in_days(orders[date], start, end)]


def abc(orders: pd.DataFrame, *, by: str | Sequence[str] = "product_id", period_end: object,
        months: int | None = 12, a: float = 0.8, b: float = 0.95, value: str = "net_amount",
        date: str = "order_date") -> pd.DataFrame:
    """ABC (Pareto) classes of products, customers or any other group.

    Groups are ranked by sales in the window; **A** is the fewest top groups that
    together make at least ``a`` (80 %) of sales, **B** the next ones up to ``b``
    (95 %), **C** the rest. Groups that sold nothing or returned more than they
    bought count as zero and are C.

    Parameters
    ----------
    orders : DataFrame
        Order lines.
    by : str or list of str
        The items (``"product_id"``, ``["customer_id", "customer"]`` ...).
    period_end : date-like
        Last day of the window.
    months : int or None, default 12
        Window length in months ending at ``period_end``; None uses all history.
    a, b : float
        Cumulative-share limits of classes A and B (``0 < a < b < 1``).

    Returns
    -------
    DataFrame
        One row per group, best first: the ``by`` columns, ``sales``, ``share``,
        ``cum_share``, ``rank`` (1 = best), ``rank_share`` (rank / number of groups,
        the x of a Pareto curve) and ``abc`` (``A``, ``B`` or ``C``).
    """
    cols = _as_list(by)
    _check_columns(orders, [*cols, value, date])
    a, b = _fraction("a", a), _fraction("b", b)
    if not a < b:
        raise ParameterError(f"The 'a' parameter must be below 'b'. Got a={a}, b={b} instead.")
    data = _window_orders(orders, period_end, months, date)
    sales = data.groupby(cols, observed=True, dropna=False)[value].sum().rename("sales").reset_index()
    sales = sales.sort_values("sales", ascending=False, kind="stable").reset_index(drop=True)
    positive = sales["sales"].clip(lower=0)
    total = float(positive.sum())
    share = positive / total if total > 0 else positive * 0.0
    cum = share.cumsum()
    before = cum - share
    sales["share"] = share
    sales["cum_share"] = cum
    sales["rank"] = np.arange(1, len(sales) + 1)
    sales["rank_share"] = sales["rank"] / max(len(sales), 1)
    cls = np.where(before < a - 1e-12, "A", np.where(before < b - 1e-12, "B", "C"))
    sales["abc"] = np.where(positive > 0, cls, "C")
    return sales


def key_accounts(enriched: pd.DataFrame, *, period_end: object, months: int = 12, a: float = 0.8,
                 b: float = 0.95, value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Class-A customers (the fewest that make ``a`` of sales), with their growth.

    Parameters
    ----------
    enriched : DataFrame
        Output of :func:`enrich_orders`.
    period_end : date-like
        Last day of the window.
    months : int, default 12
        Window length; growth compares with the same window a year earlier.

    Returns
    -------
    DataFrame
        ``rank``, ``customer_id``, ``customer``, ``channel``, ``province``,
        ``region``, ``sales``, ``prior`` (same window a year earlier), ``growth``,
        ``share`` and ``cum_share``, best first.
    """
    _check_columns(enriched, ["customer_id", value, date])
    classes = abc(enriched, by="customer_id", period_end=period_end, months=months, a=a, b=b,
                  value=value, date=date)
    top = classes.loc[classes["abc"] == "A"]
    end = _timestamp(period_end)
    prior = _window_orders(enriched, _years_back(end), months, date)
    prior_sales = prior.groupby("customer_id", observed=True)[value].sum()
    attrs = [c for c in ("customer", "channel", "province", "region") if c in enriched.columns]
    info = enriched.drop_duplicates("customer_id").set_index("customer_id")[attrs]
    out = top.join(info, on="customer_id")
    out["prior"] = out["customer_id"].map(prior_sales).fillna(0.0).astype(float)
    out["growth"] = _ratio(out["sales"], out["prior"])
    return out[["rank", "customer_id", *attrs, "sales", "prior", "growth", "share", "cum_share"]].reset_index(drop=True)


def concentration(orders: pd.DataFrame, *, by: str | Sequence[str] = "customer_id", period_end: object,
                  months: int | None = 12, top: int = 10, value: str = "net_amount",
                  date: str = "order_date") -> pd.DataFrame:
    """How concentrated sales are: the top-``top`` share and the Herfindahl-Hirschman index.

    HHI is the sum of squared percentage shares, from near 0 (sales spread over many
    customers) to 10,000 (one customer buys everything); ``10,000 / HHI`` is the
    *effective number* of equally sized customers the business depends on.
    Returns are netted per group and groups with no positive sales are left out.

    Returns
    -------
    DataFrame
        One row: ``n`` (groups with positive sales), ``top`` (``top``, or fewer when
        there are fewer groups), ``top_share``, ``hhi`` and ``effective_n``.
    """
    cols = _as_list(by)
    _check_columns(orders, [*cols, value, date])
    top = _positive_int("top", top)
    data = _window_orders(orders, period_end, months, date)
    sales = data.groupby(cols, observed=True, dropna=False)[value].sum()
    sales = sales[sales > 0].sort_values(ascending=False, kind="stable")
    total = float(sales.sum())
    if total <= 0:
        return pd.DataFrame({"n": [0], "top": [0], "top_share": [np.nan], "hhi": [np.nan], "effective_n": [np.nan]})
    share = sales.to_numpy() / total
    hhi = float(np.sum((100 * share) ** 2))
    return pd.DataFrame({"n": [len(sales)], "top": [min(top, len(sales))], "top_share": [float(share[:top].sum())],
                         "hhi": [hhi], "effective_n": [10_000 / hhi]})


# --------------------------------------------------------------------------- regional attractiveness


def _areas(regions: pd.DataFrame, level: str | None) -> pd.DataFrame:
    """The rows of ``regions`` that are ranked: one ``level``, or the leaves of the tree."""
    _check_columns(regions, ["region_id", "name", "parent_id"], name="regions")
    if level is not None:
        if "level" not in regions.columns:
            raise ParameterError("The 'level' parameter needs a 'level' column in regions, which it lacks.")
        levels = sorted(regions["level"].dropna().astype(str).unique())
        _choice("level", level, levels)
        return regions.loc[regions["level"].astype("string").eq(level).fillna(False)]
    parents = set(regions["parent_id"].dropna().astype(str))
    return regions.loc[~regions["region_id"].astype(str).isin(parents)]


def _check_weights(regions: pd.DataFrame, weights: Mapping[str, float] | None) -> dict[str, float]:
    given = dict(DEFAULT_WEIGHTS if weights is None else weights)
    if not given:
        raise ParameterError("The 'weights' parameter must name at least one indicator. Got an empty mapping.")
    out: dict[str, float] = {}
    for name, weight in given.items():
        if name not in regions.columns or not pd.api.types.is_numeric_dtype(regions[name]):
            numeric = [c for c in regions.columns if pd.api.types.is_numeric_dtype(regions[c]) and c != "rank"]
            if weights is None and name == "retail_sales":
                continue  # optional column: the default weights skip it when absent
            raise ParameterError(
                f"The 'weights' parameter names {name!r}, which is not a numeric column of regions "
                f"(numeric columns: {', '.join(numeric)}).")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not np.isfinite(weight) or weight < 0:
            raise ParameterError(
                f"The 'weights' parameter must map indicators to non-negative numbers. Got {name}={weight!r}.")
        if weights is None and regions[name].isna().all():
            continue
        out[name] = float(weight)
    total = sum(out.values())
    if total <= 0:
        raise ParameterError(f"The 'weights' parameter must have a positive total. Got {given!r}.")
    return {k: v / total for k, v in out.items()}


def attractiveness(regions: pd.DataFrame, *, weights: Mapping[str, float] | None = None,
                   method: str = "zscore", level: str | None = None) -> pd.DataFrame:
    """A weighted index of how attractive each province (or county) is as a market.

    Method, step by step:

    1. take the areas to rank: the rows of one ``level`` or, by default, the
       smallest areas (rows no other row names as parent);
    2. put size indicators (``population``, ``households``, ``retail_sales``) in
       logarithms, so ten times the people counts as a step, not as ten steps;
    3. make indicators comparable: ``zscore`` subtracts the mean and divides by the
       standard deviation over the areas; ``rank`` uses the percentile rank
       (0 = lowest, 1 = highest), which no single outlier can stretch;
    4. average them with ``weights`` (normalised to sum 1; a missing value counts
       as average);
    5. rescale to 0-100 (the least attractive area 0, the most 100) and rank.

    Parameters
    ----------
    regions : DataFrame
        The ``regions`` table.
    weights : mapping of str to float, optional
        Indicator column -> weight; default :data:`DEFAULT_WEIGHTS` (population 0.3,
        households 0.2, GDP per capita 0.2, retail sales 0.3; retail sales is
        skipped when the data lacks it). Any numeric column of ``regions`` may be used.
    method : {"zscore", "rank"}
        How indicators are put on one scale.
    level : str, optional
        A value of the ``level`` column (``"province"``, ``"county"``).

    Returns
    -------
    DataFrame
        One row per area, most attractive first: ``region_id``, ``name``,
        ``parent_id``, ``parent`` (its name), the indicators, ``z_<indicator>``
        (the standardised values), ``score`` (weighted average), ``index``
        (0-100) and ``rank`` (1 = most attractive).
    """
    _choice("method", method, ("zscore", "rank"))
    areas = _areas(regions, level)
    w = _check_weights(regions, weights)
    names = regions.set_index("region_id")["name"]
    shown = [c for c in (*DEFAULT_WEIGHTS, *w) if c in areas.columns]
    out = areas[["region_id", "name", "parent_id", *dict.fromkeys(shown)]].copy()
    out.insert(3, "parent", out["parent_id"].map(names))
    score = np.zeros(len(areas))
    for col, weight in w.items():
        x = areas[col].astype(float)
        if col in _SIZE_INDICATORS:
            x = np.log1p(x.clip(lower=0))
        if method == "zscore":
            std = float(x.std(ddof=0))
            z = (x - x.mean()) / std if std > 0 else x * 0.0
        else:
            n = int(x.notna().sum())
            z = (x.rank(method="average") - 1) / (n - 1) - 0.5 if n > 1 else x * 0.0
        z = z.fillna(0.0)
        out[f"z_{col}"] = z.to_numpy()
        score += weight * z.to_numpy()
    out["score"] = score
    span = score.max() - score.min() if len(score) else 0.0
    out["index"] = 100 * (score - score.min()) / span if span > 0 else 50.0
    out = out.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    out["rank"] = out["score"].rank(ascending=False, method="min").astype(int)
    return out


def _ancestor_map(regions: pd.DataFrame, region_ids: Sequence[str], targets: set[str]) -> dict[str, str]:
    """Each region id -> itself or its nearest ancestor in ``targets`` (absent when none)."""
    parent = dict(zip(regions["region_id"].astype(str), regions["parent_id"], strict=True))
    out: dict[str, str] = {}
    for rid in region_ids:
        node, seen = str(rid), set()
        while node not in targets and node in parent and node not in seen:
            seen.add(node)
            up = parent[node]
            if up is None or (isinstance(up, float) and np.isnan(up)) or up is pd.NA:
                break
            node = str(up)
        if node in targets:
            out[str(rid)] = node
    return out


def penetration(enriched: pd.DataFrame, regions: pd.DataFrame, *, period_end: object, months: int = 12,
                level: str | None = None, value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """How deep we already are in each area: sales per inhabitant and customers per 100,000.

    Parameters
    ----------
    enriched : DataFrame
        Output of :func:`enrich_orders` (uses ``region_id`` and ``customer_id``).
    regions : DataFrame
        The ``regions`` table; areas are chosen as in :func:`attractiveness`.
        Customers who sit in a smaller area are counted in the area above them.
    period_end : date-like
        Last day of the window.
    months : int, default 12
        Window length.

    Returns
    -------
    DataFrame
        One row per area (every area, zero where we sell nothing): ``region_id``,
        ``name``, ``population``, ``households``, ``sales`` (in the window),
        ``customers`` (customers with positive net purchases in the window),
        ``sales_per_capita``, ``customers_per_100k``.
    """
    _check_columns(enriched, ["region_id", "customer_id", value, date])
    areas = _areas(regions, level)
    data = _window_orders(enriched, period_end, months, date)
    ids = data["region_id"].astype("string").fillna("")
    mapping = _ancestor_map(regions, list(ids.unique()), set(areas["region_id"].astype(str)))
    area = ids.map(mapping)
    per_customer = data.groupby([area.rename("_area"), data["customer_id"]], observed=True)[value].sum()
    sales = per_customer.groupby(level="_area").sum()
    buyers = (per_customer > 0).groupby(level="_area").sum()
    out = areas[["region_id", "name", "population", "households"]].copy()
    key = out["region_id"].astype(str)
    out["sales"] = key.map(sales).fillna(0.0).astype(float).to_numpy()
    out["customers"] = key.map(buyers).fillna(0).astype(int).to_numpy()
    pop = out["population"].astype(float)
    out["sales_per_capita"] = np.where(pop > 0, out["sales"] / pop.where(pop > 0), np.nan)
    out["customers_per_100k"] = np.where(pop > 0, 1e5 * out["customers"] / pop.where(pop > 0), np.nan)
    return out.reset_index(drop=True)


QUADRANTS = ("whitespace", "core", "niche", "low_priority")


def market_map(enriched: pd.DataFrame, regions: pd.DataFrame, *, period_end: object, months: int = 12,
               weights: Mapping[str, float] | None = None, method: str = "zscore", level: str | None = None,
               metric: str = "sales_per_capita", cut: float = 0.5, within: str = "",
               value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Attractiveness against penetration per area, with the quadrant each area falls in.

    An area is *attractive* when its index is at or above the ``cut`` quantile of all
    areas (the median by default) and *penetrated* when its ``metric`` is. Quadrants:
    ``whitespace`` (attractive, low penetration: where to grow), ``core``
    (attractive, penetrated: defend), ``niche`` (less attractive, penetrated) and
    ``low_priority``. ``sales_gap`` is what the area would add if it sold as much per
    inhabitant as the median core area (0 when it already does).

    Parameters
    ----------
    enriched : DataFrame
        Output of :func:`enrich_orders`.
    regions : DataFrame
        The ``regions`` table.
    period_end : date-like
        Last day of the penetration window.
    months : int
        Penetration window.
    weights, method, level
        As in :func:`attractiveness`.
    metric : {"sales_per_capita", "customers_per_100k"}
        The penetration measure of the quadrant.
    cut : float, default 0.5
        Quantile splitting high from low on both axes.
    within : str
        Keep only the areas of one region (name or code); thresholds stay national.

    Returns
    -------
    DataFrame
        The columns of :func:`attractiveness` and :func:`penetration` plus
        ``quadrant`` and ``sales_gap``, most attractive first.
    """
    _choice("metric", metric, ("sales_per_capita", "customers_per_100k"))
    cut = _fraction("cut", cut)
    attract = attractiveness(regions, weights=weights, method=method, level=level)
    pen = penetration(enriched, regions, period_end=period_end, months=months, level=level, value=value, date=date)
    out = attract.merge(pen.drop(columns=["name", "population", "households"]), on="region_id", how="left")
    high_attr = out["index"] >= out["index"].quantile(cut)
    high_pen = out[metric] >= out[metric].quantile(cut)
    out["quadrant"] = np.select([high_attr & ~high_pen, high_attr & high_pen, ~high_attr & high_pen],
                                ["whitespace", "core", "niche"], "low_priority")
    core = out["quadrant"] == "core"
    benchmark = float(out.loc[core, "sales_per_capita"].median()) if core.any() else \
        float(out["sales_per_capita"].quantile(cut))
    out["sales_gap"] = ((benchmark - out["sales_per_capita"]).clip(lower=0) * out["population"]).fillna(0.0)
    if isinstance(within, str) and within.strip():
        key = within.strip().lower()
        cols = ("parent", "parent_id", "name", "region_id")
        hit = pd.Series(False, index=out.index)
        for col in cols:
            hit |= out[col].astype("string").str.strip().str.lower().eq(key).fillna(False)
        if not hit.any():
            raise ParameterError(f"The 'within' parameter must be a region of the dataset. Got {within!r} instead.")
        out = out.loc[hit]
    out = out.reset_index(drop=True)
    out.attrs["cuts"] = {"index": float(attract["index"].quantile(cut)),
                         metric: float(pen[metric].quantile(cut))}
    return out


def whitespace(mapped: pd.DataFrame) -> pd.DataFrame:
    """The whitespace areas of :func:`market_map`: attractive and under-penetrated, biggest gap first."""
    _check_columns(mapped, ["quadrant", "sales_gap", "index"], name="market map")
    out = mapped.loc[mapped["quadrant"] == "whitespace"]
    return out.sort_values(["sales_gap", "index"], ascending=False, kind="stable").reset_index(drop=True)


def top_areas(mapped: pd.DataFrame, *, n: int = 100) -> pd.DataFrame:
    """The ``n`` most attractive areas (a "top 100 counties" list) with our position in each."""
    _check_columns(mapped, ["rank"], name="market map")
    n = _positive_int("n", n)
    return mapped.sort_values(["rank"], kind="stable").head(n).reset_index(drop=True)


# --------------------------------------------------------------------------- product lifecycle


def product_lifecycle(enriched: pd.DataFrame, products: pd.DataFrame, *, period_end: object,
                      new_months: int = 12, threshold: float = -0.15, seasonal_adjust: bool = True,
                      value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """New and declining products, with the numbers behind each flag.

    A product is **new** when it was launched in the ``new_months`` months up to
    ``period_end``. It is **declining** when it is not new, its last 6 complete months
    sold at least ``-threshold`` (15 %) less than the same months a year earlier
    (``yoy_6m``), *and* they sold less than the 6 months before them (``change_6m``).
    That second comparison crosses seasons, so by default each month is first divided
    by the seasonal index of the product's category.

    Parameters
    ----------
    enriched : DataFrame
        Output of :func:`enrich_orders` (``product_id``, ``customer_id``, ``category``).
    products : DataFrame
        The ``products`` table (``product_id``, ``name``, ``category``, ``launch_date``).
    period_end : date-like
        Last day of history; only complete months enter the 6-month sums.
    new_months : int, default 12
        Launch window of new products.
    threshold : float, default -0.15
        Year-on-year change at or below which a product may be declining.
    seasonal_adjust : bool, default True
        Deseasonalise ``change_6m`` with category indices.

    Returns
    -------
    DataFrame
        One row per product: ``product_id``, ``product``, ``category``,
        ``launch_date``, ``months_since_launch``, ``customers`` and ``sales_12m``
        (last 12 months), ``last6``, ``prior6``, ``last6_ly``, ``change_6m``,
        ``yoy_6m``, ``is_new``, ``is_declining``.
    """
    _check_columns(enriched, ["product_id", "customer_id", value, date])
    _check_columns(products, ["product_id", "name", "category", "launch_date"], name="products")
    end = _timestamp(period_end)
    new_months = _positive_int("new_months", new_months)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not -1 <= threshold <= 0:
        raise ParameterError(f"The 'threshold' parameter must be between -1 and 0. Got {threshold!r} instead.")
    last = _last_complete_month(end)
    ids = products["product_id"].astype(str)
    wide = _month_matrix(enriched, ["product_id"], value=value, date=date, last=last, first=last - 17)
    wide.index = wide.index.astype(str)
    wide = wide.reindex(ids, fill_value=0.0)
    y = wide.to_numpy()
    adj = y
    if seasonal_adjust and "category" in enriched.columns:
        history = enriched.loc[enriched[date] < end + _DAY]
        idx = seasonality(history, by="category", value=value, date=date) if len(history) else None
        if idx is not None:
            lookup = idx.set_index(["category", "month"])["index"]
            cats = products["category"].astype(str).to_numpy()
            months_ = wide.columns.month.to_numpy()
            factor = np.array([[lookup.get((c, m), 1.0) for m in months_] for c in cats], dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                adj = np.where(factor > 0, y / np.where(factor > 0, factor, 1.0), y)
    last6, prior6, ly6 = y[:, -6:].sum(1), y[:, -12:-6].sum(1), y[:, -18:-12].sum(1)
    out = pd.DataFrame({
        "product_id": products["product_id"].to_numpy(),
        "product": products["name"].to_numpy(),
        "category": products["category"].to_numpy(),
        "launch_date": products["launch_date"].to_numpy(),
    })
    launch = pd.to_datetime(out["launch_date"])
    out["months_since_launch"] = ((end.year - launch.dt.year) * 12 + (end.month - launch.dt.month)).astype("Int64")
    window = _window_orders(enriched, end, 12, date)
    per = window.groupby(["product_id", "customer_id"], observed=True)[value].sum()
    buyers = (per > 0).groupby(level="product_id").sum()
    sales12 = per.groupby(level="product_id").sum()
    out["customers"] = out["product_id"].astype(str).map(buyers.rename(index=str)).fillna(0).astype(int)
    out["sales_12m"] = out["product_id"].astype(str).map(sales12.rename(index=str)).fillna(0.0).astype(float)
    out["last6"], out["prior6"], out["last6_ly"] = last6, prior6, ly6
    out["change_6m"] = _ratio(adj[:, -6:].sum(1), adj[:, -12:-6].sum(1))
    out["yoy_6m"] = _ratio(last6, ly6)
    start_new, _ = _window(end, new_months)
    out["is_new"] = ((launch >= start_new) & (launch < end + _DAY)).to_numpy()
    out["is_declining"] = (~out["is_new"] & (out["yoy_6m"] <= threshold) & (out["change_6m"] < 0)).to_numpy()
    return out


def new_products(enriched: pd.DataFrame, products: pd.DataFrame, *, period_end: object, months: int = 12,
                 value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Products launched in the last ``months`` months and how their sales ramp up.

    Returns
    -------
    DataFrame
        ``product_id``, ``product``, ``category``, ``launch_date``,
        ``months_since_launch``, ``customers`` (reached so far), ``sales_since_launch``,
        ``sales_last3`` (last 3 complete months) and ``avg_month`` (sales
        per month on sale), newest first.
    """
    life = product_lifecycle(enriched, products, period_end=period_end, new_months=months,
                             seasonal_adjust=False, value=value, date=date)
    ramp = product_ramp(enriched, products, period_end=period_end, months=months, value=value, date=date)
    out = life.loc[life["is_new"], ["product_id", "product", "category", "launch_date", "months_since_launch",
                                    "customers", "sales_12m"]].rename(columns={"sales_12m": "sales_since_launch"})
    if ramp.empty:
        out["sales_last3"] = 0.0
    else:
        last3 = ramp.loc[ramp["ds"] > ramp["ds"].max() - pd.DateOffset(months=3)].groupby("product_id")["sales"].sum()
        out["sales_last3"] = out["product_id"].map(last3).fillna(0.0).astype(float)
    on_sale = (out["months_since_launch"].astype(float) + 1).clip(lower=1)
    out["avg_month"] = out["sales_since_launch"] / on_sale
    return out.sort_values("launch_date", ascending=False, kind="stable").reset_index(drop=True)


def product_ramp(enriched: pd.DataFrame, products: pd.DataFrame, *, period_end: object, months: int = 12,
                 value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Month-by-month sales and reach of the products launched in the last ``months`` months.

    Returns
    -------
    DataFrame
        ``product_id``, ``product``, ``month_no`` (1 = launch month), ``ds``,
        ``sales``, ``cum_sales`` and ``cum_customers`` (distinct buyers so far), up
        to the month of ``period_end``.
    """
    end = _timestamp(period_end)
    start, _ = _window(end, _positive_int("months", months))
    launch = pd.to_datetime(products["launch_date"])
    new = products.loc[(launch >= start) & (launch < end + _DAY)]
    rows = []
    data = enriched.loc[enriched[date] < end + _DAY]
    for pid, name, launched in zip(new["product_id"], new["name"], pd.to_datetime(new["launch_date"]), strict=True):
        lines = data.loc[data["product_id"] == pid]
        span = pd.period_range(launched.to_period("M"), end.to_period("M"), freq="M")
        month = lines[date].dt.to_period("M")
        sales = lines.groupby(month)[value].sum().reindex(span, fill_value=0.0)
        first_buy = lines.loc[lines[value] > 0].groupby("customer_id")[date].min().dt.to_period("M")
        reach = first_buy.value_counts().reindex(span, fill_value=0).cumsum()
        rows.append(pd.DataFrame({"product_id": pid, "product": name, "month_no": np.arange(1, len(span) + 1),
                                  "ds": span.to_timestamp(), "sales": sales.to_numpy(dtype=float),
                                  "cum_sales": sales.cumsum().to_numpy(dtype=float),
                                  "cum_customers": reach.to_numpy(dtype=int)}))
    if not rows:
        return pd.DataFrame(columns=["product_id", "product", "month_no", "ds", "sales", "cum_sales", "cum_customers"])
    return pd.concat(rows, ignore_index=True)


def declining_products(enriched: pd.DataFrame, products: pd.DataFrame, *, period_end: object,
                       threshold: float = -0.15, value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """The declining products of :func:`product_lifecycle`, steepest fall first."""
    life = product_lifecycle(enriched, products, period_end=period_end, threshold=threshold, value=value, date=date)
    cols = ["product_id", "product", "category", "launch_date", "sales_12m", "last6", "last6_ly", "yoy_6m",
            "prior6", "change_6m", "customers"]
    return life.loc[life["is_declining"], cols].sort_values("yoy_6m", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- forecasting views


def demand_series(enriched: pd.DataFrame, *, period_end: object, level: str | Sequence[str] = "total",
                  value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Monthly demand as the long ``series_id, ds, y`` frame :mod:`salesnb.forecast` reads.

    Only complete months count: when ``period_end`` is not a month's last day its
    month is left out, and so is anything after it. Each series starts at its first
    month with sales; months without sales after that are 0.

    Parameters
    ----------
    enriched : DataFrame
        Order lines (usually :func:`enrich_orders`).
    period_end : date-like
        Last day of history.
    level : str or list of str, default "total"
        ``"total"`` for one series (id ``"total"``), or the column(s) whose values
        name the series (``"category"``, ``"region"``, ``["region", "category"]``;
        several columns are joined with ``"/"``).

    Returns
    -------
    DataFrame
        ``series_id`` (str), ``ds`` (first day of the month), ``y`` (float), sorted.
    """
    cols = [] if level == "total" else _as_list(level)
    _check_columns(enriched, [*cols, value, date])
    last = _last_complete_month(_timestamp(period_end))
    wide = _month_matrix(enriched, cols, value=value, date=date, last=last)
    if cols:
        keys = wide.index.to_frame(index=False).astype(str)
        wide.index = keys.agg("/".join, axis=1) if len(cols) > 1 else keys[cols[0]]
    wide.index.name = "series_id"
    y = wide.to_numpy()
    started = np.cumsum(y != 0, axis=1) > 0
    out = _long(wide, [], {"y": y, "_on": started})
    out.insert(0, "series_id", np.repeat(wide.index.astype(str).to_numpy(), wide.shape[1]))
    out = out.loc[out["_on"] > 0, ["series_id", "ds", "y"]]
    return out.sort_values(["series_id", "ds"], kind="stable").reset_index(drop=True)


def demand_levels(enriched: pd.DataFrame, *, period_end: object,
                  levels: Sequence[str | Sequence[str]] = ("total", "category"), value: str = "net_amount",
                  date: str = "order_date") -> pd.DataFrame:
    """Several :func:`demand_series` levels stacked in one long frame (e.g. total and per category).

    Returns
    -------
    DataFrame
        ``series_id, ds, y``; the levels in the order given.

    Raises
    ------
    ParameterError
        When two levels produce the same ``series_id`` (a category called ``"total"``).
    """
    frames = [demand_series(enriched, period_end=period_end, level=lvl, value=value, date=date) for lvl in levels]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["series_id", "ds", "y"])
    ids = [set(f["series_id"]) for f in frames]
    clash = set().union(*[a & b for i, a in enumerate(ids) for b in ids[i + 1:]]) if len(ids) > 1 else set()
    if clash:
        raise ParameterError(f"The levels {list(levels)!r} give the same series id(s) {sorted(clash)}; "
                             "rename the value or forecast the levels separately.")
    return out


def backtest_windows(series: pd.DataFrame, *, h: int, season_length: int = 12, max_windows: int = 3) -> int:
    """How many rolling backtest windows of ``h`` periods the history allows.

    Each window should train on at least two full seasons, as the production forecast
    does; otherwise the backtest would judge a simpler model than the one used. The
    longest series decides; the answer is between 1 and ``max_windows``.

    Examples
    --------
    36 months, ``h=6``: (36 - 24) / 6 = 2 windows.
    """
    h = _positive_int("h", h)
    _positive_int("season_length", season_length)
    _positive_int("max_windows", max_windows)
    _check_columns(series, ["series_id", "ds"], name="series")
    longest = int(series.groupby("series_id").size().max()) if len(series) else 0
    return int(min(max_windows, max(1, (longest - 2 * season_length) // h)))


def accuracy_of(per_series: pd.DataFrame, series_id: str = "total") -> dict[str, float] | None:
    """One series' row of a backtest's ``per_series`` frame as a dict (None when it was skipped)."""
    _check_columns(per_series, ["series_id"], name="backtest")
    row = per_series.loc[per_series["series_id"].astype(str) == str(series_id)]
    return None if row.empty else {k: float(v) for k, v in row.iloc[0].drop("series_id").items()}


def accuracy_text(accuracy: Mapping[str, Any] | pd.Series | None, *, windows: int | None = None,
                  h: int | None = None) -> str:
    """One sentence with a backtest's sMAPE, MASE and interval coverage (or that there was none).

    Parameters
    ----------
    accuracy : mapping or Series, optional
        ``smape`` in percent (0-200, as :func:`salesnb.forecast.backtest` reports it),
        ``mase``, ``coverage_80`` and ``coverage_95`` as fractions (see :func:`accuracy_of`).
    windows, h : int, optional
        Number and length of the backtest windows, stated when given.
    """
    parts = {k: accuracy.get(k) for k in ("smape", "mase", "coverage_80", "coverage_95")} if accuracy else {}
    if all(v is None or pd.isna(v) for v in parts.values()):
        return i18n.t("market.no_backtest")
    smape = None if parts["smape"] is None or pd.isna(parts["smape"]) else float(parts["smape"]) / 100
    values = {"smape": i18n.fmt_pct(smape), "mase": i18n.fmt_number(parts["mase"], decimals=2),
              "cov80": i18n.fmt_pct(parts["coverage_80"], decimals=0),
              "cov95": i18n.fmt_pct(parts["coverage_95"], decimals=0)}
    if windows and h:
        return i18n.t("market.fan_accuracy_windows", windows=windows, h=h, **values)
    return i18n.t("market.fan_accuracy", **values)


def accuracy_note(accuracy: Mapping[str, Any] | pd.Series | None, *, windows: int | None = None,
                  h: int | None = None) -> str:
    """:func:`accuracy_text` for the page, with a caution when the forecast lost to the naive one (MASE > 1)."""
    text = i18n.t("market.forecast_accuracy", text=accuracy_text(accuracy, windows=windows, h=h))
    mase = accuracy.get("mase") if accuracy else None
    if mase is not None and pd.notna(mase) and float(mase) > 1:
        text += " " + i18n.t("market.mase_caution")
    return text


def forecast_summary(forecast: pd.DataFrame, *, months: int = 3) -> pd.DataFrame:
    """The first ``months`` forecast months summed per series (e.g. next quarter).

    Interval bounds are summed month by month, which gives a slightly wide
    (conservative) range: the months rarely all miss on the same side.

    Parameters
    ----------
    forecast : DataFrame
        Output of :func:`salesnb.forecast.forecast` (``series_id, ds, yhat,
        yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95``).
    months : int, default 3
        Months summed (fewer when the forecast is shorter).

    Returns
    -------
    DataFrame
        ``series_id``, ``start``, ``end`` (first days of the first and last month),
        ``months``, the summed ``yhat`` and interval columns, and ``method`` when the
        forecast has one; the ``"total"`` series first.
    """
    months = _positive_int("months", months)
    _check_columns(forecast, ["series_id", "ds", "yhat"], name="forecast")
    bounds = [c for c in forecast.columns if c.startswith(("yhat_lo_", "yhat_hi_"))]
    head = forecast.sort_values(["series_id", "ds"], kind="stable").groupby("series_id", sort=True).head(months)
    extra = {"method": ("method", "first")} if "method" in forecast.columns else {}
    out = head.groupby("series_id", sort=True).agg(start=("ds", "min"), end=("ds", "max"), months=("ds", "size"),
                                                   yhat=("yhat", "sum"), **{c: (c, "sum") for c in bounds}, **extra)
    return total_first(out.reset_index())


def total_first(frame: pd.DataFrame, *, column: str = "series_id") -> pd.DataFrame:
    """A copy with the ``"total"`` row(s) of ``column`` on top, the rest in their order."""
    _check_columns(frame, [column], name="series")
    first = frame[column].astype(str).eq("total")
    return pd.concat([frame[first], frame[~first]], ignore_index=True)


# --------------------------------------------------------------------------- what the notebook shows


def _month_span(start: pd.Timestamp, end: pd.Timestamp) -> str:
    first = i18n.fmt_date(start, format="LLL y")
    last = i18n.fmt_date(end, format="LLL y")
    return first if first == last else f"{first} – {last}"


def period_label(period_end: object, *, comparison: str = "ytd") -> str:
    """The compared periods in words, in the report language.

    Example: ``"Year to date: Jan 1, 2026 – Oct 31, 2026 vs Jan 1, 2025 – Oct 31, 2025"``.
    """
    p = period_bounds(period_end, comparison=comparison)
    return i18n.t("market.period_line", name=i18n.t(f"market.comparison_{comparison}"),
                  start=i18n.fmt_date(p.start), end=i18n.fmt_date(p.end),
                  prior_start=i18n.fmt_date(p.prior_start), prior_end=i18n.fmt_date(p.prior_end))


def period_note(enriched: pd.DataFrame, *, period_end: object, comparison: str = "ytd",
                date: str = "order_date") -> str:
    """:func:`period_label`, plus a warning when the data stops before ``period_end``.

    The warning appears when the last order is more than 7 days before the period's end
    (a month-end export that is a few days short is normal; weeks short is not).
    """
    text = period_label(period_end, comparison=comparison)
    end = _timestamp(period_end)
    last = enriched[date].max() if len(enriched) else pd.NaT
    if pd.isna(last) or last < end - pd.Timedelta(days=7):
        text += " " + i18n.t("market.data_ends_early", last=i18n.fmt_date(last), end=i18n.fmt_date(end))
    return text


def concentration_text(concentration: pd.DataFrame) -> str:
    """One sentence on :func:`concentration` (top share, HHI, effective number) in the report language."""
    c = concentration.iloc[0]
    if pd.isna(c["top_share"]):
        return i18n.t("market.no_data")
    return i18n.t("market.concentration_note", top=int(c["top"]), share=i18n.fmt_pct(c["top_share"]),
                  hhi=i18n.fmt_number(c["hhi"]), n=i18n.fmt_number(c["effective_n"]))


def season_label(season: str) -> str:
    """``high``/``low``/``normal`` in the report language (``"High season"``)."""
    return i18n.t(f"market.season_{season}")


def fastest_growing(compared: pd.DataFrame, *, by: str, min_share: float = 0.02) -> pd.Series | None:
    """The group of :func:`compare_periods` growing fastest among those that mattered last year.

    Groups whose prior sales were below ``min_share`` of the prior total are left out,
    so a tiny newcomer does not win with +400 %. None when no group qualifies.
    """
    _check_columns(compared, [by, "prior", "growth"], name="comparison")
    prior_total = float(compared["prior"].clip(lower=0).sum())
    eligible = compared.loc[(compared["prior"] >= min_share * prior_total) & compared["growth"].notna()]
    if eligible.empty:
        return None
    return eligible.sort_values("growth", ascending=False, kind="stable").iloc[0]


def headline(total: pd.DataFrame, by_region: pd.DataFrame, ahead: pd.DataFrame,
             next_quarter: pd.DataFrame | None = None, concentration: pd.DataFrame | None = None, *,
             currency: str = "EUR", comparison: str = "ytd", by: str = "region") -> list[tuple[str, str, str]]:
    """The market headline as (label, value, note) cards in the report language.

    Parameters
    ----------
    total : DataFrame
        :func:`compare_periods` with ``by=None`` (one row).
    by_region : DataFrame
        :func:`compare_periods` by ``by``.
    ahead : DataFrame
        :func:`season_ahead` for the whole business.
    next_quarter : DataFrame, optional
        One row of :func:`forecast_summary` (the total series).
    concentration : DataFrame, optional
        Output of :func:`concentration`.
    currency : str
        ISO code for money.
    comparison : str
        The comparison used (for the label).
    by : str
        Column of ``by_region`` holding the names.
    """
    fmt_money, fmt_pct = i18n.fmt_money, i18n.fmt_pct
    row = total.iloc[0]
    items = [(
        i18n.t("market.hl_sales", period=i18n.t(f"market.comparison_{comparison}")),
        fmt_money(row["current"], currency),
        i18n.t("market.hl_sales_note", growth=fmt_pct(row["growth"], signed=True),
               prior=fmt_money(row["prior"], currency)),
    )]
    best = fastest_growing(by_region, by=by)
    if best is not None:
        items.append((i18n.t(f"market.hl_fastest_{'province' if by == 'province' else 'region'}"), str(best[by]),
                      i18n.t("market.hl_fastest_note", growth=fmt_pct(best["growth"], signed=True),
                             change=fmt_money(best["change"], currency))))
    if len(ahead):
        mean = float(ahead["index"].mean())
        season = "high" if mean >= 1.1 else "low" if mean <= 0.9 else "normal"
        months = " · ".join(f"{i18n.month_name(int(m), width='abbreviated')} {i18n.fmt_number(v, decimals=2)}"
                            for m, v in zip(ahead["month"], ahead["index"], strict=True))
        items.append((i18n.t("market.hl_season", months=_month_span(ahead["ds"].min(), ahead["ds"].max())),
                      season_label(season),
                      i18n.t("market.hl_season_note", pct=fmt_pct(mean - 1, signed=True), months=months)))
    if next_quarter is not None and len(next_quarter):
        fc = next_quarter.iloc[0]
        note = ""
        if "yhat_lo_80" in fc and "yhat_hi_80" in fc:
            note = i18n.t("market.hl_forecast_note", lo=fmt_money(fc["yhat_lo_80"], currency),
                          hi=fmt_money(fc["yhat_hi_80"], currency))
        items.append((i18n.t("market.hl_forecast", months=_month_span(fc["start"], fc["end"])),
                      fmt_money(fc["yhat"], currency), note))
    if concentration is not None and len(concentration) and pd.notna(concentration["top_share"].iloc[0]):
        c = concentration.iloc[0]
        items.append((i18n.t("market.hl_top_customers", n=int(c["top"])), fmt_pct(c["top_share"]),
                      i18n.t("market.hl_top_customers_note", hhi=i18n.fmt_number(c["hhi"]),
                             n=i18n.fmt_number(c["effective_n"]))))
    return items


def translate(frame: pd.DataFrame, *,
              columns: Sequence[str] = ("channel", "quadrant", "season", "series_id", "method")) -> pd.DataFrame:
    """A copy with coded values replaced by report-language words.

    Channels (``store`` -> "Family store"), quadrants, seasons, forecast methods and
    the ``"total"`` series id; other values (names from the data) are left as they are.
    """
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = out[col].map(lambda v, c=col: _word(c, v))
    return out


def _word(column: str, value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return value
    if column == "series_id":
        return i18n.t("common.total") if value == "total" else value
    key = f"market.{column}_{value}"
    return i18n.t(key) if key in i18n.catalog() else value


def explore(enriched: pd.DataFrame, *, period_end: object, comparison: str = "ytd", region: str = "",
            category: str = "", by: str = "region", top: int = 12, currency: str = "EUR") -> None:
    """Show sales against last year for a region, category and period, with controls.

    Displays the default selection first as ordinary output (a chart and a table,
    which stay in HTML exports), then dropdowns (region, category, period,
    breakdown). In JupyterLab changing a dropdown redraws the chart and table in
    place; in an HTML export the dropdowns are gone and the default view remains.

    Parameters
    ----------
    enriched : DataFrame
        Output of :func:`enrich_orders`.
    period_end : date-like
        Last day of the period.
    comparison, region, category : str
        The default selection (see :func:`compare_periods`, :func:`filter_orders`).
    by : {"region", "province", "category", "product", "channel", "customer"}
        Default breakdown.
    top : int
        Groups shown in the chart.
    currency : str
        ISO code for money.
    """
    import ipywidgets as widgets
    from IPython.display import HTML, display
    from matplotlib import pyplot as plt

    from salesnb import display as show
    from salesnb.plots import market as charts

    dims = ("region", "province", "category", "product", "channel", "customer")
    _choice("by", by, dims)
    _choice("comparison", comparison, COMPARISONS)
    top = _positive_int("top", top)
    filter_orders(enriched, region=region, category=category)  # fail early on a bad default

    def render(region: str, category: str, comparison: str, by: str) -> tuple[Any, HTML]:
        view = filter_orders(enriched, region=region, category=category)
        compared = translate(compare_periods(view, by=by, period_end=period_end, comparison=comparison))
        subtitle = period_label(period_end, comparison=comparison)
        fig = charts.yoy_bars(compared.head(top), by=by, subtitle=subtitle)
        table = show.table_html(compared, labels=show.labels("market") | {by: i18n.t(f"market.col_{by}")},
                                kinds=_KINDS, currency=currency)
        return fig, HTML(table)

    fig, table = render(region, category, comparison, by)
    fig_handle = display(fig, display_id=True)
    plt.close(fig)
    table_handle = display(table, display_id=True)

    everything = i18n.t("market.all")
    regions = sorted(enriched["region"].dropna().astype(str).unique())
    categories = sorted(enriched["category"].dropna().astype(str).unique())

    def choices(values: list[str], current: str) -> tuple[list[tuple[str, str]], str]:
        """Dropdown options (all + values) and the option matching ``current`` (added when absent)."""
        options = [(everything, ""), *((v, v) for v in values)]
        key = current.strip().lower()
        match = next((v for v in values if v.lower() == key), None)
        if key and match is None:  # a province or a code: keep it selectable
            options.append((current, current))
        return options, (match if match is not None else current) if key else ""

    region_options, region_value = choices(regions, region)
    category_options, category_value = choices(categories, category)
    controls = {
        "region": widgets.Dropdown(options=region_options, value=region_value, description=i18n.t("market.col_region")),
        "category": widgets.Dropdown(options=category_options, value=category_value,
                                     description=i18n.t("market.col_category")),
        "comparison": widgets.Dropdown(options=[(i18n.t(f"market.comparison_{c}"), c) for c in COMPARISONS],
                                       value=comparison, description=i18n.t("market.period")),
        "by": widgets.Dropdown(options=[(i18n.t(f"market.col_{d}"), d) for d in dims], value=by,
                               description=i18n.t("market.breakdown")),
    }

    def redraw(_change: object) -> None:
        fig, table = render(**{name: w.value for name, w in controls.items()})
        fig_handle.update(fig)
        plt.close(fig)
        table_handle.update(table)

    for w in controls.values():
        w.observe(redraw, names="value")
    display(widgets.HBox(list(controls.values())))


#: Display kinds of the columns this module returns (for :func:`salesnb.display.table`).
_KINDS: dict[str, str] = {
    "current": "money", "prior": "money", "change": "money", "growth": "pct_signed", "contribution": "pct",
    "share": "pct", "cum_share": "pct", "sales": "money", "sales_12m": "money", "last6": "money",
    "prior6": "money", "last6_ly": "money", "yoy_6m": "pct_signed", "change_6m": "pct_signed",
    "sales_last3": "money", "avg_month": "money", "sales_since_launch": "money", "sales_gap": "money",
    "sales_per_capita": "num2",
    "customers_per_100k": "num1", "index": "num1", "population": "int", "households": "int",
    "gdp_per_capita": "money", "retail_sales": "money", "rank": "int", "customers": "int",
    "months_since_launch": "int", "launch_date": "date", "last3": "money", "last3_prior": "money",
    "growth_3m": "pct_signed", "last12": "money", "prior12": "money", "growth_12m": "pct_signed",
    "momentum": "pct_signed", "yhat": "money", "yhat_lo_80": "money", "yhat_hi_80": "money",
    "yhat_lo_95": "money", "yhat_hi_95": "money", "start": "month", "end": "month", "ds": "month",
    "mase": "num2", "coverage_80": "pct", "coverage_95": "pct", "smape": "num1", "months": "int",
}


def kinds() -> dict[str, str]:
    """Display kinds of the market columns, for ``display.table(..., kinds=market.kinds())``."""
    return dict(_KINDS)
