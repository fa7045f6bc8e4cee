"""SQL sources: DuckDB files and PostgreSQL, read into the same Dataset as the CSV folder.

The PostgreSQL tests run against a real throwaway server (``pg_server`` in conftest):
they skip outside CI when PostgreSQL is not installed, and fail in CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import tiny_duckdb

from salesnb import data
from salesnb.data.sql import safe_source, split_secret, write_tables
from salesnb.errors import DataSourceError, DataValidationError

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([PYTHON, "-m", "salesnb.cli", *args], capture_output=True, text=True, env=full_env,
                          check=False, timeout=300)


# ---------------------------------------------------------------------- credentials


def test_safe_source_masks_every_password() -> None:
    assert safe_source("postgresql://ana:s3cr@t@db.example.com:5432/erp?sslmode=require") == (
        "postgresql://ana:***@db.example.com:5432/erp?sslmode=require")
    assert safe_source("mssql+pyodbc://sa:pw@host/db?password=again&x=1") == "mssql+pyodbc://sa:***@host/db?password=***&x=1"
    assert safe_source("postgresql://ana@db/erp") == "postgresql://ana@db/erp"
    assert safe_source("duckdb:///tmp/x.duckdb") == "duckdb:///tmp/x.duckdb"
    assert safe_source(Path("/data/company")) == "/data/company"


def test_split_secret_takes_the_password_out() -> None:
    assert split_secret("postgresql://ana:p:w@db:5432/erp") == ("postgresql://ana@db:5432/erp", "p:w")
    assert split_secret("postgresql://ana@db/erp") == ("postgresql://ana@db/erp", None)


# ---------------------------------------------------------------------- DuckDB


def test_duckdb_gives_the_same_dataset_as_csv(tiny_dir: Path, tmp_path: Path) -> None:
    url = tiny_duckdb(tiny_dir, tmp_path)
    csv, db = data.load(tiny_dir, cache=False), data.load(url, cache=False)
    assert db.source == url and db.name == "Tiny" and db.currency == "EUR"
    for name, frame in csv.tables.items():
        pd.testing.assert_frame_equal(frame, db.tables[name])
    assert data.validate(url).ok
    assert data.content_hash(url) == db.content_hash
    assert data.load(url).content_hash == db.content_hash  # through the cache


def test_content_hash_is_of_the_data_read(tiny_dir: Path, tmp_path: Path) -> None:
    url = tiny_duckdb(tiny_dir, tmp_path)
    before = data.content_hash(url)
    assert data.content_hash(url) == before
    with duckdb.connect(str(tmp_path / "tiny.duckdb")) as conn:
        conn.execute("UPDATE orders SET quantity = 11 WHERE order_id = 'O1' AND line_no = 1")
    assert data.content_hash(url) != before
    assert data.load(url).tables["orders"]["quantity"].iloc[0] == 11  # the cache never hides new data


def test_a_bad_row_is_named_by_its_primary_key(tiny_dir: Path, tmp_path: Path) -> None:
    url = tiny_duckdb(tiny_dir, tmp_path, "ALTER TABLE orders ALTER quantity TYPE VARCHAR",
                   "UPDATE orders SET quantity = 'diez' WHERE order_id = 'O1' AND line_no = 2")
    [problem] = data.validate(url).problems
    assert (problem.table, problem.row, problem.column, problem.value) == (
        "orders", "order_id=O1 / line_no=2", "quantity", "diez")
    assert problem.file == "duckdb table orders"
    assert problem.to_text() == ("duckdb table orders, row order_id=O1 / line_no=2, column 'quantity': "
                                 "Expected a number; got 'diez'. Fix: Write a plain number, or leave the cell "
                                 "empty if it may be empty.")
    ds = data.load(url, on_bad_rows="reject", cache=False)
    assert ds.rejected_rows["orders"]["row"].tolist() == ["order_id=O1 / line_no=2"]
    assert ds.rejected["row"].tolist() == ["order_id=O1 / line_no=2"]


def test_wrong_column_type_is_reported_per_row(tiny_dir: Path, tmp_path: Path) -> None:
    url = tiny_duckdb(tiny_dir, tmp_path, "ALTER TABLE reps ALTER hire_date TYPE INTEGER USING 20240101")
    report = data.validate(url)
    assert {(p.row, p.column, p.rule) for p in report.problems} == {
        (f"rep_id={r}", "hire_date", "date") for r in ("S1", "S2", "S3")}


def test_missing_table_and_column_are_fatal(tiny_dir: Path, tmp_path: Path) -> None:
    url = tiny_duckdb(tiny_dir, tmp_path, "DROP TABLE products", "ALTER TABLE reps DROP COLUMN hire_date")
    report = data.validate(url)
    texts = [p.to_text() for p in report.fatal]
    assert texts[0] == ("duckdb table reps, column 'hire_date': The required column 'hire_date' is missing. "
                        "Fix: Add a 'hire_date' column (date).")
    missing = next(p for p in report.fatal if p.rule == "missing table")
    assert missing.hint.startswith("Create a table or view named 'products' with columns product_id")
    with pytest.raises(DataValidationError):
        data.load(url)
    done = _cli("validate", url)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Create a table or view named 'products'" in done.stdout


def test_dataset_toml_maps_tables_to_tables_and_queries(tiny_dir: Path, tmp_path: Path) -> None:
    url = tiny_duckdb(tiny_dir, tmp_path, "CREATE SCHEMA erp", "CREATE TABLE erp.staff AS SELECT * FROM reps",
                   "DROP TABLE reps", "CREATE TABLE erp.lines AS SELECT order_id AS ord, * EXCLUDE (order_id) "
                   "FROM orders", "DROP TABLE orders")
    folder = tmp_path / "company"
    folder.mkdir()
    (folder / "dataset.toml").write_text(
        f'name = "Mapped"\n[database]\nurl = "{url}"\n[database.tables]\nreps = "erp.staff"\n'
        'orders = "SELECT ord AS order_id, * EXCLUDE (ord) FROM erp.lines"\n', encoding="utf-8")
    ds = data.load(folder, cache=False)
    assert ds.name == "Mapped" and len(ds.orders) == 5 and len(ds.reps) == 3
    assert ds.report.files["orders"]["file"] == "duckdb query for orders"
    assert data.read_table(folder, "reps")["rep_id"].tolist() == ["S1", "S2", "S3"]


def test_tables_in_a_schema(tiny_dir: Path, tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/s.duckdb?schema=sales"
    csv = data.load(tiny_dir, cache=False)
    write_tables(url, csv.tables, csv.meta)
    assert len(data.load(url, cache=False).orders) == 5
    report = data.validate(f"duckdb:///{tmp_path}/s.duckdb")  # the default schema has no tables
    assert {p.table for p in report.fatal} >= {"orders", "reps"}


def test_unknown_driver_is_named(tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESNB_SQL_DRIVER", "odbc")
    with pytest.raises(DataSourceError, match=r"The database driver 'odbc' is not known\. Use one of adbc, "
                                              r"connectorx, duckdb, psycopg"):
        data.load("postgresql://ana@db.example.com/erp")


def test_missing_duckdb_file_is_a_clear_error(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/none.duckdb"
    with pytest.raises(DataSourceError, match=r"The DuckDB file .*none\.duckdb does not exist"):
        data.load(url)
    done = _cli("validate", url)
    assert done.returncode == 2 and "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "none.duckdb").exists()


def test_any_sqlalchemy_database_by_the_same_mechanism(tiny_dir: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/tiny.db"  # SQLite stands for SQL Server, MySQL, Oracle: no server to start
    csv = data.load(tiny_dir, cache=False)
    assert write_tables(url, csv.tables, csv.meta) == url
    db = data.load(url, cache=False)
    assert db.name == "Tiny" and db.report.files["orders"]["file"] == "sqlite table orders"
    for name, frame in csv.tables.items():
        kept = [c for c in frame.columns if frame[c].dtype != "boolean"]  # SQLite keeps booleans as 0/1
        pd.testing.assert_frame_equal(frame[kept], db.tables[name][kept])


def test_sample_to_duckdb_from_the_command_line(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/x.duckdb"
    done = _cli("sample", "--to", url, "--scale", "0.2")
    assert done.returncode == 0, done.stderr
    assert url in done.stdout
    assert data.validate(url).ok
    assert _cli("sample").returncode == 2


# ---------------------------------------------------------------------- PostgreSQL (a real server)


def test_csv_duckdb_and_postgresql_give_identical_tables(pg_sample: str, duck_sample: str) -> None:
    csv = data.load("sample", cache=False)
    duck = data.load(duck_sample, cache=False)
    pg = data.load(pg_sample, cache=False)
    for name, frame in csv.tables.items():
        pd.testing.assert_frame_equal(duck.tables[name], frame)
        pd.testing.assert_frame_equal(pg.tables[name], frame)
    assert (csv.name, csv.currency, csv.country) == (pg.name, pg.currency, pg.country)
    assert pg.content_hash == duck.content_hash
    assert "s3cret" not in str(pg.source) and pg.source == safe_source(pg_sample)


@pytest.mark.parametrize("driver", ["connectorx", "duckdb", "psycopg"])
def test_every_postgresql_driver_reads_the_same_data(pg_sample: str, driver: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    expected = data.content_hash(pg_sample)
    monkeypatch.setenv("SALESNB_SQL_DRIVER", driver)
    assert data.content_hash(pg_sample) == expected


def test_password_from_the_environment_or_pgpass(pg_sample: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    bare, secret = split_secret(pg_sample)
    monkeypatch.setenv("SALESNB_DB_PASSWORD", secret)
    assert len(data.read_table(bare, "reps")) == 25
    monkeypatch.delenv("SALESNB_DB_PASSWORD")
    host_port_db = bare.split("@", 1)[1]
    host, rest = host_port_db.split(":", 1)
    port, db = rest.split("/", 1)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{host}:{port}:{db}:salesnb:{secret}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert len(data.read_table(bare, "reps")) == 25


def test_wrong_password_is_a_clear_error_without_the_password(pg_sample: str) -> None:
    wrong = pg_sample.replace("s3cret-Pw.42", "Wr0ng-Secret")
    with pytest.raises(DataSourceError, match="refused the user name or password") as caught:
        data.load(wrong)
    assert "Wr0ng-Secret" not in str(caught.value) and "salesnb:***@" in str(caught.value)
    done = _cli("validate", wrong)
    assert done.returncode == 2
    assert "Wr0ng-Secret" not in done.stdout + done.stderr and "Traceback" not in done.stdout + done.stderr
    done = _cli("run", "00_data_check", "--data", wrong, "--no-progress", "--out", "/nonexistent-never-written")
    assert done.returncode == 2
    assert "Wr0ng-Secret" not in done.stdout + done.stderr and "Traceback" not in done.stdout + done.stderr


def test_unreachable_server_and_missing_database(pg_server) -> None:
    import pgserver

    closed = pgserver.free_port()
    url = pg_server.url("sample").replace(f":{pg_server.port}/", f":{closed}/")
    with pytest.raises(DataSourceError, match="cannot be reached"):
        data.load(url)
    with pytest.raises(DataSourceError, match="has no such database"):
        data.load(pg_server.url("no_such_db"))
    assert data.validate(url).unreadable


def test_missing_table_in_postgresql(pg_server) -> None:
    url = pg_server.create_database("empty")
    report = data.validate(url)
    assert {p.table for p in report.fatal} >= {"orders", "reps", "customers"}
    assert all(p.rule == "missing table" for p in report.fatal)
    assert report.fatal[0].file == "postgresql table regions"


def test_a_report_runs_against_postgresql_and_never_shows_the_password(pg_sample: str, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from salesnb.report import run_pack

    monkeypatch.delenv("SALESNB_DB_PASSWORD", raising=False)
    pack = run_pack(["00_data_check"], data=pg_sample, out=tmp_path, period_end="2026-10", lang="en",
                    jobs=1, timeout=240, progress=False)
    monkeypatch.delenv("SALESNB_DB_PASSWORD", raising=False)  # run_pack handed it to its workers this way
    assert pack.ok, [r.error for r in pack.results]
    secret = split_secret(pg_sample)[1]
    for file in pack.run_dir.rglob("*"):
        if file.is_file():
            assert secret not in file.read_text(encoding="utf-8", errors="replace"), file
    stamp = (pack.run_dir / "pack.json").read_text(encoding="utf-8")
    assert safe_source(split_secret(pg_sample)[0]) in stamp
