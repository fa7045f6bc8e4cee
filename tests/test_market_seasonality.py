"""Seasonality on synthetic series with known indices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesnb.errors import ParameterError
from salesnb.market import name_seasons, seasonality, weekday_indices

TRUE = np.array([0.8, 0.9, 1.1, 1.2, 1.1, 1.0, 0.9, 0.6, 1.0, 1.2, 1.1, 1.1])


def monthly_orders(index: np.ndarray, *, years: int = 4, growth: float = 0.06, base: float = 1000.0,
                   category: str = "A") -> pd.DataFrame:
    months = pd.date_range("2021-01-01", periods=12 * years, freq="MS")
    trend = base * (1 + growth) ** (np.arange(len(months)) / 12)
    values = trend * index[months.month - 1]
    return pd.DataFrame({"order_date": months + pd.Timedelta(days=14), "net_amount": values,
                         "category": category})


def test_recovers_known_indices_despite_trend() -> None:
    assert TRUE.mean() == pytest.approx(1.0)
    idx = seasonality(monthly_orders(TRUE))
    assert idx["index"].to_numpy() == pytest.approx(TRUE, abs=0.02)
    assert idx["index"].mean() == pytest.approx(1.0)


def test_short_history_uses_year_ratio() -> None:
    idx = seasonality(monthly_orders(TRUE, years=1, growth=0.0))
    assert idx["index"].to_numpy() == pytest.approx(TRUE, abs=1e-9)


def test_thin_group_is_shrunk_toward_total() -> None:
    flat = np.ones(12)
    big = monthly_orders(TRUE, category="big")
    thin = monthly_orders(flat, years=1, base=5.0, category="thin")  # tiny and one year
    thin["order_date"] = thin["order_date"] + pd.DateOffset(years=3)
    idx = seasonality(pd.concat([big, thin]), by="category").set_index(["category", "month"])
    thin_idx = idx.loc["thin", "index"].to_numpy()
    # own pattern is flat, total is TRUE: the thin group sits close to the total
    assert np.abs(thin_idx - 1).max() > 0.2
    assert idx.loc["thin", "weight"].iloc[0] < 0.1
    assert idx.loc["big", "index"].to_numpy() == pytest.approx(TRUE, abs=0.03)
    assert idx.groupby(level="category")["index"].mean().to_numpy() == pytest.approx([1, 1])


def test_no_shrink_keeps_raw() -> None:
    data = pd.concat([monthly_orders(TRUE, category="a"), monthly_orders(np.ones(12), category="b")])
    idx = seasonality(data, by="category", shrink=0).set_index(["category", "month"])
    assert idx.loc["b", "index"].to_numpy() == pytest.approx(np.ones(12), abs=0.02)


def test_seasons_named() -> None:
    named = name_seasons(seasonality(monthly_orders(TRUE)), high=1.15, low=0.85)
    assert named.loc[named["season"] == "high", "month"].tolist() == [4, 10]
    assert named.loc[named["season"] == "low", "month"].tolist() == [1, 8]
    with pytest.raises(ParameterError):
        name_seasons(named, high=0.9, low=1.1)


def test_weekday_indices() -> None:
    days = pd.date_range("2025-01-06", periods=7 * 20, freq="D")  # starts on a Monday
    value = np.where(days.weekday < 5, 100.0, 0.0)
    value[days.weekday == 4] = 200.0
    idx = weekday_indices(pd.DataFrame({"order_date": days, "net_amount": value}))
    assert idx["index"].tolist() == pytest.approx([5 / 6] * 4 + [5 / 3, 0, 0])


def test_bad_input() -> None:
    with pytest.raises(ParameterError, match="needs column"):
        seasonality(pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError, match="'shrink'"):
        seasonality(monthly_orders(TRUE), shrink=-1)
