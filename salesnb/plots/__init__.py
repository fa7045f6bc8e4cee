"""The house chart style and generic charts.

Every chart function returns a matplotlib ``Figure`` and never calls ``show``;
notebooks display the figure (and close it) with :func:`show`. Domain charts live
in submodules (``salesnb.plots.market`` …) and build on the helpers here.

Style: one palette, light grid, no top/right spines, thousands separators on
axes in the report language, titles left-aligned, figures 9 x 4 inches at 110 dpi
(saved as PNG in the HTML, which keeps a page small).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from salesnb import i18n

__all__ = ["PALETTE", "apply_style", "bar_chart", "date_axis", "describe", "line_chart", "money_axis", "new_figure",
           "show", "to_png"]

#: Colour-blind-safe palette (Okabe–Ito, reordered), first colour for "us"/actual.
PALETTE = ["#1f5fa8", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
           "#6b7280", "#0b3d91", "#a0522d"]
ACCENT = "#d55e00"
MUTED = "#9ca3af"

_RC = {
    "figure.figsize": (9, 4),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#cbd5e1",
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#e5e7eb",
    "grid.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.labelcolor": "#334155",
    "xtick.color": "#475569",
    "ytick.color": "#475569",
    "legend.frameon": False,
    "legend.fontsize": 9,
    "font.size": 10,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
}


def apply_style() -> None:
    """Apply the house style to matplotlib (and seaborn, when used) for this process."""
    plt.rcParams.update(_RC)


def new_figure(*, width: float = 9, height: float = 4, ncols: int = 1, nrows: int = 1,
               sharey: bool = False) -> tuple[Figure, object]:
    """Return a figure in the house style and its axes."""
    apply_style()
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), sharey=sharey,
                             layout="constrained")
    return fig, axes


def money_axis(ax, *, axis: str = "y", compact: bool = True) -> None:
    """Format an axis as numbers in the report language (``1.2M``/``1,2 M`` when compact)."""

    def fmt(value: float, _pos: int) -> str:
        if compact and abs(value) >= 1e6:
            return i18n.fmt_number(value / 1e6, decimals=1) + "\u2009M"
        if compact and abs(value) >= 1e4:
            return i18n.fmt_number(value / 1e3) + "\u2009k"
        return i18n.fmt_number(value)

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(fmt))


def date_axis(ax, *, axis: str = "x", fmt: str = "LLL yy") -> None:
    """Label a date axis with month names in the report language (``oct 26`` / ``Oct 26``)."""
    import matplotlib.dates as mdates

    def label(value: float, _pos: int) -> str:
        return i18n.fmt_date(mdates.num2date(value).replace(tzinfo=None), format=fmt)

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=10))
    target.set_major_formatter(FuncFormatter(label))


def line_chart(frame: pd.DataFrame, *, x: str, y: str | Sequence[str], title: str = "",
               ylabel: str = "", labels: dict[str, str] | None = None) -> Figure:
    """Lines of one or more columns against ``x``."""
    fig, ax = new_figure()
    columns = [y] if isinstance(y, str) else list(y)
    for i, col in enumerate(columns):
        ax.plot(frame[x], frame[col], color=PALETTE[i % len(PALETTE)], linewidth=2,
                label=(labels or {}).get(col, col))
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    money_axis(ax)
    if len(columns) > 1:
        ax.legend(loc="upper left")
    return fig


def bar_chart(frame: pd.DataFrame, *, x: str, y: str, title: str = "", ylabel: str = "",
              horizontal: bool = False, highlight: Sequence[str] = ()) -> Figure:
    """Bars of ``y`` by ``x``; labels in ``highlight`` are drawn in the accent colour."""
    fig, ax = new_figure(height=max(3.0, 0.28 * len(frame)) if horizontal else 4)
    colours = [ACCENT if str(v) in set(map(str, highlight)) else PALETTE[0] for v in frame[x]]
    if horizontal:
        ax.barh(frame[x].astype(str), frame[y], color=colours)
        ax.invert_yaxis()
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        money_axis(ax, axis="x")
        ax.set_xlabel(ylabel)
    else:
        ax.bar(frame[x].astype(str), frame[y], color=colours)
        money_axis(ax)
        ax.set_ylabel(ylabel)
    ax.set_title(title)
    return fig


def to_png(fig: Figure) -> bytes:
    """Return the figure as PNG bytes, drawn once.

    The figures of this package lay themselves out (``layout="constrained"``), so the
    whole canvas is the picture: it is drawn once with Agg and encoded as RGB, instead
    of the two or three draws a ``bbox_inches="tight"`` save makes (about 40 % of the
    time of a chart in a report, and a smaller file). A figure with something drawn
    outside its canvas (a long title, a legend placed outside) is saved the slow way,
    cropped to everything drawn, so nothing is cut off. Works with any pyplot backend.

    Parameters
    ----------
    fig : Figure
        Left open, on its own canvas; only drawn.

    Returns
    -------
    bytes
    """
    import io

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    previous = fig.canvas
    out = io.BytesIO()
    try:
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        drawn = fig.get_tightbbox(canvas.get_renderer())  # inches
        width, height = fig.get_size_inches()
        slack = 1.0 / fig.dpi  # one pixel
        if drawn.x0 < -slack or drawn.y0 < -slack or drawn.x1 > width + slack or drawn.y1 > height + slack:
            fig.savefig(out, format="png", bbox_inches="tight", dpi=fig.dpi, facecolor=fig.get_facecolor())
        else:
            rgba = np.asarray(canvas.buffer_rgba())
            Image.fromarray(rgba[..., :3]).save(out, format="png", dpi=(fig.dpi, fig.dpi))
    finally:
        fig.set_canvas(previous)  # an interactive figure keeps its own canvas
    return out.getvalue()


def describe(fig: Figure) -> str:
    """Return a one-line description of a chart for its alternative text: its titles, joined.

    The figure title (``suptitle``) and the axes titles, in order, without repeats;
    ``""`` for a figure without any.
    """
    texts = [fig.get_suptitle()]
    for ax in fig.axes:
        texts += [ax.get_title(loc=loc) for loc in ("left", "center", "right")]
    seen: list[str] = []
    for text in texts:
        line = " ".join(text.split())
        if line and line not in seen:
            seen.append(line)
    return " — ".join(seen)


def show(fig: Figure) -> None:
    """Display a figure in the notebook as a PNG (see :func:`to_png`), then free its memory.

    The figure's titles become the image's alternative text (:func:`describe`).
    """
    from IPython.display import Image, display

    alt = describe(fig)
    display(Image(data=to_png(fig), format="png", metadata={"alt": alt} if alt else None))
    plt.close(fig)
