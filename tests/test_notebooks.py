"""End to end: every notebook in a pack, on the sample, in both languages, on hostile data.

These are the slow tests (a few minutes): they run the real notebooks through the
real runner, then read the HTML the director would read.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import pytest

from salesnb.config import notebooks_dir
from salesnb.report import run_pack

sys.path.insert(0, str(Path(__file__).parent))
from hostile import FORBIDDEN_IN_HTML, FORMULA_START, hostile_dataset

pytestmark = pytest.mark.slow  # every test here runs notebooks (a pack or papermill)

NOTEBOOKS = sorted(p.stem for p in notebooks_dir().glob("*.ipynb"))
MAX_PAGE_BYTES = 2_500_000
EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)[^>]+(?:src|href)=["']?(?:https?:)?//""", re.I)


def _html(result) -> str:
    return Path(result.html_path).read_text(encoding="utf-8")


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


def test_every_notebook_is_in_the_pack(english_pack) -> None:
    names = {r.name.split("__")[0] for r in english_pack.results}
    assert names == set(NOTEBOOKS)
    failed = [(r.name, r.error) for r in english_pack.results if not r.ok]
    assert not failed
    assert english_pack.ok


def test_per_rep_pages_exist(english_pack) -> None:
    rep_pages = [r for r in english_pack.results if r.rep_id]
    assert len(rep_pages) >= 10
    assert all("__" in Path(r.html_path).name for r in rep_pages)


@pytest.mark.parametrize("pack_name", ["english_pack", "spanish_pack"])
def test_pages_are_clean_offline_and_small(pack_name: str, request: pytest.FixtureRequest) -> None:
    pack = request.getfixturevalue(pack_name)
    for result in pack.results:
        html = _html(result)
        text = _visible_text(html)
        assert "Traceback" not in text, result.name
        assert not EXTERNAL.search(html), f"{result.name} loads something from the network"
        assert "import salesnb" not in text and "from salesnb" not in text, f"{result.name} shows code"
        assert "TODO" not in text
        assert "<Figure size" not in text and "Warning" not in text, result.name
        assert len(html.encode()) < MAX_PAGE_BYTES, f"{result.name} is {len(html) / 1e6:.1f} MB"
    index = Path(pack.index_path).read_text(encoding="utf-8")
    for result in pack.results:
        assert Path(result.html_path).name in index
    # the index shows each report's key numbers (from its headline cards)
    assert index.count('class="small keys"') == len(pack.results)


def test_one_language_per_page(english_pack, spanish_pack) -> None:
    english = {r.name: _visible_text(_html(r)) for r in english_pack.results if not r.rep_id}
    spanish = {r.name: _visible_text(_html(r)) for r in spanish_pack.results}
    assert "Data check" in english["00_data_check"] and "Revisión de datos" not in english["00_data_check"]
    assert "Revisión de datos" in spanish["00_data_check"] and "What this answers" not in spanish["00_data_check"]
    for name, text in spanish.items():
        for phrase in ("What this answers", "How to read", "Headline"):
            assert phrase not in text, f"{name} (es) contains the English {phrase!r}"


def test_every_chart_has_its_title_as_alternative_text(english_pack, spanish_pack) -> None:
    for pack, word in ((english_pack, "Chart"), (spanish_pack, "Gráfico")):
        for result in pack.results:
            alts = re.findall(r'<img [^>]*alt="([^"]*)"', _html(result))
            imgs = _html(result).count("<img ")
            assert len(alts) == imgs, f"{result.name}: an image without alt text"
            assert "No description has been provided" not in _html(result), result.name
            assert all(alt.strip() for alt in alts), result.name
            titled = [alt for alt in alts if alt != word]
            assert len(titled) >= len(alts) - 1, f"{result.name}: charts without a title: {alts}"
    market = next(r for r in spanish_pack.results if r.name == "01_market_analysis")
    spanish_alts = re.findall(r'<img [^>]*alt="([^"]*)"', _html(market))
    assert any("Previsión" in alt or "Índice estacional" in alt for alt in spanish_alts), spanish_alts


def test_same_inputs_same_tables(tmp_path: Path) -> None:
    """Two runs of the same notebooks give identical outputs, the run stamp aside."""
    runs = [run_pack(["00_data_check", "03_target_breakdown"], data="sample", out=tmp_path / f"r{i}",
                     period_end="2026-10", timeout=120, progress=False) for i in range(2)]

    def outputs(pack) -> list[str]:
        texts = []
        for result in pack.results:
            nb = json.loads(Path(result.ipynb_path).read_text(encoding="utf-8"))
            for cell in nb["cells"]:
                for out in cell.get("outputs", []):
                    data = out.get("data", {})
                    texts.append(str(data.get("text/html", "")) + str(data.get("text/plain", "")))
        return [re.sub(r"snb-t\d+", "snb-t", t) for t in texts]

    assert outputs(runs[0]) == outputs(runs[1])


def test_hostile_text_end_to_end(tmp_path: Path) -> None:
    source = hostile_dataset(tmp_path / "hostile")
    exports = tmp_path / "exports"
    pack = run_pack(None, data=str(source), out=tmp_path / "packs", lang="en", per_rep=False, jobs=2,
                    params={"export_dir": str(exports), "export": True}, timeout=120, progress=False)
    failed = [(r.name, r.error) for r in pack.results if not r.ok]
    assert not failed
    for result in pack.results:
        html = _html(result)
        for fragment in FORBIDDEN_IN_HTML:
            assert fragment not in html, f"{result.name}: unescaped {fragment!r}"
    index = Path(pack.index_path).read_text(encoding="utf-8")
    for fragment in FORBIDDEN_IN_HTML:
        assert fragment not in index
    _assert_no_live_formulas(exports)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_no_live_formulas(folder: Path) -> None:
    import csv

    from openpyxl import load_workbook

    files = list(folder.rglob("*.csv")) + list(folder.rglob("*.xlsx"))
    assert files, f"no exports written under {folder}"
    for path in files:
        if path.suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                for row in csv.reader(handle):
                    for cell in row:
                        if not _is_number(cell):
                            assert not cell.startswith(FORMULA_START), f"{path.name}: {cell!r}"
        else:
            book = load_workbook(path)
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", f"{path.name}!{sheet.title}{cell.coordinate}"
                        if isinstance(cell.value, str):
                            assert not cell.value.startswith(FORMULA_START), f"{path.name}: {cell.value!r}"


def test_broken_data_gives_a_located_error_in_the_report(tmp_path: Path) -> None:
    """Bad input through a real notebook run: the page names the file, row and fix; no traceback."""
    from test_bad_inputs import CASES

    chosen = {c.name: c for c in CASES if c.name in ("missing_column", "impossible_date", "xlsx_merged_title_row")}
    for name, case in chosen.items():
        (tmp_path / name).mkdir()
        source = case.build(tmp_path / name)
        pack = run_pack(["00_data_check"], data=str(source), out=tmp_path / f"out-{name}", timeout=120,
                        progress=False)
        [result] = pack.results
        text = _visible_text(_html(result))
        assert "Traceback" not in text and "File \"" not in text, name
        if case.outcome == "row":  # the report runs and lists the rejected row with its location
            assert result.ok, result.error
            assert "order_date" in text and "2026-02-30" in text
        else:  # the report fails cleanly; its problem table says what, where and how to fix
            from salesnb.data import validate

            assert not result.ok and "DataValidationError" in (result.error or "")
            problem = validate(source).fatal[0]
            assert problem.message in html.unescape(text) and problem.hint in html.unescape(text)
