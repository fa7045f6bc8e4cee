"""Charts of the lead-prioritisation report.

Each function takes a frame from :mod:`salesnb.leads` and returns a matplotlib
``Figure`` in the house style; titles and axis labels come from
``salesnb/locale/leads.json`` (pass ``title=`` to override) and numbers from the
locale formatters. Data text on a chart (names of reps, territories) is made safe
for matplotlib (``$`` is escaped so it is never read as math).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from salesnb import i18n
from salesnb.plots import ACCENT, MUTED, PALETTE, new_figure

__all__ = [
    "calibration_chart",
    "capacity_chart",
    "factors_chart",
    "lift_chart",
    "score_histogram",
    "whitespace_chart",
]


def _t(key: str, **values: object) -> str:
    return i18n.t(f"leads.{key}", **values)


def _plain(value: object, width: int = 32) -> str:
    text = str(value).replace("$", r"\$").replace("\r", " ").replace("\n", " ").replace("\t", " ").strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def _pct(ax: Axes, axis: str = "y") -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _p: i18n.fmt_pct(v, decimals=0)))


def _empty(fig: Figure, ax: Axes, title: str) -> Figure:
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, "–", ha="center", va="center", color=MUTED, fontsize=14, transform=ax.transAxes)
    return fig


def score_histogram(scored: pd.DataFrame, *, title: str | None = None, bins: int = 20) -> Figure:
    """Draw how many open leads fall in each band of win chance."""
    fig, ax = new_figure(height=3.4)
    title = _t("chart_scores_title") if title is None else title
    if scored.empty:
        return _empty(fig, ax, title)
    ax.hist(scored["score"].to_numpy(dtype=float), bins=np.linspace(0, 1, bins + 1), color=PALETTE[0],
            edgecolor="white")
    ax.set_title(title)
    ax.set_xlabel(_t("chart_scores_x"))
    ax.set_ylabel(_t("chart_scores_y"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: i18n.fmt_number(v)))
    _pct(ax, "x")
    return fig


def lift_chart(lift: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Draw the lift per score decile (bars) and the cumulative share of wins captured (line)."""
    fig, ax = new_figure(height=3.8)
    title = _t("chart_lift_title") if title is None else title
    if lift.empty:
        return _empty(fig, ax, title)
    x = lift["decile"].to_numpy()
    ax.bar(x, lift["lift"], color=[ACCENT if d <= 2 else PALETTE[0] for d in x])
    ax.axhline(1.0, color=MUTED, linewidth=1, linestyle="--")
    ax.set_xticks(x, [str(d) for d in x])
    ax.set_xlabel(_t("chart_lift_x"))
    ax.set_ylabel(_t("chart_lift_y"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: i18n.fmt_number(v, decimals=1)))
    right = ax.twinx()
    right.plot(x, lift["cum_capture"], color=PALETTE[2], marker="o", linewidth=2,
               label=_t("chart_capture_y"))
    right.plot(x, x / len(x), color=MUTED, linestyle=":", label=_t("chart_random"))
    right.set_ylim(0, 1.02)
    right.set_ylabel(_t("chart_capture_y"))
    right.grid(False)
    right.spines["right"].set_visible(True)
    _pct(right)
    right.legend(loc="center right")
    ax.set_title(title)
    return fig


def calibration_chart(calibration: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Draw the predicted win chance against the share actually won, per band (dot size: leads)."""
    fig, ax = new_figure(width=5.5, height=4.2)
    title = _t("chart_calibration_title") if title is None else title
    if calibration.empty:
        return _empty(fig, ax, title)
    ax.plot([0, 1], [0, 1], color=MUTED, linestyle="--", label=_t("chart_diagonal"))
    size = 20 + 180 * calibration["leads"] / max(calibration["leads"].max(), 1)
    ax.plot(calibration["mean_score"], calibration["observed"], color=PALETTE[0], linewidth=1.5)
    ax.scatter(calibration["mean_score"], calibration["observed"], s=size, color=PALETTE[0], zorder=3)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(_t("chart_calibration_x"))
    ax.set_ylabel(_t("chart_calibration_y"))
    _pct(ax, "x")
    _pct(ax, "y")
    ax.grid(axis="x")
    ax.legend(loc="upper left")
    ax.set_title(title)
    return fig


def factors_chart(factors: pd.DataFrame, *, title: str | None = None, top: int = 10) -> Figure:
    """Draw the average weight of each field in the scores (mean absolute effect on the log-odds)."""
    view = factors.head(top)
    fig, ax = new_figure(height=max(2.6, 0.4 * len(view) + 1.2))
    title = _t("chart_factors_title") if title is None else title
    if view.empty:
        return _empty(fig, ax, title)
    ax.barh([_plain(v, 40) for v in view["label"]], view["mean_abs"], color=PALETTE[0])
    ax.invert_yaxis()
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(_t("chart_factors_x"))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: i18n.fmt_number(v, decimals=2)))
    ax.set_title(title)
    return fig


def whitespace_chart(ws: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Draw the share of market minus the share of our customers, per territory (positive: under-served)."""
    fig, ax = new_figure(height=max(3.0, 0.38 * len(ws) + 1.2))
    title = _t("chart_whitespace_title") if title is None else title
    if ws.empty:
        return _empty(fig, ax, title)
    names = [_plain(n if isinstance(n, str) else t) for n, t in zip(ws["name"], ws["territory"], strict=True)]
    ax.barh(names, ws["gap"], color=[ACCENT if g > 0 else PALETTE[0] for g in ws["gap"]])
    ax.axvline(0, color="#334155", linewidth=0.8)
    ax.invert_yaxis()
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(_t("chart_whitespace_x"))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: i18n.fmt_number(v, decimals=1)))
    ax.set_title(title)
    return fig


def capacity_chart(by_rep: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Draw the new leads assigned to each rep next to the rep's weekly capacity."""
    fig, ax = new_figure(height=3.8)
    title = _t("chart_capacity_title") if title is None else title
    if by_rep.empty:
        return _empty(fig, ax, title)
    x = np.arange(len(by_rep))
    ax.bar(x - 0.2, by_rep["capacity"], width=0.4, color=MUTED, label=_t("chart_capacity_capacity"))
    ax.bar(x + 0.2, by_rep["new"], width=0.4, color=PALETTE[0], label=_t("chart_capacity_assigned"))
    ax.set_xticks(x, [_plain(r, 8) for r in by_rep["rep_id"]], rotation=90, fontsize=8)
    ax.set_ylabel(_t("chart_capacity_y"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: i18n.fmt_number(v)))
    ax.legend(loc="upper right")
    ax.set_title(title)
    return fig
