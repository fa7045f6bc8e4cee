"""Money and effort: margin, expenses, commissions, promotions, competitors, the funnel and the activity plan.

Hand-computed cases on the tiny dataset of ``conftest.py`` (plus the tables each test
adds), bad input with its located problem or exact message, and the checks of issue
#13 on the committed sample (margin straight from the CSV files, the activity plan
adding up to the target plan).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_tables, write_tables

from salesnb import i18n, money
from salesnb.config import project_root
from salesnb.data import load, validate
from salesnb.errors import ParameterError
from salesnb.money import views
from salesnb.targets import activity, breakdown, pipeline

SAMPLE = project_root() / "data" / "sample"


def _load(tmp_path: Path, **extra: pd.DataFrame):
    tables = tiny_tables()
    for name, frame in extra.items():
        tables[name] = frame
    return load(write_tables(tables, tmp_path / "d"))


def _frame(rows: list[list[str]]) -> pd.DataFrame:
    return pd.DataFrame(rows[1:], columns=rows[0])


# ---------------------------------------------------------------------------- margin


def test_margin_is_net_sales_minus_quantity_times_unit_cost(tmp_path: Path) -> None:
    ds = _load(tmp_path)
    total = money.margin(ds, by=None)
    # cost: 10 x 60 + 2 x 300 + 5 x 60 + 1 x 300 - 1 x 60 = 1740; net 2800
    assert total[["net_sales", "cost", "margin"]].iloc[0].tolist() == [2800.0, 1740.0, 1060.0]
    by_rep = money.margin(ds, by="rep").set_index("rep_id")
    assert by_rep.loc["S1", "margin"] == pytest.approx(2300 - 1440)
    assert by_rep.loc["S2", "margin_pct"] == pytest.approx(200 / 500)


def test_a_line_cost_wins_over_the_product_cost(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["orders"]["unit_cost"] = ["50", "", "", "", ""]
    ds = load(write_tables(tables, tmp_path / "d"))
    assert money.margin(ds, by=None)["cost"].iloc[0] == 1740 - 100


def test_margin_comparison_against_the_year_before(tmp_path: Path) -> None:
    ds = _load(tmp_path)
    out = money.margin_comparison(ds, by="category", period_end="2025-12-31", comparison="year")
    sofas = out.set_index("category").loc["Sofás"]
    assert sofas["margin"] == pytest.approx(900 - 600 + 500 - 300)
    assert sofas["prior_margin"] == 0 and np.isnan(sofas["prior_margin_pct"])


def test_margin_refuses_an_unknown_group(tmp_path: Path) -> None:
    ds = _load(tmp_path)
    with pytest.raises(ParameterError) as err:
        money.margin(ds, by="colour")
    assert str(err.value).startswith("The 'by' parameter must be one or more of product, category")
    assert str(err.value).endswith("Got 'colour' instead.")


def test_sample_margin_equals_the_csv_files() -> None:
    orders = pd.read_csv(SAMPLE / "orders.csv")
    cost = pd.read_csv(SAMPLE / "products.csv").set_index("product_id")["unit_cost"]
    expected = orders["net_amount"].sum() - (orders["quantity"] * orders["product_id"].map(cost)).sum()
    total = money.margin(load(SAMPLE), by=None)
    assert total["margin"].iloc[0] == pytest.approx(expected, abs=0.01)
    by_month = money.margin(load(SAMPLE), by="month")
    assert by_month["margin"].sum() == pytest.approx(expected, abs=0.01)


# -------------------------------------------------------------------------- expenses


def _money_tables() -> dict[str, pd.DataFrame]:
    return {
        "expenses": _frame([["expense_id", "date", "line", "amount", "rep_id", "region_id"],
                            ["E1", "2025-01-31", "travel", "100", "S1", "R1"],
                            ["E2", "2025-01-31", "advertising", "50", "", ""]]),
        "budget": _frame([["year", "month", "line", "amount"],
                          ["2025", "1", "travel", "120"], ["2025", "1", "advertising", "50"],
                          ["2025", "1", "revenue", "5000"]]),
    }


def test_expenses_against_budget_by_line(tmp_path: Path) -> None:
    ds = _load(tmp_path, **_money_tables())
    out = money.expenses_vs_budget(ds, start="2025-01-01", end="2025-01-31", by="line").set_index("line")
    assert out.loc["travel", ["actual", "budget", "variance"]].tolist() == [100.0, 120.0, -20.0]
    assert out.loc["travel", "variance_pct"] == pytest.approx(-1 / 6)
    assert out.loc["advertising", "variance"] == 0


def test_cost_shares_and_contribution(tmp_path: Path) -> None:
    ds = _load(tmp_path, **_money_tables())
    share = money.selling_cost_share(ds, start="2025-01-01", end="2025-01-31").iloc[0]
    assert share["net_sales"] == 1900 and share["revenue_budget"] == 5000
    assert share["expense_share"] == pytest.approx(150 / 1900)
    assert share["cost_share"] == pytest.approx(1200 / 1900)
    rep = money.contribution(ds, by="rep", start="2025-01-01", end="2025-01-31").set_index("rep_id")
    assert rep.loc["S1", "contribution"] == pytest.approx(700 - 100)
    region = money.contribution(ds, by="region", start="2025-01-01", end="2025-01-31").set_index("region_id")
    assert region.loc["R1", "expenses"] == 100  # the company-wide advertising is nobody's


@pytest.mark.parametrize(
    ("table", "rows", "where"),
    [
        ("expenses", [["expense_id", "date", "line", "amount"], ["E1", "2025-01-31", "bribes", "10"]],
         ("expenses", 2, "line", "allowed values")),
        ("budget", [["year", "month", "line", "amount"], ["2025", "1", "travel", "-5"]],
         ("budget", 2, "amount", "min")),
        ("commission_plans", [["plan_id", "tier_from", "tier_to", "rate", "base"],
                              ["p", "0", "1", "0.02", "net_sales"], ["p", "0.9", "", "0.05", "net_sales"]],
         ("commission_plans", 3, "tier_from", "tier overlap")),
    ],
    ids=["unknown expense line", "negative budget", "overlapping tiers"],
)
def test_bad_money_tables_are_located(tmp_path: Path, table: str, rows: list, where: tuple) -> None:
    tables = tiny_tables()
    tables[table] = _frame(rows)
    report = validate(write_tables(tables, tmp_path / "d"))
    found = [(p.table, p.row, p.column, p.rule) for p in report.problems]
    assert where in found, found


def test_overlapping_tiers_message(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["commission_plans"] = _frame([["plan_id", "tier_from", "tier_to", "rate", "base"],
                                         ["p", "0", "1", "0.02", "net_sales"], ["p", "0.9", "", "0.05", "net_sales"]])
    report = validate(write_tables(tables, tmp_path / "d"))
    problem = next(p for p in report.problems if p.rule == "tier overlap")
    assert problem.message == "Tier starting at 0.9 of plan p overlaps the tier from 0 to 1."
    assert problem.text("es") == "El tramo que empieza en 0.9 del plan p se solapa con el tramo de 0 a 1."


# ------------------------------------------------------------------------ commissions

TWO_TIERS = pd.DataFrame({"plan_id": ["p", "p"], "tier_from": [0.0, 1.0], "tier_to": [1.0, np.nan],
                          "rate": [0.02, 0.05], "base": ["net_sales", "net_sales"],
                          "bonus_new_customer": [10.0, np.nan]})


def test_two_tier_commission_by_hand(tmp_path: Path) -> None:
    ds = _load(tmp_path)
    targets = pd.DataFrame({"rep_id": ["S1", "S2"], "target": [2000.0, 1000.0]})
    out = money.commissions(ds, start="2025-01-01", end="2025-05-31", plan=TWO_TIERS, targets=targets)
    s1, s2 = out.set_index("rep_id").loc["S1"], out.set_index("rep_id").loc["S2"]
    # S1 sold 2300 of 2000: 115 % -> tier 2, 5 % of 2300 = 115; two new customers x 10
    assert (s1["tier"], s1["rate"], s1["commission"], s1["bonuses"], s1["total"]) == (2, 0.05, 115.0, 20.0, 135.0)
    # S2 sold 500 of 1000: 50 % -> tier 1, 2 % of 500 = 10; one new customer
    assert (s2["tier"], s2["commission"], s2["total"]) == (1, 10.0, 20.0)
    cost = money.incentive_cost(out)
    assert cost["total"] == 155.0 and cost["share"] == pytest.approx(155 / 2800)
    what_if = money.rate_what_if(ds, start="2025-01-01", end="2025-05-31", plan=TWO_TIERS, targets=targets,
                                 factors=(1.0, 2.0))
    assert what_if["commission"].tolist() == [125.0, 250.0]


def test_flat_plan_without_a_plan_table(tmp_path: Path) -> None:
    ds = _load(tmp_path)
    out = money.commissions(ds, start="2025-01-01", end="2025-05-31",
                            targets=pd.DataFrame({"rep_id": ["S1"], "target": [1.0]}))
    assert out.set_index("rep_id").loc["S1", "commission"] == pytest.approx(0.03 * 2300)


def test_check_plan_refuses_overlapping_tiers() -> None:
    bad = TWO_TIERS.assign(tier_from=[0.0, 0.9])
    with pytest.raises(ParameterError) as err:
        money.check_plan(bad)
    assert str(err.value) == ("The commission tiers of plan p overlap: the tier starting at 0.9 begins before "
                              "the tier from 0 ends at 1.")


# ------------------------------------------------------------------------- promotions


def test_promotion_week_by_hand(tmp_path: Path) -> None:
    tables = tiny_tables()
    orders = tables["orders"].assign(promo_code="")
    extra = pd.DataFrame([
        ["O0", "1", "2024-02-12", "C1", "S1", "A", "2", "100", "0", "200", ""],
        ["O5", "1", "2025-02-10", "C1", "S1", "A", "1", "100", "0", "100", ""],
    ], columns=orders.columns)
    orders.loc[orders["order_id"] == "O2", "promo_code"] = "FEB25"
    tables["orders"] = pd.concat([extra[:1], orders, extra[1:]], ignore_index=True)
    ds = load(write_tables(tables, tmp_path / "d"))
    row = money.promotion_effect(ds).set_index("code").loc["FEB25"]
    assert (row["sales_with"], row["margin_with"], row["sales_without"], row["margin_without"]) == (500, 200, 100, 40)
    assert (row["sales"], row["sales_year_before"], row["margin_year_before"]) == (600, 200, 80)
    assert row["uplift"] == pytest.approx(2.0) and row["margin_uplift"] == pytest.approx(2.0)


# ------------------------------------------------------------------------ competitors


def test_losses_to_competitors(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["leads"]["lost_to"] = ["", "Rival S.A.", ""]
    tables["customers"]["lost_to"] = ["", "Rival S.A.", ""]
    tables["customers"]["lost_date"] = ["", "2025-03-01", ""]
    tables["competitors"] = _frame([["name", "price_position"], ["Rival S.A.", "budget"], ["Otro", "premium"]])
    ds = load(write_tables(tables, tmp_path / "d"))
    out = money.competitor_losses(ds).set_index("competitor").loc["Rival S.A."]
    assert (out["leads"], out["customers"], out["losses"], out["value"]) == (1, 1, 2, 500.0)
    wins = money.where_competitors_win(ds, by="channel").set_index("competitor")
    assert wins.loc["Rival S.A.", "total"] == 2
    profiles = money.competitor_profiles(ds).set_index("competitor")
    assert profiles.loc["Otro", "losses"] == 0 and profiles.loc["Rival S.A.", "price_position"] == "budget"


# ------------------------------------------------------------------ funnel and pipeline


def _funnel_dataset(tmp_path: Path):
    acts = _frame([
        ["activity_id", "activity_date", "rep_id", "customer_id", "lead_id", "kind", "outcome"],
        ["A1", "2025-01-03", "S1", "", "L1", "call", "connected"],
        ["A2", "2025-01-06", "S1", "", "L1", "call", "callback"],
        ["A3", "2025-01-10", "S1", "", "L1", "visit", "demo_done"],
        ["A4", "2025-01-20", "S1", "", "L1", "meeting", "proposal_sent"],
        ["A5", "2025-01-07", "S1", "", "L2", "call", "no_answer"],
        ["A6", "2025-01-08", "S1", "", "L2", "call", "connected"],
        ["A7", "2025-02-03", "S1", "", "L2", "visit", "follow_up"],
        ["A8", "2025-04-10", "S1", "C1", "", "call", "connected"],
    ])
    return _load(tmp_path, activities=acts)


def test_known_funnel(tmp_path: Path) -> None:
    ds = _funnel_dataset(tmp_path)
    counts = activity.funnel_counts(ds).set_index("rep_id").loc["S1"]
    assert counts.tolist() == [4, 3, 1, 1]  # calls, visits, proposals, wins (the call to a customer is not in it)
    rates = activity.conversion_rates(ds).set_index("rep_id").loc["S1"]
    assert rates["visit_rate"] == pytest.approx(0.75) and rates["proposal_rate"] == pytest.approx(1 / 3)
    assert rates["win_rate"] == 1.0 and rates["calls_per_win"] == pytest.approx(4.0)


def test_shrinkage_pulls_thin_groups_to_the_team() -> None:
    rates = activity.shrink(pd.Series([1, 30]), pd.Series([2, 100]), prior=10)
    pooled = 31 / 102
    assert rates.tolist() == pytest.approx([(1 + 10 * pooled) / 12, (30 + 10 * pooled) / 110])


def test_stage_win_rates_and_pipeline(tmp_path: Path) -> None:
    ds = _funnel_dataset(tmp_path)
    rates = pipeline.stage_win_rates(ds, as_of="2025-06-30").set_index("stage")
    assert rates.loc["contacted", ["closed", "won"]].tolist() == [2, 1]
    assert rates.loc["proposal_sent", "win_rate"] == 1.0 and rates.loc["negotiation", "closed"] == 0
    assert pipeline.weighted_pipeline(ds, as_of="2025-06-30").empty  # L3 has no contact yet


# --------------------------------------------------------------------- activity plan


@pytest.fixture(scope="module")
def sample_plan():
    ds = load(SAMPLE)
    plan = breakdown(ds, year=2027, growth_pct=8)
    return ds, plan, activity.activity_plan(plan, ds)


def test_activity_plan_adds_up_to_the_target_plan(sample_plan) -> None:
    _, plan, work = sample_plan
    assert work["target"].sum() == plan.annual_target
    mine = work.set_index(["rep_id", "month"])["target"].sort_index()
    theirs = plan.rep_monthly.groupby(["rep_id", "month"])["target"].sum().sort_index()
    pd.testing.assert_series_equal(mine, theirs, check_dtype=False)


def test_activity_plan_is_whole_non_negative_and_ordered(sample_plan) -> None:
    _, _, work = sample_plan
    counts = ["from_book", "gap", "new_customers_needed", "proposals_needed", "visits_needed", "calls_needed",
              "calls_capacity", "shortfall"]
    assert all(pd.api.types.is_integer_dtype(work[c]) for c in counts)
    assert (work[counts] >= 0).all().all()
    assert (work["calls_needed"] >= work["visits_needed"]).all()
    assert (work["visits_needed"] >= work["proposals_needed"]).all()
    assert (work["proposals_needed"] >= work["new_customers_needed"]).all()
    assert ((work["calls_needed"] > work["calls_capacity"]) == ~work["feasible"]).all()
    assert (work["shortfall"] == (work["calls_needed"] - work["calls_capacity"]).clip(lower=0)).all()


def test_activity_weeks_add_up_to_the_months(sample_plan) -> None:
    _, plan, work = sample_plan
    weeks = activity.activity_weeks(work, plan)
    for col in ("new_customers_needed", "visits_needed", "calls_needed"):
        assert weeks.groupby("rep_id")[col].sum().equals(work.groupby("rep_id")[col].sum())


def test_money_page_texts_in_both_languages(sample_plan) -> None:
    ds, _, _ = sample_plan
    total = money.margin_comparison(ds, by=None, period_end="2026-10-31")
    budget = money.expenses_vs_budget(ds, start="2026-01-01", end="2026-10-31", by="line")
    cost = {"total": 10.0, "share": 0.03}
    rivals = money.competitor_losses(ds)
    ahead = pipeline.weighted_pipeline(ds, as_of="2026-10-31")
    before = i18n.set_language("en")
    try:
        for lang, label in (("en", "Gross margin"), ("es", "Margen bruto")):
            i18n.set_language(lang)
            cards = views.headline(total, budget, cost, rivals, ahead)
            assert cards[0][0] == label and len(cards) == 5
            assert "{" not in views.budget_line(budget)
    finally:
        i18n.set_language(before)


def test_rep_page_money_cards() -> None:
    from salesnb import review
    from salesnb.review import views as review_views

    ds = load(SAMPLE)
    team = review.open_review(ds, period="month", period_end="2026-10-31")
    assert review_views.money_cards(team) is None
    page = review.open_review(ds, period="month", period_end="2026-10-31", rep_id="R005")
    cards = review_views.money_cards(page).items
    assert [c[0] for c in cards] == ["Margin this year", "Commission so far", "Prospect calls: done / plan"]
    margin_ytd = money.margin(ds, by="rep", start="2026-01-01", end="2026-10-31").set_index("rep_id")
    assert cards[0][1] == i18n.fmt_money(margin_ytd.loc["R005", "margin"], "EUR")


def test_margin_table_names_regions_for_the_director() -> None:
    from salesnb.money import views

    frame = pd.DataFrame({"rep_region": ["ES-MD", "XX"], "margin": [1.0, 2.0]})
    regions = pd.DataFrame({"region_id": ["ES-MD"], "name": ["Comunidad de Madrid"]})
    out = views.margin_table(frame, regions)
    assert out["region"].tolist() == ["Comunidad de Madrid", "XX"]
    assert frame["rep_region"].tolist() == ["ES-MD", "XX"]  # the input is not changed
    assert views.margin_table(frame)["region"].tolist() == ["ES-MD", "XX"]


def test_contribution_table_names_regions_beside_their_codes() -> None:
    from salesnb.money import views

    frame = pd.DataFrame({"region_id": ["ES-MD", "XX"], "contribution": [1.0, 2.0]})
    regions = pd.DataFrame({"region_id": ["ES-MD"], "name": ["Comunidad de Madrid"]})
    out = views.contribution_table(frame, regions=regions)
    assert out.columns.tolist() == ["region_id", "region", "contribution"]
    assert out["region"].tolist() == ["Comunidad de Madrid", "XX"]
    assert frame.columns.tolist() == ["region_id", "contribution"]  # the input is not changed
    assert "region" not in views.contribution_table(frame).columns


# ---------------------------------------------------------------------------- shared lines and the what-if


def test_shared_costed_lines_are_computed_once_per_dataset(tmp_path: Path) -> None:
    ds = _load(tmp_path)
    shared = money.costed_orders(ds, shared=True)
    pd.testing.assert_frame_equal(shared, money.costed_orders(ds), check_exact=True)
    assert money.costed_orders(ds, shared=True) is shared
    assert money.costed_orders(ds) is not shared  # the caller's own frame
    cheaper = ds.products.assign(unit_cost=ds.products["unit_cost"] / 2)
    other = dataclasses.replace(ds, tables={**ds.tables, "products": cheaper})
    assert money.costed_orders(other, shared=True)["cost"].sum() == pytest.approx(shared["cost"].sum() / 2)
    assert money.margin(ds, by=None)["cost"].iloc[0] == 1740.0  # back to the first dataset: its own lines


def test_rate_what_if_equals_one_commission_table_per_factor(tmp_path: Path) -> None:
    ds = load(SAMPLE)
    what_if = money.rate_what_if(ds, start="2026-01-01", end="2026-10-31", factors=(0.9, 1.0, 1.25))
    for factor, row in zip((0.9, 1.0, 1.25), what_if.itertuples(index=False), strict=True):
        cost = money.incentive_cost(money.commissions(ds, start="2026-01-01", end="2026-10-31", rate_factor=factor))
        assert (row.commission, row.bonuses, row.total) == pytest.approx((cost["commission"], cost["bonuses"],
                                                                         cost["total"]))
    with pytest.raises(ParameterError):
        money.rate_what_if(ds, start="2026-01-01", end="2026-10-31", factors=(1.0, -1.0))


def test_new_customers_count_the_first_line_of_the_first_day(tmp_path: Path) -> None:
    tables = tiny_tables()
    # C2's first day holds two orders: O0 (rep S2) sorts before O2 (rep S1), so S2 found C2
    tables["orders"].loc[len(tables["orders"])] = ["O0", "1", "2025-02-10", "C2", "S2", "A", "1", "100", "0",
                                                   "100"]
    ds = load(write_tables(tables, tmp_path / "d"))
    out = money.commissions(ds, start="2025-01-01", end="2025-12-31",
                            targets=pd.DataFrame({"rep_id": ["S1", "S2"], "target": [1000.0, 1000.0]}))
    assert out.set_index("rep_id")["new_customers"].to_dict() == {"S1": 1, "S2": 2}
