"""A corpus of broken datasets, made by code from the tiny valid dataset.

Each case changes one thing and states what ``salesnb validate`` must say: nothing
(a documented repair or a harmless extra), a fatal problem, or a row problem, with
the table, row (as a spreadsheet shows it), column and rule. Every case also goes
through ``load`` in both modes and through the CLI, and must never raise anything
but a SalesnbError, nor lose a row without saying so.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_tables, write_tables

from salesnb import data
from salesnb.cli import main
from salesnb.errors import DataSourceError, DataValidationError

Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Path]  # writes the dataset under a tmp dir, returns the source path
    outcome: str  # "ok", "fatal", "row" or "unreadable"
    table: str | None = None
    rule: str | None = None
    row: int | None = None
    column: str | None = None


def tables_case(change: Callable[[Tables], None]) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        tables = tiny_tables()
        change(tables)
        return write_tables(tables, tmp / "d")
    return build


def file_case(change: Callable[[Path], None]) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        path = write_tables(tiny_tables(), tmp / "d")
        change(path)
        return path
    return build


def setv(table: str, row: int, column: str, value: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        tables[table].loc[row, column] = value
    return change


def rename(table: str, old: str, new: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        tables[table] = tables[table].rename(columns={old: new})
    return change


def drop_col(table: str, column: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        tables[table] = tables[table].drop(columns=column)
    return change


def empty(table: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        tables[table] = tables[table].iloc[0:0]
    return change


def without(table: str) -> Callable[[Tables], None]:
    def change(tables: Tables) -> None:
        del tables[table]
    return change


def rewrite(name: str, fn: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def change(path: Path) -> None:
        target = path / name
        target.write_bytes(fn(target.read_bytes()))
    return change


def workbook(change: Callable[[pd.ExcelWriter], None] | None = None, *, startrow: int = 0) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        book = tmp / "book.xlsx"
        with pd.ExcelWriter(book) as writer:
            for name, frame in tiny_tables().items():
                frame.to_excel(writer, sheet_name=name, index=False, startrow=startrow if name == "orders" else 0)
            if change:
                change(writer)
        return book
    return build


def title_row(writer: pd.ExcelWriter) -> None:
    sheet = writer.sheets["orders"]
    sheet["A1"] = "Pedidos"
    sheet.merge_cells("A1:F1")


def extra_sheets(writer: pd.ExcelWriter) -> None:
    pd.DataFrame({"nota": ["hola"]}).to_excel(writer, sheet_name="Notas", index=False)
    pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Pivot", index=False)


def xlsx_as_csv(path: Path) -> None:
    buffer = io.BytesIO()
    tiny_tables()["products"].to_excel(buffer, index=False)
    (path / "products.csv").write_bytes(buffer.getvalue())


def ragged(path: Path) -> None:
    target = path / "products.csv"
    target.write_text(target.read_text() + "C,Mesa,Oficina,10,5,2023-01-01,extra,fields\n")


def dup_header(path: Path) -> None:
    target = path / "products.csv"
    lines = target.read_text().splitlines()
    lines[0] += ",name"
    lines[1:] = [line + ",x" for line in lines[1:]]
    target.write_text("\n".join(lines) + "\n")


def semicolon_comma_decimals(path: Path) -> None:
    frame = tiny_tables()["products"]
    frame.loc[0, "unit_price"] = "99,5"
    frame.to_csv(path / "products.csv", sep=";", index=False)


def utf16(path: Path) -> None:
    tiny_tables()["reps"].to_csv(path / "reps.csv", index=False, encoding="utf-16")


def mojibake(path: Path) -> None:
    target = path / "regions.csv"
    target.write_text(target.read_text(encoding="utf-8").replace("Andalucía", "AndalucÃ\xada"), encoding="utf-8")


def bad_toml(path: Path) -> None:
    (path / "dataset.toml").write_text("currency = EUR\n")


CASES = [
    Case("valid", tables_case(lambda t: None), "ok"),
    Case("extra_column_kept", tables_case(lambda t: t["orders"].insert(3, "promo_code", "X1")), "ok"),
    Case("missing_column", tables_case(drop_col("orders", "net_amount")), "fatal", "orders", "missing column",
         1, "net_amount"),
    Case("renamed_column", tables_case(rename("orders", "order_date", "Order Date")), "fatal", "orders",
         "missing column", 1, "order_date"),
    Case("wrong_type_number", tables_case(setv("orders", 1, "quantity", "ten")), "row", "orders", "number", 3,
         "quantity"),
    Case("unparsable_date", tables_case(setv("orders", 0, "order_date", "yesterday")), "row", "orders", "date",
         2, "order_date"),
    Case("impossible_date", tables_case(setv("orders", 2, "order_date", "2026-02-30")), "row", "orders", "date",
         4, "order_date"),
    Case("day_first_date", tables_case(setv("reps", 0, "hire_date", "31/01/2024")), "row", "reps", "date", 2,
         "hire_date"),
    Case("comma_decimal", tables_case(setv("products", 1, "unit_price", "1.234,56")), "row", "products",
         "number", 3, "unit_price"),
    Case("negative_money", tables_case(setv("products", 0, "unit_cost", "-60")), "row", "products", "min", 2,
         "unit_cost"),
    Case("nan_money", tables_case(setv("orders", 3, "net_amount", "NaN")), "row", "orders", "number", 5,
         "net_amount"),
    Case("infinite_money", tables_case(setv("orders", 3, "unit_price", "inf")), "row", "orders", "number", 5,
         "unit_price"),
    Case("fractional_int", tables_case(setv("orders", 0, "line_no", "1.5")), "row", "orders", "whole number", 2,
         "line_no"),
    Case("discount_above_one", tables_case(setv("orders", 1, "discount", "10")), "row", "orders", "max", 3,
         "discount"),
    Case("unknown_category", tables_case(setv("customers", 1, "channel", "kiosk")), "row", "customers",
         "allowed values", 3, "channel"),
    Case("empty_required_cell", tables_case(setv("products", 0, "name", "")), "row", "products", "required", 2,
         "name"),
    Case("left_before_hired", tables_case(setv("reps", 2, "leave_date", "2023-01-01")), "row", "reps",
         "leave_date >= hire_date", 4, "leave_date"),
    Case("duplicate_key", tables_case(setv("customers", 1, "customer_id", "C1")), "fatal", "customers",
         "primary key", 2, "customer_id"),
    Case("dangling_foreign_key", tables_case(setv("orders", 4, "product_id", "ZZ")), "fatal", "orders",
         "foreign key", 6, "product_id"),
    Case("empty_required_table", tables_case(empty("orders")), "fatal", "orders", "empty table"),
    Case("header_only_optional_table", tables_case(empty("leads")), "ok"),
    Case("missing_table", tables_case(without("reps")), "fatal", "reps", "missing table"),
    Case("missing_optional_table", tables_case(without("leads")), "ok"),
    Case("utf8_bom", file_case(rewrite("customers.csv", lambda b: b"\xef\xbb\xbf" + b)), "ok"),
    Case("latin1", file_case(rewrite("reps.csv", lambda b: b.decode("utf-8").encode("cp1252"))), "ok"),
    Case("utf16", file_case(utf16), "ok"),
    Case("mojibake", file_case(mojibake), "fatal", "regions", "file"),
    Case("very_long_string", tables_case(setv("customers", 0, "name", "Muebles " * 5000)), "ok"),
    Case("zero_byte_file", file_case(rewrite("products.csv", lambda b: b"")), "fatal", "products", "file"),
    Case("binary_garbage", file_case(rewrite("products.csv", lambda b: bytes(range(256)) * 4)), "fatal",
         "products", "file"),
    Case("xlsx_named_csv", file_case(xlsx_as_csv), "fatal", "products", "file"),
    Case("ragged_rows", file_case(ragged), "fatal", "products", "file"),
    Case("duplicate_header", file_case(dup_header), "fatal", "products", "duplicate column", 1, "name"),
    Case("semicolon_comma_decimal", file_case(semicolon_comma_decimals), "row", "products", "number", 2,
         "unit_price"),
    Case("broken_dataset_toml", file_case(bad_toml), "fatal", "", "file"),
    Case("xlsx_valid", workbook(), "ok"),
    Case("xlsx_blank_rows_above_header", workbook(startrow=2), "ok"),
    Case("xlsx_merged_title_row", workbook(title_row, startrow=2), "fatal", "orders", "header"),
    Case("xlsx_extra_sheets", workbook(extra_sheets), "ok"),
    Case("path_does_not_exist", lambda tmp: tmp / "nowhere", "unreadable"),
    Case("not_a_dataset_file", lambda tmp: (tmp / "notes.txt", (tmp / "notes.txt").write_text("hi"))[0],
         "unreadable"),
]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = case.build(tmp_path)
    report = data.validate(source)  # never raises
    text = report.to_text()
    for problem in report.problems:  # every problem also reads in Spanish, with nothing left in English
        assert problem.text("es") != problem.message and problem.hint_text("es") != problem.hint, problem.key
        assert problem.rule_text("es") != problem.rule or problem.rule not in data.RULES, problem.rule
        assert problem.to_text(lang="es") != problem.to_text()
    if case.outcome == "ok":
        assert report.ok, text
        ds = data.load(source)
        assert len(ds.orders) == 5
        assert main(["validate", str(source)]) == 0
        return
    if case.outcome == "unreadable":
        assert report.unreadable and report.problems
        with pytest.raises(DataSourceError):
            data.load(source)
        assert main(["validate", str(source)]) == 2
        return

    matching = [p for p in report.problems if p.table == case.table and p.rule == case.rule]
    assert matching, text
    problem = matching[0]
    assert problem.fatal is (case.outcome == "fatal")
    assert problem.message and problem.hint and problem.file
    if case.row is not None:
        assert problem.row == case.row, text
    if case.column is not None:
        assert problem.column == case.column, text
    assert main(["validate", str(source)]) == 1
    out = capsys.readouterr().out
    assert problem.file in out

    with pytest.raises(DataValidationError) as info:
        data.load(source)
    assert info.value.report.problems == report.problems
    if case.outcome == "row":
        ds = data.load(source, on_bad_rows="reject")
        table = ds[case.table]
        rejected = ds.rejected_rows[case.table]
        assert case.row in rejected["row"].tolist()
        # nothing lost: kept + rejected = rows in the source table
        assert len(table) + len(rejected) == len(tiny_tables()[case.table])
    else:
        with pytest.raises(DataValidationError):
            data.load(source, on_bad_rows="reject")
