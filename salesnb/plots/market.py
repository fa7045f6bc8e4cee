"""Charts of the market report: seasons, same-period growth, Pareto, where to grow, forecast, mix.

Each function takes a frame from :mod:`salesnb.market` (or :mod:`salesnb.forecast`)
and returns a matplotlib ``Figure`` in the house style; every text on it comes from
:func:`salesnb.i18n.t` and the locale formatters, so a chart never mixes languages.
Titles default to the catalog's; pass ``title=`` to override.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from salesnb import i18n
from salesnb.market.periods import is_new
from salesnb.market.texts import accuracy_text, word
from salesnb.plots import ACCENT, MUTED, PALETTE, money_axis, new_figure

__all__ = [
    "channel_mix_area",
    "fan_chart",
    "market_scatter",
    "pareto_curve",
    "seasonality_heatmap",
    "yoy_bars",
]

_POSITIVE = "#0f7b5f"
_QUADRANT_COLOURS = {"whitespace": ACCENT, "core": PALETTE[0], "niche": PALETTE[4], "low_priority": MUTED}


def _titles(fig: Figure, ax: Axes, title: str, subtitle: str = "") -> None:
    """Bold left-aligned title on the figure, a grey subtitle on the axes (wrapped to the figure's width)."""
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold", color="#0f172a")
    # ~15 characters of 9-point text per inch, less the room the y axis labels take
    width = max(40, int((fig.get_size_inches()[0] - 1.2) * 15))
    ax.set_title(textwrap.fill(subtitle, width), fontsize=9, fontweight="normal", color="#475569", loc="left")


def _plain(value: object) -> str:
    """Return a data value as chart text: ``$`` escaped so matplotlib never reads it as math, one line."""
    text = str(value).replace("$", r"\$").replace("\r", " ").replace("\n", " ").replace("\t", " ").strip()
    return text if len(text) <= 40 else text[:39] + "…"


def _pct_axis(ax: Axes, *, axis: str = "y", decimals: int = 0) -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _p: i18n.fmt_pct(v, decimals=decimals)))


def _month_axis(ax: Axes) -> None:
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _p: i18n.fmt_date(mdates.num2date(v).replace(tzinfo=None), format="LLL yy")))


def _empty(fig: Figure, ax: Axes, title: str) -> Figure:
    _titles(fig, ax, title)
    ax.set_axis_off()
    ax.text(0.5, 0.5, i18n.t("market.no_data"), ha="center", va="center", transform=ax.transAxes, color="#64748b")
    return fig


# --------------------------------------------------------------------------- seasons


def seasonality_heatmap(matrix: pd.DataFrame, *, title: str | None = None, subtitle: str | None = None) -> Figure:
    """Seasonal indices as a group x month grid: warm cells sell above an average month.

    Parameters
    ----------
    matrix : DataFrame
        :func:`salesnb.market.seasonal_matrix` (rows: groups, columns: months 1-12).
    title, subtitle : str, optional
        Default: the catalog's.
    """
    if title is None:
        by = str(matrix.index.name or "category")
        key = f"market.col_{by}"
        title = i18n.t("market.chart_season_title", by=(i18n.t(key) if key in i18n.catalog() else by).lower())
    subtitle = i18n.t("market.chart_season_sub") if subtitle is None else subtitle
    fig, ax = new_figure(height=0.42 * max(len(matrix), 2) + 1.6)
    if matrix.empty:
        return _empty(fig, ax, title)
    values = matrix.to_numpy(dtype=float)
    spread = max(float(np.nanmax(np.abs(values - 1))), 0.05)
    image = ax.imshow(values, aspect="auto", cmap="RdBu_r", interpolation="nearest",
                      norm=TwoSlopeNorm(vcenter=1.0, vmin=max(0.0, 1 - spread), vmax=1 + spread))
    for (i, j), v in np.ndenumerate(values):
        dark = abs(v - 1) > 0.6 * spread
        ax.text(j, i, i18n.fmt_number(v, decimals=2), ha="center", va="center", fontsize=8,
                color="white" if dark else "#1e293b")
    ax.set_xticks(range(matrix.shape[1]), [i18n.month_name(int(m), width="abbreviated") for m in matrix.columns])
    ax.set_yticks(range(len(matrix)), [_plain(v) for v in matrix.index])
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01)
    bar.set_label(i18n.t("market.axis_index"))
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: i18n.fmt_number(v, decimals=1)))
    _titles(fig, ax, title, subtitle)
    return fig


# --------------------------------------------------------------------------- same period


def yoy_bars(compared: pd.DataFrame, *, by: str, title: str | None = None, subtitle: str = "",
             currency: str | None = None, top: int = 15) -> Figure:
    """Draw current against prior-period sales per group, with the growth written beside each pair.

    Parameters
    ----------
    compared : DataFrame
        :func:`salesnb.market.compare_periods` (``by``, ``current``, ``prior``,
        ``growth``), in the order to draw (first on top).
    by : str
        The column naming the groups.
    title, subtitle : str, optional
        Default title: the catalog's; the subtitle usually states the periods.
    currency : str, optional
        Shown in the axis label.
    top : int
        Groups drawn (the first ``top`` rows).
    """
    compared = compared.head(top)
    title = i18n.t("market.chart_yoy_title", by=i18n.t(f"market.col_{by}").lower()) if title is None else title
    fig, ax = new_figure(height=max(2.6, 0.42 * len(compared) + 1.4))
    if compared.empty:
        return _empty(fig, ax, title)
    labels = [_plain(word(by, v)) for v in compared[by]]
    y = np.arange(len(compared))
    h = 0.38
    ax.barh(y - h / 2, compared["current"], height=h, color=PALETTE[0], label=i18n.t("market.legend_current"))
    ax.barh(y + h / 2, compared["prior"], height=h, color="#cbd5e1", label=i18n.t("market.legend_prior"))
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    money_axis(ax, axis="x")
    top = float(np.nanmax(compared[["current", "prior"]].to_numpy(dtype=float))) if len(compared) else 0.0
    for yi, (cur, pri, label, up) in enumerate(zip(compared["current"], compared["prior"],
                                                   _growth_labels(compared, currency=currency),
                                                   compared["current"] >= compared["prior"], strict=True)):
        colour = _POSITIVE if up else ACCENT
        text = label
        ax.text(max(cur, pri, 0) + 0.01 * top, yi, text, va="center", fontsize=9, color=colour, fontweight="bold")
    ax.set_xlim(right=top * 1.15 if top > 0 else 1)
    ax.set_xlabel(i18n.t("market.axis_sales", currency=currency) if currency else "")
    ax.legend(loc="lower right", ncols=2)
    _titles(fig, ax, title, subtitle)
    return fig


def _growth_labels(compared: pd.DataFrame, *, currency: str | None) -> list[str]:
    """Return the text beside each pair of bars: the growth, "new", or the change in money.

    "new" only for a group selling now that sold nothing in the comparison period
    (:func:`salesnb.market.periods.is_new`); a group without a growth rate that is
    not new (only returns now, or nothing before and nothing now) shows its change.
    """
    new = is_new(compared)
    out = []
    for growth, fresh, change in zip(compared["growth"], new, compared["current"] - compared["prior"], strict=True):
        if pd.notna(growth):
            out.append(i18n.fmt_pct(growth, signed=True))
        elif fresh:
            out.append(i18n.t("market.new"))
        else:
            out.append(("+" if change > 0 else "") + i18n.fmt_money(change, currency or "EUR"))
    return out


# --------------------------------------------------------------------------- Pareto


def pareto_curve(classes: pd.DataFrame, *, title: str | None = None, subtitle: str | None = None,
                 a: float = 0.8, b: float = 0.95) -> Figure:
    """Cumulative share of sales against the share of items, with the A/B/C zones.

    Parameters
    ----------
    classes : DataFrame
        :func:`salesnb.market.abc` (``rank_share``, ``cum_share``, ``abc``).
    title, subtitle : str, optional
        Default title: the catalog's; the default subtitle counts the A items.
    a, b : float
        The class limits used, drawn as guides.
    """
    title = i18n.t("market.chart_pareto_title") if title is None else title
    fig, ax = new_figure(height=3.8)
    if classes.empty:
        return _empty(fig, ax, title)
    x = np.r_[0.0, classes["rank_share"].to_numpy(dtype=float)]
    y = np.r_[0.0, classes["cum_share"].to_numpy(dtype=float)]
    ax.plot(x, y, color=PALETTE[0], linewidth=2.2, drawstyle="steps-post")
    bands = {"A": "#dbeafe", "B": "#fef3c7", "C": "#f1f5f9"}
    start = 0.0
    for cls in ("A", "B", "C"):
        part = classes.loc[classes["abc"] == cls, "rank_share"]
        if part.empty:
            continue
        end = float(part.max())
        ax.axvspan(start, end, color=bands[cls], zorder=0, linewidth=0)
        ax.text((start + end) / 2, 0.04, cls, ha="center", fontsize=11, fontweight="bold", color="#334155")
        start = end
    for level in (a, b):
        ax.axhline(level, color=MUTED, linewidth=0.8, linestyle="--")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    _pct_axis(ax, axis="x")
    _pct_axis(ax, axis="y")
    ax.set_xlabel(i18n.t("market.axis_pareto_x"))
    ax.set_ylabel(i18n.t("market.axis_pareto_y"))
    if subtitle is None:
        n_a = int((classes["abc"] == "A").sum())
        subtitle = i18n.t("market.chart_pareto_sub", n=i18n.fmt_number(n_a), total=i18n.fmt_number(len(classes)),
                          share=i18n.fmt_pct(n_a / len(classes), decimals=0),
                          sales=i18n.fmt_pct(classes.loc[classes["abc"] == "A", "share"].sum(), decimals=0))
    _titles(fig, ax, title, subtitle)
    return fig


# --------------------------------------------------------------------------- where to grow


def market_scatter(mapped: pd.DataFrame, *, metric: str = "sales_per_capita", n_labels: int = 10,
                   cut: float = 0.5, title: str | None = None, subtitle: str | None = None,
                   currency: str | None = None) -> Figure:
    """Attractiveness (x) against penetration (y) per area; the whitespace quadrant is shaded.

    Dot size follows population, colour the quadrant. Labelled: the ``n_labels`` most
    attractive areas and every whitespace area among the top ``2 * n_labels``.

    Parameters
    ----------
    mapped : DataFrame
        :func:`salesnb.market.market_map`.
    metric : {"sales_per_capita", "customers_per_100k"}
        The penetration measure (y).
    n_labels : int
        How many areas get a name.
    cut : float
        Quantile of the split lines when ``mapped.attrs`` does not carry them.
    """
    title = i18n.t("market.chart_map_title") if title is None else title
    subtitle = i18n.t("market.chart_map_sub") if subtitle is None else subtitle
    fig, ax = new_figure(height=5.2)
    if mapped.empty:
        return _empty(fig, ax, title)
    cuts = mapped.attrs.get("cuts") or {}
    x_cut = float(cuts.get("index", mapped["index"].quantile(cut)))
    y_cut = float(cuts.get(metric, mapped[metric].quantile(cut)))
    y_top = float(mapped[metric].max()) * 1.12 or 1.0
    ax.fill_between([x_cut, 105], 0, y_cut, color=ACCENT, alpha=0.08, linewidth=0, zorder=0)
    ax.axvline(x_cut, color=MUTED, linewidth=0.9, linestyle="--")
    ax.axhline(y_cut, color=MUTED, linewidth=0.9, linestyle="--")
    _quadrant_dots(ax, mapped, metric)
    texts = _area_names(ax, mapped, metric, n_labels)
    ax.text(0.99, 0.02, i18n.t("market.quadrant_whitespace"), transform=ax.transAxes, ha="right", va="bottom",
            fontsize=9, color=ACCENT, fontweight="bold")
    ax.set_xlim(-3, 105)
    ax.set_ylim(0, y_top)
    ax.grid(axis="x")
    ax.set_xlabel(i18n.t("market.axis_attractiveness"))
    ax.set_ylabel(i18n.t(f"market.axis_{metric}", currency=currency or "EUR"))
    decimals = 2 if y_top < 5 else 1 if y_top < 50 else 0
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: i18n.fmt_number(v, decimals=decimals)))
    ax.legend(loc="upper left", markerscale=0.5)
    _titles(fig, ax, title, subtitle)
    _separate(fig, texts)
    return fig


def _quadrant_dots(ax: Axes, mapped: pd.DataFrame, metric: str) -> None:
    """Draw one dot per area, sized by population and coloured by quadrant."""
    pop = mapped["population"].astype(float)
    sizes = 25 + 500 * np.sqrt(pop / pop.max()) if pop.max() > 0 else 40
    for quadrant, colour in _QUADRANT_COLOURS.items():
        part = mapped["quadrant"] == quadrant
        if part.any():
            ax.scatter(mapped.loc[part, "index"], mapped.loc[part, metric],
                       s=np.asarray(sizes)[part.to_numpy()] if np.ndim(sizes) else sizes,
                       color=colour, alpha=0.75, edgecolor="white", linewidth=0.8,
                       label=str(word("quadrant", quadrant)), zorder=3)


def _area_names(ax: Axes, mapped: pd.DataFrame, metric: str, n_labels: int) -> list[Any]:
    """Name the ``n_labels`` most attractive areas and the whitespace among the top ``2 * n_labels``."""
    ranked = mapped.sort_values("rank", kind="stable")
    label = set(ranked.head(n_labels).index)
    label |= set(ranked.head(2 * n_labels).loc[lambda f: f["quadrant"] == "whitespace"].index)
    texts = []
    for i in sorted(label, key=lambda k: -float(mapped.loc[k, metric])):
        row = mapped.loc[i]
        texts.append(ax.annotate(_plain(row["name"]), (row["index"], row[metric]), xytext=(5, 4),
                                 textcoords="offset points", fontsize=8, color="#1e293b", zorder=4))
    return texts


def _separate(fig: Figure, texts: list[Any], *, rounds: int = 30) -> None:
    """Nudge overlapping annotations apart vertically (a small, dependency-free repel)."""
    if len(texts) < 2:
        return
    renderer = fig.canvas.get_renderer()
    for _ in range(rounds):
        moved = False
        boxes = [t.get_window_extent(renderer).expanded(1.02, 1.1) for t in texts]
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                if boxes[i].overlaps(boxes[j]):
                    x, y = texts[j].get_position() if texts[j].get_position() else (5, 4)
                    dy = (boxes[i].y0 - boxes[j].y1) * 72 / fig.dpi - 1  # points, downward
                    texts[j].set_position((x, y + dy))
                    boxes[j] = texts[j].get_window_extent(renderer).expanded(1.02, 1.1)
                    moved = True
        if not moved:
            return


# --------------------------------------------------------------------------- forecast


def fan_chart(history: pd.DataFrame, forecast: pd.DataFrame, *, series_id: str = "total",
              accuracy: Mapping[str, Any] | pd.Series | None = None, windows: int | None = None,
              title: str | None = None, subtitle: str | None = None, history_months: int = 36,
              currency: str | None = None) -> Figure:
    """History, forecast and its 80 % / 95 % bands for one series: a fan chart.

    Parameters
    ----------
    history : DataFrame
        Long ``series_id, ds, y`` (:func:`salesnb.market.demand_series`).
    forecast : DataFrame
        :func:`salesnb.forecast.forecast` output (``yhat``, ``yhat_lo_80`` ...).
    series_id : str
        The series drawn.
    accuracy : mapping or Series, optional
        Backtest accuracy of this series (``smape`` in percent, ``mase``,
        ``coverage_80``, ``coverage_95``); stated in the subtitle.
    windows : int, optional
        Number of backtest windows, stated with the accuracy.
    history_months : int
        Months of history shown.
    currency : str, optional
        Shown in the axis label.
    """
    title = i18n.t("market.chart_fan_title") if title is None else title
    fig, ax = new_figure(height=4.2)
    hist = history.loc[history["series_id"].astype(str) == str(series_id)].sort_values("ds").tail(history_months)
    fc = forecast.loc[forecast["series_id"].astype(str) == str(series_id)].sort_values("ds")
    if hist.empty and fc.empty:
        return _empty(fig, ax, title)
    steps = len(fc)
    if len(hist) and len(fc):  # join the lines
        joint = pd.DataFrame({"ds": [hist["ds"].iloc[-1]], **{c: [hist["y"].iloc[-1]] for c in fc.columns
                                                              if c.startswith("yhat")}})
        fc = pd.concat([joint, fc], ignore_index=True)
    for level, alpha in ((95, 0.18), (80, 0.32)):
        lo, hi = f"yhat_lo_{level}", f"yhat_hi_{level}"
        if lo in fc and hi in fc:
            ax.fill_between(fc["ds"], fc[lo], fc[hi], color=PALETTE[0], alpha=alpha, linewidth=0,
                            label=i18n.t("market.fan_band", level=level))
    ax.plot(hist["ds"], hist["y"], color="#1e293b", linewidth=1.8, label=i18n.t("market.fan_history"))
    if len(fc):
        ax.plot(fc["ds"], fc["yhat"], color=PALETTE[0], linewidth=2, linestyle="--",
                label=i18n.t("market.fan_forecast"))
    if len(hist):
        ax.axvline(hist["ds"].iloc[-1], color=MUTED, linewidth=0.8)
    money_axis(ax)
    _month_axis(ax)
    top = max(float(hist["y"].max()) if len(hist) else 0.0,
              float(fc.filter(like="yhat").max().max()) if len(fc) else 0.0)
    ax.set_ylim(bottom=0, top=top * 1.22 if top > 0 else None)
    ax.set_ylabel(i18n.t("market.axis_sales", currency=currency) if currency else "")
    ax.legend(loc="upper left", ncols=4)
    if subtitle is None:
        subtitle = accuracy_text(accuracy, windows=windows, h=steps or None)
    _titles(fig, ax, title, subtitle)
    return fig


# --------------------------------------------------------------------------- mix


def channel_mix_area(mix: pd.DataFrame, *, by: str = "channel", title: str | None = None,
                     subtitle: str | None = None) -> Figure:
    """Each channel's (or category's) share of sales over time as stacked areas.

    Parameters
    ----------
    mix : DataFrame
        :func:`salesnb.market.mix_over_time` (``ds``, ``by``, ``share``).
    by : str
        The mix column.
    """
    title = i18n.t("market.chart_mix_title", by=i18n.t(f"market.col_{by}").lower()) if title is None else title
    subtitle = i18n.t("market.chart_mix_sub") if subtitle is None else subtitle
    fig, ax = new_figure(height=3.8)
    if mix.empty:
        return _empty(fig, ax, title)
    wide = mix.pivot_table(index="ds", columns=by, values="share", aggfunc="sum", observed=True).fillna(0.0)
    order = wide.mean().sort_values(ascending=False, kind="stable").index
    wide = wide[order]
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(order))]
    ax.stackplot(wide.index, wide.T.to_numpy(), labels=[_plain(word(by, c)) for c in order], colors=colours, alpha=0.9)
    for i in range(len(order)):  # label each band at its right end
        y = wide.iloc[-1, :i].sum() + wide.iloc[-1, i] / 2
        if wide.iloc[-1, i] >= 0.04:
            ax.text(wide.index[-1], y, f" {i18n.fmt_pct(wide.iloc[-1, i], decimals=0)}", va="center", fontsize=8,
                    color="#1e293b")
    ax.set_ylim(0, 1)
    ax.set_xlim(wide.index.min(), wide.index.max())
    _pct_axis(ax)
    _month_axis(ax)
    ax.grid(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.06, 1.0), fontsize=8)
    _titles(fig, ax, title, subtitle)
    return fig
