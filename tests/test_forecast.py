"""salesnb.forecast: known series, awkward series, backtest metrics, reconciliation, errors."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from salesnb.errors import DataValidationError, ParameterError
from salesnb.forecast import BacktestResult, backtest, forecast, forecast_hierarchy, mase, smape

PATTERN = np.array([0.8, 0.9, 1.1, 1.2, 1.1, 1.0, 0.9, 0.6, 1.0, 1.2, 1.1, 1.1])
BOUNDS = ["yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]
COLUMNS = ["series_id", "ds", "yhat", *BOUNDS, "method"]


def seasonal(sid: str = "a", *, years: int = 5, base: float = 1000.0, growth: float = 0.05,
             noise: float = 0.0, seed: int = 0, start: str = "2020-01-01") -> pd.DataFrame:
    """Trend times a fixed monthly pattern, optionally with multiplicative noise."""
    ds = pd.date_range(start, periods=12 * years, freq="MS")
    y = base * (1 + growth) ** (np.arange(len(ds)) / 12) * PATTERN[ds.month - 1]
    y = y * (1 + noise * np.random.default_rng(seed).standard_normal(len(ds)))
    return pd.DataFrame({"series_id": sid, "ds": ds, "y": y})


def one(sid: str, values: list[float] | np.ndarray, start: str = "2024-01-01") -> pd.DataFrame:
    return pd.DataFrame({"series_id": sid, "ds": pd.date_range(start, periods=len(values), freq="MS"),
                         "y": np.asarray(values, dtype=float)})


def assert_ordered(fc: pd.DataFrame) -> None:
    lo95, lo80, yhat, hi80, hi95 = (fc[c].to_numpy() for c in
                                    ("yhat_lo_95", "yhat_lo_80", "yhat", "yhat_hi_80", "yhat_hi_95"))
    assert (lo95 <= lo80).all() and (lo80 <= yhat).all()
    assert (yhat <= hi80).all() and (hi80 <= hi95).all()


# --------------------------------------------------------------------------- forecast


def test_seasonal_series_with_trend_is_forecast_close_to_the_truth() -> None:
    df = seasonal()
    fc = forecast(df, h=12)
    assert fc.columns.tolist() == COLUMNS
    assert len(fc) == 12 and (fc["method"] == "regular").all()
    assert fc["ds"].tolist() == list(pd.date_range("2025-01-01", periods=12, freq="MS"))
    ds = pd.date_range("2025-01-01", periods=12, freq="MS")
    truth = 1000 * 1.05 ** ((60 + np.arange(12)) / 12) * PATTERN[ds.month - 1]
    assert smape(truth, fc["yhat"].to_numpy()) < 3.0
    assert_ordered(fc)


def test_noisy_series_gets_ordered_intervals_that_widen_with_the_horizon() -> None:
    fc = forecast(seasonal(noise=0.05), h=12)
    assert_ordered(fc)
    width = (fc["yhat_hi_95"] - fc["yhat_lo_95"]).to_numpy()
    assert width[-1] > width[0] > 0
    scale = fc.attrs["interval_scale"]
    assert set(scale) == {80, 95} and all(0 < v <= 3 for v in scale.values())


def test_awkward_series_get_a_fallback_and_never_crash() -> None:
    intermittent = np.zeros(30)
    intermittent[[2, 9, 15, 22, 27]] = [5, 3, 8, 4, 6]
    df = pd.concat([
        one("five", [10, 12, 11, 13, 12]),
        one("ten", [10, 12, 11, 13, 12, 14, 13, 15, 14, 16]),
        one("zeros", np.zeros(30)),
        one("constant", np.full(30, 7.0)),
        one("intermittent", intermittent),
        one("single", [4.0]),
    ])
    fc = forecast(df, h=3)
    assert fc.groupby("series_id")["method"].first().to_dict() == {
        "constant": "constant", "five": "tiny", "intermittent": "intermittent", "single": "constant",
        "ten": "short", "zeros": "constant"}
    assert fc.groupby("series_id").size().eq(3).all()
    assert np.isfinite(fc[["yhat", *BOUNDS]].to_numpy()).all()
    assert (fc[["yhat", *BOUNDS]] >= 0).all().all()  # non-negative histories
    assert_ordered(fc)
    by = dict(tuple(fc.groupby("series_id")))
    assert (by["zeros"][["yhat", *BOUNDS]] == 0).all().all()
    assert (by["constant"][["yhat", *BOUNDS]] == 7).all().all()
    assert (by["single"]["yhat"] == 4).all()
    rate = by["intermittent"]["yhat"]
    assert rate.nunique() == 1 and 0 < rate.iloc[0] < 8  # a flat demand rate
    assert 9 < by["five"]["yhat"].iloc[0] < 13
    assert by["ten"]["yhat"].iloc[0] > 13  # the upward trend carries on


def test_missing_months_count_as_zero_and_the_input_is_not_changed() -> None:
    full = seasonal(noise=0.05, years=3)
    full.loc[[5, 30], "y"] = 0.0
    gaps = full.drop(index=[5, 30])  # two months without orders
    before = gaps.copy()
    pd.testing.assert_frame_equal(forecast(gaps, h=2), forecast(full, h=2))
    pd.testing.assert_frame_equal(gaps, before)


def test_weekly_dates_are_inferred() -> None:
    ds = pd.date_range("2024-01-01", periods=80, freq="W-MON")
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"series_id": "w", "ds": ds, "y": 50 + 10 * np.sin(np.arange(80) / 4) + rng.normal(0, 2, 80)})
    fc = forecast(df, h=4, season_length=1)
    assert fc["ds"].tolist() == list(pd.date_range(ds[-1], periods=5, freq="W-MON")[1:])
    assert (fc["method"] == "regular").all()
    assert_ordered(fc)


def test_several_series_at_once_sorted_with_their_own_dates() -> None:
    df = pd.concat([seasonal("b", base=300, noise=0.1, seed=2), seasonal("a", noise=0.05, years=4)])
    fc = forecast(df, h=4, level=(50, 90, 99))
    assert fc.columns.tolist() == ["series_id", "ds", "yhat", "yhat_lo_50", "yhat_hi_50", "yhat_lo_90",
                                   "yhat_hi_90", "yhat_lo_99", "yhat_hi_99", "method"]
    assert fc["series_id"].tolist() == ["a"] * 4 + ["b"] * 4
    assert fc.groupby("series_id")["ds"].min().to_dict() == {"a": pd.Timestamp("2024-01-01"),
                                                              "b": pd.Timestamp("2025-01-01")}
    assert (fc["yhat_lo_99"] <= fc["yhat_lo_90"]).all() and (fc["yhat_lo_90"] <= fc["yhat_lo_50"]).all()


def test_forecasts_are_clipped_at_zero_only_for_non_negative_histories() -> None:
    falling = one("falling", np.linspace(100, 5, 30))
    fc = forecast(falling, h=12)
    assert (fc[["yhat", *BOUNDS]] >= 0).all().all() and (fc["yhat_lo_95"] == 0).any()
    returns = one("returns", np.linspace(10, -40, 30))
    assert (forecast(returns, h=3)["yhat"] < -40).all()


@pytest.mark.slow
def test_deterministic_in_one_process_or_several() -> None:
    df = pd.concat([seasonal("a", noise=0.05), seasonal("b", base=300, noise=0.1, seed=1),
                    one("c", [3, 0, 0, 2, 0, 0, 0, 4, 0, 1, 0, 0])])
    first = forecast(df, h=4)
    pd.testing.assert_frame_equal(first, forecast(df, h=4))
    pd.testing.assert_frame_equal(first, forecast(df, h=4, n_jobs=2))


# --------------------------------------------------------------------------- metrics and backtest


def test_smape_and_mase_by_hand() -> None:
    assert smape([100, 0, 50], [110, 0, 50]) == pytest.approx((200 * 10 / 210) / 3)
    assert smape([0, 0], [0, 0]) == 0.0
    train = np.array([1.0, 2, 3, 4, 5])  # shorter than a season + 1: lag-1 scale = 1
    assert mase([6, 7], [7, 7], train, season_length=12) == pytest.approx(0.5)
    seasonal_train = np.array([1.0, 5, 1, 7])  # season 2: |1-1|, |7-5| -> scale 1
    assert mase([2], [4], seasonal_train, season_length=2) == pytest.approx(2.0)
    assert mase([3], [3], np.array([3.0, 3, 3])) == 0.0  # zero scale, perfect forecast
    assert np.isnan(mase([1], [2], np.array([3.0, 3, 3])))  # zero scale, a miss: undefined


def test_backtest_metrics_on_a_hand_computed_case() -> None:
    # history 2, 4, 6, 8 ("tiny": mean of the last value 8 and the average 5 = 6.5),
    # then 6.5, 13, 0 held out
    df = one("a", [2, 4, 6, 8, 6.5, 13, 0])
    result = backtest(df, h=3, windows=1)
    assert isinstance(result, BacktestResult)
    assert result.cv["yhat"].tolist() == pytest.approx([6.5, 6.5, 6.5])
    assert result.cv["cutoff"].iloc[0] == pd.Timestamp("2024-04-01")
    row = result.per_series.iloc[0]
    assert row["smape"] == pytest.approx((0 + 200 * 6.5 / 19.5 + 200) / 3)
    assert row["mase"] == pytest.approx((0 + 6.5 + 6.5) / 3 / 2)  # lag-1 scale of 2, 4, 6, 8 is 2
    cv = result.cv
    inside = ((cv["y"] >= cv["yhat_lo_80"]) & (cv["y"] <= cv["yhat_hi_80"])).mean()
    assert row["coverage_80"] == pytest.approx(inside)
    assert result.overall["smape"] == pytest.approx(row["smape"])


def test_backtest_rolls_windows_and_lists_skipped_series() -> None:
    df = pd.concat([seasonal("a", years=4, noise=0.03), one("short", [5, 6, 7, 8, 9])])
    result = backtest(df, h=6, windows=2)
    assert result.per_series["series_id"].tolist() == ["a"]
    assert result.skipped["series_id"].tolist() == ["short"]
    assert "5 periods" in result.skipped["reason"].iloc[0]
    assert result.overall["n_series"] == 1 and result.overall["n_skipped"] == 1
    assert len(result.cv) == 12 and sorted(set(result.cv["window"])) == [1, 2]
    assert result.cv.groupby("window")["cutoff"].first().tolist() == [pd.Timestamp("2022-12-01"),
                                                                      pd.Timestamp("2023-06-01")]
    row = result.per_series.iloc[0]
    assert result.per_series.columns.tolist() == ["series_id", "smape", "mase", "coverage_80", "coverage_95"]
    assert row["smape"] < 10 and row["mase"] < 1.5
    assert row["smape"] == pytest.approx(smape(result.cv["y"], result.cv["yhat"]))
    assert 0 <= result.overall["coverage_95"] <= 1
    assert result.per_series.drop(columns="series_id").dtypes.map(pd.api.types.is_numeric_dtype).all()


# --------------------------------------------------------------------------- hierarchy


def total_and_parts(years: int = 4) -> pd.DataFrame:
    """Three noisy categories and their exact total, as ``market.demand_levels`` stacks them."""
    parts = [seasonal(sid, years=years, base=base, noise=0.08, seed=i)
             for i, (sid, base) in enumerate([("sofas", 600.0), ("beds", 300.0), ("lamps", 100.0)])]
    total = pd.concat(parts).groupby("ds", as_index=False)["y"].sum().assign(series_id="total")
    return pd.concat([total[["series_id", "ds", "y"]], *parts], ignore_index=True)


def test_top_down_parts_add_up_to_the_unchanged_total() -> None:
    df = total_and_parts()
    plain = forecast(df, h=6)
    fc = forecast(df, h=6, total="total")
    assert fc.attrs["reconciled"] == {"total": "total", "method": "top_down"}
    is_total = fc["series_id"] == "total"
    pd.testing.assert_frame_equal(fc[is_total], plain[plain["series_id"] == "total"])
    sums = fc[~is_total].groupby("ds")["yhat"].sum()
    np.testing.assert_allclose(sums.to_numpy(), fc.loc[is_total, "yhat"].to_numpy(), rtol=1e-12)
    assert_ordered(fc)
    parts = fc[~is_total].set_index(["series_id", "ds"])
    before = plain[plain["series_id"] != "total"].set_index(["series_id", "ds"])
    ratio = parts["yhat"] / before["yhat"]  # one factor per month, the same for every part
    spread = ratio.groupby(level="ds").agg(lambda r: r.max() - r.min())
    assert (spread < 1e-12).all()
    np.testing.assert_allclose(parts["yhat_hi_95"] / before["yhat_hi_95"], ratio)


def test_top_down_shares_the_gap_equally_when_proportions_mean_nothing() -> None:
    from salesnb.forecast.reconcile import reconcile_total

    ds = pd.to_datetime(["2027-01-01", "2027-02-01"])
    fc = pd.DataFrame({"series_id": ["total"] * 2 + ["a"] * 2 + ["b"] * 2, "ds": list(ds) * 3,
                       "yhat": [10.0, 0.0, 8.0, -3.0, 4.0, 1.0], "yhat_lo_80": [9.0, -1.0, 7.0, -4.0, 3.0, 0.0],
                       "yhat_hi_80": [11.0, 1.0, 9.0, -2.0, 5.0, 2.0]})
    out = reconcile_total(fc, "total", "top_down", n_parts=2, levels=(80,))
    a, b = out[out["series_id"] == "a"], out[out["series_id"] == "b"]
    # January: parts 8 + 4 = 12 scaled to 10; February: a part is negative, the gap (+2) shared
    np.testing.assert_allclose(a["yhat"], [8 * 10 / 12, -2.0])
    np.testing.assert_allclose(b["yhat"], [4 * 10 / 12, 2.0])
    np.testing.assert_allclose(a["yhat_lo_80"], [7 * 10 / 12, -3.0])
    pd.testing.assert_frame_equal(out[out["series_id"] == "total"], fc[fc["series_id"] == "total"])
    assert fc["yhat"].tolist() == [10.0, 0.0, 8.0, -3.0, 4.0, 1.0]  # the input is not changed


def test_top_down_backtest_judges_the_scaled_numbers() -> None:
    df = total_and_parts()
    plain = backtest(df, h=6, windows=2)
    scaled = backtest(df, h=6, windows=2, total="total")
    total_row = scaled.per_series.set_index("series_id").loc["total"]
    pd.testing.assert_series_equal(total_row, plain.per_series.set_index("series_id").loc["total"])
    cv = scaled.cv
    parts = cv[cv["series_id"] != "total"].groupby(["window", "ds"])["yhat"].sum()
    totals = cv[cv["series_id"] == "total"].set_index(["window", "ds"])["yhat"]
    np.testing.assert_allclose(parts.to_numpy(), totals.loc[parts.index].to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("method", ["bottom_up", "ols"])
def test_other_reconciliations_add_up_too(method: str) -> None:
    df = total_and_parts(years=3)
    plain = forecast(df, h=4)
    fc = forecast(df, h=4, total="total", reconcile=method)
    is_total = fc["series_id"] == "total"
    sums = fc[~is_total].groupby("ds")["yhat"].sum().to_numpy()
    np.testing.assert_allclose(sums, fc.loc[is_total, "yhat"].to_numpy(), rtol=1e-12)
    assert_ordered(fc)
    parts = fc[~is_total].reset_index(drop=True)
    before = plain[plain["series_id"] != "total"].reset_index(drop=True)
    if method == "bottom_up":  # the parts stay, the total is their sum
        pd.testing.assert_frame_equal(parts, before)
    else:  # the gap is shared: every part of a month moves by the same amount
        moved = (parts["yhat"] - before["yhat"]).groupby(parts["ds"]).agg(lambda d: d.max() - d.min())
        assert (moved.abs() < 1e-9).all()


def test_periods_missing_a_part_are_left_as_they_are() -> None:
    from salesnb.forecast.reconcile import reconcile_total

    ds = pd.to_datetime(["2027-01-01", "2027-02-01"])
    fc = pd.DataFrame({"series_id": ["total", "total", "a", "a", "b"], "ds": [*ds, *ds, ds[0]],
                       "yhat": [10.0, 10.0, 6.0, 6.0, 2.0], "yhat_lo_80": [9.0, 9.0, 5.0, 5.0, 1.0],
                       "yhat_hi_80": [11.0, 11.0, 7.0, 7.0, 3.0]})
    for method in ("top_down", "bottom_up", "ols"):
        out = reconcile_total(fc, "total", method, n_parts=2, levels=(80,))
        feb = out[out["ds"] == ds[1]]
        pd.testing.assert_frame_equal(feb, fc[fc["ds"] == ds[1]])  # b has no February: nothing to add up
        jan = out[out["ds"] == ds[0]].set_index("series_id")["yhat"]
        assert jan["a"] + jan["b"] == pytest.approx(jan["total"])


def test_ols_keeps_non_negative_bounds_non_negative() -> None:
    from salesnb.forecast.reconcile import reconcile_total

    fc = pd.DataFrame({"series_id": ["total", "a", "b"], "ds": pd.to_datetime(["2027-01-01"] * 3),
                       "yhat": [2.0, 0.0, 5.0], "yhat_lo_80": [1.0, 0.0, 4.0], "yhat_hi_80": [3.0, 0.5, 6.0]})
    out = reconcile_total(fc, "total", "ols", n_parts=2, levels=(80,)).set_index("series_id")
    assert (out[["yhat", "yhat_lo_80", "yhat_hi_80"]] >= 0).all().all()
    assert out.loc["a", "yhat"] + out.loc["b", "yhat"] == pytest.approx(out.loc["total", "yhat"])


def test_reconciliation_parameters_are_checked() -> None:
    df = total_and_parts(years=3)
    with pytest.raises(ParameterError, match=r"'total' parameter names the series 'all'.*not in the frame"):
        forecast(df, h=3, total="all")
    with pytest.raises(ParameterError, match=r"'total' parameter must be a series id"):
        backtest(df, h=3, total=["total"])
    with pytest.raises(ParameterError, match=r"'reconcile' parameter must be one of 'bottom_up', 'top_down', 'ols'"):
        forecast(df, h=3, total="total", reconcile="middle_out")


def sales_by_region_and_category() -> pd.DataFrame:
    parts = []
    for i, (region, base) in enumerate((("North", 500.0), ("South", 800.0))):
        for j, (category, share) in enumerate((("sofas", 1.0), ("chairs", 0.4), ("lamps", 0.05))):
            frame = seasonal(noise=0.08, base=base * share, years=3, seed=10 * i + j)
            parts.append(frame.assign(region=region, category=category).drop(columns="series_id"))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("method", ["ols", "bottom_up"])
def test_hierarchy_forecasts_add_up(method: str) -> None:
    df = sales_by_region_and_category()
    before = df.copy()
    fc = forecast_hierarchy(df, h=3, levels=("region", "category"), method=method)
    pd.testing.assert_frame_equal(df, before)
    assert fc.groupby("level")["series_id"].nunique().to_dict() == {
        "total": 1, "region": 2, "category": 3, "region+category": 6}
    bottom = fc[fc["level"] == "region+category"]
    total = fc[fc["level"] == "total"].set_index("ds")["yhat"]
    np.testing.assert_allclose(bottom.groupby("ds")["yhat"].sum(), total, rtol=1e-9)
    for col in ("region", "category"):
        nodes = fc[fc["level"] == col].set_index([col, "ds"])["yhat"].sort_index()
        sums = bottom.groupby([col, "ds"])["yhat"].sum().sort_index()
        np.testing.assert_allclose(nodes.to_numpy(), sums.to_numpy(), rtol=1e-9)
    assert (fc[["yhat", *BOUNDS]] >= 0).all().all()
    assert_ordered(fc)
    assert "region:North / category:sofas" in set(fc["series_id"])
    assert fc.loc[fc["level"] == "total", "region"].eq("total").all()


def test_hierarchy_sums_rows_of_the_same_cell_and_keeps_zero_cells_coherent() -> None:
    df = sales_by_region_and_category()
    lines = pd.concat([df.assign(y=df["y"] / 2), df.assign(y=df["y"] / 2)])  # two order lines per cell
    lamps = (lines["category"] == "lamps") & (lines["region"] == "North")
    lines.loc[lamps, "y"] = 0.0
    fc = forecast_hierarchy(lines, h=2, levels=["region", "category"])
    bottom = fc[fc["level"] == "region+category"]
    total = fc[fc["level"] == "total"].set_index("ds")["yhat"]
    np.testing.assert_allclose(bottom.groupby("ds")["yhat"].sum(), total, rtol=1e-9)
    one_region = forecast_hierarchy(lines, h=2, levels=("category",))
    assert set(one_region["level"]) == {"total", "category"}


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"h": 0}, "The 'h' parameter must be a positive integer. Got 0 instead."),
    ({"h": 2.5}, "The 'h' parameter must be a positive integer. Got 2.5 instead."),
    ({"h": True}, "The 'h' parameter must be a positive integer. Got True instead."),
    ({"h": 2, "season_length": 0}, "The 'season_length' parameter must be a positive integer. Got 0"),
    ({"h": 2, "level": (80, 120)}, "The 'level' parameter must be a percentage"),
    ({"h": 2, "level": ()}, "The 'level' parameter must be a percentage"),
    ({"h": 2, "freq": "fortnightly"}, "The 'freq' parameter must be a pandas frequency"),
    ({"h": 2, "n_jobs": 0}, "The 'n_jobs' parameter must be a positive integer. Got 0 instead."),
])
def test_bad_parameters_are_parameter_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=re.escape(message)):
        forecast(one("a", [1, 2, 3]), **kwargs)


def test_bad_backtest_and_hierarchy_parameters() -> None:
    with pytest.raises(ParameterError, match=r"The 'windows' parameter must be a positive integer\. Got 0"):
        backtest(one("a", [1, 2, 3, 4, 5, 6]), h=1, windows=0)
    df = sales_by_region_and_category()
    with pytest.raises(ParameterError, match="The 'method' parameter must be one of"):
        forecast_hierarchy(df, h=2, method="mint")
    with pytest.raises(ParameterError, match="The 'levels' parameter"):
        forecast_hierarchy(df, h=2, levels="region")
    with pytest.raises(ParameterError, match="must be a pandas DataFrame"):
        forecast([1, 2, 3], h=2)  # type: ignore[arg-type]


def test_nan_y_is_an_error_naming_the_series_and_date() -> None:
    df = seasonal("north")
    df.loc[5, "y"] = np.nan
    with pytest.raises(DataValidationError, match=r"series_id 'north' on 2020-06-01 is missing \(NaN\)"):
        forecast(df, h=2)
    with pytest.raises(ValueError, match="north"):  # the error family subclasses ValueError
        backtest(df, h=2)
    cells = sales_by_region_and_category()
    cells.loc[7, "y"] = np.nan
    with pytest.raises(DataValidationError, match=r"region 'North', category 'sofas' on 2020-08-01"):
        forecast_hierarchy(cells, h=2)


def test_bad_frames_are_data_validation_errors() -> None:
    df = seasonal()
    with pytest.raises(DataValidationError, match="missing y"):
        forecast(df.drop(columns="y"), h=2)
    with pytest.raises(DataValidationError, match="same dates"):
        forecast(pd.concat([df, df.head(1)]), h=2)
    with pytest.raises(DataValidationError, match="off the 'MS' calendar"):
        forecast(df.assign(ds=df["ds"] + pd.Timedelta(days=3)), h=2, freq="MS")
    with pytest.raises(DataValidationError, match="not a finite number"):
        forecast(df.assign(y=df["y"].astype(object).where(df.index != 3, "n/a")), h=2)
