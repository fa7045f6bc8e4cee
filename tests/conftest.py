"""Shared fixtures: a tiny, hand-written dataset that satisfies the contract.

The tables are small enough to compute every expected figure by hand; tests that
need a broken dataset start from :func:`tiny_tables` and change one thing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


def tiny_tables() -> dict[str, pd.DataFrame]:
    """A minimal valid dataset as DataFrames of strings (as a CSV would hold them)."""
    t = {
        "regions": [
            ["region_id", "name", "parent_id", "level", "population", "gdp_per_capita", "households"],
            ["R1", "Andalucía", "", "region", "3000", "21000.5", "1200"],
            ["P1", "Cádiz", "R1", "province", "1000", "20000", "400"],
            ["P2", "Sevilla", "R1", "province", "2000", "22000", "800"],
        ],
        "reps": [
            ["rep_id", "name", "region_id", "hire_date", "leave_date", "weekly_capacity"],
            ["S1", "Ana Peña", "R1", "2024-01-01", "", "20"],
            ["S2", "Luis Gómez", "R1", "2025-03-15", "", "10"],
            ["S3", "Marta Ruiz", "R1", "2024-01-01", "2025-06-30", "15"],
        ],
        "customers": [
            ["customer_id", "name", "channel", "region_id", "rep_id", "created_date"],
            ["C1", "Muebles Peña S.L.", "store", "P1", "S1", "2024-01-10"],
            ["C2", "Distribuciones Sur S.A.", "distributor", "P2", "S1", "2024-02-01"],
            ["C3", "Centro Comercial Bahía", "mall", "P1", "S2", "2025-04-01"],
        ],
        "products": [
            ["product_id", "name", "category", "unit_price", "unit_cost", "launch_date"],
            ["A", "Silla Oficina", "Oficina", "100", "60", "2023-01-01"],
            ["B", "Sofá Tres Plazas", "Sofás", "500", "300", "2023-01-01"],
        ],
        "orders": [
            ["order_id", "line_no", "order_date", "customer_id", "rep_id", "product_id",
             "quantity", "unit_price", "discount", "net_amount"],
            ["O1", "1", "2025-01-15", "C1", "S1", "A", "10", "100", "0", "1000"],
            ["O1", "2", "2025-01-15", "C1", "S1", "B", "2", "500", "0.1", "900"],
            ["O2", "1", "2025-02-10", "C2", "S1", "A", "5", "100", "0", "500"],
            ["O3", "1", "2025-05-05", "C3", "S2", "B", "1", "500", "0", "500"],
            ["O4", "1", "2025-05-20", "C1", "S1", "A", "-1", "100", "0", "-100"],
        ],
        "leads": [
            ["lead_id", "company", "contact_name", "phone", "email", "channel", "region_id",
             "source", "created_date", "status", "closed_date", "lost_reason", "rep_id",
             "est_investment", "foreign_investor"],
            ["L1", "Hogar Norte S.L.", "Eva Díaz", "+34 912 345 678", "eva@hogar.es", "store", "P1",
             "trade fair", "2025-01-02", "won", "2025-02-01", "", "S1", "50000", "false"],
            ["L2", "Mall Centro", "", "", "", "mall", "P2", "website", "2025-01-05", "lost",
             "2025-03-01", "price", "S1", "", "true"],
            ["L3", "Casa Bonita", "Juan Sol", "954000111", "", "store", "P2", "referral",
             "2025-04-01", "open", "", "", "", "12000", "false"],
        ],
    }
    return {name: pd.DataFrame(rows[1:], columns=rows[0]) for name, rows in t.items()}


def write_tables(tables: dict[str, pd.DataFrame], path: Path, *, encoding: str = "utf-8",
                 meta: str | None = 'name = "Tiny"\ncurrency = "EUR"\ncountry = "ES"\n') -> Path:
    """Write frames as CSV files (one per table) and a dataset.toml into ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(path / f"{name}.csv", index=False, encoding=encoding, lineterminator="\n")
    if meta is not None:
        (path / "dataset.toml").write_text(meta, encoding="utf-8")
    return path


def tiny_duckdb(tiny_dir: Path, folder: Path, *statements: str) -> str:
    """Write the tiny dataset into ``folder/tiny.duckdb``, run ``statements`` on it; return its URL."""
    import duckdb

    from salesnb import data
    from salesnb.data.sql import write_tables as write_database_tables

    folder.mkdir(parents=True, exist_ok=True)
    url = f"duckdb:///{folder}/tiny.duckdb"
    ds = data.load(tiny_dir, cache=False)
    write_database_tables(url, ds.tables, ds.meta)
    with duckdb.connect(str(folder / "tiny.duckdb")) as conn:
        for sql in statements:
            conn.execute(sql)
    return url


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A folder holding the tiny valid dataset."""
    return write_tables(tiny_tables(), tmp_path / "tiny")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the dataset cache of the test run out of the user's home."""
    import os

    os.environ["SALESNB_CACHE"] = str(tmp_path_factory.mktemp("salesnb-cache"))


@pytest.fixture(scope="session")
def english_pack(tmp_path_factory: pytest.TempPathFactory):
    """The full report pack of the sample company in English, with per-rep pages."""
    from salesnb.report import run_pack

    out = tmp_path_factory.mktemp("packs-en")
    return run_pack(None, data="sample", out=out, period_end="2026-10", lang="en", per_rep=True,
                    jobs=2, timeout=120, progress=False)


@pytest.fixture(scope="session")
def spanish_pack(tmp_path_factory: pytest.TempPathFactory):
    """The team report pack of the sample company in Spanish."""
    from salesnb.report import run_pack

    out = tmp_path_factory.mktemp("packs-es")
    return run_pack(None, data="sample", out=out, period_end="2026-10", lang="es", per_rep=False,
                    jobs=2, timeout=120, progress=False)


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL server on 127.0.0.1 (``tests/pgserver.py``), stopped after the session.

    Outside CI the tests that need it skip, saying why, when PostgreSQL is not
    installed; in CI (``CI`` set) that fails the run, saying how to install it.
    """
    import os
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    import pgserver

    if pgserver.find_bin() is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs a PostgreSQL server for the SQL tests. {pgserver.INSTALL_HINT}.")
        pytest.skip(f"no PostgreSQL server to test against. {pgserver.INSTALL_HINT}.")
    server = pgserver.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_sample(pg_server) -> str:
    """The URL (password included) of a PostgreSQL database holding the sample company."""
    from salesnb.config import sample_dir
    from salesnb.sample.write import write_database

    url = pg_server.create_database("sample")
    write_database(sample_dir(), url)
    return url


@pytest.fixture(scope="session")
def duck_sample(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a DuckDB file holding the sample company."""
    from salesnb.config import sample_dir
    from salesnb.sample.write import write_database

    url = f"duckdb:///{tmp_path_factory.mktemp('duck')}/sample.duckdb"
    write_database(sample_dir(), url)
    return url


#: Fixtures that build a whole report pack, start a database server, a Dask cluster or JupyterLab:
#: a test using one is slow (``make test-fast`` leaves it out).
PACK_FIXTURES = frozenset({"english_pack", "spanish_pack", "pack", "packs", "pg_server", "pg_sample",
                           "jupyterlab", "browser"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``slow`` every test that needs a report pack, wherever it is written."""
    for item in items:
        if PACK_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
