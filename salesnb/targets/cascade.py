"""The target cascade: annual target → region × category → month → rep → working day.

Every split is a largest-remainder :func:`~salesnb.targets.allocate` in whole
``unit`` (1 € by default), so each level adds up exactly to its parent and to the
annual target; :attr:`TargetPlan.audit` checks every parent against its children.

The levels, and what decides each split:

1. **Annual → region → category**, by ``method``:

   (:mod:`salesnb.targets.methods`):

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
their locked region) raise :class:`OverrideError` (:mod:`salesnb.targets.overrides`).

The inputs come from :mod:`salesnb.targets.basis` (last year's sales, seasonality,
market potential) and :mod:`salesnb.targets.availability` (working days, reps'
availability); the audit from :mod:`salesnb.targets.checks`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from salesnb import workdays
from salesnb.data import Dataset
from salesnb.errors import ParameterError
from salesnb.params import check_choice, parameter_error
from salesnb.targets.allocate import check_unit, from_units, hamilton, to_units
from salesnb.targets.availability import RepAvailability, WorkCalendars, rep_availability
from salesnb.targets.basis import SalesBasis, sales_basis, seasonal_indices
from salesnb.targets.checks import AUDIT_LEVELS, audit_plan
from salesnb.targets.methods import GROWTH_LIMITS, METHODS, category_mix, cell_weights
from salesnb.targets.overrides import Lock, OverrideError, parse_overrides, region_totals
from salesnb.targets.plan import TargetPlan

__all__ = [
    "AUDIT_LEVELS",
    "GROWTH_LIMITS",
    "METHODS",
    "VACANT_PREFIX",
    "OverrideError",
    "TargetPlan",
    "audit_plan",
    "breakdown",
    "check_growth_pct",
    "check_ramp_months",
    "check_year",
    "compare_methods",
]

#: Placeholder rep of a region nobody can carry in a month: ``VACANT-<region_id>``.
VACANT_PREFIX = "VACANT-"


# --------------------------------------------------------------------------- parameters


def check_year(year: object) -> int:
    """Return the year to plan when it is a whole year between 1900 and 2200.

    Raises
    ------
    ParameterError
        ``The 'year' parameter must be a whole year such as 2027. Got ... instead.``
    """
    if isinstance(year, bool) or not isinstance(year, int | np.integer) or not 1900 <= int(year) <= 2200:
        raise parameter_error("targets_year", value=repr(year))
    return int(year)


def _check_weight(name: str, value: object) -> float:
    """Return a blend weight between 0 and 1, both included (unlike :func:`salesnb.params.check_fraction`)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= float(value) <= 1:
        raise parameter_error("targets_fraction", name=name, value=repr(value))
    return float(value)


def check_growth_pct(growth_pct: object) -> float | None:
    """Return a growth in percent (8 for +8 %) as a float; None stays None.

    This is the targets' growth, in percent, as :func:`breakdown` and
    :func:`compare_methods` take it; the review's growth (:mod:`salesnb.review.plan`)
    is a fraction and has its own checker.

    Parameters
    ----------
    growth_pct : number or None
        Growth over last year in percent; a finite number above -100.

    Returns
    -------
    float or None

    Raises
    ------
    ParameterError
        ``The 'growth_pct' parameter must be a percentage above -100 (8 for +8 %). Got -100 instead.``
    """
    if growth_pct is None:
        return None
    if isinstance(growth_pct, bool) or not isinstance(growth_pct, int | float) \
            or not math.isfinite(float(growth_pct)) or float(growth_pct) <= -100:
        raise parameter_error("targets_growth", value=repr(growth_pct))
    return float(growth_pct)


def check_ramp_months(ramp_months: object) -> float:
    """Return the months a new hire needs to reach full quota, from 0 to 24 (fractions allowed).

    Raises
    ------
    ParameterError
        ``The 'ramp_months' parameter must be a number of months from 0 to 24. Got ... instead.``
    """
    if isinstance(ramp_months, bool) or not isinstance(ramp_months, int | float) \
            or not 0 <= float(ramp_months) <= 24:
        raise parameter_error("targets_ramp", value=repr(ramp_months))
    return float(ramp_months)


def _check_country(country: object, dataset: Dataset) -> str:
    if country is not None and not isinstance(country, str):
        raise parameter_error("targets_country_type", value=repr(country))
    return workdays.check_country(country or dataset.country or "ES")


def _annual_units(basis: SalesBasis, annual_target: object, growth_pct: float | None, unit: float) -> int:
    """Return the annual target in whole units: the one given, or last year × (1 + growth)."""
    if annual_target is None:
        if growth_pct is None:
            raise parameter_error("targets_target_or_growth")
        return to_units(max(basis.base_total, 0.0) * (1 + growth_pct / 100), unit, name="annual_target")
    return to_units(annual_target, unit, name="annual_target")


def _calendar_keys(regions: list[str], subdiv: object) -> dict[str, str | None]:
    """Return each region's holiday subdivision (None: the country's calendar alone)."""
    if subdiv is None or isinstance(subdiv, str):
        return {r: (subdiv or None) for r in regions}
    if isinstance(subdiv, Mapping):
        return {r: (subdiv.get(r) or None) for r in regions}
    raise parameter_error("targets_subdiv", value=repr(subdiv))


# --------------------------------------------------------------------------- the two entry points


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
        The plan, with its audit.

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
    year = check_year(year)
    check_choice("method", method, METHODS)
    unit = check_unit(unit)
    growth, ramp = check_growth_pct(growth_pct), check_ramp_months(ramp_months)
    potential_weight = _check_weight("potential_weight", potential_weight)
    capacity_weight = None if capacity_weight is None else _check_weight("capacity_weight", capacity_weight)
    country = _check_country(country, dataset)
    closure_days = workdays.parse_closures(closures)
    locks = parse_overrides(overrides, unit)

    basis = sales_basis(dataset, year=year, as_of=as_of)
    total = _annual_units(basis, annual_target, growth, unit)
    weights = cell_weights(basis, method, potential_weight)
    cal = WorkCalendars(year, country, _calendar_keys(basis.regions, subdiv), closure_days)
    staff = rep_availability(dataset, basis, cal, ramp=ramp)
    cascade = _Cascade(basis, cal, staff, weights, seasonal_indices(basis), total, locks, unit, capacity_weight)
    params = {
        "year": year, "annual_target": annual_target, "method": method, "growth_pct": growth,
        "ramp_months": ramp, "country": country, "subdiv": subdiv,
        "closures": [d.date().isoformat() for d in closure_days], "overrides": [list(x) for x in locks],
        "as_of": basis.as_of.date().isoformat(), "unit": unit, "potential_weight": potential_weight,
        "capacity_weight": capacity_weight,
    }
    return TargetPlan(year=year, method=method, annual_target=from_units(total, unit), unit=unit,
                      currency=dataset.currency, country=country, base_start=basis.base_start,
                      base_end=basis.as_of, params=params, **cascade.run())


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
    """Compare the first split (annual → region, or region × category) under each method.

    Uses the same rules as :func:`breakdown` (without overrides): the annual target
    goes to regions by the method's weights, then to categories by the region's mix,
    both by largest remainder, so each method's column adds up to the same total.

    Parameters
    ----------
    dataset : Dataset
        Needs orders, customers, products, reps and regions.
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

    Raises
    ------
    ParameterError
        For a bad parameter, or data without sales in the 12 months to ``as_of``.
    """
    year = check_year(year)
    check_choice("by", by, ("region", "region_category"))
    unit = check_unit(unit)
    methods = list(methods)
    for m in methods:
        check_choice("methods", m, METHODS)
    potential_weight = _check_weight("potential_weight", potential_weight)
    basis = sales_basis(dataset, year=year, as_of=as_of)
    total = _annual_units(basis, annual_target, check_growth_pct(growth_pct), unit)
    frames = [_method_frame(basis, cell_weights(basis, method, potential_weight), method, total, by=by, unit=unit)
              for method in methods]
    return pd.concat(frames, ignore_index=True)


def _method_frame(basis: SalesBasis, weights: np.ndarray, method: str, total: int, *, by: str,
                  unit: float) -> pd.DataFrame:
    """Return one method's rows of :func:`compare_methods`."""
    n_regions, n_cats = len(basis.regions), len(basis.categories)
    regions = hamilton(np.array([total]), np.zeros(n_regions, dtype=np.intp), weights.sum(axis=1),
                       what="region weights")
    if by == "region":
        frame = pd.DataFrame({"region_id": basis.regions, "last_year": basis.base.sum(axis=1),
                              "target_units": regions})
    else:
        cells = _split(regions, category_mix(weights), what="category weights")
        frame = pd.DataFrame({"region_id": np.repeat(basis.regions, n_cats),
                              "category": np.tile(basis.categories, n_regions),
                              "last_year": basis.base.ravel(), "target_units": cells.ravel()})
    frame.insert(1, "name", frame["region_id"].map(basis.region_names))
    frame.insert(3 if by == "region_category" else 2, "method", method)
    frame["target"] = from_units(frame.pop("target_units").to_numpy(), unit)
    frame["share"] = frame["target"] / from_units(total, unit) if total else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["growth"] = np.where(frame["last_year"] > 0, frame["target"] / frame["last_year"] - 1, np.nan)
    return frame


# --------------------------------------------------------------------------- the cascade in whole units


class _Cascade:
    """Run the cascade in whole units and assemble the plan's frames.

    Members are the reps, then one ``VACANT-<region>`` placeholder per region that has a
    month nobody can carry. The split of the year runs as arrays: ``rm`` holds one row
    per member × category × month (member, category, month, units) and ``days`` one row
    per member × category × working day.
    """

    def __init__(self, basis: SalesBasis, cal: WorkCalendars, staff: RepAvailability, weights: np.ndarray,
                 seasonal: np.ndarray, total: int, locks: list[Lock], unit: float,
                 capacity_weight: float | None = None):
        self.basis, self.cal, self.reps, self.avail, self.rep_cal = basis, cal, staff.reps, staff.daily, staff.calendar
        self.weights, self.seasonal, self.total, self.locks, self.unit = weights, seasonal, total, locks, unit
        self.capacity_weight = capacity_weight
        self.R, self.C = len(basis.regions), len(basis.categories)
        region_pos = {r: i for i, r in enumerate(basis.regions)}
        self.rep_region = np.array([region_pos[r] for r in self.reps["region_id"]], dtype=int)
        self.region_cal = np.array([cal.region_cal[r] for r in basis.regions], dtype=int)
        self.notes: list[dict[str, Any]] = []

    def amount(self, units: np.ndarray) -> np.ndarray:
        """Turn whole units into amounts of the plan's currency."""
        return from_units(np.asarray(units, dtype=np.int64), self.unit)

    def run(self) -> dict[str, Any]:
        """Split the year down to working days; return the plan's frames, audit and notes by attribute."""
        split = region_totals(self.locks, regions=self.basis.regions, year=self.basis.year, reps=self.reps,
                              rep_region=self.rep_region, weights=self.weights, total=self.total, unit=self.unit)
        mix = category_mix(self.weights)
        month_w = self.seasonal * self.cal.open_share[self.region_cal][:, None, :]  # R x C x 12
        # free part: region -> category -> month
        free_rcm = _split(_split(split.free, mix, what="category weights"), month_w, what="month weights")
        monthly_avail = self._monthly_availability()
        is_free = np.array([p not in split.rep_lock for p in range(len(self.reps))], dtype=bool)
        weight = self._rep_weights(split.free, is_free)
        self.reps["weight"] = weight
        rep_w = weight[:, None] * monthly_avail * is_free[:, None]  # P x 12
        vacant, needs = self._vacancies(rep_w, free_rcm)
        member_region = np.r_[self.rep_region, vacant].astype(int)
        member_w = np.r_[rep_w, needs[vacant].astype(float)]
        member_avail = np.r_[monthly_avail, needs[vacant].astype(float)]
        rows, units = self._member_months(free_rcm, member_region, member_w)
        for p, lock in sorted(split.rep_lock.items()):
            units[rows[0] == p] = self._locked_months(p, lock, mix, month_w, monthly_avail)
        j_idx, c_idx, m_idx = rows
        keep = (units > 0) | ((member_avail[j_idx, m_idx] > 0) & (j_idx < len(self.reps)))
        rm = (j_idx[keep], c_idx[keep], m_idx[keep], units[keep])
        day_w = np.r_[self.avail, self.cal.working[self.region_cal[vacant]].astype(float)]
        days = self._days(*rm, day_w)
        return self._assemble(split.totals, split.locked, split.rep_lock, vacant, member_region, rm, days)

    # -- month -> members -------------------------------------------------------------------
    def _monthly_availability(self) -> np.ndarray:
        """Each rep's availability per month (P x 12): the mean over the month's working days."""
        n_reps = len(self.reps)
        sums = np.zeros((n_reps, 12))
        for m in range(12):
            sums[:, m] = self.avail[:, self.cal.month == m].sum(axis=1)
        per_month = self.cal.per_month[self.rep_cal] if n_reps else np.zeros((0, 12))
        return np.divide(sums, per_month, out=np.zeros_like(sums), where=per_month > 0)

    def _rep_weights(self, free_region: np.ndarray, is_free: np.ndarray) -> np.ndarray:
        """Each unlocked rep's weight in their region: book and capacity shares, blended."""
        reps, n_regions, region = self.reps, self.R, self.rep_region
        book = np.where(is_free, reps["book"].to_numpy(dtype=float), 0.0)
        cap = np.where(is_free, reps["weekly_capacity"].to_numpy(dtype=float).clip(0), 0.0)
        books = np.bincount(region, weights=book, minlength=n_regions)
        caps = np.bincount(region, weights=cap, minlength=n_regions)
        count = np.bincount(region, weights=is_free.astype(float), minlength=n_regions)
        with np.errstate(divide="ignore", invalid="ignore"):
            book_share = np.where(books[region] > 0, book / books[region], 0.0)
            cap_share = np.where(caps[region] > 0, cap / caps[region], 0.0)
            if self.capacity_weight is None:
                target = free_region.astype(float) * self.unit
                keep = np.where(target > 0, np.clip(books / target, 0, 1), 1.0)
            else:
                keep = np.full(n_regions, 1 - self.capacity_weight)
        keep = np.where(caps > 0, np.where(books > 0, keep, 0.0), 1.0)[region]
        weight = keep * book_share + (1 - keep) * cap_share
        none = (books[region] <= 0) & (caps[region] <= 0)
        return np.where(is_free, np.where(none, 1.0 / np.maximum(count[region], 1), weight), 0.0)

    def _vacancies(self, rep_w: np.ndarray, free_rcm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Regions with a month nobody available can carry, and those months (R x 12); noted."""
        region_w = np.zeros((self.R, 12))
        np.add.at(region_w, self.rep_region, rep_w)
        needs = (region_w <= 0) & (free_rcm.sum(axis=1) > 0)  # R x 12: nobody available to carry it
        vacant = np.flatnonzero(needs.any(axis=1))
        for r in vacant:
            self.notes.append({"code": "vacant", "region_id": self.basis.regions[r], "months": int(needs[r].sum())})
        return vacant, needs

    def _member_months(self, free_rcm: np.ndarray, member_region: np.ndarray,
                       member_w: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
        """Split each region × category × month over the region's members: (member, category, month), units."""
        n_members, n_cats = len(member_region), self.C
        j_idx = np.repeat(np.arange(n_members), n_cats * 12)
        c_idx = np.tile(np.repeat(np.arange(n_cats), 12), n_members)
        m_idx = np.tile(np.arange(12), n_members * n_cats)
        group = (member_region[j_idx] * n_cats + c_idx) * 12 + m_idx
        units = hamilton(free_rcm.ravel(), group, member_w[j_idx, m_idx], what="rep weights")
        return (j_idx, c_idx, m_idx), units

    def _locked_months(self, p: int, lock: int, mix: np.ndarray, month_w: np.ndarray,
                       monthly_avail: np.ndarray) -> np.ndarray:
        """Split a locked rep's units by category (region mix) and month (season × their availability)."""
        r = self.rep_region[p]
        cats = _split(np.array([lock]), mix[r][None, :], what="category weights")[0]
        w = month_w[r] * monthly_avail[p][None, :]
        w = np.where(w.sum(axis=1, keepdims=True) > 0, w, monthly_avail[p][None, :])
        return _split(cats, w, what="month weights").ravel()

    # -- member-month -> days -----------------------------------------------------------------
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
            raise ParameterError.from_catalog("targets.error_internal_no_day")
        group = np.repeat(np.arange(len(rows)), n)
        offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        pair = np.repeat(starts[row_key], n) + offset
        d_rep, d_day = pair_rep[pair], pair_day[pair]
        units = hamilton(rm_units[rows], group, day_w[d_rep, d_day], what="day weights")
        return d_rep, rm_cat[rows][group], d_day, units

    # -- frames -------------------------------------------------------------------------------
    def _assemble(self, region_total: np.ndarray, region_locked: np.ndarray, rep_lock: dict[int, int],
                  vacant: np.ndarray, member_region: np.ndarray, rm: tuple[np.ndarray, ...],
                  days: tuple[np.ndarray, ...]) -> dict[str, Any]:
        """Build the plan's frames from the unit arrays, and audit them."""
        people = self._people(vacant, rep_lock, rm)
        keys = _Keys(people, self.basis, member_region)
        rcm_units = np.zeros((self.R, self.C, 12), dtype=np.int64)
        np.add.at(rcm_units, (member_region[rm[0]], rm[1], rm[2]), rm[3])
        frames = self._region_frames(rcm_units, region_total, region_locked)
        frames["rep_monthly"] = self._rep_monthly(keys, rm)
        frames["daily"] = self._daily(keys, days)
        frames["weekly"] = self._weekly(keys, days)
        frames["reps"] = people
        frames["audit"] = audit_plan(total=self.total, unit=self.unit, locks=list(self.locks), **frames)
        for name in ("rep_monthly", "weekly", "daily"):
            frames[name] = _plain_text(frames[name])
        order = ("regions", "region_category", "monthly", "rep_monthly", "weekly", "daily", "reps")
        return {**{name: frames[name] for name in order}, "calendar": self.cal.frame, "audit": frames["audit"],
                "notes": self.notes}

    def _people(self, vacant: np.ndarray, rep_lock: dict[int, int], rm: tuple[np.ndarray, ...]) -> pd.DataFrame:
        """Return the reps planned, vacancies included, with their lock flag and annual target."""
        cols = ["rep_id", "name", "region_id", "hire_date", "leave_date", "weekly_capacity", "status",
                "ramp_end", "book", "book_share", "capacity_share", "weight", "availability"]
        people = self.reps[cols].copy()
        if len(vacant):
            regions = [self.basis.regions[r] for r in vacant]
            vac = pd.DataFrame({
                "rep_id": [f"{VACANT_PREFIX}{r}" for r in regions], "name": "", "region_id": regions,
                "hire_date": pd.NaT, "leave_date": pd.NaT, "weekly_capacity": 0, "status": "vacant",
                "ramp_end": pd.NaT, "book": 0.0, "book_share": 0.0, "capacity_share": 0.0, "weight": 0.0,
                "availability": 0.0,
            })
            people = pd.concat([people, vac], ignore_index=True)
        for col in ("rep_id", "name", "region_id", "status"):
            people[col] = people[col].astype(str)
        people["locked"] = [i in rep_lock for i in range(len(people))]
        rm_rep, _, _, rm_units = rm
        people["target"] = self.amount(np.bincount(rm_rep, weights=rm_units, minlength=len(people)).round())
        return people

    def _region_frames(self, rcm_units: np.ndarray, region_total: np.ndarray,
                       region_locked: np.ndarray) -> dict[str, pd.DataFrame]:
        """``regions``, ``region_category`` and ``monthly`` from the region × category × month units."""
        basis, n_regions, n_cats = self.basis, self.R, self.C
        rc_units = rcm_units.sum(axis=2)
        base = basis.base
        rc_amount = self.amount(rc_units.ravel())
        with np.errstate(divide="ignore", invalid="ignore"):
            growth = np.where(base.ravel() > 0, rc_amount / base.ravel() - 1, np.nan)
        months = pd.date_range(dt.date(basis.year, 1, 1), periods=12, freq="MS")
        region_category = pd.DataFrame({
            "region_id": np.repeat(basis.regions, n_cats), "category": np.tile(basis.categories, n_regions),
            "last_year": base.ravel(), "target": rc_amount, "share": rc_units.ravel() / max(self.total, 1),
            "growth": growth,
        })
        monthly = pd.DataFrame({
            "region_id": np.repeat(basis.regions, n_cats * 12),
            "category": np.tile(np.repeat(basis.categories, 12), n_regions),
            "month": np.tile(months, n_regions * n_cats), "target": self.amount(rcm_units.ravel()),
            "last_year": basis.base_month.ravel(), "index": self.seasonal.ravel(),
        })
        regions = pd.DataFrame({
            "region_id": basis.regions, "name": [basis.region_names[r] for r in basis.regions],
            "last_year": base.sum(axis=1), "potential_share": basis.potential,
            "weight": self.weights.sum(axis=1) / self.weights.sum(), "target": self.amount(region_total),
            "locked": region_locked,
        })
        return {"regions": regions, "region_category": region_category, "monthly": monthly}

    def _rep_monthly(self, keys: _Keys, rm: tuple[np.ndarray, ...]) -> pd.DataFrame:
        """``rep_monthly``: one row per member × category × month kept."""
        rm_rep, rm_cat, rm_month, rm_units = rm
        months = pd.date_range(dt.date(self.basis.year, 1, 1), periods=12, freq="MS")
        return pd.DataFrame({"rep_id": keys.rep[rm_rep], "region_id": keys.region_of(rm_rep),
                             "category": keys.category[rm_cat], "month": months[rm_month],
                             "target": self.amount(rm_units)})

    def _daily(self, keys: _Keys, days: tuple[np.ndarray, ...]) -> pd.DataFrame:
        """``daily``: one row per member × category × working day."""
        d_rep, d_cat, d_day, d_units = days
        return pd.DataFrame({"rep_id": keys.rep[d_rep], "region_id": keys.region_of(d_rep),
                             "category": keys.category[d_cat], "date": self.cal.days[d_day],
                             "target": self.amount(d_units)})

    def _weekly(self, keys: _Keys, days: tuple[np.ndarray, ...]) -> pd.DataFrame:
        """Daily targets summed by rep and ISO week (a week is identified by its Monday)."""
        d_rep, _, d_day, d_units = days
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
            "rep_id": keys.rep[rep], "region_id": keys.region_of(rep),
            "iso_year": iso["year"].to_numpy(dtype=np.int64), "iso_week": iso["week"].to_numpy(dtype=np.int64),
            "week_start": pd.DatetimeIndex(week_start), "target": self.amount(sums),
            "days": ndays.astype(np.int64),
        })


class _Keys:
    """Categorical key columns of the plan's long frames (fast to build and to audit)."""

    def __init__(self, people: pd.DataFrame, basis: SalesBasis, member_region: np.ndarray):
        self.rep = pd.Categorical.from_codes(np.arange(len(people)), categories=people["rep_id"].tolist())
        self.region = pd.Categorical.from_codes(np.arange(len(basis.regions)), categories=basis.regions)
        self.category = pd.Categorical.from_codes(np.arange(len(basis.categories)), categories=basis.categories)
        self.member_region = member_region

    def region_of(self, member: np.ndarray) -> pd.Categorical:
        """Return the region of each member position."""
        return self.region[self.member_region[member]]


def _plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn categorical key columns into plain text (object) columns.

    Callers then group and merge them like any other text (the categoricals only
    serve the audit's speed).
    """
    for col in frame.columns:
        values = frame[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            frame[col] = np.asarray(values.cat.categories, dtype=object)[values.cat.codes.to_numpy()]
    return frame
