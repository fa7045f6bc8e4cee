"""Rep pages at scale: a rep page reads its own rows, and the fast paths equal the straightforward ones.

A rep page of notebook 04 reads the rep's rows of the team-wide figures through a
per-process index of rows by rep (``review.page.rep_rows``) instead of filtering whole
frames; every test here compares that path with the plain filter it replaces, or checks
that a page still cannot change what the next page sees.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesnb import i18n
from salesnb.data import load
from salesnb.review import open_review
from salesnb.review.pacing import cumulative, day_weights
from salesnb.review.page import REP_TABLES, rep_rows

END = "2026-10-31"


@pytest.fixture(scope="module")
def sample():
    return load("sample")


def _filtered(frame: pd.DataFrame, rep: str) -> pd.DataFrame:
    return frame.loc[frame["rep_id"].astype(str) == rep]


def test_rep_rows_are_the_rows_a_filter_keeps_in_order() -> None:
    frame = pd.DataFrame({"rep_id": ["R2", "R1", None, "R2", np.nan, "R1", "R3"], "x": range(7)},
                         index=[10, 11, 12, 13, 14, 15, 16])
    rows = rep_rows(frame)
    assert {k: list(v) for k, v in rows.items() if k in ("R1", "R2", "R3")} == {"R2": [0, 3], "R1": [1, 5],
                                                                                "R3": [6]}
    for rep in ["R1", "R2", "R3", "None", "nan"]:
        pd.testing.assert_frame_equal(frame.iloc[rows.get(rep, [])], _filtered(frame, rep))
    assert rep_rows(frame.iloc[:0]) == {}
    typed = frame.assign(rep_id=frame["rep_id"].astype("string"))
    for rep in ["R1", "R2", "R3"]:
        pd.testing.assert_frame_equal(typed.iloc[rep_rows(typed)[rep]], _filtered(typed, rep))


@pytest.mark.slow
def test_a_rep_page_reads_the_same_rows_as_filtering_the_team_figures(sample) -> None:
    team = open_review(sample, period="month", period_end=END)
    for rep in ["R001", "R017"]:
        page = open_review(sample, period="month", period_end=END, rep_id=rep)
        pd.testing.assert_frame_equal(page.own_daily, _filtered(team.daily, rep))
        pd.testing.assert_frame_equal(page.own_rhythm, _filtered(team.rhythm, rep))
        pd.testing.assert_frame_equal(page.own_churn.scores, _filtered(team.churn.scores, rep))
        assert page.own_churn.auc == team.churn.auc or np.isnan(team.churn.auc)
        pd.testing.assert_frame_equal(page.own_invoices, team.invoices.loc[team.invoices["rep_id"] == rep])
        pd.testing.assert_frame_equal(page.own_complaints, _filtered(team.complaints, rep))
        for name in REP_TABLES:
            pd.testing.assert_frame_equal(page.rep_data[name], _filtered(sample[name], rep))
        assert page.rep_data.content_hash != sample.content_hash  # never mistaken for the whole data
        pd.testing.assert_series_equal(page.dso, team.dso)


@pytest.mark.slow
def test_the_rep_trend_equals_the_trend_of_the_filtered_orders(sample) -> None:
    page = open_review(sample, period="quarter", period_end=END, rep_id="R005")
    a = page.period.as_of
    first = (a.to_period("M") - 11).to_timestamp()
    orders = _filtered(sample.orders, "R005")
    orders = orders.loc[(orders["order_date"] >= first) & (orders["order_date"] <= a)]
    months = pd.period_range(first.to_period("M"), a.to_period("M"), freq="M")
    act = orders.groupby(orders["order_date"].dt.to_period("M"))["net_amount"].sum().reindex(months, fill_value=0.0)
    trend = page.trend()
    np.testing.assert_array_equal(trend["actual"].to_numpy(), act.to_numpy())
    assert trend["target"].sum() > 0


@pytest.mark.slow
def test_cumulative_with_the_day_weights_given_equals_computing_them(sample) -> None:
    p = open_review(sample, period="month", period_end="2026-10-15", rep_id="R003").pacing_period
    weights = day_weights(sample, start=p.start, end=p.end, as_of=p.as_of)
    plain = cumulative(sample, start=p.start, end=p.end, as_of=p.as_of, rep_id="R003")
    fast = cumulative(sample, start=p.start, end=p.end, as_of=p.as_of, rep_id="R003", weights=weights)
    pd.testing.assert_frame_equal(fast, plain)


@pytest.mark.slow
def test_a_rep_page_cannot_change_what_the_next_page_sees(sample) -> None:
    first = open_review(sample, period="month", period_end=END, rep_id="R004")
    expected = {name: getattr(first, name).copy() for name in ("own_daily", "own_rhythm", "own_invoices")}
    orders = first.rep_data.orders.copy()
    handed = [getattr(first, name) for name in expected] + [first.rep_data.orders, first.own_churn.scores]
    for frame in handed:  # a page that scribbles on what it was handed, down to the arrays' memory
        numbers = frame.select_dtypes("number").columns
        frame[numbers[0]].to_numpy()[:] = -1
        frame.drop(frame.index[:1], inplace=True)
    first.dso.to_numpy()[:] = -1
    again = open_review(sample, period="month", period_end=END, rep_id="R004")
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(getattr(again, name), frame)
    pd.testing.assert_frame_equal(again.rep_data.orders, orders)
    assert len(again.own_churn.scores) and (again.dso != -1).all()
    pd.testing.assert_frame_equal(open_review(sample, period="month", period_end=END).rhythm.pipe(_filtered, "R004"),
                                  expected["own_rhythm"])


@pytest.mark.slow
def test_the_target_plan_is_made_once_per_dataset_and_year(sample) -> None:
    from salesnb.review.plan import target_plan
    from salesnb.targets import breakdown

    plan = target_plan(sample, year=2026, growth=0.05)
    assert target_plan(sample, year=2026, growth=0.05) is plan
    assert target_plan(sample, year=2026, growth=0.10) is not plan
    pd.testing.assert_frame_equal(plan.daily, breakdown(sample, year=2026, growth_pct=5.0).daily)


@pytest.mark.slow
def test_margin_and_commissions_from_given_lines_equal_their_own(sample) -> None:
    from salesnb.money import commissions, costed_orders, margin

    lines = costed_orders(sample)
    span = {"start": "2026-01-01", "end": END}
    pd.testing.assert_frame_equal(margin(sample, by="rep", lines=lines, **span), margin(sample, by="rep", **span))
    pd.testing.assert_frame_equal(commissions(sample, lines=lines, **span), commissions(sample, **span))


def test_memoised_number_texts_equal_babels() -> None:
    from babel.numbers import format_currency, format_decimal

    for lang, loc in (("en", "en_US"), ("es", "es_ES")):
        for value in (0.0, -0.0, -0.4, 0.4, 1234.5, -1234.56, float("nan"), 7, 10**9):
            for _ in range(2):  # the second time from the memo
                text = i18n.fmt_number(value, decimals=1, lang=lang)
                if np.isfinite(value):
                    assert text == format_decimal(round(float(value), 1), format="#,##0.0", locale=loc,
                                                  decimal_quantization=True)
                money = i18n.fmt_money(value, "USD", lang=lang)
                if np.isfinite(value):
                    pattern = "#,##0\u00a0¤" if lang == "es" else "¤#,##0"
                    assert money == format_currency(round(float(value), 0), "USD", format=pattern, locale=loc,
                                                    currency_digits=False)
    assert i18n.fmt_number(-0.4) == format_decimal(-0.0, format="#,##0", locale="en_US", decimal_quantization=True)
    assert i18n.fmt_number(0.4) == "0"


@pytest.mark.slow
def test_costed_lines_of_a_span_are_the_span_of_all_costed_lines(sample) -> None:
    from salesnb.money import costed_orders

    full = costed_orders(sample)
    part = costed_orders(sample, start="2026-01-01", end="2026-10-31")
    keep = (full["order_date"] >= "2026-01-01") & (full["order_date"] <= "2026-10-31")
    pd.testing.assert_frame_equal(part, full.loc[keep].reset_index(drop=True))
    pd.testing.assert_frame_equal(costed_orders(sample, end="2025-06-30"),
                                  full.loc[full["order_date"] <= "2025-06-30"].reset_index(drop=True))
