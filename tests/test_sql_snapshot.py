"""One pack reads its database once: the pin of a snapshot (salesnb.data.loader.pin_database).

The pack's prepare step reads, checks and caches a database source and pins that
snapshot in ``SALESNB_DATA_SNAPSHOT``; the loads of exactly that source then read the
cached dataset without querying the database. The PostgreSQL tests run against a real
throwaway server (``pg_server`` in conftest).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import tiny_duckdb

from salesnb import data
from salesnb.data.loader import SNAPSHOT_ENV, pin_database
from salesnb.data.sql import split_secret
from salesnb.errors import DataSourceError, DataValidationError
from salesnb.report._prepare import pinned_database, prepare_data


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty dataset cache of this test alone, and no pin."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("SALESNB_CACHE", str(cache))
    monkeypatch.delenv(SNAPSHOT_ENV, raising=False)
    return cache


def _assert_same(one: data.Dataset, other: data.Dataset) -> None:
    assert one.content_hash == other.content_hash and one.source == other.source
    assert sorted(one.tables) == sorted(other.tables)
    for name, frame in one.tables.items():
        pd.testing.assert_frame_equal(frame, other.tables[name])
    pd.testing.assert_frame_equal(one.rejected, other.rejected)


def test_a_pinned_load_is_the_load_and_never_queries_the_database(tiny_dir: Path, tmp_path: Path, own_cache: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    url = tiny_duckdb(tiny_dir, tmp_path / "db")
    straight = data.load(url, on_bad_rows="reject", cache=False)
    pin = pin_database(url)
    assert pin is not None and pin.split(":")[1] == straight.content_hash
    entries = {entry: entry.stat().st_mtime_ns for entry in own_cache.glob("dataset-*.pkl")}
    assert len(entries) == 2  # one per on_bad_rows: no bad rows
    assert pin_database(url) == pin  # the next pack of the same data: read and hashed, the entries kept
    assert {entry: entry.stat().st_mtime_ns for entry in own_cache.glob("dataset-*.pkl")} == entries
    (tmp_path / "db" / "tiny.duckdb").rename(tmp_path / "elsewhere.duckdb")  # a query would now fail
    with pytest.raises(DataSourceError):
        data.load(url)
    monkeypatch.setenv(SNAPSHOT_ENV, pin)
    for mode in ("reject", "raise"):
        _assert_same(data.load(url, on_bad_rows=mode), straight)
    assert data.validate(url).ok
    assert data.content_hash(url) == straight.content_hash


def test_every_load_of_a_pinned_pack_sees_one_snapshot(tiny_dir: Path, tmp_path: Path, own_cache: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    url = tiny_duckdb(tiny_dir, tmp_path / "db")
    monkeypatch.setenv(SNAPSHOT_ENV, str(pin_database(url)))
    with duckdb.connect(str(tmp_path / "db" / "tiny.duckdb")) as conn:  # the company books an order meanwhile
        conn.execute("UPDATE orders SET quantity = 11 WHERE order_id = 'O1' AND line_no = 1")
    assert data.load(url).orders["quantity"].iloc[0] != 11
    assert data.load(url, cache=False).orders["quantity"].iloc[0] == 11  # no cache: no pin
    monkeypatch.delenv(SNAPSHOT_ENV)
    assert data.load(url).orders["quantity"].iloc[0] == 11  # the next pack reads the new data


def test_a_pin_holds_for_its_own_source_only(tiny_dir: Path, tmp_path: Path, own_cache: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    one = tiny_duckdb(tiny_dir, tmp_path / "one")
    other = tiny_duckdb(tiny_dir, tmp_path / "other",
                        "UPDATE orders SET quantity = 12 WHERE order_id = 'O1' AND line_no = 1")
    monkeypatch.setenv(SNAPSHOT_ENV, str(pin_database(one)))
    assert data.load(other).orders["quantity"].iloc[0] == 12
    assert data.load(f"{other}?schema=main").orders["quantity"].iloc[0] == 12
    monkeypatch.setenv(SNAPSHOT_ENV, "0" * 32 + ":" + "f" * 64)  # a pin of nothing: the database is read
    assert data.load(one).orders["quantity"].iloc[0] != 12


def test_a_pinned_snapshot_whose_entry_is_gone_is_read_again(tiny_dir: Path, tmp_path: Path, own_cache: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    url = tiny_duckdb(tiny_dir, tmp_path / "db")
    monkeypatch.setenv(SNAPSHOT_ENV, str(pin_database(url)))
    for entry in own_cache.glob("dataset-*.pkl"):
        entry.unlink()
    _assert_same(data.load(url), data.load(url, cache=False))


def test_a_database_with_bad_rows_is_pinned_for_the_loads_that_would_not_raise(
        tiny_dir: Path, tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = tiny_duckdb(tiny_dir, tmp_path / "db", "ALTER TABLE orders ALTER quantity TYPE VARCHAR",
                "UPDATE orders SET quantity = 'diez' WHERE order_id = 'O1' AND line_no = 2")
    pin = pin_database(url)
    assert pin is not None and len(list(own_cache.glob("dataset-*.pkl"))) == 1  # the "reject" load only
    monkeypatch.setenv(SNAPSHOT_ENV, pin)
    _assert_same(data.load(url, on_bad_rows="reject"), data.load(url, on_bad_rows="reject", cache=False))
    with pytest.raises(DataValidationError):
        data.load(url)
    assert [p.row for p in data.validate(url).problems] == ["order_id=O1 / line_no=2"]


def test_an_unusable_or_missing_database_is_left_to_the_reports(tiny_dir: Path, tmp_path: Path,
                                                                own_cache: Path) -> None:
    url = tiny_duckdb(tiny_dir, tmp_path / "db", "DROP TABLE reps")
    assert pin_database(url) is not None  # read and hashed: nothing a load could take is cached
    assert not list(own_cache.glob("dataset-*.pkl"))
    assert pin_database(f"duckdb:///{tmp_path}/nowhere.duckdb") is None
    assert pin_database(tiny_dir) is None  # files are not pinned: their content hash is cheap


def test_the_pack_step_pins_for_the_pack_and_lets_go_after(tiny_dir: Path, tmp_path: Path, own_cache: Path) -> None:
    url = tiny_duckdb(tiny_dir, tmp_path / "db")
    assert prepare_data(url) is None  # a database is pinned, not prepared
    with pinned_database(url, scheduler="tcp://10.0.0.1:8786") as seconds:  # remote workers: no shared cache
        assert seconds is None and SNAPSHOT_ENV not in os.environ
    with pinned_database(tiny_dir) as seconds:
        assert seconds is None and SNAPSHOT_ENV not in os.environ
    with pinned_database(url, scheduler="local:2") as seconds:
        assert isinstance(seconds, float)
        assert os.environ[SNAPSHOT_ENV].split(":")[1] == data.load(url, cache=False).content_hash
    assert SNAPSHOT_ENV not in os.environ


def test_a_pack_from_postgresql_reads_the_database_once(pg_sample: str, tmp_path: Path, own_cache: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from salesnb.report import run_pack

    def scans() -> int:  # sequential scans of the order lines: one per read of the table
        import psycopg

        with psycopg.connect(pg_sample, autocommit=True) as conn:
            conn.execute("SELECT pg_stat_force_next_flush()")
            conn.execute("SELECT pg_stat_clear_snapshot()")
            return int(conn.execute("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'orders'")
                       .fetchone()[0])

    monkeypatch.delenv("SALESNB_DB_PASSWORD", raising=False)
    before = scans()
    pack = run_pack(["00_data_check", "01_market_analysis"], data=pg_sample, out=tmp_path / "out",
                    period_end="2026-10", lang="en", jobs=2, timeout=240, progress=False)
    monkeypatch.delenv("SALESNB_DB_PASSWORD", raising=False)  # run_pack handed it to its workers this way
    assert pack.ok, [r.error for r in pack.results]
    assert scans() - before == 1  # the prepare step's read; the stamp and both reports took the snapshot
    assert SNAPSHOT_ENV not in os.environ
    secret = split_secret(pg_sample)[1]
    for folder in (pack.run_dir, own_cache):
        for file in folder.rglob("*"):
            if file.is_file():
                assert secret.encode() not in file.read_bytes(), file


def test_a_report_kernel_keeps_a_database_dataset_for_its_next_page(tiny_dir: Path, tmp_path: Path, own_cache: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from salesnb.config import KEEP_DATA_ENV
    from salesnb.data import kept

    url = tiny_duckdb(tiny_dir, tmp_path / "db")
    monkeypatch.setenv(SNAPSHOT_ENV, pin_database(url))
    monkeypatch.setenv(KEEP_DATA_ENV, "1")
    kept.forget()
    try:
        first, second = data.load(url), data.load(url)
        assert all(second.tables[name] is frame for name, frame in first.tables.items())
        assert second.source == first.source and "tiny.duckdb" in str(second.source)
        monkeypatch.delenv(SNAPSHOT_ENV)  # unpinned (a remote cluster): read and hashed, then the kept frames
        third = data.load(url)
        assert all(third.tables[name] is frame for name, frame in first.tables.items())
    finally:
        kept.forget()
