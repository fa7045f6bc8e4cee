"""What each chart shows: title and alternative text, number of bars, lines or cells, axis labels, legend.

One test per chart function of ``salesnb/plots/*.py``, on small hand-made inputs whose
picture is known: a chart with four groups must draw four bars (or eight, in pairs),
its title must be the catalog's in the report language, and ``plots.describe`` (the
alternative text of the PNG in a report) must say what the chart is.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import write_tables
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer
from test_targets import company_tables, fake_forecast

from salesnb import i18n, plots
from salesnb.data import load
from salesnb.plots import ACCENT, PALETTE, datacheck
from salesnb.plots import leads as lead_charts
from salesnb.plots import market as market_charts
from salesnb.plots import review as review_charts
from salesnb.plots import targets as target_charts
from salesnb.targets import breakdown, feasibility

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _english_and_closed():
    i18n.set_language("en")
    yield
    i18n.set_language("en")
    plt.close("all")


def bars(ax) -> list:
    """The bar rectangles of an axes (not the background patches)."""
    return [r for c in ax.containers if isinstance(c, BarContainer) for r in c]


def title(ax) -> str:
    """The axes title (the house style puts it on the left)."""
    return ax.get_title(loc="left")


def legend_texts(legend) -> list[str]:
    return [t.get_text() for t in legend.get_texts()] if legend is not None else []


def ticks(labels) -> list[str]:
    return [t.get_text() for t in labels]


def colour(patch) -> str:
    return to_hex(patch.get_facecolor())


# --------------------------------------------------------------------------- house style


def test_line_chart_draws_one_line_per_column() -> None:
    frame = pd.DataFrame({"x": [1, 2, 3], "a": [1.0, 2, 3], "b": [3.0, 2, 1]})
    fig = plots.line_chart(frame, x="x", y=["a", "b"], title="Sales", ylabel="EUR", labels={"a": "Actual"})
    ax = fig.axes[0]
    assert [ln.get_label() for ln in ax.get_lines()] == ["Actual", "b"]
    assert list(ax.get_lines()[1].get_ydata()) == [3.0, 2, 1]
    assert title(ax) == "Sales" and ax.get_ylabel() == "EUR" and plots.describe(fig) == "Sales"
    assert legend_texts(ax.get_legend()) == ["Actual", "b"]
    single = plots.line_chart(frame, x="x", y="a")
    assert len(single.axes[0].get_lines()) == 1 and single.axes[0].get_legend() is None


def test_bar_chart_one_bar_per_row_with_highlight() -> None:
    frame = pd.DataFrame({"x": ["a", "b", "c"], "y": [5.0, 7.0, 2.0]})
    fig = plots.bar_chart(frame, x="x", y="y", title="T", ylabel="EUR", highlight=["b"])
    ax = fig.axes[0]
    assert [r.get_height() for r in bars(ax)] == [5.0, 7.0, 2.0]
    assert [colour(r) for r in bars(ax)] == [PALETTE[0], ACCENT, PALETTE[0]]
    assert ax.get_ylabel() == "EUR" and title(ax) == "T"
    side = plots.bar_chart(frame, x="x", y="y", ylabel="EUR", horizontal=True).axes[0]
    assert [r.get_width() for r in bars(side)] == [5.0, 7.0, 2.0] and side.get_xlabel() == "EUR"


# --------------------------------------------------------------------------- data check


def test_rows_heatmap_one_cell_per_table_and_month() -> None:
    months = pd.date_range("2025-01-01", periods=14, freq="MS")
    counts = pd.DataFrame(np.arange(28).reshape(2, 14), index=["orders", "leads"], columns=months)
    fig = datacheck.rows_heatmap(counts, title="Rows per month")
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (2, 14)
    assert ticks(ax.get_yticklabels()) == ["orders", "leads"]
    assert ticks(ax.get_xticklabels())[0] == "Jan 25"
    assert plots.describe(fig) == "Rows per month"
    assert not datacheck.rows_heatmap(pd.DataFrame()).axes[0].axison


def test_sales_line_one_point_per_month() -> None:
    sales = pd.DataFrame({"month": pd.date_range("2025-01-01", periods=12, freq="MS"),
                          "net_amount": np.arange(12) * 1000.0})
    fig = datacheck.sales_line(sales, title="Net sales", ylabel="EUR")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 1 and len(ax.get_lines()[0].get_xdata()) == 12
    assert ax.get_ylabel() == "EUR" and plots.describe(fig) == "Net sales"


# --------------------------------------------------------------------------- leads


def test_score_histogram_counts_every_lead_in_its_band() -> None:
    scored = pd.DataFrame({"score": [0.01, 0.02, 0.33, 0.51, 0.99]})
    fig = lead_charts.score_histogram(scored, bins=10)
    ax = fig.axes[0]
    heights = [r.get_height() for r in ax.patches]
    assert len(heights) == 10 and sum(heights) == 5 and heights[0] == 2 and heights[9] == 1
    assert title(ax) == "Open leads by win chance" == plots.describe(fig)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Win chance", "Leads")
    empty = lead_charts.score_histogram(scored.iloc[0:0])
    assert not empty.axes[0].axison and plots.describe(empty) == "Open leads by win chance"


def test_lift_chart_bars_per_decile_and_capture_line() -> None:
    lift = pd.DataFrame({"decile": range(1, 11), "lift": np.linspace(2.5, 0.2, 10),
                         "cum_capture": np.linspace(0.25, 1.0, 10)})
    fig = lead_charts.lift_chart(lift)
    ax, right = fig.axes
    assert len(bars(ax)) == 10
    assert [colour(r) for r in bars(ax)][:3] == [ACCENT, ACCENT, PALETTE[0]]  # the two best deciles stand out
    assert ax.get_xlabel() == "Score decile (1 = highest scores)" and ax.get_ylabel() == "Win rate / average win rate"
    assert right.get_ylabel() == "Share of wins captured"
    assert legend_texts(right.get_legend()) == ["Share of wins captured", "random order"]
    assert plots.describe(fig) == "Lift by score decile (cross-validated history)"


def test_calibration_chart_one_dot_per_band() -> None:
    cal = pd.DataFrame({"mean_score": [0.1, 0.3, 0.6], "observed": [0.12, 0.28, 0.65], "leads": [50, 30, 20]})
    fig = lead_charts.calibration_chart(cal, title="Calibration")
    ax = fig.axes[0]
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(dots) == 1 and len(dots[0].get_offsets()) == 3
    assert len(ax.get_lines()) == 2  # the diagonal and the observed line
    assert legend_texts(ax.get_legend()) == ["perfect calibration"]
    assert plots.describe(fig) == "Calibration"


def test_factors_chart_keeps_the_top_fields_in_order() -> None:
    factors = pd.DataFrame({"label": ["investment", "source", "size $1M", "rank"], "mean_abs": [0.9, 0.5, 0.3, 0.1]})
    fig = lead_charts.factors_chart(factors, top=3)
    ax = fig.axes[0]
    assert [r.get_width() for r in bars(ax)] == [0.9, 0.5, 0.3]
    assert ticks(ax.get_yticklabels()) == ["investment", "source", r"size \$1M"]  # "$" never read as math
    assert ax.get_xlabel() == "Average effect on the odds (log-odds)"
    assert plots.describe(fig) == "What moves the scores"


def test_whitespace_chart_marks_under_served_territories() -> None:
    ws = pd.DataFrame({"name": ["North", None, "South"], "territory": ["R1", "R2", "R3"], "gap": [0.1, -0.05, 0.0]})
    fig = lead_charts.whitespace_chart(ws)
    ax = fig.axes[0]
    assert [colour(r) for r in bars(ax)] == [ACCENT, PALETTE[0], PALETTE[0]]
    assert ticks(ax.get_yticklabels()) == ["North", "R2", "South"]  # no name: the territory code
    assert plots.describe(fig) == "Whitespace: share of market minus share of our customers"


def test_capacity_chart_two_bars_per_rep() -> None:
    by_rep = pd.DataFrame({"rep_id": ["A", "B", "C"], "capacity": [5, 3, 4], "new": [5, 1, 0]})
    fig = lead_charts.capacity_chart(by_rep)
    ax = fig.axes[0]
    assert [r.get_height() for r in bars(ax)] == [5, 3, 4, 5, 1, 0]
    assert ticks(ax.get_xticklabels()) == ["A", "B", "C"]
    assert legend_texts(ax.get_legend()) == ["capacity", "assigned"] and ax.get_ylabel() == "Leads"
    assert plots.describe(fig) == "New leads assigned vs weekly capacity"


# --------------------------------------------------------------------------- review


def test_kpi_heatmap_one_cell_per_rep_and_kpi() -> None:
    norm = pd.DataFrame([[1.0, 0.0, np.nan], [0.5, 1.0, 0.2]], index=["R1", "R2"], columns=["a", "b", "c"])
    text = norm.map(lambda v: "–" if pd.isna(v) else f"{v:.0%}")
    fig = review_charts.kpi_heatmap(norm, text=text, row_labels=["Ana", "Bea"], col_labels=["Sales", "Visits", "DSO"],
                                    title="Scorecard")
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (2, 3)
    assert ticks(ax.get_yticklabels()) == ["Ana", "Bea"] and ticks(ax.get_xticklabels()) == ["Sales", "Visits", "DSO"]
    assert [t.get_text() for t in ax.texts] == ["100%", "0%", "–", "50%", "100%", "20%"]
    assert plots.describe(fig) == "Scorecard"
    empty = review_charts.kpi_heatmap(norm.iloc[0:0], empty="No reps")
    assert [t.get_text() for t in empty.axes[0].texts] == ["No reps"]


def test_rep_profile_bars_for_scored_kpis_and_median_marks() -> None:
    frame = pd.DataFrame({"label": ["Sales", "Visits", "DSO"], "rep": [0.8, np.nan, 0.3], "median": [0.5, 0.5, 0.6]})
    fig = review_charts.rep_profile(frame, title="Ana", rep_label="Ana", median_label="Team median", xlabel="Score")
    ax = fig.axes[0]
    assert [r.get_width() for r in bars(ax)] == [0.8, 0.3]  # a KPI without a score draws no bar
    assert [colour(r) for r in bars(ax)] == [PALETTE[0], ACCENT]  # below the median: accent
    assert ticks(ax.get_yticklabels()) == ["Sales", "DSO"] and ax.get_xlabel() == "Score"
    assert legend_texts(fig.legends[0]) == ["Ana", "Team median"]
    assert plots.describe(fig) == "Ana"


def test_pacing_bars_coloured_by_status() -> None:
    frame = pd.DataFrame({"projected_attainment": [1.1, 0.95, np.nan], "status": ["on_track", "close", "no_target"]})
    fig = review_charts.pacing_bars(frame, labels=["Ana", "Bea", "Carla"], title="Pacing", xlabel="Projected",
                                    status_labels={"on_track": "On track", "close": "Close", "no_target": "None"})
    ax = fig.axes[0]
    assert [r.get_width() for r in bars(ax)] == [1.1, 0.95, 0.0]
    assert ticks(ax.get_yticklabels()) == ["Ana", "Bea", "Carla"]
    assert legend_texts(ax.get_legend()) == ["On track", "Close", "None"]
    assert ax.get_xlabel() == "Projected" and plots.describe(fig) == "Pacing"


def test_cumulative_pacing_lines_and_projection() -> None:
    dates = pd.date_range("2026-10-01", periods=31, freq="D")
    frame = pd.DataFrame({"date": dates, "target": np.linspace(0, 3100, 31), "actual": np.linspace(0, 2000, 31),
                          "projection": np.r_[[np.nan] * 20, np.linspace(1300, 2900, 11)]})
    names = {"target": "Target", "actual": "Actual", "projection": "Projection"}
    fig = review_charts.cumulative_pacing(frame, title="October", ylabel="EUR", labels=names,
                                          as_of=pd.Timestamp("2026-10-20"))
    ax = fig.axes[0]
    assert legend_texts(ax.get_legend()) == ["Target", "Actual", "Projection"]
    assert len(ax.get_lines()) == 4  # three paths and the as-of line
    assert ax.get_ylabel() == "EUR" and plots.describe(fig) == "October"
    fig.canvas.draw()
    assert ticks(ax.get_xticklabels())[0].endswith("Oct")  # day ticks for a one-month span
    no_projection = review_charts.cumulative_pacing(frame.assign(projection=np.nan), labels=names)
    assert legend_texts(no_projection.axes[0].get_legend()) == ["Target", "Actual"]


def test_trend_chart_bars_per_month_and_target_line() -> None:
    frame = pd.DataFrame({"month": pd.date_range("2026-01-01", periods=4, freq="MS"),
                          "actual": [10.0, 20, 30, 40], "target": [15.0, 15, 15, 15]})
    fig = review_charts.trend_chart(frame, title="Trend", ylabel="EUR", labels={"actual": "Sold", "target": "Goal"})
    ax = fig.axes[0]
    assert [r.get_height() for r in bars(ax)] == [10.0, 20, 30, 40] and len(ax.get_lines()) == 1
    assert ticks(ax.get_xticklabels()) == ["Jan 26", "Feb 26", "Mar 26", "Apr 26"]
    assert legend_texts(ax.get_legend()) == ["Goal", "Sold"]  # matplotlib lists lines before bars
    i18n.set_language("es")
    es = review_charts.trend_chart(frame).axes[0]
    assert ticks(es.get_xticklabels())[0] == "ene 26"


def test_aging_bars_one_bar_per_bucket() -> None:
    fig = review_charts.aging_bars([100.0, 50, 25, 0, 5], labels=["current", "1-30", "31-60", "61-90", "90+"],
                                   title="Receivables", ylabel="EUR")
    ax = fig.axes[0]
    assert [r.get_height() for r in bars(ax)] == [100.0, 50, 25, 0, 5]
    assert ticks(ax.get_xticklabels()) == ["current", "1-30", "31-60", "61-90", "90+"]
    assert colour(bars(ax)[-1]) == ACCENT and plots.describe(fig) == "Receivables"


# --------------------------------------------------------------------------- market


def test_seasonality_heatmap_groups_by_months() -> None:
    matrix = pd.DataFrame([[0.8, 1.2] * 6, [1.0] * 12], index=pd.Index(["Sofas", "Office"], name="category"),
                          columns=range(1, 13))
    fig = market_charts.seasonality_heatmap(matrix)
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (2, 12)
    assert ticks(ax.get_xticklabels())[:3] == ["Jan", "Feb", "Mar"]
    assert ticks(ax.get_yticklabels()) == ["Sofas", "Office"]
    assert len(ax.texts) == 24 and ax.texts[0].get_text() == "0.80"
    assert fig.axes[1].get_ylabel() == "Seasonal index"  # the colour bar
    assert plots.describe(fig) == ("Seasonal index by month and category — 1.00 = an average month; red sells "
                                   "above it (high season), blue below (low season)")


def test_yoy_bars_pairs_and_growth_labels() -> None:
    compared = pd.DataFrame({"region": ["North", "South", "East"], "current": [120.0, 80, 30],
                             "prior": [100.0, 100, 0], "growth": [0.2, -0.2, np.nan]})
    fig = market_charts.yoy_bars(compared, by="region", subtitle="Jan–Oct 2026", currency="EUR")
    ax = fig.axes[0]
    assert [r.get_width() for r in bars(ax)] == [120.0, 80, 30, 100, 100, 0]
    assert ticks(ax.get_yticklabels()) == ["North", "South", "East"]
    assert [t.get_text() for t in ax.texts] == ["+20.0%", "-20.0%", "new"]  # nothing sold last year: "new"
    assert legend_texts(ax.get_legend()) == ["This period", "Same period last year"]
    assert plots.describe(fig) == ("Sales by region: this period against the same period last year — "
                                   "Jan–Oct 2026")
    assert len(bars(market_charts.yoy_bars(compared, by="region", top=2).axes[0])) == 4


def test_pareto_curve_zones_and_axes() -> None:
    classes = pd.DataFrame({"rank_share": [0.25, 0.5, 0.75, 1.0], "cum_share": [0.6, 0.85, 0.96, 1.0],
                            "share": [0.6, 0.25, 0.11, 0.04], "abc": ["A", "B", "C", "C"]})
    fig = market_charts.pareto_curve(classes)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["A", "B", "C"]
    assert len(ax.get_lines()) == 3  # the curve and the two class limits
    assert ax.get_xlabel() == "Share of items, best first"
    assert plots.describe(fig) == ("Pareto curve: how few items make most of the sales — "
                                   "Class A: 1 of 4 (25%) make 60% of sales in the last 12 months")


def test_market_scatter_one_dot_per_area() -> None:
    mapped = pd.DataFrame({"name": ["Alpha", "Beta", "Gamma", "Delta"], "index": [90.0, 70, 30, 10],
                           "sales_per_capita": [0.5, 3.0, 2.5, 0.2], "population": [1e6, 5e5, 2e5, 1e5],
                           "quadrant": ["whitespace", "core", "niche", "low_priority"], "rank": [1, 2, 3, 4]})
    fig = market_charts.market_scatter(mapped, n_labels=2)
    ax = fig.axes[0]
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in dots) == 4
    assert sorted(t.get_text() for t in ax.texts if t.get_text() in {"Alpha", "Beta", "Gamma", "Delta"}) == \
        ["Alpha", "Beta"]
    assert ax.get_xlabel() == i18n.t("market.axis_attractiveness")
    assert ax.get_ylabel() == i18n.t("market.axis_sales_per_capita", currency="EUR")
    assert len(legend_texts(ax.get_legend())) == 4
    assert plots.describe(fig).startswith("Where to grow: market attractiveness against our penetration")


def test_fan_chart_history_forecast_and_two_bands() -> None:
    history = pd.DataFrame({"series_id": "total", "ds": pd.date_range("2025-01-01", periods=12, freq="MS"),
                            "y": np.linspace(10, 20, 12)})
    fc = pd.DataFrame({"series_id": "total", "ds": pd.date_range("2026-01-01", periods=3, freq="MS"),
                       "yhat": [20.0, 21, 22], "yhat_lo_80": [18.0, 18, 18], "yhat_hi_80": [22.0, 24, 26],
                       "yhat_lo_95": [16.0, 15, 14], "yhat_hi_95": [24.0, 27, 30]})
    fig = market_charts.fan_chart(history, fc, accuracy={"smape": 10.0, "mase": 0.8, "coverage_80": 0.75,
                                                         "coverage_95": 0.9}, windows=2, currency="EUR")
    ax = fig.axes[0]
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2
    assert legend_texts(ax.get_legend()) == ["95% range", "80% range", "Actual", "Forecast"]
    assert len(ax.get_lines()[0].get_xdata()) == 12  # the history
    assert len(ax.get_lines()[1].get_xdata()) == 4  # the forecast, joined to the last actual month
    assert ax.get_ylabel() == i18n.t("market.axis_sales", currency="EUR")
    assert plots.describe(fig).startswith("Demand forecast with its uncertainty — ")
    assert "10.0%" in plots.describe(fig)  # the backtest accuracy is in the alternative text
    other = market_charts.fan_chart(history, fc, series_id="none")
    assert [t.get_text() for t in other.axes[0].texts] == [i18n.t("market.no_data")]


def test_channel_mix_area_one_band_per_channel() -> None:
    months = pd.date_range("2026-01-01", periods=3, freq="MS")
    mix = pd.DataFrame({"ds": np.repeat(months, 2), "channel": ["store", "mall"] * 3,
                        "share": [0.7, 0.3, 0.6, 0.4, 0.5, 0.5]})
    fig = market_charts.channel_mix_area(mix)
    ax = fig.axes[0]
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2
    assert len(legend_texts(ax.get_legend())) == 2
    assert [t.get_text().strip() for t in ax.texts] == ["50%", "50%"]
    assert plots.describe(fig).startswith("Sales mix by channel over time")


# --------------------------------------------------------------------------- targets


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory):
    """The small company of ``test_targets``: regions Norte and Sur, four reps, a 1,000,000 target for 2027."""
    path = write_tables(company_tables(), tmp_path_factory.mktemp("charts") / "co",
                        meta='name = "Co"\ncurrency = "EUR"\ncountry = "ES"\n')
    return breakdown(load(path), year=2027, annual_target=1_000_000, method="last_year_share")


def test_monthly_by_region_stacks_regions_under_last_year(plan) -> None:
    fig = target_charts.monthly_by_region(plan)
    ax = fig.axes[0]
    assert len(bars(ax)) == 2 * 12 and len(ax.get_lines()) == 1
    stacked = np.add.reduce([[r.get_height() for r in c] for c in ax.containers])
    assert stacked.sum() == pytest.approx(1_000_000)  # the bars add up to the annual target
    assert ticks(ax.get_xticklabels())[0] == "Jan"
    assert legend_texts(ax.get_legend()) == [i18n.t("targets.chart_last_year"), "Norte", "Sur"]  # largest first
    assert ax.get_ylabel() == i18n.t("targets.chart_amount_axis", currency="EUR")
    assert plots.describe(fig) == i18n.t("targets.chart_monthly_title", year=2027)
    other = target_charts.monthly_by_region(plan, max_regions=1).axes[0]
    assert legend_texts(other.get_legend())[1:] == ["Norte", i18n.t("targets.chart_other")]


def test_rep_bars_one_bar_per_rep_with_a_target(plan) -> None:
    fig = target_charts.rep_bars(plan)
    ax = fig.axes[0]
    with_target = plan.reps.loc[plan.reps["target"] > 0]
    assert len(bars(ax)) == len(with_target)
    assert sum(r.get_width() for r in bars(ax)) == pytest.approx(with_target["target"].sum())
    assert ticks(ax.get_yticklabels())[0].startswith(
        str(with_target.sort_values("target", ascending=False)["rep_id"].iloc[0]))
    assert plots.describe(fig) == i18n.t("targets.chart_reps_title", year=2027)


def test_calendar_heatmap_weeks_by_weekday(plan) -> None:
    fig = target_charts.calendar_heatmap(plan, "R01")
    ax = fig.axes[0]
    grid = ax.images[1].get_array()
    assert grid.shape == (7, 53)  # 2027 starts on a Friday: 53 week columns
    daily = plan.daily.loc[plan.daily["rep_id"].astype(str) == "R01", "target"].sum()
    assert float(np.nansum(grid)) == pytest.approx(daily)
    assert ticks(ax.get_yticklabels())[0] == i18n.t("targets.weekday_0")
    assert plots.describe(fig) == i18n.t("targets.chart_calendar_title", rep="R01 · Ana", year=2027)


def test_feasibility_heatmap_regions_by_months(plan) -> None:
    fc = fake_forecast(plan, scale={"region:N": 1.0, "region:S": 0.8})
    fig = target_charts.feasibility_heatmap(feasibility(plan, fc), names={"N": "Norte", "S": "Sur"})
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (2, 12)
    assert ticks(ax.get_yticklabels()) == ["Norte", "Sur"] and len(ax.texts) == 24
    assert plots.describe(fig) == i18n.t("targets.chart_feasibility_title")
