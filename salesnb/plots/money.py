"""Charts of the money page: margin by group, expenses against budget, promotions, competitors, activity.

Each function takes a frame from :mod:`salesnb.money` (or :mod:`salesnb.targets.activity`)
and returns a matplotlib ``Figure`` in the house style; every text comes from the catalog.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from salesnb import i18n
from salesnb.plots import ACCENT, MUTED, PALETTE, date_axis, money_axis, new_figure

__all__ = ["activity_chart", "budget_chart", "competitor_chart", "margin_chart", "promotion_chart"]


def margin_chart(frame: pd.DataFrame, *, by: str, title: str | None = None) -> Figure:
    """Bars of margin % per group now and a year earlier (from ``margin_comparison``)."""
    fig, ax = new_figure(height=max(3.0, 0.32 * len(frame)))
    names = frame[by].astype(str).to_numpy()
    y = np.arange(len(frame))
    ax.barh(y - 0.2, frame["margin_pct"].to_numpy(dtype=float) * 100, height=0.4, color=PALETTE[0],
            label=i18n.t("money.chart_now"))
    ax.barh(y + 0.2, frame["prior_margin_pct"].to_numpy(dtype=float) * 100, height=0.4, color=MUTED,
            label=i18n.t("money.chart_year_before"))
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel(i18n.t("money.chart_margin_pct"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)  # beside the bars, never over them
    ax.set_title(title or i18n.t("money.chart_margin_title"))
    return fig


def budget_chart(monthly: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Selling expenses and their budget per month (from ``expenses_vs_budget(by="month")``)."""
    fig, ax = new_figure(height=3.6)
    ax.bar(monthly["month"], monthly["actual"], width=20, color=PALETTE[0], label=i18n.t("money.chart_actual"))
    ax.plot(monthly["month"], monthly["budget"], color=ACCENT, linewidth=2, marker="o", markersize=3,
            label=i18n.t("money.chart_budget"))
    money_axis(ax)
    date_axis(ax)
    ax.legend(loc="upper left")
    ax.set_title(title or i18n.t("money.chart_budget_title"))
    return fig


def promotion_chart(effect: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Sales of each promotion's weeks with and without the code, against the same weeks a year before."""
    fig, ax = new_figure(height=3.8)
    x = np.arange(len(effect))
    ax.bar(x, effect["sales_with"], width=0.6, color=PALETTE[1], label=i18n.t("money.chart_with_code"))
    ax.bar(x, effect["sales_without"], width=0.6, bottom=effect["sales_with"], color=PALETTE[0],
           label=i18n.t("money.chart_without_code"))
    ax.plot(x, effect["sales_year_before"], color="#0f172a", marker="o", linewidth=0, markersize=7,
            label=i18n.t("money.chart_year_before"))
    ax.set_xticks(x, effect["code"].astype(str), rotation=30, ha="right")
    money_axis(ax)
    ax.legend(loc="upper left")
    ax.set_title(title or i18n.t("money.chart_promotion_title"))
    return fig


def competitor_chart(wins: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Losses per competitor stacked by region (from ``where_competitors_win``)."""
    places = [c for c in wins.columns if c not in ("competitor", "total", "strongest")]
    fig, ax = new_figure(height=max(3.0, 0.45 * len(wins) + 1))
    left = np.zeros(len(wins))
    for i, place in enumerate(places):
        values = wins[place].to_numpy(dtype=float)
        ax.barh(wins["competitor"].astype(str), values, left=left, color=PALETTE[i % len(PALETTE)], label=str(place))
        left += values
    ax.invert_yaxis()
    ax.set_xlabel(i18n.t("money.chart_losses"))
    ax.legend(loc="lower right", fontsize=7, ncols=2)
    ax.set_title(title or i18n.t("money.chart_competitor_title"))
    return fig


def activity_chart(activity: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Return calls each rep's plan needs in the year against the calls they can make."""
    per_rep = activity.groupby("rep_id", as_index=False)[["calls_needed", "calls_capacity"]].sum()
    fig, ax = new_figure(height=max(3.0, 0.3 * len(per_rep)))
    y = np.arange(len(per_rep))
    short = per_rep["calls_needed"] > per_rep["calls_capacity"]
    ax.barh(y, per_rep["calls_capacity"], color=MUTED, label=i18n.t("money.chart_capacity"))
    ax.barh(y, per_rep["calls_needed"], height=0.45, color=np.where(short, ACCENT, PALETTE[0]),
            label=i18n.t("money.chart_needed"))
    ax.set_yticks(y, per_rep["rep_id"].astype(str))
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    ax.set_title(title or i18n.t("money.chart_activity_title"))
    return fig
