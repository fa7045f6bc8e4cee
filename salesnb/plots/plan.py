"""Charts of the work plan: the year's months, the regions, and the wins expected from the leads.

Each function takes a frame from :mod:`salesnb.plan` and returns a matplotlib
``Figure`` in the house style; every text comes from :func:`salesnb.i18n.t`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from salesnb import i18n
from salesnb.plots import MUTED, PALETTE, money_axis, new_figure

__all__ = ["months_chart", "regions_chart", "wins_chart"]


def months_chart(split: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Chart the target by month (bars, coloured by season index) against last year (line).

    Parameters
    ----------
    split : DataFrame
        :func:`salesnb.plan.target_split` with ``by="month"``.
    """
    fig, ax = new_figure(height=3.6)
    x = np.arange(len(split))
    high = split["index"].to_numpy(dtype=float) >= 1.1
    colours = [PALETTE[1] if h else PALETTE[0] for h in high]
    ax.bar(x, split["target"].to_numpy(dtype=float), color=colours, width=0.7, label=i18n.t("plan.chart_target"))
    ax.plot(x, split["last_year"].to_numpy(dtype=float), color="#0f172a", marker="o", markersize=4, linewidth=2,
            label=i18n.t("plan.chart_last_year"))
    ax.bar([np.nan], [np.nan], color=PALETTE[1], label=i18n.t("plan.chart_high_season"))
    ax.set_xticks(x, [i18n.month_name(int(m.month), width="abbreviated") for m in split["month"]])
    ax.grid(axis="x", visible=False)
    money_axis(ax)
    ax.legend(loc="upper right")
    ax.set_title(title or i18n.t("plan.chart_months_title"))
    return fig


def regions_chart(plan: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Chart each region's target against last year (horizontal bars), largest first.

    Parameters
    ----------
    plan : DataFrame
        :func:`salesnb.plan.region_plan`.
    """
    fig, ax = new_figure(height=0.35 * len(plan) + 1.2)
    y = np.arange(len(plan))[::-1]
    ax.barh(y + 0.2, plan["target"].to_numpy(dtype=float), height=0.4, color=PALETTE[0],
            label=i18n.t("plan.chart_target"))
    ax.barh(y - 0.2, plan["last_year"].to_numpy(dtype=float), height=0.4, color=MUTED,
            label=i18n.t("plan.chart_last_year"))
    ax.set_yticks(y, plan["name"].astype(str).tolist())
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    money_axis(ax, axis="x")
    ax.legend(loc="lower right")
    ax.set_title(title or i18n.t("plan.chart_regions_title"))
    return fig


def wins_chart(wins: pd.DataFrame, *, labels: dict[str, str] | None = None, title: str | None = None) -> Figure:
    """Chart the wins expected per quarter, stacked by segment.

    Parameters
    ----------
    wins : DataFrame
        :func:`salesnb.plan.expected_wins` (``quarter, segment, expected_wins``).
    labels : dict, optional
        Segment code -> label.
    """
    fig, ax = new_figure(height=3.2)
    table = wins.pivot_table(index="quarter", columns="segment", values="expected_wins", aggfunc="sum",
                             fill_value=0.0).reindex(range(1, 5), fill_value=0.0)
    bottom = np.zeros(4)
    for i, segment in enumerate(table.columns):
        values = table[segment].to_numpy(dtype=float)
        ax.bar(np.arange(4), values, bottom=bottom, color=PALETTE[i % len(PALETTE)], width=0.6,
               label=(labels or {}).get(segment, segment))
        bottom += values
    ax.set_xticks(np.arange(4), [i18n.t("plan.chart_quarter", n=q) for q in range(1, 5)])
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
    ax.set_title(title or i18n.t("plan.chart_wins_title"))
    return fig
