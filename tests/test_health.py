"""Data-health functions on the tiny dataset."""

from __future__ import annotations

from pathlib import Path

from conftest import tiny_tables, write_tables

from salesnb import data, health, i18n


def test_overview_and_history(tiny_dir: Path) -> None:
    ds = data.load(tiny_dir)
    over = health.overview(ds).set_index("table")
    assert over.loc["orders", "rows"] == 5 and over.loc["orders", "file"] == "orders.csv"
    assert health.history_months(ds) == 5  # Jan..May 2025


def test_rejected_summary_groups_rows(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["orders"].loc[0, "order_date"] = "bad"
    tables["orders"].loc[2, "order_date"] = "worse"
    ds = data.load(write_tables(tables, tmp_path / "d"), on_bad_rows="reject")
    summary = health.rejected_summary(ds)
    assert summary[["table", "column", "rule", "rows"]].values.tolist() == [
        ["orders", "order_date", "date", 2]]
    assert summary.loc[0, "example_row"] == 2


def test_duplicates_by_name_and_phone(tmp_path: Path) -> None:
    tables = tiny_tables()
    leads = tables["leads"]
    leads.loc[len(leads)] = ["L4", "HOGAR NORTE SL", "", "0034-912-345-678", "", "store", "P1", "",
                             "2025-05-01", "open", "", "", "", "", "false"]
    leads.loc[len(leads)] = ["L5", "Muebles Pena", "", "", "", "store", "P1", "", "2025-05-01",
                             "open", "", "", "", "", "false"]
    ds = data.load(write_tables(tables, tmp_path / "d"))
    dups = health.duplicates(ds)
    # the open lead is the master of its group; L5 already is customer C1
    assert dups[["record_id", "duplicate_of"]].values.tolist() == [["L1", "leads L4"], ["L5", "customers C1"]]


def test_orphans_unassigned_coverage(tiny_dir: Path) -> None:
    ds = data.load(tiny_dir)
    orphans = health.orphans(ds).set_index("check")["count"].to_dict()
    assert orphans == {"customers_never_ordered": 0, "products_never_sold": 0,
                       "active_reps_without_customers": 1, "customers_of_reps_who_left": 0}
    assert health.unassigned(ds).values.tolist() == [["leads", "store", 1]]
    i18n.set_language("en")
    cov = health.coverage(ds).set_index("analysis")
    assert cov.loc["market", "status"] == "missing"  # 5 months < 13
    assert cov.loc["review", "status"] == "limited"
    assert "activities" in cov.loc["review", "reason"]
    assert len(health.headline(ds)) == 6
    assert health.headline(ds, duplicate_rows=health.duplicates(ds)) == health.headline(ds)
    assert health.monthly_rows(ds).loc["orders"].tolist() == [2, 1, 0, 0, 2]
