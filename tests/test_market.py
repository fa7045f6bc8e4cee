"""Market analysis on small hand-computed frames: periods, YoY, ABC, HHI, attractiveness, products."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from salesnb import i18n, market
from salesnb.data import load
from salesnb.errors import ParameterError
from salesnb.plots import market as charts

TS = pd.Timestamp


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")
    plt.close("all")


def lines(rows: list[tuple]) -> pd.DataFrame:
    """Order lines from (date, region, amount[, extra columns...]) tuples."""
    frame = pd.DataFrame(rows, columns=["order_date", "region", "net_amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(("end", "comparison", "expected"), [
    ("2026-10-31", "ytd", ("2026-01-01", "2026-10-31", "2025-01-01", "2025-10-31")),
    ("2026-10-15", "month", ("2026-10-01", "2026-10-15", "2025-10-01", "2025-10-15")),
    ("2026-08-20", "quarter", ("2026-07-01", "2026-08-20", "2025-07-01", "2025-08-20")),
    ("2026-10-31", "year", ("2025-01-01", "2025-12-31", "2024-01-01", "2024-12-31")),
    ("2025-12-31", "year", ("2025-01-01", "2025-12-31", "2024-01-01", "2024-12-31")),
    ("2026-10-31", "rolling12", ("2025-11-01", "2026-10-31", "2024-11-01", "2025-10-31")),
    ("2026-10-15", "rolling12", ("2025-10-16", "2026-10-15", "2024-10-16", "2025-10-15")),
    # leap years: Feb 29 -> Feb 28, and a month end maps to the month end
    ("2024-02-29", "month", ("2024-02-01", "2024-02-29", "2023-02-01", "2023-02-28")),
    ("2024-02-29", "ytd", ("2024-01-01", "2024-02-29", "2023-01-01", "2023-02-28")),
    ("2025-02-28", "ytd", ("2025-01-01", "2025-02-28", "2024-01-01", "2024-02-29")),
    ("2024-02-28", "month", ("2024-02-01", "2024-02-28", "2023-02-01", "2023-02-28")),
    ("2024-02-29", "rolling12", ("2023-03-01", "2024-02-29", "2022-03-01", "2023-02-28")),
])
def test_period_bounds(end: str, comparison: str, expected: tuple[str, ...]) -> None:
    bounds = market.period_bounds(end, comparison=comparison)
    assert bounds == tuple(TS(d) for d in expected)
    assert bounds.start == TS(expected[0]) and bounds.prior_end == TS(expected[3])


def test_period_bounds_bad_input() -> None:
    with pytest.raises(ParameterError, match="'comparison' parameter must be one of"):
        market.period_bounds("2026-10-31", comparison="week")
    with pytest.raises(ParameterError, match="'period_end' parameter must be a date"):
        market.period_bounds("soon")


# --------------------------------------------------------------------------- same period


YOY = [
    ("2025-01-10", "north", 100.0),
    ("2025-03-05", "south", 50.0),
    ("2025-06-01", "west", 40.0),
    ("2025-11-20", "north", 999.0),  # after the prior period's end
    ("2026-02-01", "north", 150.0),
    ("2026-05-05", "east", 20.0),  # new: no prior sales
    ("2026-10-31", "south", 30.0),  # the last day counts
    ("2026-11-01", "north", 500.0),  # after period_end
]


def test_compare_periods_same_period_exact() -> None:
    orders = lines(YOY)
    before = orders.copy()
    out = market.compare_periods(orders, by="region", period_end="2026-10-31", comparison="ytd")
    pd.testing.assert_frame_equal(orders, before)  # never mutates
    assert out["region"].tolist() == ["north", "south", "east", "west"]
    assert out["current"].tolist() == [150, 30, 20, 0]
    assert out["prior"].tolist() == [100, 50, 0, 40]
    assert out["change"].tolist() == [50, -20, 20, -40]
    assert out["growth"].iloc[:2].tolist() == pytest.approx([0.5, -0.4])
    assert np.isnan(out["growth"].iloc[2])  # prior 0: NaN, not inf
    assert out["growth"].iloc[3] == pytest.approx(-1.0)
    # total change +10 while north alone moved +50: shares would read 500 % and -400 %, so none are given
    assert out["contribution"].isna().all()
    assert market.is_new(out).tolist() == [False, False, True, False]  # east: sales now, none before
    assert out["share"].tolist() == pytest.approx([0.75, 0.15, 0.10, 0.0])
    total = market.compare_periods(orders, by=None, period_end="2026-10-31")
    assert total[["current", "prior", "change"]].iloc[0].tolist() == [200, 190, 10]
    assert total["growth"].iloc[0] == pytest.approx(10 / 190)


def test_compare_periods_month_and_contribution_on_random_data() -> None:
    rng = np.random.default_rng(1)
    dates = pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 1000, 400), unit="D")
    orders = pd.DataFrame({"order_date": dates, "region": rng.choice(list("abcde"), 400),
                           "net_amount": rng.gamma(2, 50, 400)})
    out = market.compare_periods(orders, by="region", period_end="2026-03-31", comparison="rolling12")
    if out["change"].abs().max() <= abs(out["change"].sum()):
        assert out["contribution"].sum() == pytest.approx(1.0)
    else:
        assert out["contribution"].isna().all()
    assert out["share"].sum() == pytest.approx(1.0)
    month = market.compare_periods(lines(YOY), by=None, period_end="2026-10-31", comparison="month")
    assert month[["current", "prior"]].iloc[0].tolist() == [30, 0]
    assert np.isnan(month["growth"].iloc[0])


def test_shares_of_change_only_when_no_group_moved_more_than_the_total() -> None:
    shared = market.shares_of_change(pd.Series([30.0, 10.0, 0.0]))
    assert shared.tolist() == pytest.approx([0.75, 0.25, 0.0])  # all one way: shares add to 100 %
    assert market.shares_of_change(pd.Series([120.0, -20.0])).isna().all()  # 120 moved more than the total 100
    assert market.shares_of_change(pd.Series([80.0, 40.0, -20.0])).tolist() == pytest.approx([0.8, 0.4, -0.2])
    assert market.shares_of_change(pd.Series([111.0, -11.0])).isna().all()  # 111 % is refused
    assert market.shares_of_change(pd.Series([324.0, -224.0])).isna().all()
    assert market.shares_of_change(pd.Series([5.0, -5.0])).isna().all()  # no total change to share
    assert market.shares_of_change(pd.Series([-30.0, -10.0])).tolist() == pytest.approx([0.75, 0.25])


def test_new_only_with_positive_sales_now_and_none_before() -> None:
    compared = pd.DataFrame({"region": ["Granada", "Jaén", "Soria", "Lugo", "Ávila"],
                             "current": [-600.0, 900.0, 0.0, 300.0, 200.0],
                             "prior": [0.0, 0.0, 0.0, 100.0, -50.0]})
    assert market.is_new(compared).tolist() == [False, True, False, False, False]


def test_yoy_chart_labels_new_growth_and_money() -> None:
    import matplotlib.pyplot as plt

    from salesnb.plots import market as charts

    rows = [("2025-03-01", "Lugo", 100.0), ("2026-03-01", "Lugo", 150.0), ("2026-03-02", "Jaén", 900.0),
            ("2026-03-03", "Granada", -600.0)]
    compared = market.compare_periods(lines(rows), by="region", period_end="2026-10-31")
    fig = charts.yoy_bars(compared, by="region", currency="EUR")
    texts = {t.get_text() for t in fig.axes[0].texts}
    plt.close(fig)
    assert "new" in texts and any("50" in t and t.startswith("+") for t in texts)
    assert not any("new" in t and "600" in t for t in texts)
    assert any("600" in t and t.startswith(("-", "−")) for t in texts)  # Granada: only returns, its change


def test_compare_periods_bad_column() -> None:
    with pytest.raises(ParameterError, match="needs column"):
        market.compare_periods(lines(YOY), by="channel", period_end="2026-10-31")


# --------------------------------------------------------------------------- enrich and filter


def test_enrich_and_filter(tiny_dir) -> None:
    ds = load(tiny_dir)
    enriched = market.enrich_orders(ds)
    assert len(enriched) == len(ds.orders)
    first = enriched.iloc[0]
    assert (first["customer"], first["channel"], first["region_id"], first["province"], first["region"],
            first["category"], first["product"]) == ("Muebles Peña S.L.", "store", "P1", "Cádiz", "Andalucía",
                                                     "Oficina", "Silla Oficina")
    assert first["month"] == TS("2025-01-01")
    assert "customer" not in ds.orders.columns  # the dataset is untouched
    assert len(market.filter_orders(enriched, region="sevilla")) == 1
    assert len(market.filter_orders(enriched, region=" ANDALUCÍA ")) == len(enriched)
    assert len(market.filter_orders(enriched, region="P1", category="Sofás")) == 2
    with pytest.raises(ParameterError, match="'region' parameter must be empty"):
        market.filter_orders(enriched, region="Atlantis")
    with pytest.raises(ParameterError, match="'category'"):
        market.filter_orders(enriched, category="Lamps")


def _merged_by_hand(ds) -> pd.DataFrame:
    """The joins of ``enrich_orders`` written as plain merges: what the lookups must equal."""
    customers = ds.customers[["customer_id", "name", "channel", "region_id"]].rename(columns={"name": "customer"})
    regions = ds.regions[["region_id", "name", "parent_id"]].rename(columns={"name": "province"})
    parents = ds.regions[["region_id", "name"]].rename(columns={"region_id": "parent_id", "name": "region"})
    products = ds.products[["product_id", "name", "category"]].rename(columns={"name": "product"})
    out = ds.orders.merge(customers, on="customer_id", how="left").merge(regions, on="region_id", how="left")
    out = out.merge(parents, on="parent_id", how="left")
    out["region"] = out["region"].fillna(out["province"])
    out = out.merge(products, on="product_id", how="left")
    out["month"] = out["order_date"].dt.to_period("M").dt.to_timestamp()
    return out


def test_enrich_equals_the_plain_merges(tiny_dir) -> None:
    ds = load(tiny_dir)
    pd.testing.assert_frame_equal(market.enrich_orders(ds), _merged_by_hand(ds), check_exact=True)
    # a customer, a product and a region missing from their tables: empty, as a left merge leaves them
    orders = ds.orders.copy()
    orders.loc[0, "customer_id"], orders.loc[1, "product_id"] = "C9", "Z"
    orders.index = orders.index + 10  # any index: the result is numbered from 0, like a merge's
    customers = ds.customers.copy()
    customers.loc[1, "region_id"] = pd.NA
    regions = ds.regions.loc[ds.regions["region_id"] != "R1"]  # provinces whose parent is not in the table
    odd = dataclasses.replace(ds, tables={**ds.tables, "orders": orders, "customers": customers, "regions": regions})
    enriched = market.enrich_orders(odd)
    pd.testing.assert_frame_equal(enriched, _merged_by_hand(odd), check_exact=True)
    assert enriched["customer"].isna().tolist()[:2] == [True, False]
    assert enriched["region"].iloc[1] == "Cádiz"  # no parent in the table: the province itself


def test_enrich_with_repeated_keys_raises_like_the_merge(tiny_dir) -> None:
    ds = load(tiny_dir)
    twice = pd.concat([ds.products, ds.products.iloc[:1]], ignore_index=True)
    with pytest.raises(pd.errors.MergeError):
        market.enrich_orders(dataclasses.replace(ds, tables={**ds.tables, "products": twice}))


def test_month_starts_equal_to_period_starts() -> None:
    dates = pd.Series(pd.to_datetime(["2024-02-29 00:00", "2026-12-31 23:59", None, "1999-01-01 00:00"]),
                      index=[3, 1, 2, 0])
    expected = dates.dt.to_period("M").dt.to_timestamp()
    pd.testing.assert_series_equal(market.orders.month_starts(dates), expected)


def test_filter_without_copy(tiny_dir) -> None:
    enriched = market.enrich_orders(load(tiny_dir))
    assert market.filter_orders(enriched, copy=False) is enriched
    assert market.filter_orders(enriched) is not enriched
    for region, category in (("sevilla", ""), ("P1", "Sofás"), ("", "oficina ")):
        pd.testing.assert_frame_equal(market.filter_orders(enriched, region=region, category=category, copy=False),
                                      market.filter_orders(enriched, region=region, category=category))


def test_window_orders_keeps_the_columns_asked() -> None:
    frame = lines([("2026-09-30", "N", 1.0), ("2026-10-01", "S", 2.0), ("2025-10-01", "S", 4.0)])
    out = market.periods.window_orders(frame, "2026-10-31", 12, "order_date", columns=["net_amount", "net_amount"])
    assert out.columns.tolist() == ["net_amount"] and out["net_amount"].tolist() == [1.0, 2.0]
    pd.testing.assert_frame_equal(market.periods.window_orders(frame, "2026-10-31", None, "order_date"), frame)


# --------------------------------------------------------------------------- Pareto, concentration


def products_sales(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"order_date": TS("2026-06-15"), "product_id": list(values),
                         "net_amount": list(values.values())})


def test_abc_classes() -> None:
    orders = products_sales({"P3": 10, "P1": 50, "P2": 25, "P4": 8, "P5": 4, "P6": 3, "P7": -5})
    out = market.abc(orders, by="product_id", period_end="2026-10-31")
    assert out["product_id"].tolist() == ["P1", "P2", "P3", "P4", "P5", "P6", "P7"]
    # cumulative share before each: 0, .50, .75, .85, .93, .97 -> A A A B B C; net returns are C
    assert out["abc"].tolist() == ["A", "A", "A", "B", "B", "C", "C"]
    assert out["cum_share"].iloc[:6].tolist() == pytest.approx([0.5, 0.75, 0.85, 0.93, 0.97, 1.0])
    assert out["share"].iloc[-1] == 0
    assert out["rank"].tolist() == list(range(1, 8))
    one = market.abc(products_sales({"X": 90, "Y": 10}), period_end="2026-10-31")
    assert one["abc"].tolist() == ["A", "B"]  # a single item above 80% is all of A
    with pytest.raises(ParameterError, match="'a' parameter must be below 'b'"):
        market.abc(orders, period_end="2026-10-31", a=0.9, b=0.8)


def test_abc_window() -> None:
    orders = products_sales({"P1": 10, "P2": 5})
    orders.loc[0, "order_date"] = TS("2025-01-15")  # older than 12 months
    out = market.abc(orders, period_end="2026-10-31", months=12)
    assert out["product_id"].tolist() == ["P2"]
    assert len(market.abc(orders, period_end="2026-10-31", months=None)) == 2


def test_concentration_hhi() -> None:
    orders = pd.DataFrame({"order_date": TS("2026-05-01"), "customer_id": ["a", "b", "c", "d", "a"],
                           "net_amount": [40.0, 30.0, 20.0, -5.0, 10.0]})
    out = market.concentration(orders, period_end="2026-10-31", top=2).iloc[0]
    assert out["n"] == 3  # d returned more than it bought
    assert out["top_share"] == pytest.approx(0.8)
    assert out["hhi"] == pytest.approx(50**2 + 30**2 + 20**2)  # 3,800
    assert out["effective_n"] == pytest.approx(10_000 / 3_800)


def test_key_accounts() -> None:
    orders = pd.DataFrame({
        "order_date": pd.to_datetime(["2026-05-01", "2026-05-01", "2026-05-01", "2025-05-01"]),
        "customer_id": ["a", "b", "c", "a"], "customer": ["Alfa", "Beta", "Gamma", "Alfa"],
        "channel": "store", "province": "P", "region": "R", "net_amount": [70.0, 20.0, 10.0, 35.0]})
    out = market.key_accounts(orders, period_end="2026-10-31")
    assert out["customer"].tolist() == ["Alfa", "Beta"]  # 70% then 90% -> A, A
    assert out["prior"].tolist() == [35.0, 0.0]
    assert out["growth"].iloc[0] == pytest.approx(1.0)


# --------------------------------------------------------------------------- attractiveness


def regions_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "region_id": ["R", "A", "B", "C", "D", "K"],
        "name": ["Region", "Alta", "Baja", "Media", "Chica", "County"],
        "parent_id": [None, "R", "R", "R", "R", "A"],
        "level": ["region", "province", "province", "province", "province", "county"],
        "population": [4_000_000, 2_000_000, 1_000_000, 800_000, 200_000, 50_000],
        "households": [1_600_000, 800_000, 400_000, 320_000, 80_000, 20_000],
        "gdp_per_capita": [25_000.0, 30_000.0, 22_000.0, 26_000.0, 20_000.0, 30_000.0],
        "retail_sales": [np.nan, 9e9, 4e9, 3e9, 7e8, 1e8],
    })


def test_attractiveness_index_and_monotonicity() -> None:
    regions = regions_frame()
    out = market.attractiveness(regions, level="province")
    assert out["region_id"].tolist() == ["A", "B", "C", "D"]
    ranked = market.attractiveness(regions, method="rank", level="province")
    # percentile ranks: A is top on 4 of 4 indicators, D bottom on 4, B beats C on 3 of 4 sizes
    assert ranked["score"].tolist() == pytest.approx([0.5, 0.1, -0.1, -0.5])
    assert out["index"].max() == pytest.approx(100) and out["index"].min() == pytest.approx(0)
    assert out["rank"].tolist() == [1, 2, 3, 4]
    assert out.set_index("region_id").loc["A", "parent"] == "Region"
    # A dominates D on every indicator
    idx = out.set_index("region_id")["index"]
    assert idx["A"] > idx["D"]
    # more population never makes an area less attractive
    scores = []
    for pop in (100_000, 500_000, 1_000_000, 3_000_000):
        changed = regions.copy()
        changed.loc[changed["region_id"] == "D", "population"] = pop
        scores.append(market.attractiveness(changed, level="province").set_index("region_id").loc["D", "score"])
    assert scores == sorted(scores)
    for method in ("zscore", "rank"):
        gdp_only = market.attractiveness(regions, weights={"gdp_per_capita": 2}, method=method, level="province")
        assert gdp_only["region_id"].tolist() == ["A", "C", "B", "D"]
    assert regions.equals(regions_frame())


def test_attractiveness_leaves_and_bad_weights() -> None:
    leaves = market.attractiveness(regions_frame())  # areas nobody is parent of
    assert sorted(leaves["region_id"]) == ["B", "C", "D", "K"]
    with pytest.raises(ParameterError, match="not a numeric column"):
        market.attractiveness(regions_frame(), weights={"tourism": 1})
    with pytest.raises(ParameterError, match="non-negative"):
        market.attractiveness(regions_frame(), weights={"population": -1})
    with pytest.raises(ParameterError, match="'method'"):
        market.attractiveness(regions_frame(), method="magic")
    no_retail = regions_frame().drop(columns="retail_sales")
    assert "z_retail_sales" not in market.attractiveness(no_retail, level="province").columns


def region_orders(rows: list[tuple[str, str, float]], date: str = "2026-06-01") -> pd.DataFrame:
    return pd.DataFrame({"order_date": TS(date), "region_id": [r[0] for r in rows],
                         "customer_id": [r[1] for r in rows], "net_amount": [r[2] for r in rows]})


def test_penetration() -> None:
    orders = region_orders([("A", "c1", 600.0), ("K", "c2", 400.0), ("B", "c3", 50.0), ("B", "c3", -80.0)])
    old = region_orders([("C", "c4", 999.0)], date="2024-01-01")
    out = market.penetration(pd.concat([orders, old]), regions_frame(), period_end="2026-10-31",
                             level="province").set_index("region_id")
    assert out.loc["A", "sales"] == 1000  # the county's customer counts in its province
    assert out.loc["A", "customers"] == 2
    assert out.loc["A", "sales_per_capita"] == pytest.approx(1000 / 2_000_000)
    assert out.loc["A", "customers_per_100k"] == pytest.approx(0.1)
    assert out.loc["B", "customers"] == 0  # net returns: not an active customer
    assert out.loc["C", "sales"] == 0 and out.loc["D", "customers_per_100k"] == 0


def test_market_map_quadrants_and_whitespace() -> None:
    # A and C are the attractive half; A sells little (whitespace), C a lot (core)
    orders = region_orders([("A", "a", 200.0), ("C", "c", 4000.0), ("B", "b", 3000.0), ("D", "d", 10.0)])
    mapped = market.market_map(orders, regions_frame(), period_end="2026-10-31", level="province",
                               weights={"gdp_per_capita": 1})
    quadrant = mapped.set_index("region_id")["quadrant"].to_dict()
    assert quadrant == {"A": "whitespace", "C": "core", "B": "niche", "D": "low_priority"}
    ws = market.whitespace(mapped)
    assert ws["region_id"].tolist() == ["A"]
    spc_c = 4000 / 800_000
    assert ws["sales_gap"].iloc[0] == pytest.approx((spc_c - 200 / 2_000_000) * 2_000_000)
    assert market.top_areas(mapped, n=2)["region_id"].tolist() == ["A", "C"]
    assert len(market.market_map(orders, regions_frame(), period_end="2026-10-31", level="province",
                                 within="Region")) == 4
    with pytest.raises(ParameterError, match="'cut'"):
        market.market_map(orders, regions_frame(), period_end="2026-10-31", cut=1.5)


# --------------------------------------------------------------------------- products


def product_history() -> tuple[pd.DataFrame, pd.DataFrame]:
    """18 complete months to Oct 2026: OLD falls 100 -> 80 -> 50 a month, STEADY sells 100, NEW from Jun 2026."""
    months = pd.date_range("2025-05-01", "2026-10-01", freq="MS")
    rows = []
    for i, month in enumerate(months):
        day = month + pd.Timedelta(days=9)
        rows.append((day, "OLD", "c1", 100.0 if i < 6 else 80.0 if i < 12 else 50.0))
        rows.append((day, "STEADY", "c1", 100.0))
        rows.append((day, "MILD", "c2", 100.0 if i < 6 else 95.0 if i < 12 else 90.0))  # -10%: below the bar
        if month >= TS("2026-06-01"):
            rows.append((day, "NEW", f"n{i}", 10.0 * (i - 12)))
    orders = pd.DataFrame(rows, columns=["order_date", "product_id", "customer_id", "net_amount"])
    orders["category"] = "cat"
    products = pd.DataFrame({"product_id": ["OLD", "STEADY", "MILD", "NEW"], "name": ["Old", "Steady", "Mild", "New"],
                             "category": "cat",
                             "launch_date": pd.to_datetime(["2015-01-01", "2015-01-01", "2015-01-01", "2026-06-01"])})
    return orders, products


def test_new_and_declining_flags() -> None:
    orders, products = product_history()
    life = market.product_lifecycle(orders, products, period_end="2026-10-31", seasonal_adjust=False)
    life = life.set_index("product_id")
    assert life.loc["OLD", ["last6", "prior6", "last6_ly"]].tolist() == [300, 480, 600]
    assert life.loc["OLD", "yoy_6m"] == pytest.approx(-0.5)
    assert life.loc["OLD", "change_6m"] == pytest.approx(300 / 480 - 1)
    assert life["is_declining"].to_dict() == {"OLD": True, "STEADY": False, "MILD": False, "NEW": False}
    assert life["is_new"].to_dict() == {"OLD": False, "STEADY": False, "MILD": False, "NEW": True}
    assert life.loc["NEW", "months_since_launch"] == 4
    assert life.loc["NEW", "customers"] == 5
    strict = market.product_lifecycle(orders, products, period_end="2026-10-31", threshold=-0.05,
                                      seasonal_adjust=False)
    assert strict.set_index("product_id").loc["MILD", "is_declining"]
    adjusted = market.product_lifecycle(orders, products, period_end="2026-10-31").set_index("product_id")
    assert adjusted.loc["OLD", "is_declining"]
    assert market.declining_products(orders, products, period_end="2026-10-31")["product_id"].tolist() == ["OLD"]
    new = market.new_products(orders, products, period_end="2026-10-31")
    assert new["product_id"].tolist() == ["NEW"]
    assert new["sales_since_launch"].iloc[0] == pytest.approx(10 + 20 + 30 + 40 + 50)
    assert new["sales_last3"].iloc[0] == pytest.approx(30 + 40 + 50)
    ramp = market.product_ramp(orders, products, period_end="2026-10-31")
    assert ramp["month_no"].tolist() == [1, 2, 3, 4, 5]
    assert ramp["cum_customers"].tolist() == [1, 2, 3, 4, 5]
    with pytest.raises(ParameterError, match="'threshold'"):
        market.product_lifecycle(orders, products, period_end="2026-10-31", threshold=0.2)


# --------------------------------------------------------------------------- series, trend, mix, seasons


def test_demand_series_complete_months() -> None:
    orders = pd.DataFrame({
        "order_date": pd.to_datetime(["2026-01-05", "2026-03-10", "2026-02-02", "2026-03-03", "2026-04-02"]),
        "category": ["X", "X", "Y", "Y", "X"], "net_amount": [10.0, 5.0, 7.0, 3.0, 99.0]})
    out = market.demand_series(orders, period_end="2026-04-15", level="category")  # April is partial
    assert out.columns.tolist() == ["series_id", "ds", "y"]
    x = out.loc[out["series_id"] == "X"]
    assert x["ds"].tolist() == [TS("2026-01-01"), TS("2026-02-01"), TS("2026-03-01")]
    assert x["y"].tolist() == [10, 0, 5]  # the missing February is 0
    y = out.loc[out["series_id"] == "Y"]
    assert y["ds"].min() == TS("2026-02-01")  # a series starts at its first sale
    total = market.demand_series(orders, period_end="2026-04-30")  # April complete now
    assert total["series_id"].unique().tolist() == ["total"]
    assert total["y"].tolist() == [10, 7, 8, 99]
    both = market.demand_series(orders.assign(region="N"), period_end="2026-03-31", level=["region", "category"])
    assert set(both["series_id"]) == {"N/X", "N/Y"}


def test_demand_levels_and_total_first() -> None:
    orders = pd.DataFrame({"order_date": pd.to_datetime(["2026-01-05", "2026-02-10"]), "category": ["X", "total"],
                           "net_amount": [1.0, 2.0]})
    with pytest.raises(ParameterError, match="same series id"):
        market.demand_levels(orders, period_end="2026-02-28")
    stacked = market.demand_levels(orders.assign(category=["X", "Y"]), period_end="2026-02-28")
    assert stacked["series_id"].tolist() == ["total", "total", "X", "X", "Y"]
    assert market.total_first(stacked.iloc[::-1])["series_id"].tolist()[:2] == ["total", "total"]


def test_trend_and_momentum() -> None:
    months = pd.date_range("2024-01-01", "2025-12-01", freq="MS")
    orders = pd.DataFrame({"order_date": months + pd.Timedelta(days=3),
                           "net_amount": np.where(months.year == 2024, 100.0, 110.0)})
    out = market.trend(orders, period_end="2025-12-31")
    last = out.iloc[-1]
    assert (last["rolling3"], last["rolling12"]) == (330, 1320)
    assert last["growth_3m"] == pytest.approx(0.1) and last["growth_12m"] == pytest.approx(0.1)
    assert out["growth_12m"].iloc[:12].isna().all()
    mom = market.momentum(orders, period_end="2025-12-31").iloc[0]
    assert mom["last12"] == 1320 and mom["prior12"] == 1200 and mom["momentum"] == pytest.approx(0)
    partial = market.trend(orders, period_end="2025-12-15")  # December is incomplete
    assert partial["ds"].max() == TS("2025-11-01")


def test_mix_over_time() -> None:
    orders = pd.DataFrame({"order_date": pd.to_datetime(["2025-01-10", "2025-02-10", "2025-04-01", "2025-04-02"]),
                           "channel": ["store", "distributor", "store", "distributor"],
                           "net_amount": [30.0, 10.0, 10.0, 30.0]})
    out = market.mix_over_time(orders, by="channel", period_end="2025-05-31", freq="quarter")
    assert out.groupby("ds")["share"].sum().tolist() == pytest.approx([1, 1])
    q1 = out.loc[out["ds"] == TS("2025-01-01")].set_index("channel")["share"]
    assert q1["store"] == pytest.approx(0.75)
    assert out["complete"].tolist() == [True, True, False, False]


def test_season_ahead() -> None:
    index = np.array([0.8, 0.9, 1.1, 1.2, 1.1, 1.0, 0.9, 0.6, 1.0, 1.2, 1.1, 1.1])
    months = pd.date_range("2023-01-01", periods=36, freq="MS")
    orders = pd.DataFrame({"order_date": months + pd.Timedelta(days=14),
                           "net_amount": 1000 * index[months.month - 1]})
    ahead = market.season_ahead(orders, period_end="2025-10-31", months=3, high=1.15, low=0.85)
    assert ahead["ds"].tolist() == [TS("2025-11-01"), TS("2025-12-01"), TS("2026-01-01")]
    assert ahead["index"].to_numpy() == pytest.approx([1.1, 1.1, 0.8], abs=0.03)
    assert ahead["season"].tolist() == ["normal", "normal", "low"]
    mid = market.season_ahead(orders, period_end="2025-10-15", months=1)
    assert mid["month"].tolist() == [10]
    matrix = market.seasonal_matrix(orders.assign(category="c"), by="category")
    assert matrix.shape == (1, 12) and matrix.to_numpy().mean() == pytest.approx(1)
    with pytest.raises(ParameterError, match="'months' parameter must be a positive integer"):
        market.season_ahead(orders, period_end="2025-10-31", months=0)


def test_forecast_summary_and_headline() -> None:
    fc = pd.DataFrame({"series_id": "total", "ds": pd.date_range("2026-11-01", periods=4, freq="MS"),
                       "yhat": [10.0, 20.0, 30.0, 40.0], "yhat_lo_80": [8.0, 16, 24, 32],
                       "yhat_hi_80": [12.0, 24, 36, 48]})
    q = market.forecast_summary(fc, months=3).iloc[0]
    assert (q["yhat"], q["yhat_lo_80"], q["yhat_hi_80"], q["months"]) == (60, 48, 72, 3)
    assert q["end"] == TS("2027-01-01")
    orders = lines(YOY)
    total = market.compare_periods(orders, by=None, period_end="2026-10-31")
    regions = market.compare_periods(orders, by="region", period_end="2026-10-31")
    ahead = pd.DataFrame({"ds": pd.date_range("2026-11-01", periods=3, freq="MS"), "month": [11, 12, 1],
                          "index": [1.0, 0.6, 0.5], "season": ["normal", "low", "low"]})
    for lang in ("en", "es"):
        i18n.set_language(lang)
        cards = market.headline(total, regions, ahead, market.forecast_summary(fc), currency="EUR")
        assert len(cards) == 4
        assert cards[1][1] == "north"  # +50%; east has no prior and west too small to count
        assert cards[2][1] == i18n.t("market.season_low")
        assert market.period_label("2026-10-31")


def test_backtest_helpers() -> None:
    series = pd.DataFrame({"series_id": "total", "ds": pd.date_range("2023-11-01", periods=36, freq="MS"),
                           "y": 1.0})
    assert market.backtest_windows(series, h=6) == 2  # each window still trains on 24+ months
    assert market.backtest_windows(series, h=3) == 3  # capped
    assert market.backtest_windows(series, h=12) == 1
    assert market.backtest_windows(series.head(20), h=6) == 1
    per_series = pd.DataFrame({"series_id": ["a", "total"], "smape": [30.0, 12.5], "mase": [0.9, 1.3],
                               "coverage_80": [0.8, 0.75], "coverage_95": [1.0, 0.9]})
    acc = market.accuracy_of(per_series, "total")
    assert acc == {"smape": 12.5, "mase": 1.3, "coverage_80": 0.75, "coverage_95": 0.9}
    assert market.accuracy_of(per_series, "nope") is None
    text = market.accuracy_text(acc, windows=2, h=6)
    assert "12.5%" in text and "1.30" in text and "75%" in text and "2 × 6" in text
    assert market.accuracy_text(None) == i18n.t("market.no_backtest")
    assert i18n.t("market.mase_caution") in market.accuracy_note(acc)
    assert i18n.t("market.mase_caution") not in market.accuracy_note({**acc, "mase": 0.7})


# --------------------------------------------------------------------------- charts


def test_each_chart_returns_a_figure() -> None:
    orders = lines(YOY).assign(channel=["store", "distributor"] * 4)
    compared = market.compare_periods(orders, by="region", period_end="2026-10-31")
    classes = market.abc(products_sales({"P1": 50, "P2": 30, "P3": 20}), period_end="2026-10-31")
    mapped = market.market_map(region_orders([("A", "a", 200.0), ("C", "c", 4000.0)]), regions_frame(),
                               period_end="2026-10-31", level="province")
    history = pd.DataFrame({"series_id": "total", "ds": pd.date_range("2025-01-01", periods=12, freq="MS"),
                            "y": np.linspace(10, 20, 12)})
    fc = pd.DataFrame({"series_id": "total", "ds": pd.date_range("2026-01-01", periods=3, freq="MS"),
                       "yhat": [20.0, 21, 22], "yhat_lo_80": [18.0, 18, 18], "yhat_hi_80": [22.0, 24, 26],
                       "yhat_lo_95": [16.0, 15, 14], "yhat_hi_95": [24.0, 27, 30]})
    accuracy = {"smape": 10.0, "mase": 0.8, "coverage_80": 0.75, "coverage_95": 0.9}
    matrix = pd.DataFrame([[0.8, 1.2] * 6], index=["c"], columns=range(1, 13))
    mix = market.mix_over_time(orders, by="channel", period_end="2026-10-31")
    for lang in ("en", "es"):
        i18n.set_language(lang)
        figures = [
            charts.seasonality_heatmap(matrix),
            charts.yoy_bars(compared, by="region", subtitle=market.period_label("2026-10-31")),
            charts.pareto_curve(classes),
            charts.market_scatter(mapped),
            charts.fan_chart(history, fc, accuracy=accuracy),
            charts.channel_mix_area(mix),
            charts.yoy_bars(compared.iloc[0:0], by="region"),  # empty data draws a note
        ]
        assert all(isinstance(f, Figure) for f in figures)
        plt.close("all")


def test_explore_shows_a_static_default(capsys) -> None:
    orders = lines(YOY).assign(category="c", province=lambda f: f["region"], region_id="x", parent_id=None,
                               customer="k", product="p", channel="store")
    market.explore(orders, period_end="2026-10-31", region="north")
    with pytest.raises(ParameterError):
        market.explore(orders, period_end="2026-10-31", by="planet")
