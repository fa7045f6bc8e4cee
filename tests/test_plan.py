"""The work plan: the director's choices, one set of numbers with the other reports, the printed plan.

The agreement test reads the executed notebooks of the English pack (every notebook
of the workbook on the sample company): the plan's region targets are the target
breakdown's, its key accounts the market analysis's top accounts, its DSO the review's.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from salesnb import plan
from salesnb.catalog import text
from salesnb.errors import ParameterError
from salesnb.plan import views

# ----------------------------------------------------------------------------- choices


def test_hires_become_a_frame_and_bad_ones_are_named() -> None:
    regions = pd.DataFrame({"region_id": ["ES-MD", "ES-CT"]})
    hires = plan.check_hires([{"region": "ES-MD", "month": 3}, {"region": "ES-CT", "month": 11}], regions=regions)
    assert hires.to_dict("list") == {"region_id": ["ES-MD", "ES-CT"], "month": [3, 11]}
    with pytest.raises(ParameterError) as err:
        plan.check_hires([{"region": "ES-MD", "month": 13}])
    assert str(err.value) == ("Hire 1 must be {\"region\": region_id, \"month\": 1 to 12}. "
                              "Got {'region': 'ES-MD', 'month': 13} instead.")
    with pytest.raises(ParameterError) as err:
        plan.check_hires([{"region": "ES-XX", "month": 2}], regions=regions)
    assert str(err.value) == ("Hire 1 names the region 'ES-XX', which is not in the regions table "
                              "(known: ES-CT, ES-MD).")
    with pytest.raises(ParameterError, match="must be a list of hires"):
        plan.check_hires("ES-MD")


def test_training_days_read_month_day_in_the_plan_year() -> None:
    days = plan.check_training(["09-14", "2027-01-19"], year=2027)
    assert days == [pd.Timestamp("2027-01-19"), pd.Timestamp("2027-09-14")]
    with pytest.raises(ParameterError) as err:
        plan.check_training(["2026-12-01"], year=2027)
    assert str(err.value) == "The training day 2026-12-01 is not in the plan's year 2027."


def test_goals_have_defaults_and_refuse_unknown_names() -> None:
    assert plan.check_goals({"dso_days": 50}) == {"dso_days": 50.0, "response_hours": 24.0, "margin": None}
    with pytest.raises(ParameterError) as err:
        plan.check_goals({"dso": 50})
    assert str(err.value) == "Unknown goal 'dso'; the goals are dso_days, response_hours, margin."
    with pytest.raises(ParameterError) as err:
        plan.check_goals({"margin": 1.5})
    assert str(err.value) == ("The goal 'margin' must be a number above 0 (a margin below 1). "
                              "Got 1.5 instead.")


def test_the_runner_refuses_a_bad_hire_before_any_kernel_starts(tmp_path: Path) -> None:
    from salesnb.report import run_pack

    with pytest.raises(ParameterError, match="Hire 1 must be"):
        run_pack(["05_work_plan"], data="sample", out=tmp_path, params={"hires": [{"region": "ES-MD"}]},
                 progress=False)
    assert not any(tmp_path.iterdir())


def _params(**values: object):
    from salesnb import params

    defaults = {"data": "sample", "year": 2027, "period_end": None, "assumptions": "", "annual_target": None,
                "growth_pct": 8.0, "method": "potential_blend", "ramp_months": 3, "hires": [],
                "training": [], "goals": {}, "lang": "en"}
    return params.check_notebook({**defaults, **values}, notebook="05_work_plan")


def test_the_assumptions_file_next_to_the_data_sets_the_choices(tiny_dir: Path) -> None:
    (tiny_dir / "plan.toml").write_text('growth_pct = 12.5\nhires = [{region = "R1", month = 4}]\n',
                                        encoding="utf-8")
    checked, source = plan.with_assumptions(_params(data=str(tiny_dir)))
    assert source == tiny_dir / "plan.toml"
    assert checked.growth_pct == 12.5 and checked.hires == [{"region": "R1", "month": 4}]
    assert checked.method == "potential_blend"  # what the file does not set stays as the cell has it


def test_the_assumptions_file_is_checked_by_the_notebook_rules(tiny_dir: Path) -> None:
    (tiny_dir / "plan.toml").write_text('method = "guess"\n', encoding="utf-8")
    with pytest.raises(ParameterError, match="'method'"):
        plan.with_assumptions(_params(data=str(tiny_dir)))
    (tiny_dir / "plan.toml").write_text("year = 2030\n", encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        plan.with_assumptions(_params(data=str(tiny_dir)))
    assert "sets 'year', which it may not" in str(err.value)


def test_without_a_file_the_cell_values_stand(tiny_dir: Path) -> None:
    p = _params(data=str(tiny_dir))
    assert plan.with_assumptions(p) == (p, None)
    with pytest.raises(ParameterError, match="does not exist"):
        plan.with_assumptions(_params(data=str(tiny_dir), assumptions=str(tiny_dir / "none.toml")))


def test_the_plans_order_lines_are_the_enriched_lines_shared_with_their_costs(tiny_dir: Path) -> None:
    """One line-level copy per process: the money figures' costed lines, whose first columns are enrich_orders'."""
    from salesnb import market, money
    from salesnb.data import load

    ds = load(tiny_dir)
    work = plan.open_plan(ds, year=2026)
    enriched = market.enrich_orders(ds)
    pd.testing.assert_frame_equal(work.orders[list(enriched.columns)], enriched, check_exact=True)
    assert work.orders is money.costed_orders(ds, shared=True)


def test_the_print_header_cannot_break_out_of_its_css_string() -> None:
    assert views._css_string('a"b</style>') == '"a\\000022b\\00003c\\00002fstyle\\00003e"'


# ------------------------------------------------------------------- one set of numbers


class _Tables(HTMLParser):
    """Tables of salesnb.display (caption, rows of (text, data-sort)) and the account cards' titles."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.cards: list[str] = []
        self._cell: list | None = None
        self._where: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "table" and "snb" in (a.get("class") or ""):
            self.tables.append({"caption": "", "head": [], "rows": []})
        elif tag in ("caption", "th", "h4") and (self.tables or tag == "h4"):
            self._where, self._cell = tag, []
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag == "td" and self.tables:
            self._where, self._cell = "td", [a.get("data-sort")]

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._cell is None or tag != self._where:
            return
        if tag == "td":
            self.tables[-1]["rows"][-1].append(("".join(self._cell[1:]), self._cell[0]))
        elif tag == "th":
            self.tables[-1]["head"].append("".join(self._cell))
        elif tag == "caption":
            self.tables[-1]["caption"] = "".join(self._cell)
        else:
            self.cards.append("".join(self._cell))
        self._cell = self._where = None


def _outputs(ipynb: Path, mime: str) -> list:
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {}).get(mime)
            if data is not None:
                found.append("".join(data) if isinstance(data, list) else data)
    return found


def _parsed(ipynb: Path) -> _Tables:
    parser = _Tables()
    for html in _outputs(ipynb, "text/html"):
        parser.feed(html)
    return parser


def _table(parsed: _Tables, caption: str) -> pd.DataFrame:
    table = next(t for t in parsed.tables if t["caption"] == caption)
    rows = [r for r in table["rows"] if r]
    return pd.DataFrame([[c[1] if c[1] is not None else c[0] for c in r] for r in rows], columns=table["head"])


def _headline(ipynb: Path) -> dict[str, dict]:
    cards = _outputs(ipynb, "application/vnd.salesnb.headline+json")[0]["items"]
    return {c["label"]: c for c in cards}


def _team_page(pack, name: str) -> Path:
    return next(r.ipynb_path for r in pack.results if r.name == name)


def test_the_plan_agrees_with_the_other_reports(english_pack) -> None:
    plan_nb = _team_page(english_pack, "05_work_plan")
    ours = _parsed(plan_nb)
    # targets: the plan's region targets and annual target are the target breakdown's
    theirs = _parsed(_team_page(english_pack, "03_target_breakdown"))
    regions_plan = _table(ours, text("plan.cap_regions", lang="en")).set_index("Name")["Target"]
    regions_03 = _table(theirs, text("targets.regions_caption", lang="en"))
    regions_03 = regions_03.set_index(regions_03.columns[0])[text("targets.col_target", lang="en")]
    assert regions_plan.astype(float).sort_index().to_dict() == regions_03.astype(float).sort_index().to_dict()
    plan_cards = _headline(plan_nb)
    target_card = _headline(_team_page(english_pack, "03_target_breakdown"))[text("targets.card_target", lang="en",
                                                                                   year=2027)]
    assert plan_cards[text("plan.goal_net_sales", lang="en")]["value"] == target_card["value"]
    # key accounts: the plan's cards are the market analysis's top accounts, in its order
    market = _parsed(_team_page(english_pack, "01_market_analysis"))
    key = next(t for t in market.tables if t["caption"].startswith("Key accounts") or "key account" in
               t["caption"].lower())
    col = [h.lower() for h in key["head"]].index("customer")
    top = [r[col][0] for r in key["rows"] if r][:10]
    cards = [re.sub(r"^\d+\. ", "", title) for title in ours.cards if re.match(r"^\d+\. ", title)]
    assert cards == top
    # DSO: the plan's "last year" DSO is the review's headline DSO
    review = _headline(_team_page(english_pack, "04_periodic_review"))
    review_dso = re.search(r"DSO ([\d.,]+) days", next(c["note"] for c in review.values() if "DSO" in c["note"]))
    plan_dso = re.search(r"([\d.,]+) days", plan_cards[text("plan.goal_dso_days", lang="en")]["note"])
    assert plan_dso.group(1) == review_dso.group(1)


def test_the_plan_leads_the_index_which_names_every_rep(english_pack) -> None:
    index = Path(english_pack.index_path).read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+\.html)">([^<]+)</a>', index)
    assert links[0][0] == "05_work_plan.html"
    reps = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "sample" / "reps.csv", dtype=str)
    names = dict(zip(reps["rep_id"], reps["name"], strict=True))
    rep_links = [label for href, label in links if "__" in href]
    assert rep_links
    for label in rep_links:
        rep_id = re.search(r"\((R\d+)\)$", label.replace("&amp;", "&")).group(1)
        assert f"{names[rep_id]} ({rep_id})" in label


def test_every_section_has_content(english_pack) -> None:
    parsed = _parsed(_team_page(english_pack, "05_work_plan"))
    captions = {t["caption"] for t in parsed.tables}
    for key in ("cap_goals", "cap_same_period", "cap_competitors", "cap_quarters", "cap_months", "cap_regions",
                "cap_segments", "cap_activity_months", "cap_activity_reps", "cap_activity", "cap_headcount",
                "cap_evaluation", "cap_commission_plan", "cap_budget_months", "cap_budget_lines", "cap_contribution",
                "cap_aging", "cap_collectors", "cap_causes", "cap_calendar"):
        assert text(f"plan.{key}", lang="en") in captions, key
        table = next(t for t in parsed.tables if t["caption"] == text(f"plan.{key}", lang="en"))
        assert [r for r in table["rows"] if r], key
    assert len([title for title in parsed.cards if re.match(r"^\d+\. ", title)]) == 10


# ----------------------------------------------------------------------------- printed


@pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
                    reason="Chromium is not installed here (.ci/run installs it with apt-get)")
def test_salesnb_plan_writes_the_html_and_a_pdf_in_spanish(tmp_path: Path, capsys) -> None:
    pypdf = pytest.importorskip("pypdf")
    from salesnb.cli import main

    assert main(["plan", "--year", "2027", "--data", "sample", "--out", str(tmp_path), "--lang", "es",
                 "--no-progress"]) == 0
    said = capsys.readouterr().out
    html = Path(re.search(r"Plan de trabajo: (.+\.html)", said).group(1))
    pdf = html.with_suffix(".pdf")
    assert pdf.is_file() and str(pdf) in said
    page = html.read_text(encoding="utf-8")
    assert "@media print" in page and "@top-left" in page and "counter(pages)" in page
    reader = pypdf.PdfReader(pdf)
    texts = [p.extract_text() for p in reader.pages]
    assert 12 <= len(texts) <= 40
    assert all("Muebles Ejemplo S.A." in t and "Plan de trabajo comercial 2027" in t for t in texts)
    assert f"Página 1 de {len(texts)}" in texts[0] and f"Página {len(texts)} de {len(texts)}" in texts[-1]
    whole = "\n".join(texts)
    for heading in ("1. Resumen", "2. Dónde estamos", "3. Las metas y su base", "4. Plan por región",
                    "5. Cuentas clave", "6. Clientes potenciales", "7. Actividades", "8. Equipo", "9. Presupuesto",
                    "10. Cobros", "11. Posventa", "12. Calendario"):
        starts = [i for i, t in enumerate(texts) if heading in t]
        assert starts, heading
    assert "Periodo medio de cobro" in whole and "Margen bruto" in whole and "€" in whole
