"""Charts of the periodic review: KPI heatmap, rep profile, pacing, trend, aging.

Each function takes tidy frames from :mod:`salesnb.review` and already translated
texts, and returns a matplotlib Figure (display it with :func:`salesnb.plots.show`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from salesnb import i18n
from salesnb.plots import ACCENT, MUTED, PALETTE, money_axis, new_figure

__all__ = ["aging_bars", "cumulative_pacing", "date_axis", "kpi_heatmap", "pacing_bars", "rep_profile",
           "trend_chart"]

_STATUS_COLOURS = {"on_track": PALETTE[2], "close": PALETTE[1], "behind": ACCENT, "no_target": MUTED,
                   "not_started": "#cbd5e1"}


def _empty(fig: Figure, ax: Axes, text: str) -> Figure:
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", color="#64748b", transform=ax.transAxes)
    return fig


def kpi_heatmap(norm: pd.DataFrame, *, text: pd.DataFrame | None = None, row_labels: Sequence[str] | None = None,
                col_labels: Sequence[str] | None = None, title: str = "", empty: str = "") -> Figure:
    """Reps (rows) x KPIs (columns) coloured by their 0-1 team-relative score.

    Parameters
    ----------
    norm : DataFrame
        Normalised KPIs (1 = best in the team), as from :func:`salesnb.review.normalise`.
    text : DataFrame, optional
        Same shape: formatted values written in the cells.
    row_labels, col_labels : sequence of str, optional
        Rep and KPI labels (default: index and columns).
    """
    n_rows, n_cols = norm.shape
    fig, ax = new_figure(width=max(7.0, 0.85 * n_cols + 2.5), height=max(2.5, 0.32 * n_rows + 1.4))
    if norm.empty:
        return _empty(fig, ax, empty)
    values = norm.to_numpy(dtype=float)
    masked = np.ma.masked_invalid(values)
    ax.imshow(masked, aspect="auto", cmap="RdYlGn", vmin=0, vmax=1, interpolation="nearest")
    ax.set_facecolor("#f1f5f9")
    ax.set_xticks(range(n_cols), list(col_labels or norm.columns), rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(n_rows), list(row_labels or norm.index), fontsize=8)
    ax.grid(False)
    if text is not None and n_rows * n_cols <= 900:
        size = 7 if n_cols > 8 else 8
        for i in range(n_rows):
            for j in range(n_cols):
                ax.text(j, i, str(text.iat[i, j]), ha="center", va="center", fontsize=size, color="#0f172a")
    ax.set_title(title)
    return fig


def rep_profile(frame: pd.DataFrame, *, title: str = "", rep_label: str = "", median_label: str = "",
                xlabel: str = "", empty: str = "") -> Figure:
    """One rep's 0-1 scores per KPI as bars, with the team median as a marker.

    Parameters
    ----------
    frame : DataFrame
        ``label`` (KPI name), ``rep`` (0-1) and ``median`` (0-1).
    xlabel : str, optional
        What the 0-100 % scale means.
    """
    fig, ax = new_figure(height=max(3.0, 0.32 * len(frame) + 1.0))
    data = frame.dropna(subset=["rep"])
    if data.empty:
        return _empty(fig, ax, empty)
    y = np.arange(len(data))
    colours = [PALETTE[0] if r >= (m if pd.notna(m) else 0.5) else ACCENT
               for r, m in zip(data["rep"], data["median"], strict=True)]
    ax.barh(y, data["rep"], color=colours, height=0.6, label=rep_label)
    ax.scatter(data["median"], y, marker="|", s=300, color="#0f172a", zorder=3, label=median_label)
    ax.set_yticks(y, data["label"])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.02)
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(lambda v, _p: i18n.fmt_pct(v, decimals=0))
    ax.set_xlabel(xlabel)
    handles = [Line2D([0], [0], color=PALETTE[0], lw=6), Line2D([0], [0], color="#0f172a", marker="|",
                                                                  markersize=14, lw=0)]
    fig.legend(handles, [rep_label, median_label], loc="outside lower center", ncol=2)
    ax.set_title(title)
    return fig


def pacing_bars(frame: pd.DataFrame, *, labels: Sequence[str], title: str = "", xlabel: str = "",
                status_labels: Mapping[str, str] | None = None, empty: str = "") -> Figure:
    """Projected attainment per rep as horizontal bars, coloured by status, with the 100 % line.

    Parameters
    ----------
    frame : DataFrame
        Rows of :func:`salesnb.review.pacing` (reps only), in display order.
    labels : sequence of str
        One label per row (rep names).
    """
    fig, ax = new_figure(height=max(3.0, 0.28 * len(frame) + 1.2))
    if frame.empty:
        return _empty(fig, ax, empty)
    values = frame["projected_attainment"].fillna(0).to_numpy(dtype=float)
    colours = [_STATUS_COLOURS.get(s, MUTED) for s in frame["status"]]
    y = np.arange(len(frame))
    ax.barh(y, values, color=colours, height=0.65)
    ax.axvline(1.0, color="#0f172a", lw=1, ls="--")
    ax.set_yticks(y, list(labels), fontsize=8)
    ax.invert_yaxis()
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(lambda v, _p: i18n.fmt_pct(v, decimals=0))
    ax.set_xlabel(xlabel)
    if status_labels:
        present = [s for s in _STATUS_COLOURS if s in set(frame["status"])]
        handles = [Line2D([0], [0], color=_STATUS_COLOURS[s], lw=6) for s in present]
        ax.legend(handles, [status_labels.get(s, s) for s in present], loc="lower right")
    ax.set_title(title)
    return fig


def cumulative_pacing(frame: pd.DataFrame, *, title: str = "", ylabel: str = "",
                      labels: Mapping[str, str] | None = None, as_of: pd.Timestamp | None = None) -> Figure:
    """Cumulative target, actual and projected path through the period.

    Parameters
    ----------
    frame : DataFrame
        ``date, target, actual, projection`` as from :func:`salesnb.review.cumulative`.
    labels : mapping
        Legend text for ``target``, ``actual`` and ``projection``.
    """
    labels = dict(labels or {})
    fig, ax = new_figure(height=3.6)
    ax.plot(frame["date"], frame["target"], color=MUTED, lw=2, ls="--", label=labels.get("target", "target"))
    ax.plot(frame["date"], frame["actual"], color=PALETTE[0], lw=2.4, label=labels.get("actual", "actual"))
    if frame["projection"].notna().any():
        ax.plot(frame["date"], frame["projection"], color=PALETTE[1], lw=2, ls=":",
                label=labels.get("projection", "projection"))
    if as_of is not None:
        ax.axvline(as_of, color="#cbd5e1", lw=1)
    date_axis(ax, frame["date"])
    money_axis(ax)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=min(0.0, float(np.nanmin(frame[["target", "actual"]].to_numpy(dtype=float)))))
    ax.legend(loc="upper left")
    ax.set_title(title)
    return fig


def date_axis(ax: Axes, dates: pd.Series) -> None:
    """Date ticks in the report language: days for spans up to two months, else months."""
    import matplotlib.dates as mdates

    span_days = (pd.Timestamp(dates.max()) - pd.Timestamp(dates.min())).days if len(dates) else 0
    if span_days <= 62:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=8))
        pattern = "d MMM"
    else:
        ax.xaxis.set_major_locator(mdates.MonthLocator(interval=1 if span_days <= 400 else 3))
        pattern = "LLL yy"
    ax.xaxis.set_major_formatter(lambda x, _p: i18n.fmt_date(mdates.num2date(x).date(), format=pattern))
    ax.tick_params(axis="x", labelsize=8)


def trend_chart(frame: pd.DataFrame, *, title: str = "", ylabel: str = "",
                labels: Mapping[str, str] | None = None) -> Figure:
    """Monthly actual (bars) against target (line) with month labels in the report language.

    Parameters
    ----------
    frame : DataFrame
        ``month`` (Timestamp of the first day), ``actual``, ``target``.
    """
    labels = dict(labels or {})
    fig, ax = new_figure(height=3.6)
    x = np.arange(len(frame))
    ax.bar(x, frame["actual"], color=PALETTE[0], width=0.65, label=labels.get("actual", "actual"))
    ax.plot(x, frame["target"], color=PALETTE[1], lw=2, marker="o", markersize=4,
            label=labels.get("target", "target"))
    ax.set_xticks(x, [i18n.fmt_date(m, format="LLL yy") for m in frame["month"]], fontsize=8)
    money_axis(ax)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left")
    ax.set_title(title)
    return fig


def aging_bars(values: Sequence[float], *, labels: Sequence[str], title: str = "", ylabel: str = "") -> Figure:
    """Outstanding amount per aging bucket, from current (neutral) to 90+ days (accent)."""
    fig, ax = new_figure(height=3.2)
    colours = [PALETTE[0], "#f2c14e", PALETTE[1], "#e4572e", ACCENT][: len(values)]
    ax.bar(list(labels), list(values), color=colours, width=0.6)
    money_axis(ax)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return fig
