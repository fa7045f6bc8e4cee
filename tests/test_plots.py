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
