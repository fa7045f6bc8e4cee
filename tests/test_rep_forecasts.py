"""The reps' forecast method of the targets' feasibility check (issue #15 part 3, 100x).

Above :data:`salesnb.targets.REP_THETA_ABOVE` rep series ``rep_method="auto"``
forecasts the reps with Dynamic Optimized Theta alone and the regions with the
ensemble, calibrated among the regions. Checked here: the choice by hand on both sides
of the limit, the parameter's error, the memo key holding the method, "ensemble" giving
the numbers of the single ensemble call the forecasts always were, the Theta forecaster
by hand, and the held-out check the report shows.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import salesnb.targets.outlook as outlook
from salesnb import i18n
from salesnb.config import project_root
from salesnb.data import load
from salesnb.errors import ParameterError
from salesnb.forecast import forecast, theta_forecast
from salesnb.targets import breakdown, forecast_check, forecast_history, history_series, rep_method_for, views

SAMPLE = project_root() / "data" / "sample"
OPTIONS = {"season_length": 12, "level": (80, 95), "freq": "MS"}
COLS = ["series_id", "ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]


@pytest.fixture(scope="module")
def sample():
    ds = load(SAMPLE)
    plan = breakdown(ds, year=2027, growth_pct=8)
    series = history_series(ds, plan)
    horizon = (pd.Period("2027-12", freq="M") - series["ds"].max().to_period("M")).n
    return ds, plan, series, horizon


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def _year(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[frame["ds"].dt.year == 2027, COLS].reset_index(drop=True)


def test_the_method_by_hand_on_both_sides_of_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    assert outlook.REP_THETA_ABOVE == 500
    assert rep_method_for(25) == rep_method_for(250) == rep_method_for(500) == "ensemble"
    assert rep_method_for(501) == rep_method_for(2500) == "theta"
    assert rep_method_for(2500, "ensemble") == "ensemble" and rep_method_for(3, "theta") == "theta"
    monkeypatch.setattr(outlook, "REP_THETA_ABOVE", 10)
    assert rep_method_for(10) == "ensemble" and rep_method_for(11) == "theta"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_bad_rep_method_names_the_parameter_what_came_and_what_is_allowed(lang: str) -> None:
    i18n.set_language(lang)
    with pytest.raises(ParameterError) as err:
        rep_method_for(10, "fast")
    text = str(err.value)
    assert "rep_method" in text and "'fast'" in text
    assert all(f"'{m}'" in text for m in ("auto", "ensemble", "theta"))


def test_a_bad_rep_method_is_refused_before_any_forecast(sample, monkeypatch: pytest.MonkeyPatch) -> None:
    ds, plan, _, _ = sample
    monkeypatch.setattr(outlook, "history_series", lambda *a, **k: pytest.fail("forecast work started"))
    for call in (forecast_history, forecast_check):
        with pytest.raises(ParameterError, match="rep_method"):
            call(ds, plan, rep_method="Theta", cache=False)


def test_ensemble_gives_the_single_ensemble_call(sample) -> None:
    ds, plan, series, horizon = sample
    today = _year(forecast(series, h=horizon, **OPTIONS))
    for method in ("ensemble", "auto"):  # the sample's 24 rep series keep the ensemble
        got = forecast_history(ds, plan, rep_method=method, cache=False)
        pd.testing.assert_frame_equal(got, today, check_exact=True)
        assert got.attrs["rep_method"] == "ensemble" and got.attrs["rep_series"] == 24


def test_theta_forecasts_the_reps_alone_and_calibrates_the_regions_among_themselves(
        sample, monkeypatch: pytest.MonkeyPatch) -> None:
    ds, plan, series, horizon = sample
    is_rep = series["series_id"].str.startswith("rep:")
    expected = _year(pd.concat([forecast(series.loc[~is_rep], h=horizon, **OPTIONS),
                                theta_forecast(series.loc[is_rep], h=horizon, **OPTIONS)], ignore_index=True))
    asked = forecast_history(ds, plan, rep_method="theta", cache=False)
    pd.testing.assert_frame_equal(asked, expected, check_exact=True)
    monkeypatch.setattr(outlook, "REP_THETA_ABOVE", 20)  # 24 rep series: "auto" now picks Theta
    auto = forecast_history(ds, plan, cache=False)
    pd.testing.assert_frame_equal(auto, expected, check_exact=True)
    assert auto.attrs["rep_method"] == "theta" and auto.attrs["rep_limit"] == 20


def test_the_memo_key_holds_the_method(sample, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SALESNB_CACHE", str(tmp_path))
    ds, plan, _, _ = sample
    ensemble = forecast_history(ds, plan, rep_method="ensemble")
    theta = forecast_history(ds, plan, rep_method="theta")
    assert len(list(tmp_path.glob("forecast-*.pkl"))) == 2
    reps = ensemble["series_id"].str.startswith("rep:")
    assert not np.allclose(ensemble.loc[reps, "yhat"], theta.loc[reps.to_numpy(), "yhat"])
    auto = forecast_history(ds, plan)  # resolves to the ensemble: the same entry
    assert len(list(tmp_path.glob("forecast-*.pkl"))) == 2
    pd.testing.assert_frame_equal(auto, ensemble, check_exact=True)
    assert auto.attrs["rep_method"] == "ensemble" and theta.attrs["rep_method"] == "theta"


def test_theta_forecast_by_hand() -> None:
    months = pd.date_range("2020-01-01", periods=48, freq="MS")
    rng = np.random.default_rng(3)
    seasonal = 100 + 30 * np.sin(np.arange(48) * 2 * np.pi / 12) + rng.normal(0, 5, 48)
    frame = pd.concat([pd.DataFrame({"series_id": "a", "ds": months, "y": seasonal}),
                       pd.DataFrame({"series_id": "flat", "ds": months, "y": 7.0})], ignore_index=True)
    out = theta_forecast(frame, h=6)
    a, flat = out.loc[out["series_id"] == "a"], out.loc[out["series_id"] == "flat"]
    assert a["method"].eq("theta").all() and flat["method"].eq("constant").all()
    from statsforecast.models import DynamicOptimizedTheta

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = DynamicOptimizedTheta(season_length=12).forecast(seasonal, 6, level=[80, 95])
    np.testing.assert_allclose(a["yhat"], np.clip(direct["mean"], 0, None))
    np.testing.assert_allclose(a["yhat_hi_95"], direct["hi-95"])
    assert (a["yhat_lo_95"] <= a["yhat_lo_80"]).all() and (a["yhat_hi_80"] <= a["yhat_hi_95"]).all()
    assert (flat["yhat"] == 7.0).all() and (flat["yhat_hi_95"] == 7.0).all()
    assert list(a["ds"]) == list(pd.date_range("2024-01-01", periods=6, freq="MS"))
    assert out.attrs["interval_scale"] == {80: 1.0, 95: 1.0}


def test_the_held_out_check_scores_what_ran(sample) -> None:
    ds, plan, series, _ = sample
    check = forecast_check(ds, plan, rep_method="theta", cache=False)
    assert list(check["level"]) == ["region", "rep"] and list(check["method"]) == ["ensemble", "theta"]
    assert check.attrs == {"holdout": 12, "rep_method": "theta", "rep_series": 24, "rep_limit": 500}
    assert list(check["series"]) == [10, 24] and list(check["months"]) == [120, 288]
    # the rep row by hand: Theta on each rep series cut 12 months before its end
    cut = series["ds"].max() - pd.DateOffset(months=12)
    reps = series.loc[series["series_id"].str.startswith("rep:")]
    fc = theta_forecast(reps.loc[reps["ds"] <= cut], h=12, **OPTIONS)
    both = reps.loc[reps["ds"] > cut].merge(fc, on=["series_id", "ds"])
    row = check.iloc[1]
    assert row["wape"] == pytest.approx((both["y"] - both["yhat"]).abs().sum() / both["y"].abs().sum())
    inside = (both["y"] >= both["yhat_lo_80"]) & (both["y"] <= both["yhat_hi_80"])
    assert row["coverage_80"] == pytest.approx(inside.mean())
    line = views.forecast_method_line(check, asked="theta")
    assert "Dynamic Optimized Theta alone" in line and "24" in line and "WAPE" in line
    table = views.forecast_check_table(check)
    assert list(table["forecast_method"]) == ["Ensemble (ETS, CES, Theta)", "Dynamic Optimized Theta"]


def test_the_line_says_why_auto_chose() -> None:
    check = pd.DataFrame(columns=["level", "method", "series", "months", "wape", "total_error", "coverage_80",
                                  "coverage_95"])
    check.attrs.update(rep_method="theta", rep_series=2500, rep_limit=500, holdout=12)
    line = views.forecast_method_line(check)
    assert "2500 rep series are more than 500" in line and "not enough history" in line
    i18n.set_language("es")
    assert "2500 series de comerciales pasan de 500" in views.forecast_method_line(check)


def test_the_forecasts_and_the_check_share_one_history(sample, monkeypatch: pytest.MonkeyPatch) -> None:
    ds, plan, series, _ = sample
    built = []
    real = outlook.history_series
    monkeypatch.setattr(outlook, "history_series", lambda *a, **k: built.append(1) or real(*a, **k))
    first = outlook._shared_series(ds, plan, min_months=24)
    pd.testing.assert_frame_equal(first, series, check_exact=True)
    assert outlook._shared_series(ds, plan, min_months=24) is first and len(built) <= 1
    other = breakdown(ds, year=2027, growth_pct=5)  # another plan: built again
    outlook._shared_series(ds, other, min_months=24)
    outlook._shared_series(ds, other, min_months=12)
    assert len(built) >= 2 and outlook._shared_series(ds, other, min_months=12) is not first
