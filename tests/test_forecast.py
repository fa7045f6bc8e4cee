"""Forecasts on known series, awkward series, backtests and reconciliation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesnb.errors import ParameterError
from salesnb.forecast import backtest, forecast, forecast_hierarchy, mase, smape

PATTERN = np.array([0.8, 0.9, 1.1, 1.2, 1.1, 1.0, 0.9, 0.6, 1.0, 1.2, 1.1, 1.1])


def seasonal(sid: str = "a", *, years: int = 5, base: float = 1000.0, growth: float = 0.05,
             noise: float = 0.0, start: str = "2020-01-01") -> pd.DataFrame:
    ds = pd.date_range(start, periods=12 * years, freq="MS")
    trend = base * (1 + growth) ** (np.arange(len(ds)) / 12)
    rng = np.random.default_rng(0)
    y = trend * PATTERN[ds.month - 1] * (1 + noise * rng.standard_normal(len(ds)))
    return pd.DataFrame({"series_id": sid, "ds": ds, "y": y})


def truth(sid_frame: pd.DataFrame, h: int, *, base: float = 1000.0, growth: float = 0.05) -> np.ndarray:
    n = len(sid_frame)
    ds = pd.date_range(sid_frame["ds"].max(), periods=h + 1, freq="MS")[1:]
    return base * (1 + growth) ** ((n + np.arange(h)) / 12) * PATTERN[ds.month - 1]


def test_known_seasonal_series_is_forecast_closely() -> None:
    df = seasonal()
    fc = forecast(df, h=12)
    assert fc.columns.tolist() == ["series_id", "ds", "yhat", "yhat_lo_80", "yhat_hi_80",
                                   "yhat_lo_95", "yhat_hi_95", "method"]
    assert len(fc) == 12 and (fc["method"] == "regular").all()
    assert fc["ds"].iloc[0] == pd.Timestamp("2025-01-01")
    assert smape(truth(df, 12), fc["yhat"].to_numpy()) < 3.0


def test_intervals_nest_and_contain_the_point() -> None:
    fc = forecast(seasonal(noise=0.05), h=6)
    assert (fc["yhat_lo_95"] <= fc["yhat_lo_80"]).all() and (fc["yhat_lo_80"] <= fc["yhat"]).all()
    assert (fc["yhat"] <= fc["yhat_hi_80"]).all() and (fc["yhat_hi_80"] <= fc["yhat_hi_95"]).all()


def test_awkward_series_never_crash() -> None:
    ds = pd.date_range("2024-01-01", periods=30, freq="MS")
    intermittent = np.zeros(30)
    intermittent[[2, 9, 15, 22, 27]] = [5, 3, 8, 4, 6]
    frames = [
        pd.DataFrame({"series_id": "short", "ds": ds[:10], "y": [10.0, 12, 11, 13, 12, 14, 13, 15, 14, 16]}),
        pd.DataFrame({"series_id": "five", "ds": ds[:5], "y": [10.0, 12, 11, 13, 12]}),
        pd.DataFrame({"series_id": "zeros", "ds": ds, "y": 0.0}),
        pd.DataFrame({"series_id": "constant", "ds": ds, "y": 7.0}),
        pd.DataFrame({"series_id": "intermittent", "ds": ds, "y": intermittent}),
        pd.DataFrame({"series_id": "tiny", "ds": ds[:2], "y": [4.0, 6.0]}),
        pd.DataFrame({"series_id": "one", "ds": ds[:1], "y": [4.0]}),
    ]
    fc = forecast(pd.concat(frames), h=3)
    methods = fc.groupby("series_id")["method"].first().to_dict()
    assert methods == {"short": "short", "five": "tiny", "zeros": "constant", "constant": "constant",
                       "intermittent": "intermittent", "tiny": "tiny", "one": "constant"}
    assert (fc[fc["series_id"] == "zeros"]["yhat"] == 0).all()
    assert (fc[fc["series_id"] == "constant"][["yhat", "yhat_lo_95", "yhat_hi_95"]] == 7).all().all()
    value_cols = [c for c in fc.columns if c.startswith("yhat")]
    assert (fc[value_cols] >= 0).all().all()  # histories are non-negative
    assert fc.groupby("series_id").size().eq(3).all()


def test_negative_history_is_not_clipped() -> None:
    df = seasonal(base=100.0)
    df["y"] = df["y"] - 150.0
    assert (forecast(df, h=3)["yhat"] < 0).any()


def test_weekly_and_gaps_and_no_mutation() -> None:
    ds = pd.date_range("2024-01-01", periods=60, freq="W-MON")
    df = pd.DataFrame({"series_id": "w", "ds": ds, "y": 50 + 10 * np.sin(np.arange(60) / 4)})
    df = df.drop(index=[10, 11])  # two missing weeks count as zero
    before = df.copy()
    fc = forecast(df, h=4, season_length=1)
    pd.testing.assert_frame_equal(df, before)
    assert fc["ds"].tolist() == list(pd.date_range(ds[-1], periods=5, freq="W-MON")[1:])


def test_deterministic_and_multi_series() -> None:
    df = pd.concat([seasonal("a", noise=0.05), seasonal("b", base=300, noise=0.1)])
    first, second = forecast(df, h=4), forecast(df, h=4)
    pd.testing.assert_frame_equal(first, second)
    assert first["series_id"].unique().tolist() == ["a", "b"]


def test_bad_parameters_and_values() -> None:
    df = seasonal()
    with pytest.raises(ParameterError, match=r"'h' parameter must be a positive integer\. Got 0"):
        forecast(df, h=0)
    with pytest.raises(ParameterError, match="'level'"):
        forecast(df, h=2, level=(80, 120))
    with pytest.raises(ParameterError, match="missing y"):
        forecast(df.drop(columns="y"), h=2)
    bad = df.copy()
    bad.loc[5, "y"] = np.nan
    with pytest.raises(ParameterError, match=r"series 'a' has 'nan' at 2020-06-01"):
        forecast(bad, h=2)


def test_metrics_by_hand() -> None:
    assert smape([100, 0, 50], [110, 0, 50]) == pytest.approx((200 * 10 / 210) / 3)
    train = np.array([1.0, 2, 3, 4, 5])  # shorter than a season: lag-1 scale = 1
    assert mase([6, 7], [7, 7], train, season_length=12) == pytest.approx(0.5)
    assert np.isnan(mase([1], [1], np.array([3.0, 3, 3])))


def test_backtest_scores_held_out_history() -> None:
    df = pd.concat([seasonal("a", years=5, noise=0.03), seasonal("short", years=1)])
    result = backtest(df, h=6, windows=2)
    assert result.overall["n_series"] == 1 and result.overall["windows"] == 2
    assert result.skipped["series_id"].tolist() == ["short"]
    assert len(result.cv) == 12 and set(result.cv["window"]) == {1, 2}
    row = result.per_series.iloc[0]
    assert row["smape"] < 10 and row["mase"] < 1.5
    assert 0 <= result.overall["coverage_80"] <= 1
    # scores recomputed from the held-out points agree
    assert row["smape"] == pytest.approx(smape(result.cv["y"], result.cv["yhat"]))


def test_hierarchy_adds_up() -> None:
    parts = []
    for region, base in (("N", 500.0), ("S", 800.0)):
        for category, mult in (("sofas", 1.0), ("chairs", 0.4)):
            frame = seasonal(noise=0.05, base=base * mult)
            parts.append(frame.assign(region=region, category=category).drop(columns="series_id"))
    fc = forecast_hierarchy(pd.concat(parts), h=3)
    bottom = fc[fc["level"] == "bottom"]
    total = fc[fc["level"] == "total"].set_index("ds")["yhat"]
    assert np.allclose(bottom.groupby("ds")["yhat"].sum(), total)
    regions = fc[fc["level"] == "region"]
    for region, group in regions.groupby("region"):
        sums = bottom[bottom["region"] == region].groupby("ds")["yhat"].sum()
        assert np.allclose(group.set_index("ds")["yhat"], sums)
    categories = fc[fc["level"] == "category"].groupby("ds")["yhat"].sum()
    assert np.allclose(categories, total)
    assert set(fc["series_id"]) >= {"total", "N", "S", "sofas", "N / sofas"}
