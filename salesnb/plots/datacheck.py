"""Charts of the data-check report."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from salesnb import i18n
from salesnb.plots import PALETTE, date_axis, money_axis, new_figure


def rows_heatmap(counts: pd.DataFrame, *, title: str = "") -> Figure:
    """Rows per month (columns) and table (rows); empty months stand out in white.

    Parameters
    ----------
    counts : DataFrame
        As returned by :func:`salesnb.health.monthly_rows`.
    title : str
        Chart title.
    """
    fig, ax = new_figure(height=0.45 * max(len(counts), 2) + 1.2)
    if counts.empty:
        ax.set_axis_off()
        return fig
    share = counts.div(counts.max(axis=1).replace(0, 1), axis=0)
    ax.imshow(share.to_numpy(), aspect="auto", cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks(range(len(counts)), counts.index)
    step = max(1, len(counts.columns) // 12)
    ticks = list(range(0, len(counts.columns), step))
    ax.set_xticks(ticks, [i18n.fmt_date(counts.columns[i], format="LLL yy") for i in ticks],
                  rotation=0, fontsize=8)
    ax.grid(False)
    ax.set_title(title)
    return fig


def sales_line(sales: pd.DataFrame, *, title: str = "", ylabel: str = "") -> Figure:
    """Monthly net sales as a line with markers."""
    fig, ax = new_figure(height=3.2)
    ax.plot(sales["month"], sales["net_amount"], color=PALETTE[0], linewidth=2, marker="o", markersize=3)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    money_axis(ax)
    date_axis(ax)
    ax.set_ylim(bottom=min(0, float(sales["net_amount"].min()) if len(sales) else 0))
    return fig
