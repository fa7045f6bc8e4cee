"""The target breakdown at scale: fast paths equal to the straightforward ones (issue #15 part 3).

:func:`salesnb.targets.activity_weeks` splits every rep-month at once; it is compared
here with the month-by-month loop it replaced, on hand cases and on the sample. The
forecasts of the history are remembered on disk (:mod:`salesnb.data.memo`) for the
next report: the memo by hand (hits, misses, a broken entry, two callers at once) and
the remembered forecasts against a fresh run.
"""

from __future__ import annotations

import importlib
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import salesnb.forecast
from salesnb.config import project_root
from salesnb.data import load
from salesnb.data.memo import memo_key, remembered
from salesnb.targets import activity, breakdown, forecast_history
from salesnb.targets.allocate import allocate
from salesnb.targets.plan import TargetPlan

SAMPLE = project_root() / "data" / "sample"
COLS = ["new_customers_needed", "visits_needed", "calls_needed"]


def _weeks_one_month_at_a_time(work: pd.DataFrame, plan: TargetPlan) -> pd.DataFrame:
    """The straightforward activity_weeks: one largest-remainder split per rep, month and column."""
    daily = plan.daily.assign(month=plan.daily["date"].dt.to_period("M").dt.to_timestamp(),
                              week_start=plan.daily["date"] - pd.to_timedelta(plan.daily["date"].dt.weekday, "D"))
    weeks = daily.groupby(["rep_id", "month", "week_start"], as_index=False)["target"].sum()
    parts = []
    for (rep, month), group in weeks.groupby(["rep_id", "month"], sort=True):
        row = work.loc[(work["rep_id"] == rep) & (work["month"] == month)]
        if row.empty:
            continue
        part = group[["rep_id", "week_start", "target"]].copy()
        for col in COLS:
            part[col] = allocate(int(row[col].iloc[0]), group["target"].to_numpy(dtype=float), on_zero="equal")
        parts.append(part)
    out = pd.concat(parts, ignore_index=True).groupby(["rep_id", "week_start"], as_index=False)[
        ["target", *COLS]].sum()
    return out.sort_values(["rep_id", "week_start"], kind="stable").reset_index(drop=True)


class _Plan:
    """Just the ``daily`` frame activity_weeks reads."""

    def __init__(self, daily: pd.DataFrame) -> None:
        self.daily = daily


def _hand_case() -> tuple[pd.DataFrame, _Plan]:
    days = pd.date_range("2027-01-25", "2027-03-07", freq="D")  # weeks across month ends
    rng = np.random.default_rng(7)
    daily = pd.concat([pd.DataFrame({"rep_id": rep, "region_id": "X", "category": "c", "date": days,
                                     "target": rng.integers(0, 50, len(days))}) for rep in ("R2", "R1")],
                      ignore_index=True)
    daily.loc[(daily["rep_id"] == "R2") & (daily["date"].dt.month == 2), "target"] = 0  # all-zero month
    months = pd.to_datetime(["2027-01-01", "2027-02-01", "2027-03-01"])
    work = pd.DataFrame({"rep_id": ["R1"] * 3 + ["R2"] * 2, "month": [*months, *months[:2]],  # R2 has no March
                         "new_customers_needed": [1, 2, 0, 3, 5], "visits_needed": [7, 11, 3, 13, 4],
                         "calls_needed": [29, 31, 17, 40, 9]})
    return work, _Plan(daily)


def test_activity_weeks_by_hand() -> None:
    work, plan = _hand_case()
    weeks = activity.activity_weeks(work, plan)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(weeks, _weeks_one_month_at_a_time(work, plan))  # type: ignore[arg-type]
    r2 = weeks.loc[weeks["rep_id"] == "R2"]
    assert r2[COLS].sum().tolist() == [8, 17, 49]  # March left out: no work for it
    feb = weeks.loc[(weeks["rep_id"] == "R2") & weeks["week_start"].between("2027-02-08", "2027-02-22")]
    assert (feb["target"] == 0).all() and feb["visits_needed"].sum() > 0  # an all-zero month split equally


@pytest.fixture(scope="module")
def sample_work():
    ds = load(SAMPLE)
    plan = breakdown(ds, year=2027, growth_pct=8)
    return plan, activity.activity_plan(plan, ds)


def test_activity_weeks_equal_the_month_by_month_split(sample_work) -> None:
    plan, work = sample_work
    pd.testing.assert_frame_equal(activity.activity_weeks(work, plan), _weeks_one_month_at_a_time(work, plan))


def test_memo_key_separates_its_parts() -> None:
    assert memo_key("ab", "c") != memo_key("a", "bc")
    assert memo_key(b"x", "y") == memo_key("x", b"y")
    assert len(memo_key("x")) == 32


def test_remembered_computes_once_per_key(tmp_path: Path) -> None:
    calls = []

    def compute(value: int):
        def run() -> pd.DataFrame:
            calls.append(value)
            return pd.DataFrame({"v": [value]})
        return run

    first = remembered("t", memo_key("a"), compute(1), folder=tmp_path)
    again = remembered("t", memo_key("a"), compute(2), folder=tmp_path)
    other = remembered("t", memo_key("b"), compute(3), folder=tmp_path)
    assert calls == [1, 3]
    pd.testing.assert_frame_equal(first, again)
    assert other["v"].tolist() == [3]


def test_a_broken_entry_is_computed_again(tmp_path: Path) -> None:
    remembered("t", memo_key("a"), lambda: 1, folder=tmp_path)
    entry = tmp_path / f"t-{memo_key('a')}.pkl"
    entry.write_bytes(b"not a pickle")
    assert remembered("t", memo_key("a"), lambda: 2, folder=tmp_path) == 2
    assert remembered("t", memo_key("a"), lambda: 3, folder=tmp_path) == 2


def test_a_second_caller_waits_for_the_first(tmp_path: Path) -> None:
    calls, results = [], []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.3)
        return 42

    threads = [threading.Thread(target=lambda: results.append(remembered("t", "k", slow, folder=tmp_path)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    assert calls == [1] and results == [42, 42]


def test_remembered_forecasts_equal_a_fresh_run(sample_work, monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("SALESNB_CACHE", str(tmp_path))
    plan, _ = sample_work
    ds = load(SAMPLE)
    fresh = forecast_history(ds, plan, cache=False)
    first = forecast_history(ds, plan)
    assert len(list(tmp_path.glob("forecast-*.pkl"))) == 1

    def refuse(*args, **kwargs):
        raise AssertionError("the remembered forecasts should have been read")

    monkeypatch.setattr(salesnb.forecast, "forecast", refuse)
    again = forecast_history(ds, plan)
    for got in (first, again):
        pd.testing.assert_frame_equal(got, fresh, check_exact=True)
        assert got.attrs == fresh.attrs


def test_costed_orders_are_built_once_and_handed_out_as_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    margin_module = importlib.import_module("salesnb.money.margin")  # salesnb.money.margin is also a function
    ds = load(SAMPLE)
    first = margin_module.costed_orders(ds)
    fresh = first.copy()
    first.loc[:, "cost"] = -1.0  # a caller changing its copy changes nobody else's
    built = []
    real = margin_module.enrich_orders
    monkeypatch.setattr(margin_module, "enrich_orders", lambda d: built.append(1) or real(d))
    again = margin_module.costed_orders(ds)
    pd.testing.assert_frame_equal(again, fresh)
    assert built == []
    other = load(SAMPLE, cache=False)  # new frames: built again, the same lines
    pd.testing.assert_frame_equal(margin_module.costed_orders(other), fresh)
    assert built == [1]


def test_rep_bars_of_a_large_team_show_the_largest_targets(sample_work) -> None:
    from salesnb import i18n
    from salesnb.plots import describe
    from salesnb.plots import targets as charts

    plan, _ = sample_work
    with_target = plan.reps.loc[plan.reps["target"] > 0]
    fig = charts.rep_bars(plan, top=3)
    widths = sorted((p.get_width() for p in fig.axes[0].patches), reverse=True)
    assert widths == sorted(with_target["target"].astype(float), reverse=True)[:3]
    assert describe(fig) == i18n.t("targets.chart_reps_title_top", year=2027, n=3, total=len(with_target))
    assert len(charts.rep_bars(plan).axes[0].patches) == len(with_target)  # a team under the cap: every rep
