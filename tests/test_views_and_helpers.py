"""Functions that had no test of their own: lead views, small market helpers, win/loss, config, units.

Each case is small enough to check by hand: the expected rows, sentences and numbers
are written out, not recomputed with the code under test.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_leads import lead_rows

from salesnb import config, i18n, leads, market
from salesnb.data import load
from salesnb.errors import ParameterError
from salesnb.leads.evaluate import Backtest
from salesnb.review.winloss import closed_leads, lead_attributes
from salesnb.targets.allocate import from_units, to_units

# --------------------------------------------------------------------------- lead views


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


REGIONS = pd.DataFrame({"region_id": ["R1", "P1", "P2"], "name": ["North", "Cádiz", "Sevilla"],
                        "parent_id": [None, "R1", "R1"], "population": 1000, "gdp_per_capita": 20000.0,
                        "households": 400, "retail_sales": 1e6})
REPS = pd.DataFrame({"rep_id": ["A", "B"], "name": ["Ana", "Bea"], "region_id": ["R1", "R1"],
                     "hire_date": pd.to_datetime(["2020-01-01", "2020-01-01"]),
                     "leave_date": pd.to_datetime([None, None]), "weekly_capacity": [1, 1]})
CUSTOMERS = pd.DataFrame({"customer_id": ["C1"], "name": ["Hogar Peña S.L."], "rep_id": ["B"],
                          "region_id": ["P1"], "channel": ["store"]})


@pytest.fixture(scope="module")
def week():
    """Seven raw leads: L2 is L1 by phone, L4 is L3 by email, L5 is customer C1; two reps with room for one each.

    After de-duplication four contacts are open (L1, L3, L6, L7), scored 0.9, 0.7, 0.5, 0.3;
    the two best go to the two reps, the other two wait.
    """
    raw = lead_rows([
        {"company": "Muebles Norte S.L.", "phone": "912 345 678", "source": "referral"},
        {"company": "Muebles del Norte", "phone": "+34 912345678"},
        {"company": "Casa Sol", "email": "info@casasol.es", "region_id": "P2"},
        {"company": "Casa Sol S.A.", "email": "info@casasol.es", "region_id": "P2"},
        {"company": "Hogar Peña SL"},
        {"company": "Tienda Uno", "region_id": "P2"},
        {"company": "Tienda Dos", "region_id": "P2"},
    ])
    dedup = leads.deduplicate(raw, customers=CUSTOMERS)
    scored = dedup.open_leads().assign(score=[0.9, 0.7, 0.5, 0.3])
    assignment = leads.assign_leads(scored, REPS, REGIONS, as_of="2026-01-05")
    return dedup, scored, assignment


def test_merge_table_pairs_each_merged_record_with_its_master(week) -> None:
    dedup, _, _ = week
    table = leads.merge_table(dedup)
    assert table.to_dict("records") == [
        {"lead_id": "L2", "company": "Muebles del Norte", "master_id": "L1", "master_company": "Muebles Norte S.L.",
         "reason": "same_phone", "similarity": 1.0},
        {"lead_id": "L4", "company": "Casa Sol S.A.", "master_id": "L3", "master_company": "Casa Sol",
         "reason": "same_email", "similarity": 1.0},
    ]
    words = leads.translate(table, lang="es")
    assert list(words["reason"]) == ["mismo teléfono", "mismo correo"]


def test_customer_table_names_the_account_and_its_rep(week) -> None:
    dedup, _, _ = week
    table = leads.customer_table(dedup, CUSTOMERS)
    assert table.to_dict("records") == [{"lead_id": "L5", "company": "Hogar Peña SL", "customer_id": "C1",
                                         "customer_name": "Hogar Peña S.L.", "customer_rep": "B",
                                         "reason": "same_name"}]


def test_rep_backlog_and_fairness_tables_in_words(week) -> None:
    _, scored, assignment = week
    reps = leads.rep_table(assignment, REGIONS)
    assert reps[["rep_id", "name", "territory", "capacity", "new", "owned"]].to_dict("records") == [
        {"rep_id": "A", "name": "Ana", "territory": "North", "capacity": 1, "new": 1, "owned": 0},
        {"rep_id": "B", "name": "Bea", "territory": "North", "capacity": 1, "new": 1, "owned": 0}]
    assert sorted(reps["expected_wins"]) == pytest.approx([0.7, 0.9])  # the two best leads, one each
    backlog = leads.backlog_table(assignment, scored, REGIONS, lang="es")
    assert backlog.to_dict("records") == [
        {"position": 1, "lead_id": "L6", "company": "Tienda Uno", "territory": "North", "score": 0.5,
         "reason": "sin capacidad"},
        {"position": 2, "lead_id": "L7", "company": "Tienda Dos", "territory": "North", "score": 0.3,
         "reason": "sin capacidad"}]
    fair = leads.fairness_table(assignment, REGIONS, lang="es")
    assert list(fair["territory"]) == ["North", "Todos los comerciales"]
    # expected wins 0.9 and 0.7: mean 0.8, population sd 0.1, CV 0.125
    assert list(fair["cv"]) == pytest.approx([0.125, 0.125])
    assert leads.fairness_note(assignment) == ("Spread of expected wins across reps (CV): 0.13. "
                                               "Win chance per new lead ranges from 70.0% to 90.0%.")


def test_evidence_table_and_notes() -> None:
    bt = Backtest(ok=True, n_closed=120, n_won=30, mode="model",
                  metrics={"base_rate": 0.25, "auc": 0.8123, "capture_20": 0.45, "lift_top": 2.345, "brier": 0.1511})
    table = leads.evidence_table(bt, lang="en")
    assert list(table["value"]) == ["120", "25.0%", "0.812", "45.0%", "2.35", "0.151"]
    assert table["metric"].iloc[0] == "Closed leads used"
    assert table["metric"].iloc[2] == "AUC (chance a won lead scores above a lost one)"
    assert leads.evidence_note(bt) == ("Calling the top 20% of leads by score reaches 45.0% of the wins (random "
                                       "order: 20%). The top decile wins 2.3 times as often as average.")
    thin = Backtest(ok=False, n_closed=7, n_won=2, mode="rules")
    assert leads.evidence_table(thin).empty and list(leads.evidence_table(thin).columns) == ["metric", "value"]
    assert leads.evidence_note(thin, lang="es").startswith(
        "No hay suficiente historial de ganadas y perdidas para medir las puntuaciones (7 cerradas).")


def test_mode_note_and_factor_table() -> None:
    rng = np.random.default_rng(0)
    n = 40
    X = pd.DataFrame({"est_investment": np.exp(rng.normal(11, 1, n)), "source": rng.choice(["referral", "website"], n),
                      "unused": 1.0})
    y = (X["est_investment"] > X["est_investment"].median()).to_numpy()
    scorer = leads.LeadScorer(mode="bayes").fit(X, y)
    assert leads.mode_note(scorer) == f"Scoring method: {i18n.t('leads.mode_bayes')}, learned from 40 closed leads " \
                                      "(20 won)."
    factors = leads.factor_table(scorer, X.assign(extra="ignored"), lang="es")
    assert list(factors.columns) == ["field", "label", "mean_abs", "mean"]
    assert factors["field"].iloc[0] == "est_investment"  # it decides the outcome
    assert factors["label"].iloc[0] == "inversión"
    assert "unused" not in set(factors["field"])  # a constant moves no score
    assert (factors["mean_abs"] > 0).all() and factors["mean_abs"].is_monotonic_decreasing
    assert leads.factor_table(scorer, X.iloc[0:0]).empty


def test_translate_and_kinds() -> None:
    frame = pd.DataFrame({"channel": ["store", "unknown-code"], "source": ["referral", None],
                          "merged_from": [["L1", "L2"], []], "score": [0.5, 0.25]})
    words = leads.translate(frame, lang="es")
    assert words["channel"].iloc[1] == "unknown-code"  # a value without a word is kept
    assert words["channel"].iloc[0] == i18n.t("leads.val_channel_store", lang="es")
    assert words["source"].iloc[0] == i18n.t("leads.val_source_referral", lang="es") and words["source"].isna().iloc[1]
    assert list(words["merged_from"]) == ["L1; L2", ""]
    assert frame["channel"].iloc[0] == "store"  # input unchanged
    kinds = leads.kinds()
    assert kinds["score"] == "pct" and kinds["lift"] == "num2" and kinds["gap"] == "num1" and kinds["rank"] == "int"


# --------------------------------------------------------------------------- market helpers


def test_fastest_growing_ignores_tiny_groups_and_unknown_growth() -> None:
    compared = pd.DataFrame({"region": ["big", "mid", "tiny", "new"],
                             "prior": [1000.0, 500.0, 10.0, 0.0], "current": [1100.0, 600.0, 50.0, 300.0]})
    compared["growth"] = np.where(compared["prior"] > 0, compared["current"] / compared["prior"] - 1, np.nan)
    # tiny grew 400 % but had 10 / 1510 = 0.7 % of last year's sales (< 2 %); new has no growth
    best = market.fastest_growing(compared, by="region")
    assert best["region"] == "mid" and best["growth"] == pytest.approx(0.2)
    assert market.fastest_growing(compared, by="region", min_share=0.005)["region"] == "tiny"
    assert market.fastest_growing(compared, by="region", min_share=0.9) is None
    assert market.fastest_growing(compared.iloc[0:0], by="region") is None
    with pytest.raises(Exception, match="growth"):
        market.fastest_growing(compared.drop(columns="growth"), by="region")


def test_season_label_in_both_languages() -> None:
    assert [market.season_label(s) for s in ("high", "low", "normal")] == ["High season", "Low season",
                                                                           "Normal season"]
    i18n.set_language("es")
    assert market.season_label("high") == "Temporada alta"
    assert market.season_label("low") == "Temporada baja"


# --------------------------------------------------------------------------- win/loss


def test_closed_leads_in_a_span_and_for_one_rep(tiny_dir: Path) -> None:
    ds = load(tiny_dir)  # L1 won on 2025-02-01, L2 lost on 2025-03-01 (both S1), L3 open
    both = closed_leads(ds, start="2025-01-01", end="2025-12-31")
    assert list(both["lead_id"]) == ["L1", "L2"] and list(both["won"]) == [True, False]
    assert list(closed_leads(ds, start="2025-02-01", end="2025-02-28")["lead_id"]) == ["L1"]
    assert list(closed_leads(ds, start="2025-03-01", end="2025-03-01")["lead_id"]) == ["L2"]
    assert closed_leads(ds, start="2025-01-01", end="2025-12-31", rep_id="S2").empty
    assert len(closed_leads(ds, start="2025-01-01", end="2025-12-31", rep_id="S1")) == 2
    assert closed_leads(ds, start="2026-01-01", end="2026-12-31").empty


def test_lead_attributes_default_and_chosen() -> None:
    frame = lead_rows([{"est_investment": 5.0, "foreign_investor": True}]).assign(won=True)
    assert lead_attributes(frame) == ["channel", "source", "est_investment", "foreign_investor"]
    assert lead_attributes(frame, ["source"]) == ["source"]
    with pytest.raises(ParameterError) as err:
        lead_attributes(frame, ["source", "planet", "moon"])
    assert str(err.value) == "The 'attributes' parameter names column(s) the leads do not have: planet, moon."


# --------------------------------------------------------------------------- config


def test_resolve_data_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.resolve_data_path("sample") == config.sample_dir()
    assert config.resolve_data_path("  sample ") == config.sample_dir()
    assert config.resolve_data_path("") == config.sample_dir()
    monkeypatch.chdir(tmp_path)
    assert config.resolve_data_path("mine") == tmp_path.resolve() / "mine"
    assert config.resolve_data_path(Path("a/../b.xlsx")) == tmp_path.resolve() / "b.xlsx"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config.resolve_data_path("~/data") == tmp_path.resolve() / "home" / "data"
    assert config.resolve_data_path(str(tmp_path / "x")) == tmp_path.resolve() / "x"


# --------------------------------------------------------------------------- whole units


@pytest.mark.parametrize(("amount", "unit", "expected"), [
    (1234.56, 0.01, 123456), (0.125, 0.01, 13), (2.5, 1, 3), (3.5, 1, 4), (0.0, 1, 0), (12_500, 1000, 13),
    (np.float32(2.0), 0.5, 4), (np.int64(7), 1, 7), (Decimal("1.005"), 0.01, 101), (10**15, 1, 10**15)])
def test_to_units_rounds_half_away_from_zero(amount: object, unit: float, expected: int) -> None:
    assert to_units(amount, unit) == expected
    assert isinstance(to_units(amount, unit), int)


@pytest.mark.parametrize(("amount", "message"), [
    ("12", "The 'total' parameter must be a number. Got '12' instead."),
    (True, "The 'total' parameter must be a number. Got True instead."),
    (float("nan"), "The 'total' parameter must be a finite number. Got nan instead."),
    (float("inf"), "The 'total' parameter must be a finite number. Got inf instead."),
    (-0.5, "The 'total' parameter must not be negative. Got -0.5 instead."),
])
def test_to_units_refuses_bad_amounts(amount: object, message: str) -> None:
    with pytest.raises(ParameterError) as err:
        to_units(amount)
    assert str(err.value) == message


def test_to_units_names_the_argument_and_checks_the_unit() -> None:
    with pytest.raises(ParameterError) as err:
        to_units(-1, name="target")
    assert str(err.value) == "The 'target' parameter must not be negative. Got -1 instead."
    with pytest.raises(ParameterError) as err:
        to_units(5, 0)
    assert str(err.value) == "The 'unit' parameter must be a positive number such as 1 or 0.01. Got 0 instead."


def test_from_units_gives_exact_amounts_back() -> None:
    assert from_units(12345, 0.01) == 123.45 and isinstance(from_units(12345, 0.01), float)
    assert from_units(7, 1000) == 7000 and isinstance(from_units(7, 1000), int)
    assert from_units(3, 0.5) == 1.5
    assert from_units(3, 0.3) == pytest.approx(0.9)  # no whole inverse: multiplied
    arr = from_units(np.array([1, 10, 123456]), 0.01)
    assert arr.tolist() == [0.01, 0.1, 1234.56]
    units = np.array([5, 7])
    assert from_units(units, 2).tolist() == [10, 14] and units.tolist() == [5, 7]
    for cents in (1, 99, 12345, 100_000_001):  # a round trip through whole cents is exact
        assert to_units(from_units(cents, 0.01), 0.01) == cents
    with pytest.raises(ParameterError, match="'unit'"):
        from_units(1, -1)
