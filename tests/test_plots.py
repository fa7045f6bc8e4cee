"""House style and the data-check charts."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from salesnb import i18n, plots
from salesnb.plots import datacheck


def test_generic_charts_return_figures() -> None:
    frame = pd.DataFrame({"x": ["a", "b"], "y": [1500.0, 2.5e6]})
    assert isinstance(plots.bar_chart(frame, x="x", y="y", highlight=["b"]), Figure)
    assert isinstance(plots.bar_chart(frame, x="x", y="y", horizontal=True), Figure)
    assert isinstance(plots.line_chart(frame.assign(z=1), x="x", y=["y", "z"]), Figure)


def test_axes_speak_the_report_language() -> None:
    sales = pd.DataFrame({"month": pd.date_range("2025-01-01", periods=12, freq="MS"),
                          "net_amount": [2.5e6] * 12})
    i18n.set_language("es")
    try:
        fig = datacheck.sales_line(sales, title="t")
        fig.canvas.draw()
        ax = fig.axes[0]
        xlabels = [t.get_text() for t in ax.get_xticklabels()]
        ylabels = [t.get_text() for t in ax.get_yticklabels()]
    finally:
        i18n.set_language("en")
    assert any(label.startswith(("ene", "feb", "mar", "abr")) for label in xlabels), xlabels
    assert any("," in label and "M" in label for label in ylabels), ylabels


def test_rows_heatmap_handles_empty() -> None:
    assert isinstance(datacheck.rows_heatmap(pd.DataFrame()), Figure)


def test_to_png_draws_the_whole_figure_once_as_rgb() -> None:
    import io

    from PIL import Image

    frame = pd.DataFrame({"x": ["a", "b"], "y": [1500.0, 2.5e6]})
    fig = plots.bar_chart(frame, x="x", y="y", title="Sales")
    data = plots.to_png(fig)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.mode == "RGB"
    width, height = fig.get_size_inches() * fig.dpi
    assert image.size == (round(width), round(height))
    pixels = image.getcolors(maxcolors=1 << 20)
    assert pixels and len(pixels) > 10  # something was drawn, not a blank canvas
    assert plots.to_png(fig) == data  # same figure, same bytes
    assert not isinstance(fig.canvas, type(None)) and fig.canvas.figure is fig


def test_show_displays_a_png_and_closes_the_figure(monkeypatch) -> None:
    import IPython.display
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    fig, ax = plots.new_figure()
    ax.plot([1, 2, 3])
    plots.show(fig)
    assert len(shown) == 1 and shown[0].format == "png" and shown[0].data.startswith(b"\x89PNG")
    assert not shown[0].metadata  # no title, no alternative text: the report page supplies one
    assert not plt.fignum_exists(fig.number)


def test_to_png_keeps_what_is_drawn_outside_the_canvas() -> None:
    import io

    from PIL import Image

    fig, ax = plots.new_figure(width=4, height=2)
    ax.plot([1, 2, 3])
    ax.set_title("A title far too long for a figure only four inches wide, running off its right edge")
    image = Image.open(io.BytesIO(plots.to_png(fig)))
    assert image.size[0] > 4 * fig.dpi  # grown to hold the whole title, not cut at the edge


def test_describe_joins_the_titles() -> None:
    fig, ax = plots.new_figure()
    assert plots.describe(fig) == ""
    fig.suptitle("Demand  forecast")
    ax.set_title("Backtest on 2 windows:\nerror 19%", loc="left")
    assert plots.describe(fig) == "Demand forecast — Backtest on 2 windows: error 19%"
