"""The loader and validator on good and bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_tables, write_tables

from salesnb import data
from salesnb.cli import main
from salesnb.errors import DataSourceError, DataValidationError, ParameterError, SalesnbError


def problems_of(report, rule=None):
    return [p for p in report.problems if rule is None or p.rule == rule]


# --------------------------------------------------------------------------- good input


def test_tiny_dataset_is_valid_and_typed(tiny_dir: Path) -> None:
    report = data.validate(tiny_dir)
    assert report.ok, report.to_text()
    ds = data.load(tiny_dir)
    assert ds.name == "Tiny" and ds.currency == "EUR" and ds.country == "ES"
    assert ds.orders is ds["orders"]
    assert str(ds.orders["order_date"].dtype) == "datetime64[ns]"
    assert ds.orders["quantity"].dtype == "float64"
    assert ds.orders["line_no"].dtype == "int64"
    assert ds.reps["leave_date"].isna().sum() == 2
    assert ds.customers["channel"].tolist() == ["store", "distributor", "mall"]
    assert ds.regions.loc[0, "name"] == "Andalucía"
    # extra lead attributes are carried along and typed
    assert ds.leads["est_investment"].dtype == "float64"
    assert str(ds.leads["foreign_investor"].dtype) == "boolean"
    assert ds.rejected.empty and ds.n_rejected == 0
    assert len(ds.content_hash) == 64


def test_content_hash_changes_with_content(tiny_dir: Path) -> None:
    before = data.content_hash(tiny_dir)
    assert data.content_hash(tiny_dir) == before
    path = tiny_dir / "orders.csv"
    path.write_text(path.read_text().replace("1000", "1001", 1))
    assert data.content_hash(tiny_dir) != before


def test_missing_optional_table_is_named(tiny_dir: Path) -> None:
    ds = data.load(tiny_dir)
    assert not ds.has("invoices")
    with pytest.raises(data.MissingTableError, match="invoices"):
        ds.invoices  # noqa: B018
    with pytest.raises(AttributeError):
        ds.not_a_table  # noqa: B018


def test_summary_lists_tables(tiny_dir: Path) -> None:
    summary = data.load(tiny_dir).summary()
    assert summary.set_index("table").loc["orders", "rows"] == 5
    assert summary.set_index("table").loc["orders", "first_date"] == pd.Timestamp("2025-01-15")


def test_utf8_bom_is_read(tmp_path: Path) -> None:
    path = write_tables(tiny_tables(), tmp_path / "bom", encoding="utf-8-sig")
    ds = data.load(path)
    assert "region_id" in ds.regions.columns
    assert ds.reps.loc[0, "name"] == "Ana Peña"


def test_latin1_is_read_without_mojibake(tmp_path: Path) -> None:
    path = write_tables(tiny_tables(), tmp_path / "latin", encoding="cp1252")
    report = data.validate(path)
    assert report.ok
    assert any("Windows-1252" in n for n in report.notices)
    ds = data.load(path)
    assert ds.reps.loc[0, "name"] == "Ana Peña"
    assert ds.regions.loc[0, "name"] == "Andalucía"


def test_double_encoded_text_is_rejected(tmp_path: Path) -> None:
    path = write_tables(tiny_tables(), tmp_path / "moji")
    broken = "Ana Peña".encode().decode("cp1252")  # 'Ana PeÃ±a'
    text = (path / "reps.csv").read_text(encoding="utf-8").replace("Ana Peña", broken)
    (path / "reps.csv").write_text(text, encoding="utf-8")
    report = data.validate(path)
    [problem] = report.fatal
    assert problem.file == "reps.csv" and "double-encoded" in problem.message
    assert "UTF-8" in problem.hint


def test_semicolon_csv_is_read(tmp_path: Path) -> None:
    path = write_tables(tiny_tables(), tmp_path / "semi")
    frame = tiny_tables()["products"]
    frame.to_csv(path / "products.csv", sep=";", index=False)
    assert data.load(path).products["unit_price"].tolist() == [100.0, 500.0]


def test_parquet_tables(tmp_path: Path) -> None:
    path = write_tables(tiny_tables(), tmp_path / "pq")
    orders = data.load(path).orders
    (path / "orders.csv").unlink()
    orders.to_parquet(path / "orders.parquet")
    loaded = data.load(path).orders
    pd.testing.assert_frame_equal(loaded, orders)


def test_xlsx_workbook(tmp_path: Path) -> None:
    book = tmp_path / "company.xlsx"
    with pd.ExcelWriter(book) as writer:
        for name, frame in tiny_tables().items():
            frame.to_excel(writer, sheet_name=name, index=False)
        pd.DataFrame({"key": ["name", "currency"], "value": ["Libro", "usd"]}).to_excel(
            writer, sheet_name="dataset", index=False)
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="notes", index=False)
    report = data.validate(book)
    assert report.ok, report.to_text()
    assert any("notes" in n for n in report.notices)
    ds = data.load(book)
    assert ds.name == "Libro" and ds.currency == "USD"
    assert len(ds.orders) == 5
    assert ds.orders["order_date"].iloc[0] == pd.Timestamp("2025-01-15")


def test_xlsx_with_title_rows_is_located(tmp_path: Path) -> None:
    book = tmp_path / "titled.xlsx"
    with pd.ExcelWriter(book) as writer:
        for name, frame in tiny_tables().items():
            frame.to_excel(writer, sheet_name=name, index=False, startrow=2 if name == "orders" else 0)
        writer.sheets["orders"]["A1"] = "Pedidos 2025"  # a title above the header
        writer.sheets["orders"].merge_cells("A1:D1")
    report = data.validate(book)
    [problem] = report.fatal
    assert problem.table == "orders" and "row 3" in problem.message


def test_xlsx_blank_rows_keep_row_numbers(tmp_path: Path) -> None:
    book = tmp_path / "blank.xlsx"
    tables = tiny_tables()
    tables["orders"].loc[3, "order_date"] = "not a date"  # 4th data row
    with pd.ExcelWriter(book) as writer:
        for name, frame in tables.items():
            frame.to_excel(writer, sheet_name=name, index=False, startrow=1 if name == "orders" else 0)
    [problem] = data.validate(book).problems  # header on row 2, so the 4th data row is row 6
    assert (problem.column, problem.row) == ("order_date", 6)


def test_csv_blank_lines_keep_row_numbers(tmp_path: Path) -> None:
    path = write_tables(tiny_tables(), tmp_path / "d")
    lines = (path / "orders.csv").read_text().splitlines()
    lines[4] = lines[4].replace("2025-05-05", "2025-05-55")  # data row 4 -> spreadsheet row 5
    lines.insert(2, "")  # a blank line pushes it to row 6
    (path / "orders.csv").write_text("\n".join(lines) + "\n")
    [problem] = data.validate(path).problems
    assert problem.row == 6 and problem.value == "2025-05-55"


# --------------------------------------------------------------------------- bad input


def test_missing_column_is_fatal_and_suggests_rename(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["products"] = tables["products"].rename(columns={"unit_price": "Unit Price"})
    report = data.validate(write_tables(tables, tmp_path / "d"))
    [problem] = report.fatal
    assert (problem.table, problem.column, problem.rule) == ("products", "unit_price", "missing column")
    assert "Rename column 'Unit Price'" in problem.hint
    with pytest.raises(DataValidationError) as info:
        data.load(tmp_path / "d")
    assert info.value.report.fatal == [problem]


def test_missing_required_table(tmp_path: Path) -> None:
    tables = tiny_tables()
    del tables["products"]
    report = data.validate(write_tables(tables, tmp_path / "d"))
    # one message for the one cause: orders.product_id is not reported again
    assert [(p.table, p.rule) for p in report.fatal] == [("products", "missing table")]
    assert "unit_price" in report.fatal[0].hint


def test_bad_dates_are_located(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["orders"].loc[1, "order_date"] = "2026-02-30"
    tables["orders"].loc[2, "order_date"] = "10/02/2025"
    tables["orders"].loc[3, "order_date"] = "soon"
    report = data.validate(write_tables(tables, tmp_path / "d"))
    found = {(p.row, p.value): p for p in problems_of(report, "date")}
    assert set(found) == {(3, "2026-02-30"), (4, "10/02/2025"), (5, "soon")}
    assert "No such date" in found[(3, "2026-02-30")].message
    assert "YYYY-MM-DD" in found[(4, "10/02/2025")].hint
    assert all(not p.fatal and p.file == "orders.csv" for p in found.values())


def test_comma_decimal_and_negative_price(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["products"].loc[0, "unit_price"] = "1.234,56"
    tables["products"].loc[1, "unit_cost"] = "-3"
    report = data.validate(write_tables(tables, tmp_path / "d"))
    by_col = {p.column: p for p in report.problems}
    assert by_col["unit_price"].rule == "number" and "dot" in by_col["unit_price"].hint
    assert by_col["unit_cost"].rule == "min" and by_col["unit_cost"].row == 3


def test_unknown_category_and_empty_required_cell(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["customers"].loc[0, "channel"] = "Kiosk"
    tables["customers"].loc[1, "name"] = ""
    report = data.validate(write_tables(tables, tmp_path / "d"))
    rules = sorted((p.row, p.column, p.rule) for p in report.problems)
    assert rules == [(2, "channel", "allowed values"), (3, "name", "required")]


def test_cross_column_rule(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["leads"].loc[0, "closed_date"] = "2024-12-01"
    report = data.validate(write_tables(tables, tmp_path / "d"))
    [problem] = report.problems
    assert problem.rule == "closed_date >= created_date" and problem.row == 2


def test_duplicate_primary_key_is_fatal(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["orders"].loc[1, "line_no"] = "1"  # O1/1 twice
    report = data.validate(write_tables(tables, tmp_path / "d"))
    dups = problems_of(report, "primary key")
    assert [p.row for p in dups] == [2, 3] and all(p.fatal for p in dups)
    assert dups[0].value == "O1 / 1"


def test_dangling_foreign_key_is_fatal(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["orders"].loc[2, "customer_id"] = "C99"
    report = data.validate(write_tables(tables, tmp_path / "d"))
    [problem] = problems_of(report, "foreign key")
    assert problem.fatal and problem.row == 4 and problem.value == "C99"
    assert "customers" in problem.message


def test_empty_required_table_is_fatal(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["orders"] = tables["orders"].iloc[0:0]
    report = data.validate(write_tables(tables, tmp_path / "d"))
    assert [p.rule for p in report.fatal] == ["empty table"]


def test_zero_byte_file_and_xlsx_named_csv(tmp_path: Path) -> None:
    path = write_tables(tiny_tables(), tmp_path / "d")
    (path / "leads.csv").write_bytes(b"")
    with pd.ExcelWriter(path / "products.csv", engine="openpyxl") as writer:
        tiny_tables()["products"].to_excel(writer, index=False)
    report = data.validate(path)
    messages = {p.file: p.message for p in report.fatal}
    assert "empty" in messages["leads.csv"]
    assert "Excel workbook" in messages["products.csv"]


def test_source_that_does_not_exist(tmp_path: Path) -> None:
    report = data.validate(tmp_path / "nope")
    assert report.unreadable and not report.ok
    with pytest.raises(DataSourceError, match="does not exist"):
        data.load(tmp_path / "nope")


def test_hostile_text_is_kept_verbatim(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["customers"].loc[0, "name"] = "<script>alert(1)</script>"
    tables["customers"].loc[1, "name"] = '=HYPERLINK("http://evil","x")'
    ds = data.load(write_tables(tables, tmp_path / "d"))
    assert ds.customers["name"].tolist()[:2] == ["<script>alert(1)</script>",
                                                '=HYPERLINK("http://evil","x")']


def test_row_problems_stop_load_unless_rejected(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["customers"].loc[2, "channel"] = "kiosk"  # C3, which has order O3
    path = write_tables(tables, tmp_path / "d")
    with pytest.raises(DataValidationError, match="on_bad_rows='reject'"):
        data.load(path)
    ds = data.load(path, on_bad_rows="reject")
    assert ds.customers["customer_id"].tolist() == ["C1", "C2"]
    # the order of the rejected customer goes with it, with its own reason
    assert "O3" not in set(ds.orders["order_id"])
    assert set(ds.rejected["rule"]) == {"allowed values", "rejected parent"}
    assert ds.rejected_rows["customers"]["row"].tolist() == [4]
    assert ds.rejected_rows["orders"]["order_id"].tolist() == ["O3"]
    assert ds.n_rejected == 2
    # nothing lost: kept + rejected = read
    assert len(ds.orders) + len(ds.rejected_rows["orders"]) == len(tables["orders"])


def test_bad_on_bad_rows_value(tiny_dir: Path) -> None:
    with pytest.raises(ParameterError, match="'on_bad_rows' parameter must be one of"):
        data.load(tiny_dir, on_bad_rows="drop")


def test_errors_are_one_family() -> None:
    assert issubclass(DataValidationError, SalesnbError)
    assert issubclass(DataValidationError, ValueError)
    assert issubclass(data.MissingTableError, SalesnbError)


# --------------------------------------------------------------------------- CLI


def test_cli_validate_exit_codes(tiny_dir: Path, tmp_path: Path, capsys) -> None:
    assert main(["validate", str(tiny_dir)]) == 0
    assert "OK" in capsys.readouterr().out
    tables = tiny_tables()
    tables["orders"].loc[0, "order_date"] = "2025-13-01"
    bad = write_tables(tables, tmp_path / "bad")
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "orders.csv, row 2, column 'order_date'" in out
    assert main(["validate", str(tmp_path / "missing")]) == 2


def test_docs_data_md_matches_the_schema() -> None:
    from salesnb.config import project_root
    from salesnb.schema import to_markdown

    text = (project_root() / "docs" / "DATA.md").read_text(encoding="utf-8")
    assert text == to_markdown(), "regenerate docs/DATA.md with salesnb.schema.to_markdown()"


def test_committed_sample_loads_cleanly() -> None:
    from salesnb.config import sample_dir

    report = data.validate(sample_dir())
    assert report.ok, report.to_text()
    ds = data.load("sample")
    assert ds.name == "Muebles Ejemplo S.A." and ds.currency == "EUR" and ds.country == "ES"
    assert set(ds.tables) == set(data.TABLES)
    assert ds.leads["foreign_investor"].sum() >= 800


def test_cache_gives_the_identical_dataset(tiny_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SALESNB_CACHE", str(tmp_path / "cache"))
    first = data.load(tiny_dir)
    assert len(list((tmp_path / "cache").glob("dataset-*.pkl"))) == 1
    second = data.load(tiny_dir)
    uncached = data.load(tiny_dir, cache=False)
    for name in first.tables:
        pd.testing.assert_frame_equal(second[name], first[name])
        pd.testing.assert_frame_equal(uncached[name], first[name])
    assert second.content_hash == first.content_hash
    # a change in the bytes is a different entry, never a stale hit
    path = tiny_dir / "orders.csv"
    path.write_text(path.read_text().replace("O4,1,2025-05-20", "O4,1,2025-05-21"))
    assert data.load(tiny_dir).orders["order_date"].max() == pd.Timestamp("2025-05-21")
    # reject mode is its own entry
    assert data.load(tiny_dir, on_bad_rows="reject").n_rejected == 0
    assert len(list((tmp_path / "cache").glob("dataset-*.pkl"))) == 3


def test_cache_of_another_format_is_never_unpickled(tiny_dir: Path, tmp_path: Path, monkeypatch) -> None:
    """The cache key carries the format version: bumping it (as the move to a package did) misses old entries."""
    import pickle

    from salesnb.data import loader

    monkeypatch.setenv("SALESNB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(loader, "CACHE_FORMAT", "old")
    old_entry = loader._cache_file(tiny_dir, "raise")
    old_entry.parent.mkdir(parents=True)
    old_entry.write_bytes(pickle.dumps({"an": "old-layout object"}))
    monkeypatch.undo()
    monkeypatch.setenv("SALESNB_CACHE", str(tmp_path / "cache"))
    new_entry = loader._cache_file(tiny_dir, "raise")
    assert new_entry != old_entry
    assert isinstance(data.load(tiny_dir), data.Dataset)
    # an entry that does not hold a Dataset is dropped and rebuilt, not returned
    new_entry.write_bytes(pickle.dumps({"an": "old-layout object"}))
    assert isinstance(data.load(tiny_dir), data.Dataset)
    assert isinstance(pickle.loads(new_entry.read_bytes()), data.Dataset)


def test_read_table_reads_one_table_like_load(tmp_path: Path) -> None:
    path = write_tables(tiny_tables(), tmp_path / "d", encoding="cp1252")
    tiny_tables()["reps"].to_csv(path / "reps.csv", sep=";", index=False, encoding="cp1252")
    reps = data.read_table(path, "reps")
    pd.testing.assert_frame_equal(reps, data.load(path).reps)
    assert reps.loc[0, "name"] == "Ana Peña"
    with pytest.raises(data.MissingTableError, match="no 'invoices' table"):
        data.read_table(path, "invoices")
    (path / "reps.csv").write_text("rep_id,name\nS1,Ana\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="hire_date"):
        data.read_table(path, "reps")


def test_employed_counts_hire_and_leave_days() -> None:
    reps = pd.DataFrame({"hire_date": pd.to_datetime(["2025-01-10", "2024-01-01", None]),
                         "leave_date": pd.to_datetime([None, "2025-01-31", None])})
    assert data.employed(reps, start="2025-01-10").tolist() == [True, True, True]
    assert data.employed(reps, start="2025-01-09").tolist() == [False, True, True]
    assert data.employed(reps, start="2025-01-31").tolist() == [True, True, True]  # last day worked
    assert data.employed(reps, start="2025-02-01").tolist() == [True, False, True]
    assert data.employed(reps, start="2024-06-01", end="2025-01-09").tolist() == [False, True, True]
