"""What reaches the HTML is escaped and formatted."""

from __future__ import annotations

import pandas as pd

from salesnb import display, i18n

HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"quoted" & \'single\'']


def test_table_escapes_cells_headers_and_caption() -> None:
    frame = pd.DataFrame({"<b>name</b>": HOSTILE, "amount": [1234.5, 2.0, None]})
    html = display.table_html(frame, caption="<i>cap</i>", kinds={"amount": "money"})
    assert "<script>alert" not in html.split("</script>", 2)[-1]  # only our own script tag
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;name&lt;/b&gt;" in html and "&lt;i&gt;cap&lt;/i&gt;" in html
    assert "&quot;quoted&quot; &amp; &#x27;single&#x27;" in html
    assert "€1,234" in html and "–" in html


def test_headline_and_note_escape() -> None:
    html = display.headline([("<x>", "<y>", "<z>")]).html() + display.note("<script>").data
    body = html.replace(display._SCRIPT, "")
    assert "<x>" not in body and "&lt;x&gt;" in body and "&lt;script&gt;" in body


def test_table_formats_in_language_and_sort_keys() -> None:
    frame = pd.DataFrame({"n": [1234567], "d": [pd.Timestamp("2026-01-31")], "p": [0.25]})
    html = display.table_html(frame, kinds={"p": "pct"}, lang="es")
    assert "1.234.567" in html and "31 ene 2026" in html and "25,0\u00a0%" in html
    assert 'data-sort="20260131"' in html


def test_long_tables_get_search_and_truncation_note() -> None:
    frame = pd.DataFrame({"x": range(30)})
    html = display.table_html(frame, max_rows=10)
    assert 'class="snb-search"' in html
    assert i18n.t("common.more_rows", n=20) in html
    assert display.table(frame.iloc[0:0], empty="nothing").data.endswith("nothing</p>")


def test_labels_come_from_the_catalog() -> None:
    labels = display.labels("datacheck", lang="es")
    assert labels["rows"] == "Filas"


def test_headline_carries_its_numbers_as_json() -> None:
    bundle = display.headline([("Sales", "€1,234", "YTD"), ("Growth", "+5%")])._repr_mimebundle_()
    assert bundle[display.HEADLINE_MIME]["items"][1] == {"label": "Growth", "value": "+5%", "note": ""}
    assert "snb-card" in bundle["text/html"]
