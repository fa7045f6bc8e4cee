"""Periodic review: every KPI against a small dataset whose figures are computed by hand.

The review month is **May 2025** (1 May is a public holiday in Spain: 21 working days).

Reps: S1 (all month), S2 (all month), S3 (leaves 30 June), S4 (**hired mid-period**,
Monday 19 May: 10 working days), S5 (**no activity at all**), S6 (left 30 April: not in
the review).

Orders (net): O1 2025-01-15 C1 S1 1900 · O2 2025-02-10 C2 S1 500 · O3 2025-05-05 C3 S2 500
(C3's **single order**) · O4 2025-05-20 C1 S1 -100 (a return alone) · O5 2024-05-06 C1 S1 800 ·
O6 2024-05-20 C2 S3 400 · O7 2025-05-12 C2 S1 600 · O8 2025-05-26 C4 S4 300 · O9 2025-04-14
C5 S1 200 · O10-O13 C6 S1 100 each on 2024-11-04, 2024-12-02, 2025-01-06, 2025-02-03 · O14
2024-10-01 C7 S3 250.
"""

from __future__ import annotations

import html
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_tables, write_tables

from salesnb import i18n
from salesnb.data import load
from salesnb.errors import ParameterError
from salesnb.review import (
    TEAM,
    aging,
    attribute_lift,
    check_rep,
    check_weights,
    churn_risk,
    collection_plan,
    complaint_times,
    complaints_by,
    complaints_summary,
    cumulative,
    customer_rhythm,
    daily_targets,
    dso,
    kpi_actual,
    kpi_attainment,
    kpi_calls,
    kpi_discipline,
    kpi_growth_rate,
    kpi_lost_customers,
    kpi_new_customers,
    kpi_new_development,
    kpi_report_completion,
    kpi_response_hours,
    kpi_target,
    kpi_visits,
    kpi_weekly_orders,
    lost_customers,
    normalise,
    open_invoices,
    open_review,
    pacing,
    period_range,
    prior_period,
    same_period_last_year,
    scorecard,
    views,
    winloss,
    winloss_window,
    working_days,
)
from salesnb.review import plan as plan_module
from salesnb.review.pacing import status_of

MAY = {"start": "2025-05-01", "end": "2025-05-31"}
ACTIVE = ["S1", "S2", "S3", "S4", "S5"]


def _add(frame: pd.DataFrame, rows: list[list[str]]) -> pd.DataFrame:
    return pd.concat([frame, pd.DataFrame(rows, columns=frame.columns)], ignore_index=True)


def review_tables() -> dict[str, pd.DataFrame]:
    """The tiny dataset of conftest plus the rows and tables of the module docstring."""
    t = tiny_tables()
    t["reps"] = _add(t["reps"], [
        ["S4", "Nuevo Mayo", "R1", "2025-05-19", "", "10"],
        ["S5", "Sin Actividad", "R1", "2024-01-01", "", "10"],
        ["S6", "Se Fue", "R1", "2024-01-01", "2025-04-30", "10"],
    ])
    t["customers"] = _add(t["customers"], [
        ["C4", "Nuevo Cliente S.L.", "store", "P1", "S4", "2025-05-20"],
        ["C5", "Abril S.A.", "store", "P2", "S1", "2025-04-01"],
        ["C6", "Mensual S.L.", "distributor", "P2", "S1", "2024-10-01"],
        ["C7", "Una Vez S.L.", "mall", "P1", "S3", "2024-09-01"],
    ])
    t["orders"] = _add(t["orders"], [
        ["O5", "1", "2024-05-06", "C1", "S1", "A", "8", "100", "0", "800"],
        ["O6", "1", "2024-05-20", "C2", "S3", "A", "4", "100", "0", "400"],
        ["O7", "1", "2025-05-12", "C2", "S1", "A", "6", "100", "0", "600"],
        ["O8", "1", "2025-05-26", "C4", "S4", "A", "3", "100", "0", "300"],
        ["O9", "1", "2025-04-14", "C5", "S1", "A", "2", "100", "0", "200"],
        ["O10", "1", "2024-11-04", "C6", "S1", "A", "1", "100", "0", "100"],
        ["O11", "1", "2024-12-02", "C6", "S1", "A", "1", "100", "0", "100"],
        ["O12", "1", "2025-01-06", "C6", "S1", "A", "1", "100", "0", "100"],
        ["O13", "1", "2025-02-03", "C6", "S1", "A", "1", "100", "0", "100"],
        ["O14", "1", "2024-10-01", "C7", "S3", "B", "1", "250", "0", "250"],
    ])
    t["leads"] = _add(t["leads"], [
        ["L4", "Referida S.L.", "", "", "", "store", "P1", "referral", "2025-01-10", "won", "2025-02-15", "",
         "S2", "30000", "false"],
        ["L5", "Web Tienda", "", "", "", "store", "P2", "website", "2025-01-12", "lost", "2025-02-20",
         "no_budget", "S2", "20000", "false"],
        ["L6", "Feria Dist S.A.", "", "", "", "distributor", "P2", "trade fair", "2025-01-20", "won",
         "2025-03-10", "", "S1", "90000", "true"],
        ["L7", "Tarde S.L.", "", "", "", "store", "P1", "website", "2025-02-01", "lost", "2025-04-01",
         "competitor", "S1", "10000", "false"],
    ])
    t["activities"] = pd.DataFrame([
        ["A1", "2025-05-06", "S1", "C1", "", "visit", "order_taken"],
        ["A2", "2025-05-07", "S1", "C2", "", "meeting", "follow_up"],
        ["A3", "2025-05-08", "S1", "", "L3", "meeting", "proposal_sent"],
        ["A4", "2025-05-09", "S1", "C1", "", "call", "connected"],
        ["A5", "2025-05-12", "S2", "", "L3", "call", "no_answer"],
        ["A6", "2025-05-20", "S4", "C4", "", "visit", "order_taken"],
        ["A7", "2025-04-30", "S1", "C1", "", "visit", "follow_up"],
        ["A8", "2025-05-13", "S2", "C3", "", "email", "sent"],
    ], columns=["activity_id", "activity_date", "rep_id", "customer_id", "lead_id", "kind", "outcome"])
    t["invoices"] = pd.DataFrame([
        ["I1", "C1", "2025-03-01", "2025-03-31", "1000", "2025-04-10", "1000"],
        ["I2", "C1", "2025-04-01", "2025-05-01", "500", "", ""],
        ["I3", "C2", "2025-02-01", "2025-03-03", "800", "2025-03-20", "300"],
        ["I4", "C3", "2025-05-10", "2025-06-09", "700", "", ""],
        ["I5", "C2", "2025-01-01", "2025-01-31", "200", "", ""],
        ["I6", "C1", "2025-04-15", "2025-04-30", "300", "2025-06-15", "300"],
        ["I7", "C3", "2025-05-31", "2025-05-31", "100", "", ""],
    ], columns=["invoice_id", "customer_id", "issue_date", "due_date", "amount", "paid_date", "paid_amount"])
    t["complaints"] = pd.DataFrame([
        ["Q1", "C1", "A", "2025-05-06", "2025-05-06", "2025-05-10", "defect", "low"],
        ["Q2", "C2", "B", "2025-05-12", "2025-05-14", "2025-05-30", "configuration_mismatch", "high"],
        ["Q3", "C3", "", "2025-05-28", "", "", "billing", "medium"],
        ["Q4", "C1", "A", "2025-04-20", "2025-04-21", "2025-04-22", "defect", "low"],
    ], columns=["complaint_id", "customer_id", "product_id", "opened_date", "first_response_date",
                "resolved_date", "category", "severity"])
    t["rep_reports"] = pd.DataFrame([
        ["S1", "2025-04-01", "2025-05-05", "2025-05-05"],
        ["S2", "2025-04-01", "2025-05-05", "2025-05-07"],
        ["S3", "2025-04-01", "2025-05-05", ""],
        ["S5", "2025-04-01", "2025-05-05", "2025-05-01"],
        ["S1", "2025-03-01", "2025-04-05", "2025-04-04"],
    ], columns=["rep_id", "period_start", "due_date", "submitted_date"])
    t["evaluations"] = pd.DataFrame([
        ["S1", "2025-01-01", "70"],
        ["S1", "2025-04-01", "80"],
        ["S2", "2025-04-01", "60"],
        ["S3", "2024-10-01", "50"],
        ["S5", "2025-05-01", "90"],
    ], columns=["rep_id", "period_start", "discipline"])
    return t


#: Targets of May 2025 by rep (a monthly targets table).
MONTHLY_TARGETS = pd.DataFrame({"rep_id": ["S1", "S2", "S3", "S4", "S5"], "month": ["2025-05"] * 5,
                                "target": [1000.0, 400.0, 500.0, 600.0, 100.0]})


@contextmanager
def i18n_language(lang: str) -> Iterator[None]:
    before = i18n.get_language()
    i18n.set_language(lang)
    try:
        yield
    finally:
        i18n.set_language(before)


@pytest.fixture(scope="module")
def ds(tmp_path_factory: pytest.TempPathFactory):
    return load(write_tables(review_tables(), tmp_path_factory.mktemp("review") / "data"))


def _check(series: pd.Series, expected: dict[str, float], team: float | None = None) -> None:
    reps = series.drop(index=TEAM, errors="ignore")
    assert list(reps.index) == ACTIVE
    for rep, value in expected.items():
        got = reps[rep]
        assert (math.isnan(value) and math.isnan(got)) or got == pytest.approx(value), (rep, got, value)
    if team is not None:
        assert series[TEAM] == pytest.approx(team)


# ------------------------------------------------------------------------------ periods


def test_period_kinds() -> None:
    week = period_range("week", "2026-10-31")  # a Saturday
    assert (week.start, week.end) == (pd.Timestamp("2026-10-26"), pd.Timestamp("2026-11-01"))
    month = period_range("month", "2026-10-15")
    assert (month.start, month.end, month.as_of) == (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-31"),
                                                     pd.Timestamp("2026-10-15"))
    assert not month.complete and month.to_date == (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-15"))
    quarter = period_range("quarter", "2026-11-30")
    assert (quarter.start, quarter.end) == (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-12-31"))
    year = period_range("year", "2026-10-31")
    assert (year.start, year.end) == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-12-31"))
    custom = period_range("2026-08-15", "2026-10-31")
    assert (custom.kind, custom.start, custom.end, custom.complete) == (
        "custom", pd.Timestamp("2026-08-15"), pd.Timestamp("2026-10-31"), True)
    assert period_range("custom", "2026-10-31", start="2026-10-01").start == pd.Timestamp("2026-10-01")


def test_period_errors() -> None:
    with pytest.raises(ParameterError, match=r"'period'.*'week'"):
        period_range("fortnight", "2026-10-31")
    with pytest.raises(ParameterError, match="start"):
        period_range("custom", "2026-10-31")
    with pytest.raises(ParameterError, match="on or before"):
        period_range("2026-11-01", "2026-10-31")
    with pytest.raises(ParameterError, match="period_end"):
        period_range("month", "31/10/2026")


def test_same_period_last_year_and_leap_day() -> None:
    # a whole February is compared with the whole February before, leap day included
    assert same_period_last_year("2025-02-01", "2025-02-28") == (pd.Timestamp("2024-02-01"),
                                                                  pd.Timestamp("2024-02-29"))
    assert same_period_last_year("2024-02-01", "2024-02-29") == (pd.Timestamp("2023-02-01"),
                                                                  pd.Timestamp("2023-02-28"))
    leap = period_range("month", "2024-02-29").last_year
    assert (leap.start, leap.end, leap.as_of) == (pd.Timestamp("2023-02-01"), pd.Timestamp("2023-02-28"),
                                                  pd.Timestamp("2023-02-28"))
    # a custom span from 29 February moves to 28 February
    assert same_period_last_year("2024-02-29", "2024-03-10") == (pd.Timestamp("2023-02-28"),
                                                                  pd.Timestamp("2023-03-10"))
    # whole ISO weeks: the same weekdays 52 weeks before
    assert same_period_last_year("2026-10-26", "2026-11-01") == (pd.Timestamp("2025-10-27"),
                                                                  pd.Timestamp("2025-11-02"))
    q = period_range("quarter", "2026-11-15").last_year
    assert (q.start, q.end, q.as_of) == (pd.Timestamp("2025-10-01"), pd.Timestamp("2025-12-31"),
                                         pd.Timestamp("2025-11-15"))
    assert period_range("year", "2026-12-31").last_year.start == pd.Timestamp("2025-01-01")


def test_prior_period_of_equal_length() -> None:
    assert prior_period("2026-10-01", "2026-10-31") == (pd.Timestamp("2026-09-01"), pd.Timestamp("2026-09-30"))
    assert prior_period("2026-10-01", "2026-12-31") == (pd.Timestamp("2026-07-01"), pd.Timestamp("2026-09-30"))
    assert prior_period("2026-10-26", "2026-11-01") == (pd.Timestamp("2026-10-19"), pd.Timestamp("2026-10-25"))
    assert prior_period("2026-10-01", "2026-10-15") == (pd.Timestamp("2026-09-16"), pd.Timestamp("2026-09-30"))
    assert prior_period("2024-03-01", "2024-03-31") == (pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))


def test_working_days_skip_weekends_and_holidays() -> None:
    assert working_days("2025-05-01", "2025-05-31", country="ES") == 21  # 22 weekdays - 1 May
    assert working_days("2025-12-22", "2025-12-28", country="ES") == 4  # Christmas Day
    assert working_days("2025-05-31", "2025-05-01") == 0


# ----------------------------------------------------------------------------- the KPIs


def test_kpi_actual(ds) -> None:
    _check(kpi_actual(ds, **MAY, team=True), {"S1": 500, "S2": 500, "S3": 0, "S4": 300, "S5": 0}, team=1300)


def test_active_reps_include_mid_period_hire_not_earlier_leaver(ds) -> None:
    series = kpi_actual(ds, **MAY)
    assert "S4" in series.index and "S6" not in series.index and TEAM not in series.index


def test_kpi_target_and_attainment_from_a_targets_table(ds) -> None:
    target = kpi_target(ds, **MAY, targets=MONTHLY_TARGETS, team=True)
    _check(target, {"S1": 1000, "S2": 400, "S3": 500, "S4": 600, "S5": 100}, team=2600)
    att = kpi_attainment(ds, **MAY, targets=MONTHLY_TARGETS, team=True)
    _check(att, {"S1": 0.5, "S2": 1.25, "S3": 0.0, "S4": 0.5, "S5": 0.0}, team=0.5)


def test_kpi_new_customers_and_development(ds) -> None:
    # first purchases: C3 in May (S2), C4 in May (S4), C5 in April (S1)
    _check(kpi_new_customers(ds, **MAY, team=True), {"S1": 0, "S2": 1, "S3": 0, "S4": 1, "S5": 0}, team=2)
    _check(kpi_new_development(ds, **MAY, team=True), {"S1": -1, "S2": 1, "S3": 0, "S4": 1, "S5": 0}, team=1)


def test_kpi_visits_and_calls(ds) -> None:
    # A3 is a meeting with a lead (not a customer), A7 is in April, A8 is an email
    _check(kpi_visits(ds, **MAY, team=True), {"S1": 2, "S2": 0, "S3": 0, "S4": 1, "S5": 0}, team=3)
    _check(kpi_calls(ds, **MAY, team=True), {"S1": 1, "S2": 1, "S3": 0, "S4": 0, "S5": 0}, team=2)


def test_kpi_weekly_orders_per_week_worked_with_a_holiday_and_a_hire(ds) -> None:
    # 21 working days = 4.2 weeks; S4 works 10 days = 2 weeks; O4 (a return) is not an order
    expected = {"S1": 1 / 4.2, "S2": 1 / 4.2, "S3": 0.0, "S4": 1 / 2, "S5": 0.0}
    _check(kpi_weekly_orders(ds, **MAY, team=True), expected, team=3 / (4 * 4.2 + 2))


def test_kpi_growth_rate_against_same_period_last_year(ds) -> None:
    # May 2024: S1 800 (O5), S3 400 (O6); S2, S4, S5 sold nothing then
    expected = {"S1": 500 / 800 - 1, "S2": np.nan, "S3": -1.0, "S4": np.nan, "S5": np.nan}
    _check(kpi_growth_rate(ds, **MAY, team=True), expected, team=1300 / 1200 - 1)


def test_kpi_lost_customers(ds) -> None:
    # C6 bought every 28-35 days (median 28): allowed 90 days after 3 Feb -> lost on 5 May
    _check(kpi_lost_customers(ds, **MAY, team=True), {"S1": 1, "S2": 0, "S3": 0, "S4": 0, "S5": 0}, team=1)


def test_kpi_discipline_from_evaluations(ds) -> None:
    # S5 has one starting in May; the others carry their latest of the past year; S4 has none
    expected = {"S1": 80, "S2": 60, "S3": 50, "S4": np.nan, "S5": 90}
    _check(kpi_discipline(ds, **MAY, team=True), expected, team=70)


def test_kpi_discipline_without_evaluations_is_nan(ds) -> None:
    bare = SimpleNamespace(**{k: getattr(ds, k) for k in ("reps", "orders")},
                           has=lambda name: False, country="ES")
    out = kpi_discipline(bare, **MAY, team=True)
    assert out.isna().all() and out.attrs.get("missing")


def test_kpi_report_completion(ds) -> None:
    expected = {"S1": 1.0, "S2": 0.0, "S3": 0.0, "S4": np.nan, "S5": 1.0}
    _check(kpi_report_completion(ds, **MAY, team=True), expected, team=0.5)


def test_kpi_response_hours(ds) -> None:
    # Q1 0 h, Q2 48 h (S1); Q3 unanswered after 3 days = 72 h (S2); Q4 opened in April
    expected = {"S1": 24.0, "S2": 72.0, "S3": np.nan, "S4": np.nan, "S5": np.nan}
    _check(kpi_response_hours(ds, **MAY, team=True), expected, team=48.0)


# ---------------------------------------------------------------------------- scorecard


def test_scorecard_rows_columns_and_team(ds) -> None:
    card = scorecard(ds, period_start="2025-05-01", period_end="2025-05-31", targets=MONTHLY_TARGETS)
    assert card["is_team"].tolist() == [False] * 5 + [True]
    assert card.iloc[-1]["rep_id"] == TEAM and pd.isna(card.iloc[-1]["rank"])
    for col in ("target", "actual", "attainment", "new_customers", "visits", "calls", "weekly_orders",
                "growth_rate", "new_development", "lost_customers", "discipline", "report_completion",
                "response_hours", "score", "rank"):
        assert col in card
    s5 = card.set_index("rep_id").loc["S5"]  # the rep with no activity is still there, with zeros
    assert (s5["actual"], s5["visits"], s5["calls"], s5["weekly_orders"]) == (0, 0, 0, 0)
    assert card.loc[~card["is_team"], "rank"].is_monotonic_increasing
    assert card.attrs["target_source"] == "given"


def test_score_with_one_weight_is_the_normalised_kpi(ds) -> None:
    only = {k: 0.0 for k in check_weights(None)} | {"attainment": 1.0}
    card = scorecard(ds, period_start="2025-05-01", period_end="2025-05-31", targets=MONTHLY_TARGETS,
                     weights=only).set_index("rep_id")
    # attainment .5, 1.25, 0, .5, 0 -> (x - 0) / 1.25
    assert card.loc[ACTIVE, "score"].tolist() == pytest.approx([40, 100, 0, 40, 0])
    assert card.loc[ACTIVE, "rank"].tolist() == [2, 1, 4, 2, 4]


def test_normalise_is_direction_aware_and_per_week() -> None:
    kpis = pd.DataFrame({"attainment": [0.5, 1.0, 1.5], "response_hours": [10.0, 20.0, np.nan],
                         "visits": [4.0, 4.0, 2.0], "discipline": [70.0, 70.0, 70.0]}, index=["a", "b", "c"])
    norm = normalise(kpis, weeks=pd.Series([4.0, 2.0, 1.0], index=["a", "b", "c"]))
    assert norm["attainment"].tolist() == pytest.approx([0, 0.5, 1])
    assert norm.loc[["a", "b"], "response_hours"].tolist() == pytest.approx([1, 0])  # lower is better
    assert pd.isna(norm.loc["c", "response_hours"])
    assert norm["visits"].tolist() == pytest.approx([0, 1, 1])  # 1, 2, 2 visits per week
    assert norm["discipline"].tolist() == [0.5, 0.5, 0.5]


def test_weights_validation() -> None:
    weights = check_weights({"attainment": 0.5})
    assert sum(weights.values()) == pytest.approx(1) and weights["calls"] > 0
    with pytest.raises(ParameterError, match=r"unknown KPI name.*'atainment'.*valid names are target"):
        check_weights({"atainment": 1})
    with pytest.raises(ParameterError, match="non-negative"):
        check_weights({"calls": -1})
    with pytest.raises(ParameterError, match="at least one must be positive"):
        check_weights({k: 0 for k in check_weights(None)})
    with pytest.raises(ParameterError, match="dict"):
        check_weights([("calls", 1)])  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ targets


def test_fallback_targets_last_year_plus_growth_prorated(ds, monkeypatch) -> None:
    monkeypatch.setattr(plan_module, "_targets_module", lambda: None)
    daily = daily_targets(ds, **MAY, growth=0.05)
    assert daily.attrs["source"] == "last_year_growth"
    per_rep = daily.groupby("rep_id")["target"].sum()
    # S1's customers (C1, C2, C5, C6) bought 800 + 400 in May 2024; S2, S3 and S4 have no
    # such base and get the median base (1200); S4 only for the days after joining
    assert per_rep["S1"] == pytest.approx(1260)
    assert per_rep["S2"] == pytest.approx(1260)
    s1 = daily.loc[daily["rep_id"] == "S1"].set_index("date")["target"]
    s4 = daily.loc[daily["rep_id"] == "S4"].set_index("date")["target"]
    assert (s4[:"2025-05-18"] == 0).all()
    assert s4["2025-05-19":].to_numpy() == pytest.approx(s1["2025-05-19":].to_numpy())
    assert s1[pd.Timestamp("2025-05-01")] == 0 and s1[pd.Timestamp("2025-05-03")] == 0  # holiday, Saturday


def test_targets_from_the_target_plan_when_present(ds, monkeypatch) -> None:
    calls = []

    def breakdown(dataset, *, year, growth_pct):
        calls.append((year, growth_pct))
        days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
        return SimpleNamespace(daily=pd.DataFrame({"rep_id": "S1", "date": days, "target": 10.0}))

    monkeypatch.setattr(plan_module, "_targets_module", lambda: SimpleNamespace(breakdown=breakdown))
    daily = daily_targets(ds, start="2024-12-31", end="2025-01-02", growth=0.08)
    assert daily.attrs["source"] == "plan"
    assert [y for y, _ in calls] == [2024, 2025] and calls[0][1] == pytest.approx(8.0)
    assert daily["target"].sum() == pytest.approx(30)


def test_targets_from_the_plan_cut_to_the_span_equal_the_whole_years_grouped(ds, monkeypatch) -> None:
    """Only the span's days of each year's plan are grouped: the same frame as grouping both whole years."""
    rng = np.random.default_rng(7)
    plans = {}

    def breakdown(dataset, *, year, growth_pct):
        days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
        grid = pd.MultiIndex.from_product([["S2", "S1"], ["a", "b", "c"], days], names=["rep_id", "category", "date"])
        daily = grid.to_frame(index=False).assign(target=rng.integers(0, 500, len(grid)) / 7)
        plans[year] = daily
        return SimpleNamespace(daily=daily)

    monkeypatch.setattr(plan_module, "_targets_module", lambda: SimpleNamespace(breakdown=breakdown))
    got = daily_targets(ds, start="2024-11-15", end="2025-02-10", growth=0.08)
    whole = pd.concat([plans[2024], plans[2025]], ignore_index=True)
    want = whole.groupby(["rep_id", "date"], as_index=False, sort=True)["target"].sum()
    want = want.loc[want["date"].between("2024-11-15", "2025-02-10")].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_daily_targets_table_and_growth_errors(ds, tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    pd.DataFrame({"rep_id": ["S1", "S1"], "date": ["2025-05-02", "2025-06-02"], "target": [5, 7]}).to_csv(
        path, index=False)
    daily = daily_targets(ds, **MAY, targets=str(path))
    assert daily["target"].sum() == 5 and daily.attrs["source"] == "given"
    with pytest.raises(ParameterError, match="rep_id, target and date"):
        daily_targets(ds, **MAY, targets=pd.DataFrame({"rep": ["S1"], "target": [1]}))
    with pytest.raises(ParameterError, match="growth"):
        daily_targets(ds, **MAY, growth=-1.5)


# ------------------------------------------------------------------------------- pacing


def _uniform_weights(dataset, *, start, end, as_of=None):
    from salesnb.review.periods import working_day_flags

    return working_day_flags(start, end, country="ES").astype(float).rename("weight")


def _flat_daily(reps=("S1",), per_day: float = 50.0) -> pd.DataFrame:
    from salesnb.review.periods import working_day_flags

    flags = working_day_flags("2025-05-01", "2025-05-31")
    days = flags.index[flags.to_numpy()]
    return pd.DataFrame([(r, d, per_day) for r in reps for d in days], columns=["rep_id", "date", "target"])


def test_pacing_math(ds, monkeypatch) -> None:
    monkeypatch.setattr(sys.modules["salesnb.review.pacing"], "day_weights", _uniform_weights)
    daily = _flat_daily()
    pace = pacing(ds, **MAY, as_of="2025-05-16", daily=daily).set_index("rep_id")
    s1 = pace.loc["S1"]  # 11 working days gone (1 May is a holiday), 10 left
    assert (s1["days_elapsed"], s1["days_left"]) == (11, 10)
    assert s1["target"] == 1050 and s1["actual"] == 600
    assert s1["projection"] == pytest.approx(600 * 21 / 11)
    assert s1["projected_attainment"] == pytest.approx(600 * 21 / 11 / 1050)
    assert s1["gap"] == 450 and s1["gap_per_day"] == pytest.approx(45)
    assert s1["run_rate"] == pytest.approx(600 / 11) and s1["status"] == "on_track"
    s4 = pace.loc["S4"]  # hired 19 May: nothing gone yet, 10 days left
    assert (s4["days_elapsed"], s4["days_left"]) == (0, 10) and pd.isna(s4["projection"])
    assert s4["status"] == "not_started"
    s3 = pace.loc["S3"]
    assert s3["status"] == "no_target" and s3["projection"] == 0
    team = pace.loc[TEAM]
    assert team["actual"] == 1100 and team["projection"] == pytest.approx(1100 * 21 / 11)
    assert team["target"] == 1050


def test_pacing_at_period_end_and_cumulative(ds, monkeypatch) -> None:
    monkeypatch.setattr(sys.modules["salesnb.review.pacing"], "day_weights", _uniform_weights)
    daily = _flat_daily()
    done = pacing(ds, **MAY, as_of="2025-05-31", daily=daily).set_index("rep_id").loc["S1"]
    assert done["days_left"] == 0 and done["projection"] == 500 and pd.isna(done["gap_per_day"])
    path = cumulative(ds, **MAY, as_of="2025-05-16", rep_id="S1", daily=daily).set_index("date")
    assert path["target"].iloc[-1] == 1050
    assert path.loc["2025-05-16", "actual"] == 600 and pd.isna(path.loc["2025-05-17", "actual"])
    assert path["projection"].iloc[-1] == pytest.approx(600 * 21 / 11)


def test_pacing_day_weights_are_zero_on_holidays_and_weekends(ds) -> None:
    from salesnb.review.pacing import day_weights

    w = day_weights(ds, **MAY)
    assert w[pd.Timestamp("2025-05-01")] == 0 and w[pd.Timestamp("2025-05-03")] == 0
    assert (w[w.index.weekday < 5].drop(pd.Timestamp("2025-05-01")) > 0).all()


def test_status_thresholds() -> None:
    assert [status_of(x) for x in (1.0, 0.95, 0.9, 0.5, np.nan)] == [
        "on_track", "close", "close", "behind", "no_target"]


# ------------------------------------------------------------------------ lost customers


def test_lost_rule_rhythm_and_single_order(ds) -> None:
    r = customer_rhythm(ds, as_of="2025-05-31").set_index("customer_id")
    assert r.loc["C6", "median_gap"] == 28 and r.loc["C6", "allowed_days"] == 90
    assert r.loc["C6", "lost_date"] == pd.Timestamp("2025-05-05") and r.loc["C6", "status"] == "lost"
    # value at risk: the 12 months up to the last purchase
    assert r.loc["C6", "value_at_risk"] == 400
    assert r.loc["C2", "allowed_days"] == pytest.approx(2.5 * 178.5)  # gaps 266 and 91 days
    # single order: lost after more than 180 days
    assert r.loc["C3", "allowed_days"] == 180 and r.loc["C3", "status"] == "active"
    assert customer_rhythm(ds, as_of="2025-11-01").set_index("customer_id").loc["C3", "status"] == "active"
    later = customer_rhythm(ds, as_of="2025-11-02").set_index("customer_id").loc["C3"]
    assert later["status"] == "lost" and later["lost_date"] == pd.Timestamp("2025-11-02")
    # a return is not a purchase: C1's last purchase is O1, not the O4 return
    assert r.loc["C1", "last_order"] == pd.Timestamp("2025-01-15") and r.loc["C1", "purchases"] == 2


def test_lost_customers_list_and_rule_parameters(ds) -> None:
    lost = lost_customers(ds, **MAY)
    assert lost["customer_id"].tolist() == ["C6"] and lost.iloc[0]["rep_id"] == "S1"
    assert lost_customers(ds, **MAY, rep_id="S2").empty
    # a stricter rule (min 60 days) finds C6 lost earlier, in April
    assert lost_customers(ds, start="2025-04-01", end="2025-04-30", min_days=60)["customer_id"].tolist() == ["C6"]
    with pytest.raises(ParameterError, match="factor"):
        customer_rhythm(ds, as_of="2025-05-31", factor=0)


def test_churn_risk_reports_its_held_out_auc(ds) -> None:
    res = churn_risk(ds, as_of="2025-05-31")
    assert set(res.scores["customer_id"]) <= {"C1", "C2", "C3", "C4", "C5"}
    assert res.scores["risk"].between(0, 1).all()
    assert "too_little_history" in res.notes and np.isnan(res.auc)  # too few customers to learn from


def test_churn_model_auc_on_a_learnable_pattern(tmp_path: Path) -> None:
    # 60 customers who buy monthly: 20 of them slow down and stop; the model must rank them first
    t = tiny_tables()
    rows, customers = [], []
    for i in range(60):
        cid = f"K{i:02d}"
        customers.append([cid, f"Cliente {i}", "store", "P1", "S1", "2023-01-01"])
        stops = i % 3 == 0
        months = pd.date_range("2023-01-02", "2025-12-01", freq="MS")
        for j, m in enumerate(months):
            day = m + pd.Timedelta(days=(i % 20))
            stop_at = pd.Timestamp("2024-03-01") + pd.DateOffset(months=(i % 18))
            if stops and day >= stop_at:
                break
            if stops and day >= stop_at - pd.DateOffset(months=3) and j % 2:
                continue  # slows down before stopping
            rows.append([f"X{i:02d}{j:02d}", "1", day.date().isoformat(), cid, "S1", "A", "1", "100", "0", "100"])
    t["customers"] = pd.DataFrame(customers, columns=t["customers"].columns)
    t["orders"] = pd.DataFrame(rows, columns=t["orders"].columns)
    t.pop("leads")
    data = load(write_tables(t, tmp_path / "churn"))
    res = churn_risk(data, as_of="2025-06-30", horizon_days=120)
    assert res.n_train > 0 and res.auc > 0.7


# ---------------------------------------------------------------------------- receivables


def test_aging_buckets_and_partial_payments(ds) -> None:
    inv = open_invoices(ds, as_of="2025-05-31").set_index("invoice_id")
    assert "I1" not in inv.index  # paid in full before the day
    assert inv.loc["I3", "outstanding"] == 500  # 800 - 300 paid
    assert inv.loc["I6", "outstanding"] == 300  # paid only after the day
    assert inv["bucket"].to_dict() == {"I2": "d1_30", "I3": "d61_90", "I4": "current", "I5": "d90_plus",
                                       "I6": "d31_60", "I7": "current"}
    total = aging(ds, as_of="2025-05-31").iloc[0]
    assert total[["current", "d1_30", "d31_60", "d61_90", "d90_plus"]].tolist() == [800, 500, 300, 500, 200]
    assert (total["total"], total["overdue"]) == (2300, 1500)
    by_rep = aging(ds, as_of="2025-05-31", by="rep_id").set_index("rep_id")
    assert by_rep.loc["S1", "overdue"] == 1500 and by_rep.loc["S2", "current"] == 800


def test_aging_bucket_edges() -> None:
    from salesnb.review.receivables import _bucket

    days = np.array([-5, 0, 1, 30, 31, 60, 61, 90, 91])
    assert _bucket(days).tolist() == ["current", "current", "d1_30", "d1_30", "d31_60", "d31_60", "d61_90",
                                      "d61_90", "d90_plus"]


def test_dso(ds) -> None:
    # owed 2300; invoiced in the 90 days to 31 May: I2 500 + I4 700 + I6 300 + I7 100 = 1600
    assert dso(ds, as_of="2025-05-31") == pytest.approx(2300 / 1600 * 90)
    by_rep = dso(ds, as_of="2025-05-31", by="rep_id")
    assert by_rep["S1"] == pytest.approx(1500 / 800 * 90) and by_rep["S2"] == pytest.approx(90)
    with pytest.raises(ParameterError, match="days"):
        dso(ds, as_of="2025-05-31", days=0)


def test_collection_plan_orders_by_amount_times_age(ds) -> None:
    plan = collection_plan(ds, as_of="2025-05-31")
    assert plan["customer_id"].tolist() == ["C2", "C1"]
    c2, c1 = plan.iloc[0], plan.iloc[1]
    assert (c2["overdue"], c2["invoices"], c2["oldest_days"], c2["priority"]) == (700, 2, 120, 500 * 89 + 200 * 120)
    assert (c1["overdue"], c1["priority"], c1["oldest_due"]) == (800, 500 * 30 + 300 * 31, pd.Timestamp("2025-04-30"))
    assert collection_plan(ds, as_of="2025-05-31", rep_id="S2").empty
    assert len(collection_plan(ds, as_of="2025-05-31", top=1)) == 1


# ----------------------------------------------------------------------------- complaints


def test_complaint_sla(ds) -> None:
    t = complaint_times(ds, **MAY).set_index("complaint_id")
    assert list(t.index) == ["Q1", "Q2", "Q3"]
    assert t.loc["Q1", "response_ok"] and t.loc["Q1", "resolution_ok"]
    assert not t.loc["Q2", "response_ok"] and not t.loc["Q2", "resolution_ok"]
    assert not t.loc["Q3", "response_ok"] and pd.isna(t.loc["Q3", "resolution_ok"])  # 3 days: still in time
    assert t.loc["Q3", "open"] and t.loc["Q3", "response_hours"] == 72
    s = complaints_summary(ds, **MAY)
    assert (s["complaints"], s["config_mismatch"], s["open"]) == (3, 1, 1)
    assert s["response_within_sla"] == pytest.approx(1 / 3) and s["resolved_within_sla"] == pytest.approx(0.5)
    # with a 72-hour first-response SLA, Q2 (48 h) meets it and Q3 (72 h waited) is not late yet
    loose = complaint_times(ds, **MAY, response_sla_hours=72).set_index("complaint_id")
    assert loose.loc["Q2", "response_ok"] and pd.isna(loose.loc["Q3", "response_ok"])
    with pytest.raises(ParameterError, match="resolution_sla_days"):
        complaint_times(ds, **MAY, resolution_sla_days=0)


def test_complaints_by_category_and_rep(ds) -> None:
    by = complaints_by(ds, **MAY, by="category").set_index("category")
    assert by["complaints"].sum() == 3 and by.loc["configuration_mismatch", "median_response_hours"] == 48
    by_rep = complaints_by(ds, **MAY, by="rep_id").set_index("rep_id")
    assert by_rep.loc["S1", "complaints"] == 2 and by_rep.loc["S1", "response_within_sla"] == 0.5
    with pytest.raises(ParameterError, match="'by'"):
        complaints_by(ds, **MAY, by="colour")


# ------------------------------------------------------------------------------ win/loss

FEB_MAR = {"start": "2025-02-01", "end": "2025-03-31"}


def test_winloss_by_dimension(ds) -> None:
    source = winloss(ds, **FEB_MAR, by="source").set_index("source")
    assert source.loc["trade fair", ["won", "lost", "closed"]].tolist() == [2, 0, 2]
    assert source.loc["website", "win_rate"] == 0 and source.loc["referral", "win_rate"] == 1
    reasons = winloss(ds, **FEB_MAR, by="lost_reason").set_index("lost_reason")
    assert reasons["lost"].to_dict() == {"no_budget": 1, "price": 1} and reasons["share"].sum() == 1
    reps = winloss(ds, **FEB_MAR, by="rep_id").set_index("rep_id")
    assert reps.loc["S1", "win_rate"] == pytest.approx(2 / 3) and reps.loc["S2", "win_rate"] == 0.5


def test_attribute_lift(ds) -> None:
    with i18n_language("en"):
        lift = attribute_lift(ds, **FEB_MAR, min_count=1)
    assert lift.attrs["overall"] == pytest.approx(0.6)
    rows = lift.set_index(["attribute", "value"])
    assert rows.loc[("source", "trade fair"), "lift"] == pytest.approx(1 / 0.6)
    assert rows.loc[("channel", "store"), "lift"] == pytest.approx((2 / 3) / 0.6)
    assert rows.loc[("foreign_investor", "yes"), "win_rate"] == 0.5
    assert rows.loc[("foreign_investor", "no"), "share_of_wins"] == pytest.approx(2 / 3)
    assert lift["lift"].is_monotonic_decreasing
    # values with fewer closed leads than min_count are left out
    assert attribute_lift(ds, **FEB_MAR, min_count=3)["closed"].min() >= 3


def test_winloss_window_widens_when_few_leads_closed(ds) -> None:
    s, e, widened = winloss_window(ds, start="2025-05-01", end="2025-05-31", min_closed=30)
    assert widened and (s, e) == (pd.Timestamp("2024-06-01"), pd.Timestamp("2025-05-31"))
    assert winloss_window(ds, **FEB_MAR, min_closed=5)[2] is False


# ----------------------------------------------------------------------- rep id and views


def test_check_rep(ds) -> None:
    may = period_range("month", "2025-05-31")
    assert check_rep(ds, None, period=may) is None and check_rep(ds, "S4", period=may) == "S4"
    with pytest.raises(ParameterError, match=r"Got 'S9'\. Valid ids: S1, S2, S3, S4, S5"):
        check_rep(ds, "S9", period=may)
    with pytest.raises(ParameterError, match="not employed in the period"):
        check_rep(ds, "S6", period=may)


@pytest.mark.parametrize(("lang", "rep"), [("en", None), ("es", "S4")])
def test_review_renders_team_and_rep_pages(ds, lang: str, rep: str | None) -> None:
    import matplotlib.pyplot as plt

    with i18n_language(lang):
        page = open_review(ds, period="month", period_end="2025-05-31", rep_id=rep, targets=MONTHLY_TARGETS)
        outputs = views.render(page)
    assert len(outputs) == len(views.sections(page))
    html = "".join(getattr(o, "data", "") or "" for o in outputs if isinstance(getattr(o, "data", None), str))
    assert ("Nuevo Mayo" in html) and ("<script>alert" not in html)
    if rep is None:
        assert "Equipo" not in html and "Team" in html
    else:
        assert "Revisión periódica" in html and "Sin Actividad" not in html
    plt.close("all")


def test_review_rejects_bad_parameters(ds) -> None:
    with pytest.raises(ParameterError, match="rep_id"):
        open_review(ds, period_end="2025-05-31", rep_id="NOPE")
    with pytest.raises(ParameterError, match="unknown KPI"):
        open_review(ds, period_end="2025-05-31", weights={"speed": 1})
    with pytest.raises(ParameterError, match="'period'"):
        open_review(ds, period="decade", period_end="2025-05-31")


def test_review_escapes_hostile_names(tmp_path: Path) -> None:
    t = review_tables()
    t["reps"].loc[t["reps"]["rep_id"] == "S1", "name"] = "<script>alert(1)</script>"
    t["customers"].loc[t["customers"]["customer_id"] == "C2", "name"] = "<img src=x onerror=alert(1)>"
    data = load(write_tables(t, tmp_path / "hostile"))
    with i18n_language("en"):
        page = open_review(data, period_end="2025-05-31", targets=MONTHLY_TARGETS)
        html = views.scorecard_table(page).data + views.collection_table(page).data + views.title(page).data
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_collection_list_masks_phones_unless_asked() -> None:
    from salesnb.review import receivables

    ds = load("sample")
    plan = receivables.collection_plan(ds, as_of=pd.Timestamp("2026-10-31"), top=20)
    phones = [p for p in plan["phone"] if p]
    assert phones
    masked = views.collection_table(open_review(ds, period="month", period_end="2026-10-31")).data
    shown = views.collection_table(open_review(ds, period="month", period_end="2026-10-31", mask_contacts=False)).data
    assert not any(html.escape(p) in masked for p in phones)
    assert any(html.escape(p) in shown for p in phones)


@pytest.mark.slow
def test_team_figures_are_shared_between_pages_but_never_mutated() -> None:
    ds = load("sample")
    first = open_review(ds, period="month", period_end="2026-10-31")
    card = first.card
    expected = card.copy()
    card.drop(card.index, inplace=True)  # a page that scribbles on its copy
    again = open_review(ds, period="month", period_end="2026-10-31", rep_id="R001").card
    pd.testing.assert_frame_equal(again, expected)
    other = open_review(ds, period="month", period_end="2026-10-31", weights={"attainment": 0.9}).card
    assert not other["score"].equals(expected["score"])  # other weights, other figures


def test_review_errors_come_from_the_catalog(ds) -> None:
    from salesnb.review import check_growth

    with i18n_language("en"):
        growth_text = r"^The 'growth' parameter must be a number above -1 \(0\.05 = \+5%\)\. Got -1 instead\.$"
        with pytest.raises(ParameterError, match=growth_text):
            check_growth(-1)
        with pytest.raises(ParameterError, match=r"^The period must start on or before its end\. "
                                                 r"Got 2025-05-31 to 2025-05-01\.$"):
            scorecard(ds, period_start="2025-05-31", period_end="2025-05-01")
        with pytest.raises(ParameterError, match=r"'period_end'.*YYYY-MM-DD"):
            open_review(ds, period_end="31/05/2025")
    with i18n_language("es"):
        with pytest.raises(ParameterError, match="'growth' debe ser un número mayor que -1"):
            open_review(ds, period_end="2025-05-31", growth=-1)
        with pytest.raises(ParameterError, match="'resolution_sla_days' debe ser un número positivo"):
            open_review(ds, period_end="2025-05-31", sla={"resolution_sla_days": 0})
    assert check_growth(0) == 0.0 and isinstance(check_growth(0), float)


def test_explore_ranks_every_rep_on_one_kpi_and_marks_the_chosen(ds) -> None:
    import matplotlib.pyplot as plt

    page = open_review(ds, period="month", period_end="2025-05-31", targets=MONTHLY_TARGETS)
    reps = page.card.loc[~page.card["is_team"]]
    order = reps.sort_values(["visits", "rep_id"], ascending=[False, True], kind="stable")["rep_id"].tolist()
    table = views.kpi_ranking(open_review(ds, period="month", period_end="2025-05-31", rep_id="S4",
                                          targets=MONTHLY_TARGETS), "visits").data
    rows = table.split("<tbody>")[1].split("</tr>")[:-1]
    assert [next(r for r in order if f">{r}<" in row) for row in rows] == order  # most visits first
    marked = [row for row in rows if "●" in row]
    assert len(marked) == 1 and ">S4<" in marked[0]
    lower = views.kpi_ranking(page, "response_hours").data  # lower is better: fastest first
    fastest = reps.sort_values(["response_hours", "rep_id"], kind="stable", na_position="last")["rep_id"].iloc[0]
    assert f">{fastest}<" in lower.split("<tbody>")[1].split("</tr>")[0]
    parts = views.explore_view(page, rep_id="S6", kpi="visits", period="month")  # S6 not employed in May
    assert "not employed in the period" in parts[0].data
    parts = views.explore_view(page, rep_id="S4", kpi="attainment", period="quarter")
    assert "Q2 2025" in parts[0].data and len(parts) == 2
    plt.close("all")
    with pytest.raises(ParameterError, match="'kpi'"):
        views.kpi_ranking(page, "speed")
