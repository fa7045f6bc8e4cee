"""Charts of the target breakdown: months by region against last year, reps, a rep's calendar.

Each function takes a :class:`~salesnb.targets.TargetPlan` (or a frame from
:mod:`salesnb.targets`) and returns a matplotlib ``Figure`` in the house style.
Every text on a chart comes from :func:`salesnb.i18n.t` and the locale formatters;
pass ``title=`` to override the catalog's title.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from salesnb import i18n
from salesnb.params import check_positive_int
from salesnb.plots import MUTED, PALETTE, money_axis, new_figure

if TYPE_CHECKING:
    from salesnb.targets.plan import TargetPlan

__all__ = ["MAX_REP_BARS", "calendar_heatmap", "feasibility_heatmap", "monthly_by_region", "rep_bars"]

_STATUS_COLOURS = {"active": PALETTE[0], "ramping": PALETTE[1], "leaving": PALETTE[3], "vacant": MUTED}


def _months(lang: str | None = None) -> list[str]:
    return [i18n.month_name(m, width="abbreviated", lang=lang) for m in range(1, 13)]


def monthly_by_region(plan: TargetPlan, *, title: str | None = None, max_regions: int = 10) -> Figure:
    """Chart the monthly target stacked by region, with last year's sales in the same months as a line.

    Regions beyond the ``max_regions`` largest are stacked together as "other".
    """
    fig, ax = new_figure(height=4.2)
    monthly = plan.monthly.groupby(["region_id", "month"], sort=True)["target"].sum().unstack(fill_value=0)
    names = plan.regions.set_index("region_id")["name"]
    order = monthly.sum(axis=1).sort_values(ascending=False).index
    keep = len(order) if len(order) <= max_regions else max(max_regions - 1, 1)  # room for "other regions"
    top, rest = list(order[:keep]), list(order[keep:])
    x = np.arange(12)
    bottom = np.zeros(12)
    for i, region in enumerate(top):
        values = monthly.loc[region].to_numpy(dtype=float)
        ax.bar(x, values, bottom=bottom, color=PALETTE[i % len(PALETTE)], width=0.75,
               label=str(names.get(region, region)))
        bottom += values
    if rest:
        values = monthly.loc[rest].sum().to_numpy(dtype=float)
        ax.bar(x, values, bottom=bottom, color=MUTED, width=0.75, label=i18n.t("targets.chart_other"))
    last = plan.monthly.groupby(plan.monthly["month"].dt.month)["last_year"].sum().reindex(range(1, 13))
    ax.plot(x, last.to_numpy(dtype=float), color="#0f172a", linewidth=2, marker="o", markersize=4,
            label=i18n.t("targets.chart_last_year"))
    ax.set_xticks(x, _months())
    ax.grid(axis="x", visible=False)
    money_axis(ax)
    ax.set_ylabel(i18n.t("targets.chart_amount_axis", currency=plan.currency))
    ax.set_title(title if title is not None else i18n.t("targets.chart_monthly_title", year=plan.year))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


#: Most reps :func:`rep_bars` draws (the largest targets): a bar per rep of a 2,500-rep team is a chart
#: 650 inches tall that costs 20 s to draw and that nobody reads; the rep table lists every rep.
MAX_REP_BARS = 250


def rep_bars(plan: TargetPlan, *, title: str | None = None, top: int = MAX_REP_BARS) -> Figure:
    """Chart each rep's annual target (bars coloured by status) and last year's book (a tick).

    A team of more than ``top`` reps shows its ``top`` largest targets, and the title
    says so.
    """
    top = check_positive_int("top", top)
    reps = plan.reps.loc[plan.reps["target"] > 0].sort_values("target", ascending=False, kind="stable")
    total = len(reps)
    reps = reps.head(top)
    fig, ax = new_figure(height=max(3.0, 0.26 * len(reps) + 1.0))
    labels = [f"{r} · {n}" if n else r for r, n in zip(reps["rep_id"], reps["name"], strict=True)]
    y = np.arange(len(reps))
    colours = [_STATUS_COLOURS.get(s, PALETTE[0]) for s in reps["status"]]
    ax.barh(y, reps["target"].to_numpy(dtype=float), color=colours, height=0.7)
    ax.scatter(reps["book"].to_numpy(dtype=float), y, marker="|", s=160, color="#0f172a", zorder=3)
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    money_axis(ax, axis="x")
    ax.set_xlabel(i18n.t("targets.chart_amount_axis", currency=plan.currency))
    handles = [Patch(color=_STATUS_COLOURS[s], label=i18n.t(f"targets.status_{s}"))
               for s in _STATUS_COLOURS if (reps["status"] == s).any()]
    handles.append(ax.scatter([], [], marker="|", s=160, color="#0f172a", label=i18n.t("targets.chart_book")))
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    if title is None:
        title = (i18n.t("targets.chart_reps_title", year=plan.year) if total <= top else
                 i18n.t("targets.chart_reps_title_top", year=plan.year, n=top, total=total))
    ax.set_title(title)
    return fig


def calendar_heatmap(plan: TargetPlan, rep_id: str, *, title: str | None = None) -> Figure:
    """Draw one rep's daily targets as a year calendar: weeks across, Monday to Sunday down.

    Days without a target are blank; public holidays and company closures are grey,
    so the gaps explain themselves.
    """
    year = plan.year
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    daily = plan.daily.loc[plan.daily["rep_id"].astype(str) == str(rep_id)]
    values = daily.groupby("date")["target"].sum().reindex(days)
    cal = plan.calendar
    cal = cal.loc[cal["calendar"] == cal["calendar"].iloc[0]].set_index("date") if len(cal) else cal
    off = (cal["holiday"].ne("") | cal["closed"]) & ~cal["weekend"] if len(cal) else pd.Series(False, index=days)
    off = off.reindex(days, fill_value=False)
    col = (np.arange(len(days)) + days[0].weekday()) // 7
    grid = np.full((7, col[-1] + 1), np.nan)
    grid[days.weekday, col] = values.to_numpy(dtype=float)
    holiday = np.zeros_like(grid, dtype=bool)
    holiday[days.weekday, col] = off.to_numpy()
    fig, ax = new_figure(height=2.6)
    ax.imshow(np.where(holiday, 1.0, np.nan), aspect="auto", cmap=mcolors.ListedColormap(["#d1d5db"]),
              interpolation="nearest", vmin=0, vmax=1)
    vmax = np.nanmax(grid) if np.isfinite(grid).any() else 1.0
    image = ax.imshow(grid, aspect="auto", cmap="Blues", interpolation="nearest", vmin=0, vmax=vmax or 1.0)
    firsts = [d for d in days if d.day == 1]
    ax.set_xticks([col[(d - days[0]).days] for d in firsts], _months())
    ax.set_yticks(range(7), [i18n.t(f"targets.weekday_{d}") for d in range(7)], fontsize=8)
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    bar = fig.colorbar(image, ax=ax, fraction=0.025, pad=0.01)
    money_axis(bar.ax)
    name = plan.reps.set_index("rep_id")["name"].get(rep_id, "")
    who = f"{rep_id} · {name}" if name else str(rep_id)
    ax.set_title(title if title is not None else i18n.t("targets.chart_calendar_title", rep=who, year=year))
    return fig


def feasibility_heatmap(feasibility: pd.DataFrame, *, names: dict[str, str] | None = None,
                        title: str | None = None) -> Figure:
    """Map P(actual ≥ target) per region (rows) and month (columns), red (unlikely) to green.

    Parameters
    ----------
    feasibility : DataFrame
        From :func:`salesnb.targets.feasibility` (``region_id, month, p_meet``).
    names : dict, optional
        region_id -> name for the row labels.
    """
    table = feasibility.pivot_table(index="region_id", columns="month", values="p_meet", aggfunc="mean",
                                    sort=True)
    fig, ax = new_figure(height=0.38 * max(len(table), 3) + 1.4)
    if table.empty:
        ax.set_axis_off()
        return fig
    image = ax.imshow(table.to_numpy(dtype=float), aspect="auto", cmap="RdYlGn", vmin=0, vmax=1,
                      interpolation="nearest")
    for (i, j), v in np.ndenumerate(table.to_numpy(dtype=float)):
        if np.isfinite(v):
            ax.text(j, i, i18n.fmt_pct(v, decimals=0), ha="center", va="center", fontsize=7,
                    color="#0f172a" if 0.25 < v < 0.85 else "white")
    ax.set_xticks(range(len(table.columns)),
                  [i18n.month_name(pd.Timestamp(m).month, width="abbreviated") for m in table.columns])
    ax.set_yticks(range(len(table)), [(names or {}).get(r, r) for r in table.index], fontsize=8)
    ax.grid(False)
    bar = fig.colorbar(image, ax=ax, fraction=0.025, pad=0.01)
    bar.ax.yaxis.set_major_formatter(lambda v, _p: i18n.fmt_pct(v, decimals=0))
    ax.set_title(title if title is not None else i18n.t("targets.chart_feasibility_title"))
    return fig
