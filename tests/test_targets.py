"""The target cascade: exact reconciliation, ramps, leavers, holidays, closures, overrides, export."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import write_tables
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesnb.data import Dataset, load
from salesnb.errors import ParameterError
from salesnb.targets import AUDIT_LEVELS, METHODS, OverrideError, allocate, breakdown, compare_methods
from salesnb.targets.allocate import hamilton

# --------------------------------------------------------------------------- a small company

SEASON = np.array([0.7, 0.8, 1.0, 1.1, 1.2, 1.3, 1.1, 0.5, 1.0, 1.1, 1.1, 1.1])


def company_tables() -> dict[str, pd.DataFrame]:
    """Two regions (N with two provinces, S with one), five reps, two categories, 2025-2026 orders.

    * R01, R03 tenured in N; R03 leaves on 2027-06-30.
    * R02 joins N on 2027-03-01 (a new hire, no book).
    * R04 is the only rep of S and leaves on 2027-09-30 (S is vacant afterwards).
    """
    regions = pd.DataFrame({
        "region_id": ["N", "N1", "N2", "S", "S1"],
        "name": ["Norte", "Norte Uno", "Norte Dos", "Sur", "Sur Uno"],
        "parent_id": ["", "N", "N", "", "S"],
        "level": ["region", "province", "province", "region", "province"],
        "population": [3000000, 1000000, 2000000, 1000000, 1000000],
        "gdp_per_capita": [30000, 29000, 30500, 20000, 20000],
        "households": [1200000, 400000, 800000, 400000, 400000],
    })
    reps = pd.DataFrame({
        "rep_id": ["R01", "R02", "R03", "R04"],
        "name": ["Ana", "=HYPERLINK(\"http://x\")", "Carla", "Diego"],
        "region_id": ["N", "N", "N", "S"],
        "hire_date": ["2015-01-01", "2027-03-01", "2016-01-01", "2018-01-01"],
        "leave_date": ["", "", "2027-06-30", "2027-09-30"],
        "weekly_capacity": [40, 30, 30, 35],
    })
    customers = pd.DataFrame({
        "customer_id": ["C1", "C2", "C3", "C4", "C5"],
        "name": ["Uno", "Dos", "Tres", "Cuatro", "Cinco"],
        "channel": ["store", "distributor", "mall", "store", "franchise"],
        "region_id": ["N1", "N2", "N1", "S1", "S1"],
        "rep_id": ["R01", "R01", "R03", "R04", "R04"],
        "created_date": ["2020-01-01"] * 5,
    })
    products = pd.DataFrame({
        "product_id": ["P1", "P2"], "name": ["Sofa", "Chair"], "category": ["Sofas", "Office"],
        "unit_price": [500.0, 100.0], "unit_cost": [300.0, 60.0], "launch_date": ["2020-01-01"] * 2,
    })
    size = {"C1": 6, "C2": 4, "C3": 3, "C4": 2, "C5": 1}
    owner = dict(zip(customers["customer_id"], customers["rep_id"], strict=True))
    rows = []
    n = 0
    for month in pd.date_range("2025-01-01", "2026-12-01", freq="MS"):
        growth = 1.1 if month.year == 2026 else 1.0
        for cust, k in size.items():
            for pid, price in (("P1", 500.0), ("P2", 100.0)):
                n += 1
                qty = max(1, round(k * SEASON[month.month - 1] * growth * (2 if pid == "P2" else 1)))
                rows.append([f"O{n:05d}", 1, (month + pd.Timedelta(days=25)).date().isoformat(), cust,
                             owner[cust], pid, qty, price, 0.0, qty * price])
    orders = pd.DataFrame(rows, columns=["order_id", "line_no", "order_date", "customer_id", "rep_id",
                                         "product_id", "quantity", "unit_price", "discount", "net_amount"])
    return {"regions": regions, "reps": reps, "customers": customers, "products": products, "orders": orders}


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    path = write_tables(company_tables(), tmp_path_factory.mktemp("company") / "co",
                        meta='name = "Co"\ncurrency = "EUR"\ncountry = "ES"\n')
    return load(path)


@pytest.fixture(scope="module")
def plan(company: Dataset):
    return breakdown(company, year=2027, annual_target=1_000_000, method="last_year_share")


def units(values: pd.Series, unit: float = 1) -> np.ndarray:
    return np.rint(values.to_numpy(dtype=float) / unit).astype(np.int64)


# --------------------------------------------------------------------------- allocate


def test_allocate_examples() -> None:
    assert allocate(100, [1, 1, 1]).tolist() == [34, 33, 33]
    assert allocate(10, [0.5, 0.3, 0.2, 0]).tolist() == [5, 3, 2, 0]
    assert allocate(2, [1, 1, 1]).tolist() == [1, 1, 0]  # ties: the earlier position wins
    assert allocate(7, [0, 3, 0, 1]).tolist() == [0, 5, 0, 2]  # zero weights get zero
    assert allocate(10.6, [1, 1]).tolist() == [6, 5]  # the total is rounded to the unit first
    assert allocate(1000, [1, 2], unit=100).tolist() == [300, 700]
    assert allocate(0, [0, 0]).tolist() == [0, 0]
    assert allocate(100, [1, 1, 1]).dtype == np.int64


def test_allocate_cents_are_exact() -> None:
    parts = allocate(100.01, [1, 1, 1], unit=0.01)
    assert parts.tolist() == [33.34, 33.34, 33.33]
    assert parts.dtype == np.float64
    assert int(np.rint(parts * 100).sum()) == 10001
    assert allocate(0.3, [1, 2], unit=0.01).tolist() == [0.1, 0.2]


def test_allocate_keeps_a_series_index() -> None:
    parts = allocate(10, pd.Series([1.0, 3.0], index=["a", "b"], name="w"))
    assert parts.to_dict() == {"a": 3, "b": 7} and parts.name == "w"


def test_allocate_all_zero_weights() -> None:
    with pytest.raises(ParameterError, match="on_zero='equal'"):
        allocate(10, [0, 0, 0])
    assert allocate(10, [0, 0, 0], on_zero="equal").tolist() == [4, 3, 3]
    with pytest.raises(ParameterError, match="on_zero"):
        allocate(10, [1], on_zero="zero")


@pytest.mark.parametrize(("total", "weights", "unit", "match"), [
    (10, [1, -1], 1, "negative"),
    (10, [1, float("nan")], 1, "finite"),
    (-5, [1, 1], 1, "negative"),
    (float("inf"), [1], 1, "finite"),
    ("10", [1], 1, "number"),
    (10, [], 1, "no weights"),
    (10, [[1, 2]], 1, "one-dimensional"),
    (10, [1], 0, "unit"),
    (10, [1], -0.01, "unit"),
])
def test_allocate_rejects_bad_input(total: object, weights: list, unit: float, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        allocate(total, weights, unit=unit)


weights_st = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
                      | st.integers(0, 1000).map(float), min_size=1, max_size=30)


@given(total=st.integers(0, 10**10), weights=weights_st, unit=st.sampled_from([1, 0.01, 5, 1000]))
@settings(max_examples=300, deadline=None)
def test_allocate_properties(total: int, weights: list[float], unit: float) -> None:
    if sum(weights) == 0:
        weights = [*weights[:-1], 1.0]
    amount = total * unit if unit >= 1 else total / 100
    parts = allocate(amount, weights, unit=unit)
    got = np.rint(np.asarray(parts, dtype=float) / unit).astype(np.int64)
    assert got.sum() == total  # adds up exactly, in units
    assert (got >= 0).all()
    assert all(g == 0 for g, w in zip(got, weights, strict=True) if w == 0)
    wsum = sum(Fraction(w) for w in weights)
    for g, w in zip(got, weights, strict=True):  # within one unit of the exact share
        assert abs(g - Fraction(total) * Fraction(w) / wsum) < 1
    assert np.array_equal(np.asarray(parts), np.asarray(allocate(amount, weights, unit=unit)))  # deterministic


@st.composite
def hierarchies(draw: st.DrawFn) -> tuple[int, list]:
    """A random tree of weights, three levels deep."""
    total = draw(st.integers(0, 10**9))
    tree = draw(st.lists(st.tuples(st.floats(0.01, 100), st.lists(
        st.tuples(st.floats(0.01, 100), st.lists(st.floats(0, 100), min_size=1, max_size=8)),
        min_size=1, max_size=5)), min_size=1, max_size=6))
    return total, tree


@pytest.mark.slow
@given(hierarchies())
@settings(max_examples=100, deadline=None)
def test_random_hierarchy_reconciles_at_every_level(case: tuple[int, list]) -> None:
    total, tree = case

    def split(amount: int, weights: list[float]) -> np.ndarray:
        parts = allocate(amount, weights)
        assert parts.sum() == amount and (parts >= 0).all()  # adds up exactly, never negative
        wsum = sum(Fraction(w) for w in weights)
        for part, w in zip(parts, weights, strict=True):  # within one unit of the exact share
            assert abs(part - Fraction(amount) * Fraction(w) / wsum) < 1
        assert np.array_equal(parts, allocate(amount, weights))  # deterministic
        return parts

    top = split(total, [w for w, _ in tree])
    leaves_total = 0
    for amount, (_, children) in zip(top, tree, strict=True):
        mid = split(int(amount), [w for w, _ in children])
        for sub, (_, leaves) in zip(mid, children, strict=True):
            low = split(int(sub), leaves if sum(leaves) > 0 else [1.0] * len(leaves))
            leaves_total += int(low.sum())
    assert leaves_total == total  # the bottom level adds up to the top


@given(st.lists(st.tuples(st.integers(0, 10**7), st.lists(st.floats(0, 1e3), min_size=1, max_size=12)),
                min_size=1, max_size=40))
@settings(max_examples=100, deadline=None)
def test_grouped_engine_matches_one_by_one(groups: list) -> None:
    groups = [(t, w if sum(w) > 0 else [1.0] * len(w)) for t, w in groups]
    totals = np.array([t for t, _ in groups])
    group = np.concatenate([np.full(len(w), i) for i, (_, w) in enumerate(groups)])
    weights = np.concatenate([w for _, w in groups])
    together = hamilton(totals, group, weights)
    alone = np.concatenate([allocate(t, w) for t, w in groups])
    assert np.array_equal(together, alone)


# --------------------------------------------------------------------------- the cascade


def test_every_level_adds_up_to_the_annual_target(plan) -> None:
    assert plan.annual_target == 1_000_000
    assert plan.ok, plan.audit.loc[~plan.audit["ok"]]
    for frame in (plan.regions, plan.region_category, plan.monthly, plan.rep_monthly, plan.weekly, plan.daily,
                  plan.reps):
        assert frame["target"].sum() == 1_000_000
        assert (frame["target"] >= 0).all()
    levels = set(plan.audit["level"])
    assert {"annual_regions", "region_categories", "region_category_months", "region_category_month_reps",
            "rep_category_month_days", "rep_month_days", "rep_weeks", "annual_days", "no_negative"} <= levels
    assert levels <= set(AUDIT_LEVELS)
    assert list(plan.audit.columns) == ["level", "parent", "expected", "actual", "ok"]


def test_plan_frames_have_documented_columns(plan) -> None:
    assert list(plan.daily.columns) == ["rep_id", "region_id", "category", "date", "target"]
    assert list(plan.weekly.columns) == ["rep_id", "region_id", "iso_year", "iso_week", "week_start", "target",
                                         "days"]
    assert list(plan.rep_monthly.columns) == ["rep_id", "region_id", "category", "month", "target"]
    assert {"region_id", "category", "month", "target", "last_year", "index"} <= set(plan.monthly.columns)
    assert plan.base_start == pd.Timestamp("2026-01-01") and plan.base_end == pd.Timestamp("2026-12-31")


def test_last_year_share_follows_last_year(plan, company: Dataset) -> None:
    rc = plan.region_category
    share = rc["last_year"] / rc["last_year"].sum()
    assert np.abs(rc["target"] - share * 1_000_000).max() < 1


def test_no_target_on_holidays_weekends_or_after_leaving(plan) -> None:
    days = plan.daily["date"]
    assert not days.isin(pd.to_datetime(["2027-01-01", "2027-01-06", "2027-03-26", "2027-12-08"])).any()
    assert (days.dt.weekday < 5).all()
    carla = plan.daily.loc[plan.daily["rep_id"] == "R03", "date"]
    assert carla.max() <= pd.Timestamp("2027-06-30") and carla.min() == pd.Timestamp("2027-01-04")
    months = plan.rep_monthly.loc[(plan.rep_monthly["rep_id"] == "R03") & (plan.rep_monthly["target"] > 0)]
    assert months["month"].max() == pd.Timestamp("2027-06-01")


def test_new_hire_ramps_up(plan, company: Dataset) -> None:
    new = plan.daily.loc[plan.daily["rep_id"] == "R02"].groupby("date")["target"].sum()
    assert new.index.min() >= pd.Timestamp("2027-03-01")
    march, july = new.loc["2027-03"], new.loc["2027-07"]
    assert march.iloc[0] < march.iloc[-1] < july.mean()  # rising through the ramp
    assert march.iloc[0] < 0.1 * july.mean()
    rep = plan.reps.set_index("rep_id").loc["R02"]
    assert rep["status"] == "ramping" and rep["ramp_end"] == pd.Timestamp("2027-05-31")
    no_ramp = breakdown(company, year=2027, annual_target=1_000_000, ramp_months=0)
    flat = no_ramp.daily.loc[no_ramp.daily["rep_id"] == "R02"].groupby("date")["target"].sum()
    assert flat.loc["2027-03"].sum() > march.sum()
    assert no_ramp.ok


def test_leaver_hands_over_to_the_region(plan) -> None:
    per_month = plan.rep_monthly.astype({"region_id": str}).groupby(["region_id", "month"])["target"].sum()
    region = plan.monthly.groupby(["region_id", "month"])["target"].sum()
    assert per_month.to_dict() == region.to_dict()
    north = plan.rep_monthly.loc[plan.rep_monthly["region_id"] == "N"]
    assert set(north.loc[(north["month"] >= "2027-07-01") & (north["target"] > 0), "rep_id"]) == {"R01", "R02"}
    leaver = plan.reps.set_index("rep_id").loc["R03"]
    assert leaver["status"] == "leaving"


def test_region_without_reps_goes_to_a_vacancy(plan) -> None:
    vacancy = plan.reps.loc[plan.reps["status"] == "vacant"]
    assert vacancy["rep_id"].tolist() == ["VACANT-S"]
    rows = plan.rep_monthly.loc[(plan.rep_monthly["rep_id"] == "VACANT-S") & (plan.rep_monthly["target"] > 0)]
    assert rows["month"].min() == pd.Timestamp("2027-10-01")
    assert {"code": "vacant", "region_id": "S", "months": 3} in plan.notes
    diego = plan.daily.loc[plan.daily["rep_id"] == "R04", "date"]
    assert diego.max() <= pd.Timestamp("2027-09-30")


def test_weeks_straddling_months_sum_their_days(plan) -> None:
    week = plan.weekly.loc[(plan.weekly["rep_id"] == "R01") & (plan.weekly["week_start"] == "2027-03-29")]
    days = plan.daily.loc[(plan.daily["rep_id"] == "R01") & plan.daily["date"].between("2027-03-29", "2027-04-04")]
    assert days["date"].dt.month.nunique() == 2
    assert week["target"].item() == days["target"].sum()
    assert (week["iso_year"].item(), week["iso_week"].item()) == (2027, 13)
    assert week["days"].item() == days["date"].nunique()


def test_closures_take_days_out_and_shrink_their_month(company: Dataset, plan) -> None:
    closed = breakdown(company, year=2027, annual_target=1_000_000, closures=["2027-08-02/2027-08-13", "2027-12-24"])
    assert closed.ok
    days = closed.daily["date"]
    assert not days.between("2027-08-02", "2027-08-13").any() and not (days == "2027-12-24").any()
    aug = lambda p: p.monthly.loc[p.monthly["month"] == "2027-08-01", "target"].sum()  # noqa: E731
    assert aug(closed) < 0.6 * aug(plan)
    assert closed.daily["target"].sum() == 1_000_000


def test_growth_sets_the_target_when_none_is_given(company: Dataset) -> None:
    p = breakdown(company, year=2027, growth_pct=8)
    last = company.orders.loc[company.orders["order_date"].dt.year == 2026, "net_amount"].sum()
    assert p.annual_target == round(last * 1.08)
    with pytest.raises(ParameterError, match="growth_pct"):
        breakdown(company, year=2027)


@pytest.mark.parametrize("method", METHODS)
def test_each_method_reconciles(company: Dataset, method: str) -> None:
    p = breakdown(company, year=2027, annual_target=777_777, method=method)
    assert p.ok and p.daily["target"].sum() == 777_777 and p.method == method


def test_compare_methods_side_by_side(company: Dataset) -> None:
    cmp = compare_methods(company, year=2027, annual_target=500_000)
    assert list(cmp.columns) == ["region_id", "name", "method", "last_year", "target", "share", "growth"]
    assert cmp.groupby("method")["target"].sum().tolist() == [500_000] * 3
    wide = cmp.pivot(index="region_id", columns="method", values="target")
    assert wide.loc["S", "potential_blend"] != wide.loc["S", "last_year_share"]
    cells = compare_methods(company, year=2027, annual_target=500_000, by="region_category", methods=["growth"])
    assert "category" in cells and cells["target"].sum() == 500_000


def test_cents(company: Dataset) -> None:
    p = breakdown(company, year=2027, annual_target=123_456.78, unit=0.01)
    assert p.ok and p.annual_target == 123_456.78
    cents = p.daily["target"].to_numpy() * 100
    assert np.allclose(cents, np.rint(cents))
    assert units(p.daily["target"], 0.01).sum() == 12_345_678


def test_deterministic(company: Dataset, plan) -> None:
    again = breakdown(company, year=2027, annual_target=1_000_000, method="last_year_share")
    pd.testing.assert_frame_equal(plan.daily, again.daily)
    pd.testing.assert_frame_equal(plan.audit, again.audit)


def test_subdivision_holidays_per_region(company: Dataset) -> None:
    p = breakdown(company, year=2027, annual_target=100_000, subdiv={"N": "MD"})
    north = p.daily.loc[p.daily["region_id"] == "N", "date"]
    south = p.daily.loc[p.daily["region_id"] == "S", "date"]
    assert not (north == "2027-05-03").any() and (south == "2027-05-03").any()
    assert p.ok


def test_bad_parameters(company: Dataset) -> None:
    with pytest.raises(ParameterError, match="'method'"):
        breakdown(company, year=2027, annual_target=1, method="magic")
    with pytest.raises(ParameterError, match="'year'"):
        breakdown(company, year="2027", annual_target=1)
    with pytest.raises(ParameterError, match="'ramp_months'"):
        breakdown(company, year=2027, annual_target=1, ramp_months=-1)
    with pytest.raises(ParameterError, match="'annual_target'"):
        breakdown(company, year=2027, annual_target=-1)
    with pytest.raises(ParameterError, match="holiday calendar"):
        breakdown(company, year=2027, annual_target=1, country="XX")
    with pytest.raises(ParameterError, match="no working day"):
        breakdown(company, year=2027, annual_target=1, closures=["2027-01-01/2027-12-31"])
    with pytest.raises(ParameterError, match="as_of"):
        breakdown(company, year=2027, annual_target=1, as_of="2010-01-01")



def test_public_checkers_of_the_targets_domain() -> None:
    from salesnb import i18n
    from salesnb.targets import check_growth_pct
    from salesnb.targets.allocate import check_unit

    assert check_growth_pct(None) is None and check_growth_pct(8) == 8.0
    assert check_unit(np.float64(0.01)) == 0.01
    for bad in (-100, True, float("nan"), "8"):
        with pytest.raises(ParameterError, match="'growth_pct' parameter must be a percentage above -100"):
            check_growth_pct(bad)
    with pytest.raises(ParameterError, match="'unit' parameter must be a positive number"):
        check_unit(0)
    i18n.set_language("es")
    try:
        with pytest.raises(ParameterError, match=r"^Todos los pesos"):
            allocate(10, [0, 0])
    finally:
        i18n.set_language("en")


def test_views_kinds_is_a_copy_of_the_constant() -> None:
    from salesnb.targets import views

    kinds = views.kinds()
    assert kinds == views.KINDS and kinds is not views.KINDS


# --------------------------------------------------------------------------- hold and override


def test_rep_and_region_locks_are_exact_and_the_rest_respreads(company: Dataset, plan) -> None:
    locked = breakdown(company, year=2027, annual_target=1_000_000, overrides={"rep:R01": 250_000,
                                                                               "region:S": 300_000})
    assert locked.ok, locked.audit.loc[~locked.audit["ok"]]
    reps = locked.reps.set_index("rep_id")["target"]
    regions = locked.regions.set_index("region_id")["target"]
    assert reps["R01"] == 250_000 and regions["S"] == 300_000
    assert regions.sum() == 1_000_000 and locked.daily["target"].sum() == 1_000_000
    assert locked.daily.loc[locked.daily["rep_id"] == "R01", "target"].sum() == 250_000
    before = plan.reps.set_index("rep_id")["target"]
    assert reps["R03"] != before["R03"]  # the rest of the north re-spread
    assert set(locked.audit["level"]) >= {"lock_rep", "lock_region"}
    frame = pd.DataFrame({"level": ["rep"], "id": ["R01"], "target": [250_000]})
    assert breakdown(company, year=2027, annual_target=1_000_000, overrides=frame).reps.set_index(
        "rep_id").loc["R01", "target"] == 250_000


def test_rep_lock_does_not_change_other_regions_shares_of_the_rest(company: Dataset) -> None:
    locked = breakdown(company, year=2027, annual_target=1_000_000, overrides={"rep:R01": 0})
    assert locked.ok and locked.reps.set_index("rep_id").loc["R01", "target"] == 0
    assert locked.daily.loc[locked.daily["rep_id"] == "R01", "target"].sum() == 0


def test_locks_exceeding_the_total_raise(company: Dataset) -> None:
    with pytest.raises(OverrideError, match="more than the annual target"):
        breakdown(company, year=2027, annual_target=100_000, overrides={"rep:R01": 60_000, "region:S": 50_000})
    with pytest.raises(OverrideError, match="more than the region's own lock"):
        breakdown(company, year=2027, annual_target=100_000, overrides={"rep:R01": 60_000, "region:N": 50_000})
    with pytest.raises(OverrideError, match="every region or rep"):
        breakdown(company, year=2027, annual_target=100_000, overrides={"region:N": 10, "region:S": 10})
    assert issubclass(OverrideError, ParameterError)


@pytest.mark.parametrize(("overrides", "match"), [
    ({"rep:R99": 1}, "R99"),
    ({"region:X": 1}, "'X'"),
    ({"team:N": 1}, "overrides level"),
    ({"R01": 1}, "rep:<rep_id>"),
    ({"rep:R01": -1}, "must not be negative"),
    ([("rep:R01", 1)], "dict"),
])
def test_bad_overrides(company: Dataset, overrides: object, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        breakdown(company, year=2027, annual_target=100_000, overrides=overrides)


# --------------------------------------------------------------------------- properties of whole plans


@given(target=st.integers(0, 5 * 10**7), method=st.sampled_from(METHODS), unit=st.sampled_from([1, 0.01, 100]),
       ramp=st.integers(0, 6), lock=st.none() | st.integers(0, 10**5))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_plan_reconciles_exactly(company: Dataset, target: int, method: str, unit: float, ramp: int,
                                     lock: int | None) -> None:
    amount = target * unit if unit >= 1 else target / 100
    overrides = {"rep:R03": lock * unit} if lock is not None and lock * unit <= amount else None
    p = breakdown(company, year=2027, annual_target=amount, method=method, unit=unit, ramp_months=ramp,
                  overrides=overrides)
    assert p.ok, p.audit.loc[~p.audit["ok"]]
    assert units(p.daily["target"], unit).sum() == target
    assert units(p.weekly["target"], unit).sum() == target
    for frame in (p.regions, p.region_category, p.monthly, p.rep_monthly, p.weekly, p.daily):
        assert (frame["target"] >= 0).all()
    if overrides is None:  # each region is within one unit of its exact share of the total
        exact = target * p.regions["weight"].to_numpy()
        assert np.abs(units(p.regions["target"], unit) - exact).max() < 1 + 1e-6


# --------------------------------------------------------------------------- export


def test_xlsx_export_reads_back_with_correct_sums(plan, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from salesnb.targets import to_xlsx

    path = to_xlsx(plan, tmp_path / "targets.xlsx")
    book = pd.read_excel(path, sheet_name=None)
    summary = book["Summary"]
    assert summary["target"].sum() == 1_000_000
    for rep_id, target in plan.reps.set_index("rep_id")["target"].items():
        if target == 0:
            continue
        sheet = book[rep_id]
        for level in ("month", "week", "day"):
            assert sheet.loc[sheet["level"] == level, "target"].sum() == target, (rep_id, level)
    cells = [c.value for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row]
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)  # no formula gets in


def test_xlsx_guards_formulas_and_names_sheets(plan, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from salesnb.targets import to_xlsx

    book = load_workbook(to_xlsx(plan, tmp_path / "t.xlsx"))
    assert book.sheetnames[0] == "Summary" and "R01" in book.sheetnames
    names = [row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in names
    with pytest.raises(ParameterError, match=r"\.xlsx"):
        to_xlsx(plan, tmp_path / "t.csv")


# --------------------------------------------------------------------------- forecasts: bottom-up, feasibility


def fake_forecast(plan, *, scale: dict[str, float], sigma: float = 100.0) -> pd.DataFrame:
    """Monthly forecasts equal to ``scale`` x the plan's monthly target, with normal intervals of ``sigma``."""
    rows = []
    months = pd.date_range(f"{plan.year}-01-01", periods=12, freq="MS")
    per_region = plan.monthly.groupby(["region_id", "month"])["target"].sum()
    per_rep = plan.rep_monthly.astype({"rep_id": str}).groupby(["rep_id", "month"])["target"].sum()
    for sid, factor in scale.items():
        level, ident = sid.split(":")
        source = per_region if level == "region" else per_rep
        for m in months:
            y = float(source.get((ident, m), 0.0)) * factor
            rows.append((sid, m, y, y - 1.2815515655446004 * sigma, y + 1.2815515655446004 * sigma,
                         y - 1.959963984540054 * sigma, y + 1.959963984540054 * sigma))
    return pd.DataFrame(rows, columns=["series_id", "ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95",
                                       "yhat_hi_95"])


def test_feasibility_reads_the_intervals_as_a_normal(plan) -> None:
    from salesnb.targets import feasibility

    fc = fake_forecast(plan, scale={"region:N": 1.0, "region:S": 1.0})
    fc.loc[fc["series_id"] == "region:S", "yhat"] += 1.2815515655446004 * 100  # target at the 10 % quantile
    feas = feasibility(plan, fc)
    assert list(feas.columns) == ["region_id", "name", "month", "target", "yhat", "sigma", "p_meet"]
    assert len(feas) == 24 and np.allclose(feas["sigma"], 100)
    assert np.allclose(feas.loc[feas["region_id"] == "N", "p_meet"], 0.5)
    assert np.allclose(feas.loc[feas["region_id"] == "S", "p_meet"], 0.9)
    assert feasibility(plan, fc.iloc[0:0]).empty


def test_bottom_up_flags_unrealistic_and_stretch_targets(plan) -> None:
    from salesnb.targets import bottom_up

    fc = fake_forecast(plan, scale={"region:N": 0.5, "region:S": 0.99, "rep:R01": 1.2}, sigma=1.0)
    checked = bottom_up(plan, fc, max_growth=100).set_index(["level", "id"])  # forecast flags only
    assert checked.loc[("region", "N"), "flag"] == "unrealistic"  # double the forecast
    assert checked.loc[("region", "S"), "flag"] in {"stretch", "unrealistic"}
    assert checked.loc[("rep", "R01"), "flag"] == "ok"
    assert checked.loc[("rep", "R02"), "flag"] == "no_forecast"
    assert checked.loc[("region", "N"), "forecast"] == pytest.approx(
        plan.regions.set_index("region_id").loc["N", "target"] * 0.5)
    strict = bottom_up(plan, fc).set_index(["level", "id"])  # 1,000,000 is far above last year's sales
    assert strict.loc[("rep", "R01"), "flag"] == "unrealistic"
    assert strict.loc[("rep", "R01"), "growth"] > 0.3
    with pytest.raises(ParameterError, match="max_growth"):
        bottom_up(plan, fc, max_growth=0)


def test_history_series_for_regions_and_held_books(company: Dataset, plan) -> None:
    from salesnb.targets import history_series

    series = history_series(company, plan)
    assert list(series.columns) == ["series_id", "ds", "y"]
    assert set(series["series_id"]) == {"region:N", "region:S", "rep:R01", "rep:R03", "rep:R04"}
    assert series["ds"].max() == pd.Timestamp("2026-12-01") and series.groupby("series_id").size().eq(24).all()
    total = company.orders["net_amount"].sum()
    assert series.loc[series["series_id"].str.startswith("region:"), "y"].sum() == pytest.approx(total)
    assert history_series(company, plan, min_months=25).empty


# --------------------------------------------------------------------------- what the notebook shows


@pytest.mark.parametrize("lang", ["en", "es"])
def test_views_are_translated_and_labelled(plan, company: Dataset, lang: str) -> None:
    from salesnb import display, i18n
    from salesnb.targets import views

    i18n.set_language(lang)
    try:
        fc = fake_forecast(plan, scale={"region:N": 1.0, "region:S": 1.2, "rep:R01": 1.0})
        from salesnb.targets import bottom_up, feasibility

        feas = feasibility(plan, fc)
        cards = views.headline(plan, feasibility=feas)
        assert len(cards) == 6 and all(isinstance(x, str) for card in cards for x in card)
        labels = display.labels("targets")
        tables = [views.method_table(compare_methods(company, year=2027, annual_target=1_000_000)),
                  views.region_table(plan), views.rep_table(plan), views.rounding_demo(), views.audit_summary(plan),
                  views.audit_failures(plan), views.bottom_up_table(bottom_up(plan, fc)),
                  views.rep_months(plan, "R01"), views.rep_weeks(plan, "R01")]
        for frame in tables:
            missing = [c for c in frame.columns if c not in labels]
            assert not missing, missing
            html = display.table_html(frame, labels=labels, kinds=views.kinds())
            assert "<table" in html
        feas_table = views.feasibility_table(feas)
        assert set(feas_table.columns) <= set(views.feasibility_labels())
        assert views.rounding_demo()["largest_remainder"].tolist() == [34, 33, 33, 100]
        assert views.method_table(compare_methods(company, year=2027, annual_target=10)).iloc[-1, 2:].tolist() \
            == [10, 10, 10]
        for line in (views.plan_line(plan), views.calendar_line(plan), views.audit_line(plan), *views.notes(plan)):
            assert isinstance(line, str) and "{" not in line
        assert views.default_rep(plan) == "R02"  # the ramping new hire comes first
        assert views.rep_picker(plan, default="R01").value == "R01"
    finally:
        i18n.set_language("en")


def test_charts_return_figures(plan) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from salesnb.plots import targets as charts

    fc = fake_forecast(plan, scale={"region:N": 1.0, "region:S": 0.8})
    from salesnb.targets import feasibility

    for fig in (charts.monthly_by_region(plan), charts.monthly_by_region(plan, max_regions=1),
                charts.rep_bars(plan), charts.calendar_heatmap(plan, "R02"),
                charts.feasibility_heatmap(feasibility(plan, fc), names={"N": "Norte"}),
                charts.feasibility_heatmap(feasibility(plan, fc.iloc[0:0]))):
        assert isinstance(fig, Figure)
        plt.close(fig)
