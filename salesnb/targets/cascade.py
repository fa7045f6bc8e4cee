"""The target cascade: annual target → region × category → month → rep → working day.

Every split is a largest-remainder :func:`~salesnb.targets.allocate` in whole
``unit`` (1 € by default), so each level adds up exactly to its parent and to the
annual target; :attr:`TargetPlan.audit` checks every parent against its children.

The levels, and what decides each split:

1. **Annual → region → category**, by ``method``:

   * ``last_year_share`` — each region × category cell's share of sales in the
     12 months to ``as_of`` ("last year").
   * ``potential_blend`` — a region's share is a blend of its share of last year's
     sales and its share of market potential (the mean of its shares of purchasing
     power = population × GDP per capita, households and, when given, retail
     sales); ``potential_weight`` (default 0.3) sets the blend. Inside a region,
     categories follow the region's own mix of last year.
   * ``growth`` — each cell grows at its own recent rate (last year over the year
     before, clipped to −30 % … +50 %; cells with no sales the year before use the
     company's rate); the grown cells set the proportions.

   ``growth_pct`` sets the annual target when ``annual_target`` is None (last
   year's sales × (1 + growth_pct / 100)); it never changes the proportions.
2. **Region × category → month** by the seasonality of that region and category
   (:func:`salesnb.market.seasonality`, shrunk toward the company pattern where
   history is thin), scaled down in months with company closures (by the share of
   the month's normal working days that stay open).
3. **Month → rep** inside the region, by each rep's weight × availability that
   month. The weight blends *book* (their share of last year's sales of the accounts
   they hold now, ``customers.rep_id``) and *capacity* (their share of the region's
   ``weekly_capacity``). By default the blend follows the region's growth: the part
   of the region's target that last year's books already cover is shared by book,
   and the growth on top by capacity (a region asked for +10 % puts 1/1.1 of the
   weight on book); ``capacity_weight`` fixes the capacity part instead. Availability
   is the mean, over the month's working days, of "employed that day" × ramp: a new
   hire ramps linearly from 0 to full quota over ``ramp_months`` (default 3) from
   the hire date, and a leaver has no target after ``leave_date``. A region with no
   rep available in a month gives that month to a ``VACANT-<region>`` placeholder, so
   no target is lost silently.
4. **Rep × month → working day** in proportion to the day's availability (equal
   days for a fully ramped rep). Weekends, public holidays of ``country`` (and an
   optional subdivision) and company ``closures`` get no target.
5. **ISO week** = the sum of a rep's daily targets by ISO year-week (weeks that
   straddle months or years are whole weeks, not split).

**Hold and override**: ``overrides={"rep:R007": 250000, "region:ES-MD": 1.2e6}``
locks annual targets by hand. A locked region gets exactly its amount; a locked
rep gets exactly theirs and their region gets it on top of its share of the rest;
everything not locked is re-spread over the unlocked regions and reps with the
method's proportions. Locks that add up to more than the total (or to more than
their locked region) raise :class:`OverrideError`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from salesnb import market, workdays
from salesnb.data import Dataset, employed
from salesnb.errors import ParameterError
from salesnb.params import check_choice, message, parameter_error
from salesnb.targets.allocate import _check_unit, from_units, hamilton, to_units

__all__ = ["AUDIT_LEVELS", "METHODS", "OverrideError", "TargetPlan", "audit_plan", "breakdown",
           "compare_methods"]

METHODS = ("last_year_share", "potential_blend", "growth")
VACANT_PREFIX = "VACANT-"
#: Clip of a cell's own growth rate in the ``growth`` method.
GROWTH_LIMITS = (-0.30, 0.50)
_DAYS_PER_MONTH = 365.25 / 12


class OverrideError(ParameterError):
    """Locked targets cannot be honoured: they exceed the total (or their region), or
    nothing is left unlocked to carry the rest."""


# --------------------------------------------------------------------------- the plan


@dataclass
class TargetPlan:
    """A target breakdown, as tidy frames per level, and its reconciliation audit.

    Amounts are whole multiples of ``unit`` (int64 columns when ``unit`` is a whole
    number). Every level adds up exactly to the annual target.

    Attributes
    ----------
    year, method, annual_target, unit, currency, country :
        What was planned, and how.
    base_start, base_end : Timestamp
        The 12 months "last year" means (both days included).
    regions : DataFrame
        ``region_id, name, last_year, potential_share, weight, target, locked``.
    region_category : DataFrame
        ``region_id, category, last_year, target, share, growth``.
    monthly : DataFrame
        ``region_id, category, month, target, last_year, index`` (``month`` is the
        first day of the month; ``index`` the seasonal index used).
    rep_monthly : DataFrame
        ``rep_id, region_id, category, month, target``.
    weekly : DataFrame
        ``rep_id, region_id, iso_year, iso_week, week_start, target, days``: the sum of
        a rep's daily targets by ISO week (``days``: working days with a row).
    daily : DataFrame
        ``rep_id, region_id, category, date, target``: one row per rep, category and
        working day of a month in which that rep has a target for that category.
    reps : DataFrame
        One row per rep planned (``VACANT-…`` placeholders included): ``rep_id, name,
        region_id, hire_date, leave_date, weekly_capacity, status`` (``active``,
        ``ramping``, ``leaving``, ``vacant``), ``ramp_end``, ``book`` (last year's sales
        of the accounts they hold), ``book_share``, ``capacity_share``, ``weight``,
        ``availability`` (share of the year's working days at full quota), ``locked``,
        ``target``.
    calendar : DataFrame
        The day calendar of each holiday calendar used (``calendar`` = subdivision or
        ``""``), as :func:`salesnb.workdays.day_calendar`.
    audit : DataFrame
        One row per parent-child check: ``level, parent, expected, actual, ok``.
    notes : list of dict
        Things the reader should know (``{"code": "vacant", "region_id": …}``).
    params : dict
        The arguments of :func:`breakdown`, for the report stamp.
    """

    year: int
    method: str
    annual_target: int | float
    unit: float
    currency: str
    country: str
    base_start: pd.Timestamp
    base_end: pd.Timestamp
    regions: pd.DataFrame
    region_category: pd.DataFrame
    monthly: pd.DataFrame
    rep_monthly: pd.DataFrame
    weekly: pd.DataFrame
    daily: pd.DataFrame
    reps: pd.DataFrame
    calendar: pd.DataFrame
    audit: pd.DataFrame
    notes: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every audit check passes."""
        return bool(self.audit["ok"].all())

    def rep_annual(self) -> pd.DataFrame:
        """One row per rep with a target: ``rep_id, name, region_id, status, last_year, target``."""
        reps = self.reps.loc[self.reps["target"] > 0]
        return reps[["rep_id", "name", "region_id", "status", "book", "target"]].rename(
            columns={"book": "last_year"}).reset_index(drop=True)

    def __repr__(self) -> str:
        return (f"TargetPlan(year={self.year}, method={self.method!r}, annual_target={self.annual_target}, "
                f"regions={len(self.regions)}, reps={int((self.reps['target'] > 0).sum())}, "
                f"daily_rows={len(self.daily)}, audit_ok={self.ok})")


# --------------------------------------------------------------------------- inputs


@dataclass
class _Context:
    """What the methods need, computed once per dataset, year and as_of."""

    year: int
    as_of: pd.Timestamp
    base_start: pd.Timestamp
    hist: pd.DataFrame
    regions: list[str]
    region_names: dict[str, str]
    categories: list[str]
    base: np.ndarray  # R x C last-year sales, clipped at 0
    prev: np.ndarray  # R x C the year before, clipped at 0
    base_month: np.ndarray  # R x C x 12 last-year sales by calendar month (signed)
    base_total: float  # signed last-year total (returns included)
    potential: np.ndarray  # R, sums to 1


def _territories(ds: Dataset) -> tuple[list[str], dict[str, str]]:
    """Regions reps are assigned to (the target regions), and a map region → its territory."""
    reps = ds.reps
    regions = ds.regions
    rep_regions = [str(r) for r in pd.unique(reps["region_id"].astype(str))]
    order = {rid: i for i, rid in enumerate(regions["region_id"].astype(str))}
    territories = sorted(rep_regions, key=lambda r: (order.get(r, len(order)), r))
    wanted = set(territories)
    parent = dict(zip(regions["region_id"].astype(str), regions["parent_id"], strict=True))
    rollup: dict[str, str] = {}
    for rid in order:
        node, seen = rid, set()
        while node not in wanted and node not in seen:
            seen.add(node)
            up = parent.get(node)
            if up is None or pd.isna(up):
                break
            node = str(up)
        if node in wanted:
            rollup[rid] = node
    return territories, rollup


def _sales(ds: Dataset) -> pd.DataFrame:
    """Order lines with their territory, category and account owner (categorical columns).

    A line's territory is its customer's region rolled up to the level reps are
    assigned at (province → region), or the selling rep's region when the customer's
    region is not under any rep's. Its owner is the rep who holds the account now
    (``customers.rep_id``), or the selling rep when the account has none.

    The joins are the ones :func:`salesnb.market.enrich_orders` does, reduced to the
    columns needed here and done with lookups, which keeps a million lines fast.
    """
    _, rollup = _territories(ds)
    orders = ds.orders
    customers = ds.customers.set_index(ds.customers["customer_id"].astype(str))
    category = ds.products.set_index(ds.products["product_id"].astype(str))["category"].astype(str)
    rep_region = ds.reps.set_index(ds.reps["rep_id"].astype(str))["region_id"].astype(str)
    # factorize the order lines once, look up each distinct customer/product/rep, expand by code
    cust_codes, cust_ids = pd.factorize(orders["customer_id"].astype(object))
    prod_codes, prod_ids = pd.factorize(orders["product_id"].astype(object))
    rep_codes, rep_ids = pd.factorize(orders["rep_id"].astype(object))
    per_cust = customers.reindex(pd.Index(cust_ids, dtype=object).astype(str))
    cust_territory = per_cust["region_id"].astype(object).map(rollup).to_numpy(dtype=object)
    cust_owner = per_cust["rep_id"].astype(object).to_numpy()
    rep_text = np.asarray(pd.Index(rep_ids, dtype=object).astype(str), dtype=object)
    territory = _expand(cust_codes, cust_territory)
    owner = _expand(cust_codes, cust_owner)
    lost = territory[0] < 0  # customer's region is under no rep: use the selling rep's region
    if lost.any():
        fallback = _expand(rep_codes[lost], rep_region.reindex(rep_text).to_numpy(dtype=object))
        territory = _merge_codes(territory, lost, fallback)
    unowned = owner[0] < 0
    if unowned.any():
        owner = _merge_codes(owner, unowned, _expand(rep_codes[unowned], rep_text))
    cats = category.reindex(pd.Index(prod_ids, dtype=object).astype(str)).to_numpy(dtype=object)
    return pd.DataFrame({
        "order_date": orders["order_date"].to_numpy(),
        "net_amount": orders["net_amount"].to_numpy(dtype=float),
        "region_id": pd.Categorical.from_codes(*_recode(territory[0], territory[1])),
        "category": pd.Categorical.from_codes(*_recode(prod_codes, cats)),
        "owner": pd.Categorical.from_codes(*_recode(owner[0], owner[1])),
    })


def _expand(codes: np.ndarray, per_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values looked up per distinct key, as (codes per row, labels); -1 where the value is missing."""
    value_codes, labels = pd.factorize(per_key)  # missing -> -1
    return value_codes[codes], np.asarray(labels, dtype=object)


def _merge_codes(base: tuple[np.ndarray, np.ndarray], where: np.ndarray,
                 other: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Replace the coded values of ``base`` at ``where`` by those of ``other``."""
    codes = base[0].copy()
    codes[where] = np.where(other[0] >= 0, other[0] + len(base[1]), -1)
    return codes, np.r_[base[1], other[1]]


def _recode(codes: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Codes into ``labels`` (which may repeat; code -1 = missing, shown as "nan") → codes into
    sorted unique text."""
    text = np.array([str(v) for v in labels] + ["nan"], dtype=object)
    new_codes, uniques = pd.factorize(text, sort=True)
    mapped = new_codes[np.where(codes < 0, len(labels), codes)]
    return mapped, [str(u) for u in uniques]


def _potential(ds: Dataset, territories: list[str]) -> np.ndarray:
    """Each territory's share of market potential (mean of its shares of purchasing
    power, households and, when present, retail sales); its own row's figures, or the
    sum over the regions below it when its own are missing or zero."""
    _, rollup = _territories(ds)
    reg = ds.regions.copy()
    reg["region_id"] = reg["region_id"].astype(str)
    reg["power"] = reg["population"].astype(float) * reg["gdp_per_capita"].astype(float)
    cols = ["power", "households"] + (["retail_sales"] if "retail_sales" in reg else [])
    values = reg.set_index("region_id")[cols].astype(float).fillna(0.0)
    own = values.reindex(territories).fillna(0.0)
    below = values.loc[[r for r in values.index if rollup.get(r) in territories and r not in territories]]
    below = below.groupby(below.index.map(rollup)).sum().reindex(territories).fillna(0.0)
    figures = own.where(own > 0, below)
    shares = []
    for col in cols:
        total = figures[col].sum()
        if total > 0:
            shares.append(figures[col].to_numpy() / total)
    if not shares:
        return np.full(len(territories), 1 / max(len(territories), 1))
    return np.mean(shares, axis=0)


def _context(ds: Dataset, *, year: int, as_of: object | None) -> _Context:
    hist = _sales(ds)
    if hist.empty:
        raise parameter_error("targets_no_orders")
    last = pd.Timestamp(hist["order_date"].max()).normalize()
    if as_of is None:
        # the last complete month of data: the month of the last order when that order falls in the
        # month's last week (data runs to the month's end), else the month before
        month_end = last + pd.offsets.MonthEnd(0)
        as_of_ts = month_end if (month_end - last).days < 7 else last.replace(day=1) - pd.Timedelta(days=1)
        as_of_ts = min(as_of_ts, pd.Timestamp(year - 1, 12, 31))
    else:
        as_of_ts = pd.Timestamp(workdays.as_date(as_of, name="as_of"))
    first = pd.Timestamp(hist["order_date"].min()).normalize()
    if as_of_ts < first:
        raise parameter_error("targets_as_of_early", as_of=as_of_ts.date(), first=first.date())
    hist = hist.loc[hist["order_date"] <= as_of_ts].reset_index(drop=True)
    base_start = as_of_ts - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    prev_start = as_of_ts - pd.DateOffset(years=2) + pd.Timedelta(days=1)
    in_base = hist["order_date"] >= base_start
    in_prev = (hist["order_date"] >= prev_start) & ~in_base
    territories, _ = _territories(ds)
    base_rows = hist.loc[in_base]
    sold = base_rows.groupby("category", observed=True)["net_amount"].sum()
    categories = sorted(str(c) for c in sold.index[sold > 0])
    if not categories or base_rows["net_amount"].sum() <= 0:
        raise parameter_error("targets_no_sales", as_of=as_of_ts.date())

    def matrix(rows: pd.DataFrame) -> np.ndarray:
        table = rows.groupby(["region_id", "category"], observed=True)["net_amount"].sum().unstack(fill_value=0.0)
        table = table.reindex(index=territories, columns=categories, fill_value=0.0).fillna(0.0)
        return np.clip(table.to_numpy(dtype=float), 0, None)

    month_idx = base_rows["order_date"].dt.month.to_numpy() - 1
    r_idx = pd.Index(territories).get_indexer(base_rows["region_id"])
    c_idx = pd.Index(categories).get_indexer(base_rows["category"])
    keep = (r_idx >= 0) & (c_idx >= 0)
    base_month = np.zeros((len(territories), len(categories), 12))
    np.add.at(base_month, (r_idx[keep], c_idx[keep], month_idx[keep]), base_rows["net_amount"].to_numpy()[keep])
    names = ds.regions.set_index(ds.regions["region_id"].astype(str))["name"].astype(str)
    return _Context(
        year=year, as_of=as_of_ts, base_start=base_start, hist=hist, regions=territories,
        region_names={r: names.get(r, r) for r in territories}, categories=categories,
        base=matrix(base_rows), prev=matrix(hist.loc[in_prev]), base_month=base_month,
        base_total=float(base_rows["net_amount"].sum()), potential=_potential(ds, territories),
    )


def _cell_weights(ctx: _Context, method: str, potential_weight: float) -> np.ndarray:
    """R x C weights of the region × category split for a method."""
    base = ctx.base
    if method == "last_year_share":
        return base
    if method == "potential_blend":
        rows = base.sum(axis=1)
        last_share = rows / rows.sum()
        region = (1 - potential_weight) * last_share + potential_weight * ctx.potential
        return region[:, None] * _mix(base)
    prev = ctx.prev
    if prev.sum() <= 0:  # no year before: no momentum to measure
        return base
    overall = float(np.clip(base.sum() / prev.sum() - 1, *GROWTH_LIMITS))
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(prev > 0, base / prev - 1, overall)
    return base * (1 + np.clip(own, *GROWTH_LIMITS))


def _mix(weights: np.ndarray) -> np.ndarray:
    """Each row's category mix (rows summing to 1); the overall mix for an empty row."""
    total = weights.sum(axis=0)
    overall = total / total.sum() if total.sum() > 0 else np.full(weights.shape[1], 1 / weights.shape[1])
    rows = weights.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rows > 0, weights / rows, overall[None, :])


def _seasonal(ctx: _Context) -> np.ndarray:
    """R x C x 12 seasonal indices from :func:`salesnb.market.seasonality`.

    Fed with monthly sums per region and category (the same numbers as the order
    lines give, since seasonality works on monthly totals), which keeps it fast.
    """
    hist = ctx.hist
    month = hist["order_date"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]")
    monthly = (hist.assign(order_date=month)
               .groupby(["region_id", "category", "order_date"], observed=True, sort=True)["net_amount"].sum()
               .reset_index())
    monthly["region_id"] = monthly["region_id"].astype(str)
    monthly["category"] = monthly["category"].astype(str)
    by_cell = market.seasonality(monthly, by=["region_id", "category"])
    out = np.ones((len(ctx.regions), len(ctx.categories), 12))
    cat_pos = {c: i for i, c in enumerate(ctx.categories)}
    reg_pos = {r: i for i, r in enumerate(ctx.regions)}
    cells = by_cell.loc[by_cell["category"].isin(cat_pos) & by_cell["region_id"].isin(reg_pos)]
    if len(cells) < 12 * len(ctx.regions) * len(ctx.categories):  # cells never sold: the category's pattern
        by_cat = market.seasonality(monthly, by="category")
        for cat, grp in by_cat.loc[by_cat["category"].isin(cat_pos)].groupby("category", sort=False):
            out[:, cat_pos[cat], :] = grp.sort_values("month")["index"].to_numpy()[None, :]
    r = cells["region_id"].map(reg_pos).to_numpy()
    c = cells["category"].map(cat_pos).to_numpy()
    out[r, c, cells["month"].to_numpy() - 1] = cells["index"].to_numpy()
    return np.clip(out, 0, None)


# --------------------------------------------------------------------------- parameters


def _check_year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int | np.integer) or not 1900 <= int(year) <= 2200:
        raise parameter_error("targets_year", value=repr(year))
    return int(year)


def _check_fraction(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= float(value) <= 1:
        raise parameter_error("targets_fraction", name=name, value=repr(value))
    return float(value)


def _check_growth(growth_pct: object) -> float | None:
    if growth_pct is None:
        return None
    if isinstance(growth_pct, bool) or not isinstance(growth_pct, int | float) \
            or not math.isfinite(float(growth_pct)) or float(growth_pct) <= -100:
        raise parameter_error("targets_growth", value=repr(growth_pct))
    return float(growth_pct)


def _check_ramp(ramp_months: object) -> float:
    if isinstance(ramp_months, bool) or not isinstance(ramp_months, int | float) \
            or not 0 <= float(ramp_months) <= 24:
        raise parameter_error("targets_ramp", value=repr(ramp_months))
    return float(ramp_months)


def _annual_units(ctx: _Context, annual_target: object, growth_pct: float | None, unit: float) -> int:
    if annual_target is None:
        if growth_pct is None:
            raise parameter_error("targets_target_or_growth")
        return to_units(max(ctx.base_total, 0.0) * (1 + growth_pct / 100), unit, name="annual_target")
    return to_units(annual_target, unit, name="annual_target")


def _parse_overrides(overrides: object, unit: float) -> list[tuple[str, str, int]]:
    """``[(level, id, units)]`` from a mapping ``{"rep:R07": 250000}`` or a frame ``level, id, target``."""
    if overrides is None:
        return []
    items: list[tuple[str, str, object]] = []
    if isinstance(overrides, pd.DataFrame):
        missing = {"level", "id", "target"} - set(overrides.columns)
        if missing:
            raise parameter_error("overrides_columns", missing=", ".join(sorted(missing)))
        items = [(str(lv), str(i), t) for lv, i, t in overrides[["level", "id", "target"]].itertuples(index=False)]
    elif isinstance(overrides, Mapping):
        for key, value in overrides.items():
            if not isinstance(key, str) or ":" not in key:
                raise parameter_error("overrides_key", value=repr(key))
            level, ident = key.split(":", 1)
            items.append((level.strip(), ident.strip(), value))
    else:
        raise parameter_error("overrides_type", type=type(overrides).__name__)
    out, seen = [], set()
    for level, ident, value in items:
        check_choice("overrides level", level, ("rep", "region"))
        if (level, ident) in seen:
            raise parameter_error("overrides_twice", level=message(f"overrides_level_{level}"), ident=repr(ident))
        seen.add((level, ident))
        out.append((level, ident, to_units(value, unit, name=f"overrides[{level}:{ident}]")))
    return out


def _calendar_keys(regions: list[str], subdiv: object) -> dict[str, str | None]:
    if subdiv is None or isinstance(subdiv, str):
        return {r: (subdiv or None) for r in regions}
    if isinstance(subdiv, Mapping):
        return {r: (subdiv.get(r) or None) for r in regions}
    raise parameter_error("targets_subdiv", value=repr(subdiv))


# --------------------------------------------------------------------------- the cascade


def _split(totals: np.ndarray, weights: np.ndarray, *, what: str) -> np.ndarray:
    """Split each row's total over its columns (weights has shape totals.shape + (k,))."""
    k = weights.shape[-1]
    group = np.repeat(np.arange(totals.size), k)
    parts = hamilton(totals.ravel(), group, weights.reshape(-1), what=what)
    return parts.reshape(weights.shape)


def breakdown(
    dataset: Dataset,
    *,
    year: int,
    annual_target: float | None = None,
    method: str = "last_year_share",
    growth_pct: float | None = None,
    ramp_months: float = 3,
    country: str | None = None,
    subdiv: str | Mapping[str, str] | None = None,
    closures: Iterable[workdays.Closure] | None = (),
    overrides: Mapping[str, float] | pd.DataFrame | None = None,
    as_of: object | None = None,
    unit: float = 1,
    potential_weight: float = 0.3,
    capacity_weight: float | None = None,
) -> TargetPlan:
    """Break an annual target down to region, category, month, rep, ISO week and working day.

    See the module docstring for what decides each split. Every split uses
    largest-remainder rounding, so each level adds up exactly to its parent.

    Parameters
    ----------
    dataset : Dataset
        Needs orders, customers, products, reps and regions.
    year : int
        The year to plan (January to December).
    annual_target : float, optional
        The company's target for the year (rounded to ``unit``). When None it is last
        year's sales × (1 + ``growth_pct`` / 100).
    method : {"last_year_share", "potential_blend", "growth"}
        How the target is split over regions and categories.
    growth_pct : float, optional
        Growth over last year in percent; sets the target when ``annual_target`` is None.
    ramp_months : float, default 3
        Months for a new hire to reach full quota (linear from the hire date); 0 = no ramp.
    country : str, optional
        ISO code of the public-holiday calendar; the dataset's country by default.
    subdiv : str or mapping, optional
        Subdivision whose holidays are added for everyone (``"MD"``), or a mapping
        ``region_id -> subdivision`` so each region follows its own holidays.
    closures : iterable, optional
        Company closure days or ranges (``"2027-08-09/2027-08-20"``); no target on them.
    overrides : mapping or DataFrame, optional
        Locked annual targets: ``{"rep:R007": 250000, "region:ES-MD": 1.2e6}`` or a frame
        with columns ``level`` (rep/region), ``id``, ``target``.
    as_of : date-like, optional
        Last day of data used; "last year" is the 12 months up to it. By default the
        end of the last complete month of orders (the month of the last order when that
        order is in the month's last 7 days, else the month before), but no later than
        31 December of the year before ``year``.
    unit : float, default 1
        Rounding step of every target (1 €; 0.01 for cents; 100 for hundreds).
    potential_weight : float, default 0.3
        Weight of market potential in ``potential_blend`` (0 = last year only).
    capacity_weight : float, optional
        Weight of capacity against book when splitting a region among its reps. By
        default it is the region's growth share, 1 − (reps' books / region target),
        floored at 0: books keep what they sold, capacity carries the growth.

    Returns
    -------
    TargetPlan

    Raises
    ------
    ParameterError
        For a bad parameter, or data without sales in the 12 months to ``as_of``.
    OverrideError
        When locks exceed the annual target or their region's lock, name an unknown or
        inactive rep or region, or leave nothing unlocked to carry the rest.

    Examples
    --------
    >>> plan = breakdown(ds, year=2027, growth_pct=8, method="potential_blend")
    >>> plan.daily.groupby("rep_id")["target"].sum().sum() == plan.annual_target
    True
    """
    year = _check_year(year)
    check_choice("method", method, METHODS)
    unit = _check_unit(unit)
    growth = _check_growth(growth_pct)
    ramp = _check_ramp(ramp_months)
    potential_weight = _check_fraction("potential_weight", potential_weight)
    if capacity_weight is not None:
        capacity_weight = _check_fraction("capacity_weight", capacity_weight)
    if country is not None and not isinstance(country, str):
        raise parameter_error("targets_country_type", value=repr(country))
    country = workdays.check_country(country or dataset.country or "ES")
    closure_days = workdays.parse_closures(closures)
    locks = _parse_overrides(overrides, unit)

    ctx = _context(dataset, year=year, as_of=as_of)
    total = _annual_units(ctx, annual_target, growth, unit)
    weights = _cell_weights(ctx, method, potential_weight)
    keys = _calendar_keys(ctx.regions, subdiv)
    cal = _Calendars(year, country, keys, closure_days)
    reps, avail, rep_cal = _rep_table(dataset, ctx, cal, ramp=ramp)
    seasonal = _seasonal(ctx)
    engine = _Engine(ctx, cal, reps, avail, rep_cal, weights, seasonal, total, locks, unit, capacity_weight)
    plan_parts = engine.run()
    params = {
        "year": year, "annual_target": annual_target, "method": method, "growth_pct": growth,
        "ramp_months": ramp, "country": country, "subdiv": subdiv,
        "closures": [d.date().isoformat() for d in closure_days], "overrides": [list(x) for x in locks],
        "as_of": ctx.as_of.date().isoformat(), "unit": unit, "potential_weight": potential_weight,
        "capacity_weight": capacity_weight,
    }
    plan = TargetPlan(
        year=year, method=method, annual_target=from_units(total, unit), unit=unit,
        currency=dataset.currency, country=country, base_start=ctx.base_start, base_end=ctx.as_of,
        params=params, **plan_parts,
    )
    return plan


def compare_methods(
    dataset: Dataset,
    *,
    year: int,
    annual_target: float | None = None,
    growth_pct: float | None = None,
    methods: Iterable[str] = METHODS,
    by: str = "region",
    as_of: object | None = None,
    unit: float = 1,
    potential_weight: float = 0.3,
) -> pd.DataFrame:
    """The first split (annual → region, or region × category) under each method, side by side.

    Uses the same rules as :func:`breakdown` (without overrides): the annual target
    goes to regions by the method's weights, then to categories by the region's mix,
    both by largest remainder, so each method's column adds up to the same total.

    Parameters
    ----------
    dataset : Dataset
    year, annual_target, growth_pct, as_of, unit, potential_weight :
        As in :func:`breakdown`.
    methods : iterable of str
        Methods to compare; all three by default.
    by : {"region", "region_category"}
        The grain of the comparison.

    Returns
    -------
    DataFrame
        Long: ``region_id, name`` (and ``category`` when ``by="region_category"``),
        ``method, last_year, target, share, growth`` (target over last year, minus 1).
        Pivot it for a side-by-side table:
        ``frame.pivot(index="region_id", columns="method", values="target")``.
    """
    year = _check_year(year)
    check_choice("by", by, ("region", "region_category"))
    unit = _check_unit(unit)
    methods = list(methods)
    for m in methods:
        check_choice("methods", m, METHODS)
    potential_weight = _check_fraction("potential_weight", potential_weight)
    ctx = _context(dataset, year=year, as_of=as_of)
    total = _annual_units(ctx, annual_target, _check_growth(growth_pct), unit)
    R, C = len(ctx.regions), len(ctx.categories)
    frames = []
    for method in methods:
        weights = _cell_weights(ctx, method, potential_weight)
        regions = hamilton(np.array([total]), np.zeros(R, dtype=np.intp), weights.sum(axis=1),
                           what="region weights")
        if by == "region":
            frame = pd.DataFrame({"region_id": ctx.regions, "last_year": ctx.base.sum(axis=1),
                                  "target_units": regions})
        else:
            cells = _split(regions, _mix(weights), what="category weights")
            frame = pd.DataFrame({"region_id": np.repeat(ctx.regions, C), "category": np.tile(ctx.categories, R),
                                  "last_year": ctx.base.ravel(), "target_units": cells.ravel()})
        frame.insert(1, "name", frame["region_id"].map(ctx.region_names))
        frame.insert(3 if by == "region_category" else 2, "method", method)
        frame["target"] = from_units(frame.pop("target_units").to_numpy(), unit)
        frame["share"] = frame["target"] / from_units(total, unit) if total else 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["growth"] = np.where(frame["last_year"] > 0, frame["target"] / frame["last_year"] - 1, np.nan)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


class _Calendars:
    """Working days of the year for each holiday calendar (subdivision) in use."""

    def __init__(self, year: int, country: str, keys: dict[str, str | None], closures: pd.DatetimeIndex):
        self.days = pd.date_range(dt.date(year, 1, 1), dt.date(year, 12, 31), freq="D")
        self.month = self.days.month.to_numpy() - 1
        self.names = sorted({k or "" for k in keys.values()})
        self.region_cal = {r: self.names.index(k or "") for r, k in keys.items()}
        frames, working, open_days = [], [], []
        for name in self.names:
            frame = workdays.day_calendar(self.days[0], self.days[-1], country=country, subdiv=name or None,
                                          closures=closures)
            frames.append(frame.assign(calendar=name))
            working.append(frame["working"].to_numpy())
            open_days.append((~frame["weekend"] & (frame["holiday"] == "")).to_numpy())
        self.frame = pd.concat(frames, ignore_index=True)
        self.working = np.array(working)  # K x D
        per_month = np.array([np.bincount(self.month, weights=w, minlength=12) for w in self.working])
        normal = np.array([np.bincount(self.month, weights=w, minlength=12) for w in open_days])
        if (per_month.sum(axis=1) == 0).any():
            raise parameter_error("targets_no_working_day", year=year)
        self.per_month = per_month  # K x 12 working days
        with np.errstate(divide="ignore", invalid="ignore"):
            self.open_share = np.where(normal > 0, per_month / normal, 0.0)  # K x 12


def _rep_table(ds: Dataset, ctx: _Context, cal: _Calendars, *,
               ramp: float) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Reps active in the year (weight, status …), their daily availability (P x D: employed
    x ramp on their working days) and the index of their holiday calendar."""
    start, end = cal.days[0], cal.days[-1]
    reps = ds.reps.copy()
    reps["rep_id"] = reps["rep_id"].astype(str)
    reps["region_id"] = reps["region_id"].astype(str)
    active = employed(reps, start=start, end=end)
    reps = reps.loc[active & reps["region_id"].isin(ctx.regions)].reset_index(drop=True)
    base = ctx.hist.loc[ctx.hist["order_date"] >= ctx.base_start]
    book = base.groupby(["owner", "region_id"], observed=True)["net_amount"].sum()
    reps["book"] = [max(float(book.get((p, r), 0.0)), 0.0) for p, r in zip(reps["rep_id"], reps["region_id"],
                                                                             strict=True)]
    cap = reps["weekly_capacity"].astype(float).clip(lower=0)
    region_book = reps.groupby("region_id")["book"].transform("sum")
    region_cap = cap.groupby(reps["region_id"]).transform("sum")
    reps["book_share"] = np.where(region_book > 0, reps["book"] / region_book.where(region_book > 0, 1), 0.0)
    reps["capacity_share"] = np.where(region_cap > 0, cap / region_cap.where(region_cap > 0, 1), 0.0)
    n_region = reps.groupby("region_id")["rep_id"].transform("size")
    # provisional weight (last year's structure), used to size locked reps' share of their region
    weight = np.where(region_book > 0, reps["book_share"], reps["capacity_share"])
    reps["weight"] = np.where((region_book <= 0) & (region_cap <= 0), 1.0 / n_region, weight)
    # daily availability: employed x ramp, on the rep's working days
    days = cal.days.to_numpy()
    hire = reps["hire_date"].to_numpy(dtype="datetime64[ns]")[:, None]
    leave = reps["leave_date"].to_numpy(dtype="datetime64[ns]")[:, None]
    on_payroll = (days[None, :] >= hire) & (np.isnat(leave) | (days[None, :] <= leave))
    if ramp > 0:
        elapsed = (days[None, :] - hire) / np.timedelta64(1, "D") + 1
        factor = np.clip(elapsed / (ramp * _DAYS_PER_MONTH), 0, 1)
    else:
        factor = np.ones((len(reps), len(days)))
    cal_idx = np.array([cal.region_cal[r] for r in reps["region_id"]], dtype=int)
    working = cal.working[cal_idx] if len(reps) else np.zeros((0, len(days)), bool)
    avail = np.where(on_payroll & working, factor, 0.0)
    reps["availability"] = avail.sum(axis=1) / np.maximum(working.sum(axis=1), 1)
    ramp_end = reps["hire_date"] + pd.to_timedelta(ramp * _DAYS_PER_MONTH, unit="D")
    reps["ramp_end"] = ramp_end.dt.normalize()
    ramping = ramp_end > start
    leaving = reps["leave_date"].notna() & (reps["leave_date"] <= end)
    reps["status"] = np.where(leaving, "leaving", np.where(ramping, "ramping", "active"))
    return reps, avail, cal_idx


class _Engine:
    """Runs the cascade in whole units and assembles the plan's frames."""

    def __init__(self, ctx: _Context, cal: _Calendars, reps: pd.DataFrame, avail: np.ndarray,
                 rep_cal: np.ndarray, weights: np.ndarray, seasonal: np.ndarray, total: int,
                 locks: list[tuple[str, str, int]], unit: float, capacity_weight: float | None = None):
        self.capacity_weight = capacity_weight
        self.ctx, self.cal, self.reps, self.avail, self.rep_cal = ctx, cal, reps, avail, rep_cal
        self.weights, self.seasonal, self.total, self.locks, self.unit = weights, seasonal, total, locks, unit
        self.R, self.C = len(ctx.regions), len(ctx.categories)
        self.region_pos = {r: i for i, r in enumerate(ctx.regions)}
        self.rep_region = np.array([self.region_pos[r] for r in reps["region_id"]], dtype=int)
        self.notes: list[dict[str, Any]] = []

    def amount(self, units: np.ndarray) -> np.ndarray:
        return from_units(np.asarray(units, dtype=np.int64), self.unit)

    # -- level 1: annual -> region (with locks) -------------------------------------------
    def region_totals(self) -> tuple[np.ndarray, np.ndarray, dict[int, int], np.ndarray]:
        """Region totals, the part of each not locked to a rep, rep locks {rep: units}, region-locked mask."""
        reps, rep_region = self.reps, self.rep_region
        rep_pos = {p: i for i, p in enumerate(reps["rep_id"])}
        region_lock = np.full(self.R, -1, dtype=np.int64)
        rep_lock: dict[int, int] = {}
        for level, ident, units in self.locks:
            if level == "region":
                if ident not in self.region_pos:
                    raise OverrideError(message("override_region_unknown", ident=repr(ident),
                                                regions=", ".join(self.ctx.regions)))
                region_lock[self.region_pos[ident]] = units
            else:
                if ident not in rep_pos:
                    raise OverrideError(message("override_rep_unknown", ident=repr(ident), year=self.ctx.year))
                if reps["availability"].iloc[rep_pos[ident]] <= 0 and units > 0:
                    raise OverrideError(message("override_rep_no_days", ident=repr(ident), year=self.ctx.year))
                rep_lock[rep_pos[ident]] = units
        locked_in = np.zeros(self.R, dtype=np.int64)
        for p, units in rep_lock.items():
            locked_in[rep_region[p]] += units
        is_locked = region_lock >= 0
        for r in np.flatnonzero(is_locked & (locked_in > region_lock)):
            raise OverrideError(message("override_region_exceeded", region=self.ctx.regions[r],
                                        locked=self.amount(locked_in[r]), lock=self.amount(region_lock[r])))
        free = self.total - int(region_lock[is_locked].sum()) - int(locked_in[~is_locked].sum())
        if free < 0:
            raise OverrideError(message("override_total_exceeded", locked=self.amount(self.total - free),
                                        total=self.amount(self.total)))
        # unlocked regions carry the rest by their weight, less the share of their locked reps
        eff = reps["weight"].to_numpy() * reps["availability"].to_numpy()
        region_eff = np.bincount(rep_region, weights=eff, minlength=self.R)
        locked_eff = np.zeros(self.R)
        for p in rep_lock:
            locked_eff[rep_region[p]] += eff[p]
        with np.errstate(divide="ignore", invalid="ignore"):
            unlocked_share = np.where(region_eff > 0, 1 - locked_eff / region_eff, 1.0)
        carry = np.where(is_locked, 0.0, self.weights.sum(axis=1) * np.clip(unlocked_share, 0, 1))
        if free > 0 and carry.sum() <= 0:
            raise OverrideError(message("override_nothing_free", free=self.amount(free)))
        spread = hamilton(np.array([free]), np.zeros(self.R, dtype=np.intp), carry, what="region weights")
        totals = np.where(is_locked, region_lock, spread + locked_in)
        return totals, totals - locked_in, rep_lock, is_locked

    def rep_weights(self, free_region: np.ndarray, is_free: np.ndarray) -> np.ndarray:
        """Each unlocked rep's weight in their region: book and capacity shares, blended."""
        reps, R = self.reps, self.R
        region = self.rep_region
        book = np.where(is_free, reps["book"].to_numpy(dtype=float), 0.0)
        cap = np.where(is_free, reps["weekly_capacity"].to_numpy(dtype=float).clip(0), 0.0)
        books = np.bincount(region, weights=book, minlength=R)
        caps = np.bincount(region, weights=cap, minlength=R)
        count = np.bincount(region, weights=is_free.astype(float), minlength=R)
        with np.errstate(divide="ignore", invalid="ignore"):
            book_share = np.where(books[region] > 0, book / books[region], 0.0)
            cap_share = np.where(caps[region] > 0, cap / caps[region], 0.0)
            if self.capacity_weight is None:
                target = free_region.astype(float) * self.unit
                keep = np.where(target > 0, np.clip(books / target, 0, 1), 1.0)
            else:
                keep = np.full(R, 1 - self.capacity_weight)
        keep = np.where(caps > 0, np.where(books > 0, keep, 0.0), 1.0)[region]
        weight = keep * book_share + (1 - keep) * cap_share
        none = (books[region] <= 0) & (caps[region] <= 0)
        return np.where(is_free, np.where(none, 1.0 / np.maximum(count[region], 1), weight), 0.0)

    # -- the cascade ------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        ctx, cal, reps = self.ctx, self.cal, self.reps
        R, C, P = self.R, self.C, len(self.reps)
        region_total, free_region, rep_lock, region_locked = self.region_totals()
        mix = _mix(self.weights)
        region_cal = np.array([cal.region_cal[r] for r in ctx.regions], dtype=int)
        month_w = self.seasonal * cal.open_share[region_cal][:, None, :]  # R x C x 12
        # free part: region -> category -> month
        free_rc = _split(free_region, mix, what="category weights")
        free_rcm = _split(free_rc, month_w, what="month weights")
        # each rep's availability per month (mean over the month's working days)
        sums = np.zeros((P, 12))
        for m in range(12):
            sums[:, m] = self.avail[:, cal.month == m].sum(axis=1)
        per_month = cal.per_month[self.rep_cal] if P else np.zeros((0, 12))
        monthly_avail = np.divide(sums, per_month, out=np.zeros_like(sums), where=per_month > 0)
        is_free = np.array([p not in rep_lock for p in range(P)], dtype=bool)
        weight = self.rep_weights(free_region, is_free)
        reps["weight"] = weight
        rep_w = weight[:, None] * monthly_avail * is_free[:, None]  # P x 12
        region_w = np.zeros((R, 12))
        np.add.at(region_w, self.rep_region, rep_w)
        needs = (region_w <= 0) & (free_rcm.sum(axis=1) > 0)  # R x 12: nobody available to carry it
        vacant = np.flatnonzero(needs.any(axis=1))
        for r in vacant:
            self.notes.append({"code": "vacant", "region_id": ctx.regions[r], "months": int(needs[r].sum())})
        # members = reps, then one vacancy per region that needs it
        member_region = np.r_[self.rep_region, vacant].astype(int)
        member_w = np.r_[rep_w, needs[vacant].astype(float)]
        member_avail = np.r_[monthly_avail, needs[vacant].astype(float)]
        J = len(member_region)
        # month -> members: rows (member, category, month), grouped by (region, category, month)
        j_idx = np.repeat(np.arange(J), C * 12)
        c_idx = np.tile(np.repeat(np.arange(C), 12), J)
        m_idx = np.tile(np.arange(12), J * C)
        group = (member_region[j_idx] * C + c_idx) * 12 + m_idx
        units = hamilton(free_rcm.ravel(), group, member_w[j_idx, m_idx], what="rep weights")
        # locked reps: lock -> category (region mix) -> month (season x their availability)
        for p, lock in sorted(rep_lock.items()):
            r = self.rep_region[p]
            cats = _split(np.array([lock]), mix[r][None, :], what="category weights")[0]
            w = month_w[r] * monthly_avail[p][None, :]
            w = np.where(w.sum(axis=1, keepdims=True) > 0, w, monthly_avail[p][None, :])
            rows = (j_idx == p)
            units[rows] = _split(cats, w, what="month weights").ravel()
        keep = (units > 0) | ((member_avail[j_idx, m_idx] > 0) & (j_idx < P))
        rm = (j_idx[keep], c_idx[keep], m_idx[keep], units[keep])
        # rep-month -> days
        day_w = np.r_[self.avail, cal.working[region_cal[vacant]].astype(float)]
        days = self._days(*rm, day_w)
        vacant_ids = [f"{VACANT_PREFIX}{ctx.regions[r]}" for r in vacant]
        return self._assemble(region_total, region_locked, rep_lock, vacant, vacant_ids, member_region, rm, days)

    def _days(self, rm_rep: np.ndarray, rm_cat: np.ndarray, rm_month: np.ndarray, rm_units: np.ndarray,
              day_w: np.ndarray) -> tuple[np.ndarray, ...]:
        """Split each positive member × category × month over the member's available days that month."""
        cal = self.cal
        rows = np.flatnonzero(rm_units > 0)
        pair_rep, pair_day = np.nonzero(day_w > 0)  # sorted by member, then day
        pair_key = pair_rep * 12 + cal.month[pair_day]
        counts = np.bincount(pair_key, minlength=day_w.shape[0] * 12)
        starts = np.cumsum(counts) - counts
        row_key = rm_rep[rows] * 12 + rm_month[rows]
        n = counts[row_key]
        if (n == 0).any():  # pragma: no cover - a month's availability > 0 guarantees a day
            raise ParameterError("Internal error: a rep has a monthly target but no working day that month.")
        group = np.repeat(np.arange(len(rows)), n)
        offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        pair = np.repeat(starts[row_key], n) + offset
        d_rep, d_day = pair_rep[pair], pair_day[pair]
        units = hamilton(rm_units[rows], group, day_w[d_rep, d_day], what="day weights")
        return d_rep, rm_cat[rows][group], d_day, units

    # -- frames -------------------------------------------------------------------------------
    def _assemble(self, region_total: np.ndarray, region_locked: np.ndarray, rep_lock: dict[int, int],
                  vacant: np.ndarray, vacant_ids: list[str], member_region: np.ndarray,
                  rm: tuple[np.ndarray, ...], days: tuple[np.ndarray, ...]) -> dict[str, Any]:
        ctx, cal, reps = self.ctx, self.cal, self.reps
        R, C = self.R, self.C
        rm_rep, rm_cat, rm_month, rm_units = rm
        d_rep, d_cat, d_day, d_units = days
        cols = ["rep_id", "name", "region_id", "hire_date", "leave_date", "weekly_capacity", "status",
                "ramp_end", "book", "book_share", "capacity_share", "weight", "availability"]
        people = reps[cols].copy()
        if len(vacant):
            vac = pd.DataFrame({
                "rep_id": vacant_ids, "name": "", "region_id": [ctx.regions[r] for r in vacant],
                "hire_date": pd.NaT, "leave_date": pd.NaT, "weekly_capacity": 0, "status": "vacant",
                "ramp_end": pd.NaT, "book": 0.0, "book_share": 0.0, "capacity_share": 0.0, "weight": 0.0,
                "availability": 0.0,
            })
            people = pd.concat([people, vac], ignore_index=True)
        for col in ("rep_id", "name", "region_id", "status"):
            people[col] = people[col].astype(str)
        people["locked"] = [i in rep_lock for i in range(len(people))]
        people["target"] = self.amount(np.bincount(rm_rep, weights=rm_units, minlength=len(people)).round())

        rep_cat = pd.Categorical.from_codes(np.arange(len(people)), categories=people["rep_id"].tolist())
        region_cat = pd.Categorical.from_codes(np.arange(R), categories=ctx.regions)
        cat_cat = pd.Categorical.from_codes(np.arange(C), categories=ctx.categories)
        months = pd.date_range(dt.date(ctx.year, 1, 1), periods=12, freq="MS")

        rcm_units = np.zeros((R, C, 12), dtype=np.int64)
        np.add.at(rcm_units, (member_region[rm_rep], rm_cat, rm_month), rm_units)
        rc_units = rcm_units.sum(axis=2)
        base = ctx.base
        rc_amount = self.amount(rc_units.ravel())
        with np.errstate(divide="ignore", invalid="ignore"):
            growth = np.where(base.ravel() > 0, rc_amount / base.ravel() - 1, np.nan)
        region_category = pd.DataFrame({
            "region_id": np.repeat(ctx.regions, C),
            "category": np.tile(ctx.categories, R),
            "last_year": base.ravel(),
            "target": rc_amount,
            "share": rc_units.ravel() / max(self.total, 1),
            "growth": growth,
        })
        monthly = pd.DataFrame({
            "region_id": np.repeat(ctx.regions, C * 12),
            "category": np.tile(np.repeat(ctx.categories, 12), R),
            "month": np.tile(months, R * C),
            "target": self.amount(rcm_units.ravel()),
            "last_year": ctx.base_month.ravel(),
            "index": self.seasonal.ravel(),
        })
        regions = pd.DataFrame({
            "region_id": ctx.regions,
            "name": [ctx.region_names[r] for r in ctx.regions],
            "last_year": base.sum(axis=1),
            "potential_share": ctx.potential,
            "weight": self.weights.sum(axis=1) / self.weights.sum(),
            "target": self.amount(region_total),
            "locked": region_locked,
        })
        rep_monthly = pd.DataFrame({
            "rep_id": rep_cat[rm_rep],
            "region_id": region_cat[member_region[rm_rep]],
            "category": cat_cat[rm_cat],
            "month": months[rm_month],
            "target": self.amount(rm_units),
        })
        daily = pd.DataFrame({
            "rep_id": rep_cat[d_rep],
            "region_id": region_cat[member_region[d_rep]],
            "category": cat_cat[d_cat],
            "date": cal.days[d_day],
            "target": self.amount(d_units),
        })
        weekly = self._weekly(d_rep, d_day, d_units, member_region, rep_cat, region_cat)
        locks = [(lv, ident, units) for lv, ident, units in self.locks]
        audit = audit_plan(total=self.total, unit=self.unit, regions=regions, region_category=region_category,
                           monthly=monthly, rep_monthly=rep_monthly, daily=daily, weekly=weekly, reps=people,
                           locks=locks)
        rep_monthly, weekly, daily = (_plain_text(f) for f in (rep_monthly, weekly, daily))
        return {
            "regions": regions, "region_category": region_category, "monthly": monthly,
            "rep_monthly": rep_monthly, "weekly": weekly, "daily": daily, "reps": people,
            "calendar": cal.frame, "audit": audit, "notes": self.notes,
        }

    def _weekly(self, d_rep: np.ndarray, d_day: np.ndarray, d_units: np.ndarray, member_region: np.ndarray,
                rep_cat: pd.Categorical, region_cat: pd.Categorical) -> pd.DataFrame:
        """Daily targets summed by rep and ISO week (a week is identified by its Monday)."""
        cal = self.cal
        n_days = len(cal.days)
        week_of_day = (np.arange(n_days) + cal.days[0].weekday()) // 7  # 0 = the week holding 1 January
        n_weeks = int(week_of_day[-1]) + 1
        key = d_rep.astype(np.int64) * n_weeks + week_of_day[d_day]
        size = (int(d_rep.max()) + 1 if len(d_rep) else 1) * n_weeks
        uniq = np.flatnonzero(np.bincount(key, minlength=size))
        sums = np.rint(np.bincount(key, weights=d_units.astype(float), minlength=size)[uniq]).astype(np.int64)
        # distinct working days per (rep, week): days of one rep are distinct across categories
        seen = np.zeros((size // n_weeks, n_days), dtype=bool)
        seen[d_rep, d_day] = True
        day_rep, day_idx = np.nonzero(seen)
        ndays = np.bincount(day_rep * n_weeks + week_of_day[day_idx], minlength=size)[uniq]
        rep = (uniq // n_weeks).astype(int)
        monday = cal.days[0] - pd.Timedelta(days=cal.days[0].weekday())
        week_start = monday + pd.to_timedelta(7 * (uniq % n_weeks), unit="D")
        iso = pd.DatetimeIndex(week_start).isocalendar()
        return pd.DataFrame({
            "rep_id": rep_cat[rep],
            "region_id": region_cat[member_region[rep]],
            "iso_year": iso["year"].to_numpy(dtype=np.int64),
            "iso_week": iso["week"].to_numpy(dtype=np.int64),
            "week_start": pd.DatetimeIndex(week_start),
            "target": self.amount(sums),
            "days": ndays.astype(np.int64),
        })


def _plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical key columns as plain text (object) columns, so callers group and merge them
    like any other text (the categoricals only serve the audit's speed)."""
    for col in frame.columns:
        values = frame[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            frame[col] = np.asarray(values.cat.categories, dtype=object)[values.cat.codes.to_numpy()]
    return frame


# --------------------------------------------------------------------------- audit


def _units_of(values: pd.Series | np.ndarray, unit: float) -> np.ndarray:
    """Amounts back to whole units (exact for the multiples a plan holds)."""
    return np.rint(np.asarray(values, dtype=float) / unit).astype(np.int64)


def _codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and sorted uniques of a key column (categoricals keep their categories)."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), pd.Index(values.cat.categories)
    codes, uniques = pd.factorize(np.asarray(values), sort=True)
    return codes, pd.Index(uniques)


def _sum_by(frame: pd.DataFrame, keys: list[str], unit: float) -> pd.Series:
    """Whole units summed by keys: a Series indexed by the keys' values (only keys present)."""
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
    """Parent totals against the sum of their children (missing on either side counts as 0)."""
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
    """Every parent-child check of a plan, recomputed from its frames.

    Returns
    -------
    DataFrame
        ``level`` (a code of :data:`AUDIT_LEVELS`), ``parent`` (the parent's key, e.g.
        ``"R007 | Sofás | 2027-03"``), ``expected`` (the parent's amount), ``actual`` (the sum
        of its children), ``ok``; amounts in currency (multiples of ``unit``), except
        ``no_negative`` which counts rows.
    """
    daily_m = daily[["rep_id", "category", "target"]].assign(
        month=daily["date"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]"))
    rep_target = pd.Series(_units_of(reps["target"], unit), index=reps["rep_id"].to_numpy())
    total_s = pd.Series([total], index=["total"])

    def whole(frame: pd.DataFrame) -> pd.Series:
        return pd.Series([int(_units_of(frame["target"], unit).sum())], index=["total"])

    parts = [
        _check("annual_regions", total_s, whole(regions)),
        _check("region_categories", _sum_by(regions, ["region_id"], unit),
               _sum_by(region_category, ["region_id"], unit)),
        _check("region_category_months", _sum_by(region_category, ["region_id", "category"], unit),
               _sum_by(monthly, ["region_id", "category"], unit)),
        _check("region_category_month_reps", _sum_by(monthly, ["region_id", "category", "month"], unit),
               _sum_by(rep_monthly, ["region_id", "category", "month"], unit)),
        _check("region_reps", _sum_by(regions, ["region_id"], unit), _sum_by(reps, ["region_id"], unit)),
        _check("rep_months", rep_target, _sum_by(rep_monthly, ["rep_id"], unit)),
        _check("rep_category_month_days", _sum_by(rep_monthly, ["rep_id", "category", "month"], unit),
               _sum_by(daily_m, ["rep_id", "category", "month"], unit)),
        _check("rep_month_days", _sum_by(rep_monthly, ["rep_id", "month"], unit),
               _sum_by(daily_m, ["rep_id", "month"], unit)),
        _check("rep_weeks", rep_target, _sum_by(weekly, ["rep_id"], unit)),
        _check("annual_days", total_s, whole(daily)),
        _check("annual_weeks", total_s, whole(weekly)),
    ]
    for level, ident, units in locks:
        frame = regions if level == "region" else reps
        key = "region_id" if level == "region" else "rep_id"
        got = _units_of(frame.loc[frame[key] == ident, "target"], unit).sum()
        parts.append(pd.DataFrame({"level": f"lock_{level}", "parent": [ident], "expected": [units],
                                   "actual": [int(got)]}))
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
