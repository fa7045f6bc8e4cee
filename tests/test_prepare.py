"""The pack checks its data once, before any report starts (salesnb.report._prepare)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from salesnb.data import load
from salesnb.report._prepare import prepare_data
from tests.conftest import tiny_tables, write_tables


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty dataset cache of this test alone."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("SALESNB_CACHE", str(cache))
    return cache


def test_prepare_fills_the_cache_every_report_then_loads_from(tiny_dir: Path, own_cache: Path) -> None:
    seconds = prepare_data(tiny_dir)
    assert isinstance(seconds, float) and seconds > 0
    entries = sorted(own_cache.glob("dataset-*.pkl"))
    assert len(entries) == 2  # one per on_bad_rows: the data has no bad rows
    stamps = {entry: entry.stat().st_mtime_ns for entry in entries}
    time.sleep(0.01)
    fresh = load(tiny_dir, cache=False)
    cached = load(tiny_dir, on_bad_rows="reject")
    assert {entry: entry.stat().st_mtime_ns for entry in entries} == stamps  # read, not written again
    for name in ("orders", "customers", "reps"):
        assert getattr(cached, name).equals(getattr(fresh, name))


def test_prepare_of_bad_data_caches_only_what_a_load_would_give(tmp_path: Path, own_cache: Path) -> None:
    tables = tiny_tables()
    tables["orders"].loc[0, "quantity"] = "many"  # a row problem: "raise" loads would stop
    folder = write_tables(tables, tmp_path / "bad")
    assert prepare_data(folder) is not None
    assert len(list(own_cache.glob("dataset-*.pkl"))) == 1  # the "reject" load only


@pytest.mark.parametrize("source, scheduler", [
    ("duckdb:///nowhere.duckdb", None),  # a database is pinned instead (test_sql_snapshot.py)
    ("/no/such/folder", None),
    ("TINY", "tcp://10.0.0.1:8786"),  # remote workers have caches of their own
])
def test_prepare_leaves_to_the_reports_what_it_cannot_cache_here(tiny_dir: Path, own_cache: Path, source: str,
                                                                  scheduler: str | None) -> None:
    source = str(tiny_dir) if source == "TINY" else source
    assert prepare_data(source, scheduler=scheduler) is None
    assert not list(own_cache.glob("dataset-*.pkl"))


def test_prepare_for_a_local_cluster_fills_this_machines_cache(tiny_dir: Path, own_cache: Path) -> None:
    assert prepare_data(tiny_dir, scheduler="local:2") is not None
    assert list(own_cache.glob("dataset-*.pkl"))
