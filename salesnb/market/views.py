"""What the market notebook shows: headline cards, translated tables, column kinds, the Explore view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from salesnb import i18n
from salesnb.market.orders import filter_orders
from salesnb.market.periods import COMPARISONS, compare_periods, fastest_growing
from salesnb.market.texts import period_label, season_label, word
from salesnb.params import check_choice, check_positive_int

if TYPE_CHECKING:
    from IPython.display import HTML
    from matplotlib.figure import Figure

__all__ = ["KINDS", "explore", "headline", "kinds", "translate"]


def _month_span(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """Return ``"Nov 2026 – Jan 2027"`` (one month once when start and end share it)."""
    first = i18n.fmt_date(start, format="LLL y")
    last = i18n.fmt_date(end, format="LLL y")
    return first if first == last else f"{first} – {last}"


def headline(total: pd.DataFrame, by_region: pd.DataFrame, ahead: pd.DataFrame,
             next_quarter: pd.DataFrame | None = None, concentration: pd.DataFrame | None = None, *,
             currency: str = "EUR", comparison: str = "ytd", by: str = "region") -> list[tuple[str, str, str]]:
    """Return the market headline as (label, value, note) cards in the report language.

    Parameters
    ----------
    total : DataFrame
        :func:`compare_periods` with ``by=None`` (one row).
    by_region : DataFrame
        :func:`compare_periods` by ``by``.
    ahead : DataFrame
        :func:`season_ahead` for the whole business.
    next_quarter : DataFrame, optional
        One row of :func:`forecast_summary` (the total series).
    concentration : DataFrame, optional
        Output of :func:`concentration`.
    currency : str
        ISO code for money.
    comparison : str
        The comparison used (for the label).
    by : str
        Column of ``by_region`` holding the names.
    """
    items = [_sales_card(total.iloc[0], currency=currency, comparison=comparison)]
    best = fastest_growing(by_region, by=by)
    if best is not None:
        items.append(_fastest_card(best, by=by, currency=currency))
    if len(ahead):
        items.append(_season_card(ahead))
    if next_quarter is not None and len(next_quarter):
        items.append(_forecast_card(next_quarter.iloc[0], currency=currency))
    if concentration is not None and len(concentration) and pd.notna(concentration["top_share"].iloc[0]):
        items.append(_concentration_card(concentration.iloc[0]))
    return items


def _sales_card(row: pd.Series, *, currency: str, comparison: str) -> tuple[str, str, str]:
    """Return the card of the period's sales and their growth on the same period last year."""
    return (
        i18n.t("market.hl_sales", period=i18n.t(f"market.comparison_{comparison}")),
        i18n.fmt_money(row["current"], currency),
        i18n.t("market.hl_sales_note", growth=i18n.fmt_pct(row["growth"], signed=True),
               prior=i18n.fmt_money(row["prior"], currency)),
    )


def _fastest_card(best: pd.Series, *, by: str, currency: str) -> tuple[str, str, str]:
    """Return the card of the fastest-growing region or province."""
    return (i18n.t(f"market.hl_fastest_{'province' if by == 'province' else 'region'}"), str(best[by]),
            i18n.t("market.hl_fastest_note", growth=i18n.fmt_pct(best["growth"], signed=True),
                   change=i18n.fmt_money(best["change"], currency)))


def _season_card(ahead: pd.DataFrame) -> tuple[str, str, str]:
    """Return the card of the season of the months ahead, with each month's index."""
    mean = float(ahead["index"].mean())
    season = "high" if mean >= 1.1 else "low" if mean <= 0.9 else "normal"
    months = " · ".join(f"{i18n.month_name(int(m), width='abbreviated')} {i18n.fmt_number(v, decimals=2)}"
                        for m, v in zip(ahead["month"], ahead["index"], strict=True))
    return (i18n.t("market.hl_season", months=_month_span(ahead["ds"].min(), ahead["ds"].max())),
            season_label(season),
            i18n.t("market.hl_season_note", pct=i18n.fmt_pct(mean - 1, signed=True), months=months))


def _forecast_card(fc: pd.Series, *, currency: str) -> tuple[str, str, str]:
    """Return the card of the forecast for the next months, with its 80 % range when known."""
    note = ""
    if "yhat_lo_80" in fc and "yhat_hi_80" in fc:
        note = i18n.t("market.hl_forecast_note", lo=i18n.fmt_money(fc["yhat_lo_80"], currency),
                      hi=i18n.fmt_money(fc["yhat_hi_80"], currency))
    return (i18n.t("market.hl_forecast", months=_month_span(fc["start"], fc["end"])),
            i18n.fmt_money(fc["yhat"], currency), note)


def _concentration_card(c: pd.Series) -> tuple[str, str, str]:
    """Return the card of the top customers' share of sales and the HHI."""
    return (i18n.t("market.hl_top_customers", n=int(c["top"])), i18n.fmt_pct(c["top_share"]),
            i18n.t("market.hl_top_customers_note", hhi=i18n.fmt_number(c["hhi"]),
                   n=i18n.fmt_number(c["effective_n"])))


def translate(frame: pd.DataFrame, *,
              columns: Sequence[str] = ("channel", "quadrant", "season", "series_id", "method")) -> pd.DataFrame:
    """Return a copy with coded values replaced by report-language words.

    Channels (``store`` -> "Family store"), quadrants, seasons, forecast methods and
    the ``"total"`` series id; other values (names from the data) are left as they are.
    """
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = out[col].map(lambda v, c=col: word(c, v))
    return out


#: Display kinds of the columns the market analyses return (for :func:`salesnb.display.table`).
KINDS: dict[str, str] = {
    "current": "money", "prior": "money", "change": "money", "growth": "pct_signed", "contribution": "pct",
    "share": "pct", "cum_share": "pct", "sales": "money", "sales_12m": "money", "last6": "money",
    "prior6": "money", "last6_ly": "money", "yoy_6m": "pct_signed", "change_6m": "pct_signed",
    "sales_last3": "money", "avg_month": "money", "sales_since_launch": "money", "sales_gap": "money",
    "sales_per_capita": "num2",
    "customers_per_100k": "num1", "index": "num1", "population": "int", "households": "int",
    "gdp_per_capita": "money", "retail_sales": "money", "rank": "int", "customers": "int",
    "months_since_launch": "int", "launch_date": "date", "last3": "money", "last3_prior": "money",
    "growth_3m": "pct_signed", "last12": "money", "prior12": "money", "growth_12m": "pct_signed",
    "momentum": "pct_signed", "yhat": "money", "yhat_lo_80": "money", "yhat_hi_80": "money",
    "yhat_lo_95": "money", "yhat_hi_95": "money", "start": "month", "end": "month", "ds": "month",
    "mase": "num2", "coverage_80": "pct", "coverage_95": "pct", "smape": "num1", "months": "int",
}

#: Breakdowns the Explore view offers.
_DIMS = ("region", "province", "category", "product", "channel", "customer")


def kinds() -> dict[str, str]:
    """Return the display kinds of the market columns, for ``display.table(..., kinds=market.kinds())``."""
    return dict(KINDS)


def explore(enriched: pd.DataFrame, *, period_end: object, comparison: str = "ytd", region: str = "",
            category: str = "", by: str = "region", top: int = 12, currency: str = "EUR") -> None:
    """Show sales against last year for a region, category and period, with controls above.

    Displays dropdowns (region, category, period, breakdown), then the default
    selection as ordinary output (a chart and a table, which stay in HTML exports).
    In JupyterLab changing a dropdown redraws the chart and table in place; in an
    HTML export the dropdowns are gone and the default view remains.

    Parameters
    ----------
    enriched : DataFrame
        Output of :func:`~salesnb.market.enrich_orders`.
    period_end : date-like
        Last day of the period.
    comparison, region, category : str
        The default selection (see :func:`~salesnb.market.compare_periods`,
        :func:`~salesnb.market.filter_orders`).
    by : {"region", "province", "category", "product", "channel", "customer"}
        Default breakdown.
    top : int
        Groups shown in the chart.
    currency : str
        ISO code for money.
    """
    from salesnb import notebook

    check_choice("by", by, _DIMS)
    check_choice("comparison", comparison, COMPARISONS)
    top = check_positive_int("top", top)
    filter_orders(enriched, region=region, category=category, copy=False)  # fail early on a bad default

    def render(**selection: str) -> tuple[Figure, HTML]:
        return _render(enriched, period_end=period_end, top=top, currency=currency, **selection)

    notebook.explore(_controls(enriched, region=region, category=category, comparison=comparison, by=by), render)


def _render(enriched: pd.DataFrame, *, period_end: object, top: int, currency: str, region: str, category: str,
            comparison: str, by: str) -> tuple[Figure, HTML]:
    """Return the Explore chart (a Figure) and table (HTML) of one selection."""
    from IPython.display import HTML

    from salesnb import display as show
    from salesnb.plots import market as charts  # the charts import the analyses, never this module

    view = filter_orders(enriched, region=region, category=category, copy=False)
    compared = translate(compare_periods(view, by=by, period_end=period_end, comparison=comparison))
    subtitle = period_label(period_end, comparison=comparison)
    fig = charts.yoy_bars(compared.head(top), by=by, subtitle=subtitle)
    table = show.table_html(compared, labels=show.labels("market") | {by: i18n.t(f"market.col_{by}")},
                            kinds=KINDS, currency=currency)
    return fig, HTML(table)


def _choices(values: list[str], current: str) -> tuple[list[tuple[str, str]], str]:
    """Return dropdown options (all + values) and the option matching ``current`` (added when absent)."""
    options = [(i18n.t("market.all"), ""), *((v, v) for v in values)]
    key = current.strip().lower()
    match = next((v for v in values if v.lower() == key), None)
    if key and match is None:  # a province or a code: keep it selectable
        options.append((current, current))
    return options, (match if match is not None else current) if key else ""


def _controls(enriched: pd.DataFrame, *, region: str, category: str, comparison: str, by: str) -> dict[str, Any]:
    """Return the Explore dropdowns (region, category, period, breakdown) set to the default selection."""
    import ipywidgets as widgets

    # names of the distinct values, not of every line
    region_options, region_value = _choices(sorted({str(v) for v in enriched["region"].dropna().unique()}), region)
    category_options, category_value = _choices(sorted({str(v) for v in enriched["category"].dropna().unique()}),
                                                category)
    return {
        "region": widgets.Dropdown(options=region_options, value=region_value, description=i18n.t("market.col_region")),
        "category": widgets.Dropdown(options=category_options, value=category_value,
                                     description=i18n.t("market.col_category")),
        "comparison": widgets.Dropdown(options=[(i18n.t(f"market.comparison_{c}"), c) for c in COMPARISONS],
                                       value=comparison, description=i18n.t("market.period")),
        "by": widgets.Dropdown(options=[(i18n.t(f"market.col_{d}"), d) for d in _DIMS], value=by,
                               description=i18n.t("market.breakdown")),
    }
