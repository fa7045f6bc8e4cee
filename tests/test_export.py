"""Spreadsheet exports: no formula ever runs, sheet names follow Excel's rules, contacts mask."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from salesnb.errors import ParameterError
from salesnb.export import (
    mask_contacts,
    mask_email,
    mask_phone,
    safe_cell,
    safe_frame,
    sheet_name,
    write_csv,
    write_xlsx,
)

TRIGGERS = ['=HYPERLINK("http://evil.example","x")', "+SUM(1,2)", "-2+3", "@cmd", "\tTab", "\rCR",
            "\uff1d1+1", "=1+1"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_safe_cell_prefixes_formula_triggers(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Muebles García", "", "a=b", " =x", 5, -5, 2.5, True, None,
                                   pd.Timestamp("2026-01-31")])
def test_safe_cell_leaves_other_values(value: object) -> None:
    assert safe_cell(value) is value or safe_cell(value) == value


def test_safe_cell_joins_lists_safely() -> None:
    assert safe_cell(["=a", "b"]) == "'=a; b"
    assert safe_cell(("x", None)) == "x; "


def test_safe_frame_guards_text_and_headers_but_not_numbers() -> None:
    frame = pd.DataFrame({"=h": ["=1", "ok"], "n": [-1, 2]})
    out = safe_frame(frame)
    assert list(out.columns) == ["'=h", "n"]
    assert out.iloc[0, 0] == "'=1" and out.iloc[1, 0] == "ok"
    assert out["n"].tolist() == [-1, 2]
    assert frame.iloc[0, 0] == "=1"  # input untouched


def test_write_csv_escapes_every_trigger(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": TRIGGERS, "n": range(len(TRIGGERS))})
    path = write_csv(frame, tmp_path / "sub" / "out.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["text", "n"]
    for row, text in zip(rows[1:], TRIGGERS, strict=True):
        assert row[0] == "'" + text
        assert not row[0].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the accents
    assert not list(tmp_path.glob("sub/.*part"))


def test_write_csv_rejects_odd_separator(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="'sep'"):
        write_csv(pd.DataFrame({"a": [1]}), tmp_path / "x.csv", sep="|")


def test_write_xlsx_has_no_formula_cells(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "=name": TRIGGERS,
        "amount": np.arange(len(TRIGGERS), dtype=float) - 3,
        "day": pd.Timestamp("2026-10-31"),
        "flag": [True, False] * (len(TRIGGERS) // 2),
        "list": [["=x", "y"]] * len(TRIGGERS),
        "ctrl": ["bad\x01char"] * len(TRIGGERS),
    })
    path = write_xlsx({"R001 Ana": frame, "=Sheet?": frame.head(1)}, tmp_path / "book.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["R001 Ana", "=Sheet_"]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    ws = wb["R001 Ana"]
    assert ws["A1"].value == "'=name"
    # (xlsx is XML: a lone CR reads back as LF)
    assert [ws.cell(row=i + 2, column=1).value for i in range(len(TRIGGERS))] == \
        ["'" + t.replace("\r", "\n") for t in TRIGGERS]
    assert ws["B2"].value == -3 and ws["B2"].data_type == "n"
    assert isinstance(ws["C2"].value, dt.datetime)
    assert ws["D2"].value is True
    assert ws["E2"].value == "'=x; y"
    assert ws["F2"].value == "badchar"


def test_sheet_names_follow_excel_rules() -> None:
    assert sheet_name("a/b\\c?d*e[f]g:h") == "a_b_c_d_e_f_g_h"
    assert len(sheet_name("x" * 50)) == 31
    assert sheet_name("History") != "History"
    assert sheet_name("'quoted'") == "quoted"
    assert sheet_name("") == "Sheet"
    assert sheet_name("Ana", taken=["ana"]) == "Ana (2)"
    long = sheet_name("y" * 40, taken=["y" * 31])
    assert len(long) <= 31 and long.endswith("(2)")


def test_mask_phone_keeps_layout_prefix_and_ends() -> None:
    assert mask_phone("+34 912 345 678") == "+34 9•• ••• •78"
    assert mask_phone("912345678") == "9••••••78"
    assert mask_phone("0034-912-345-678") == "0034-9••-•••-•78"
    assert mask_phone("+34912345678") == "+349••••••78"
    assert mask_phone(None) is None
    assert mask_phone("n/a") == "•••"


def test_mask_email_keeps_first_letter_and_domain() -> None:
    assert mask_email("eva@hogar.es") == "e•••@hogar.es"
    assert mask_email("not an email") == "•••"
    assert mask_email(None) is None


def test_mask_contacts_masks_lists_and_leaves_input() -> None:
    frame = pd.DataFrame({"phone": ["912345678"], "email": ["eva@hogar.es"],
                          "other_phones": [["+34 600 111 222"]], "name": ["Eva"]})
    out = mask_contacts(frame, phones=("phone", "other_phones"), emails=("email",))
    assert out.loc[0, "phone"] == "9••••••78"
    assert out.loc[0, "other_phones"] == ["+34 6•• ••• •22"]
    assert out.loc[0, "email"] == "e•••@hogar.es" and out.loc[0, "name"] == "Eva"
    assert frame.loc[0, "phone"] == "912345678"
