"""SQL sources: a DuckDB file or any SQLAlchemy database URL, read as the loader's raw tables.

A database source is named by a URL (``duckdb:///path/file.duckdb``,
``postgresql://user@host:5432/db``, any SQLAlchemy URL whose driver is installed),
or by a folder whose ``dataset.toml`` has a ``[database]`` table::

    [database]
    url = "postgresql://reader@erp.example.com/erp"   # no password here: environment or .pgpass
    schema = "sales"                                 # optional
    [database.tables]                                # optional: any contract table
    orders = "erp.v_order_lines"                     # a table or view
    reps = "SELECT id AS rep_id, ... FROM erp.staff" # or a query

Tables carry the contract's names by default (in ``schema`` when given, also as
``?schema=NAME`` on the URL). A ``dataset`` table of ``key, value`` rows gives the
metadata (name, currency, country), as the ``dataset`` sheet of a workbook does;
``dataset.toml``'s keys win. A table's rows come in the order stored (PostgreSQL is read
without parallel or synchronized scans, so a table written once reads back in the order
written: the sample from a database gives the same frames, row for row, as from its
CSV files); a query's rows in the order it gives (add ``ORDER BY`` for a fixed one). A
problem names its row by the primary key (``row order_id=O-1 / line_no=2``).

Credentials never leave this module: :func:`safe_source` is the only form of a URL
shown anywhere (reports, stamps, errors, logs), with the password masked; driver
messages are scrubbed of it too. A password comes from the URL, the environment
(``SALESNB_DB_PASSWORD``, or libpq's ``PGPASSWORD``) or the driver's own files
(``~/.pgpass``).

PostgreSQL is read with ADBC by default (``driver`` in ``[database]`` or the
``SALESNB_SQL_DRIVER`` variable pick ``adbc``, ``connectorx``, ``psycopg`` or
``duckdb``); ``benchmarks/bench_sql.py`` measured the choice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

import numpy as np
import pandas as pd

from salesnb.config import is_database_url
from salesnb.data.problems import ValidationReport, make_problem
from salesnb.data.reading import RawTable
from salesnb.errors import DataSourceError
from salesnb.schema import TABLE_ORDER, TABLES

__all__ = [
    "DRIVERS",
    "SqlSource",
    "data_hash",
    "database_of",
    "is_url",
    "read_database",
    "safe_source",
    "split_secret",
    "write_tables",
]

_SECRET_QUERY = re.compile(r"([?&](?:password|pwd|passwd)=)[^&#]*", re.IGNORECASE)
#: Readers of a PostgreSQL database, fastest first (``benchmarks/bench_sql.py``).
DRIVERS = ("adbc", "connectorx", "duckdb", "psycopg")
MASK = "***"


def is_url(source: object) -> bool:
    """Return whether ``source`` is a database URL (``scheme://...``) rather than a path."""
    return is_database_url(source)


def safe_source(source: object) -> str:
    """Return a source as it may be shown: a URL with its password masked, a path as it is.

    Parameters
    ----------
    source : str or Path
        A folder, workbook or database URL.

    Returns
    -------
    str
        ``postgresql://ana:***@db:5432/erp`` for ``postgresql://ana:secret@db:5432/erp``.
    """
    text = os.fspath(source) if isinstance(source, str | os.PathLike) else str(source)
    if not is_url(text):
        return text
    scheme, rest = text.split("://", 1)
    head, sep, tail = rest.rpartition("@")
    if sep and ":" in head:
        user = head.split(":", 1)[0]
        rest = f"{user}:{MASK}@{tail}"
    return _SECRET_QUERY.sub(rf"\g<1>{MASK}", f"{scheme}://{rest}")


def split_secret(url: str) -> tuple[str, str | None]:
    """Return ``url`` without its password, and the password (None when it has none).

    A runner passes the first to its workers and the second through the environment
    (``SALESNB_DB_PASSWORD``), so no notebook parameter ever holds a password.
    """
    scheme, rest = url.split("://", 1)
    head, sep, tail = rest.rpartition("@")
    if not sep or ":" not in head:
        return url, None
    user, password = head.split(":", 1)
    return f"{scheme}://{user}@{tail}", unquote(password)


@dataclass(frozen=True)
class SqlSource:
    """Where a database source's tables are: never shown as it is (see :attr:`shown`).

    Attributes
    ----------
    url : str
        The connection URL, with any password it carries.
    shown : str
        The URL with its password masked, for every text a user sees.
    kind : {"duckdb", "postgresql", "sqlalchemy"}
        How it is read.
    schema : str or None
        The schema holding the contract's tables.
    mapping : dict of str to str
        Contract table -> a table name or a ``SELECT`` query, from ``dataset.toml``.
    meta : dict
        The other keys of ``dataset.toml``.
    driver : str
        The PostgreSQL reader (one of :data:`DRIVERS`).
    """

    url: str
    shown: str
    kind: str
    schema: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    driver: str = "adbc"

    @property
    def password(self) -> str | None:
        """The password to scrub from driver messages (from the URL or the environment)."""
        return split_secret(self.url)[1] or os.environ.get("SALESNB_DB_PASSWORD") or os.environ.get("PGPASSWORD")

    def scrub(self, message: object) -> str:
        """Return a driver's message with the URL and password masked."""
        text = str(message).replace(self.url, self.shown)
        secret = self.password
        for form in {secret, quote(secret or "", safe="")} - {None, ""}:
            text = text.replace(form, MASK)
        return text


def _kind(url: str) -> str:
    scheme = url.split("://", 1)[0].lower()
    if scheme == "duckdb":
        return "duckdb"
    return "postgresql" if scheme.split("+")[0] in ("postgresql", "postgres") else "sqlalchemy"


def _pop_schema(url: str) -> tuple[str, str | None]:
    """Return ``url`` without a ``schema=`` query field, and that field."""
    base, _, query = url.partition("?")
    fields = parse_qsl(query, keep_blank_values=True)
    schema = next((v for k, v in fields if k == "schema"), None)
    if schema is None:
        return url, None
    rest = urlencode([(k, v) for k, v in fields if k != "schema"])
    return (f"{base}?{rest}" if rest else base), schema


def _with_password(url: str) -> str:
    """Return ``url`` with ``SALESNB_DB_PASSWORD`` as its password when it carries none."""
    secret = os.environ.get("SALESNB_DB_PASSWORD")
    if not secret or split_secret(url)[1] is not None or "@" not in url.split("://", 1)[1]:
        return url
    scheme, rest = url.split("://", 1)
    user, _, tail = rest.partition("@")
    return f"{scheme}://{user}:{quote(secret, safe='')}@{tail}"


def _source(url: str, *, schema: str | None = None, mapping: dict[str, str] | None = None,
            meta: dict[str, Any] | None = None, driver: str | None = None) -> SqlSource:
    url, url_schema = _pop_schema(url.strip())
    url = _with_password(url)
    chosen = (driver or os.environ.get("SALESNB_SQL_DRIVER") or DRIVERS[0]).lower()
    if chosen not in DRIVERS:
        raise DataSourceError.from_catalog("problems.error_sql_driver", value=repr(chosen),
                                           allowed=", ".join(DRIVERS))
    return SqlSource(url, safe_source(url), _kind(url), schema or url_schema, dict(mapping or {}),
                     dict(meta or {}), chosen)


def database_of(source: object) -> SqlSource | None:
    """Return the database a source names: a URL, or a folder whose ``dataset.toml`` has ``[database]``.

    Returns
    -------
    SqlSource or None
        None for a folder or workbook of files.
    """
    if is_url(source):
        return _source(str(source))
    if not isinstance(source, str | os.PathLike):
        return None
    toml = Path(source).expanduser() / "dataset.toml"
    if not toml.is_file():
        return None
    try:
        meta = tomllib.loads(toml.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None  # the folder reader reports it
    db = meta.pop("database", None)
    if not isinstance(db, dict) or not db.get("url"):
        return None
    tables = {str(k).lower(): str(v) for k, v in (db.get("tables") or {}).items()}
    return _source(str(db["url"]), schema=db.get("schema"), mapping=tables, meta=meta, driver=db.get("driver"))


# ---------------------------------------------------------------------- reading


class SqlRawTable(RawTable):
    """A table read from a database: a row is named by its primary key, not a spreadsheet row."""

    def row(self, idx: int) -> str:  # type: ignore[override]
        """Return ``order_id=O-1 / line_no=2`` for frame row ``idx``."""
        key = TABLES[self.table].primary_key
        values = self.frame.iloc[idx]
        return " / ".join(f"{c}={_shown(values.get(c))}" for c in key)

    def header_row(self) -> None:
        """Return None: a database table has no header row, so column problems name the column only."""
        return None


def _shown(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT or value is pd.NA:
        return "NULL"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _is_query(text: str) -> bool:
    return bool(re.match(r"^\s*(select|with|values|table)\b", text, re.IGNORECASE))


def _label(src: SqlSource, name: str, target: str) -> str:
    """Return the ``file`` of a database table's problems: ``postgresql table sales.orders``."""
    kind = src.kind if src.kind != "sqlalchemy" else src.url.split("://", 1)[0].split("+")[0]
    if _is_query(target):
        return f"{kind} query for {name}"
    return f"{kind} table {target}"


def _arrow_frame(table: Any) -> pd.DataFrame:
    """Return an Arrow table as pandas the way the CSV reader would type-check it (text as pyarrow strings)."""
    import pyarrow as pa

    columns = []
    for col in table.columns:
        if pa.types.is_decimal(col.type):
            col = col.cast(pa.float64())
        elif pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        columns.append(col)
    table = pa.table(columns, names=table.column_names)
    mapping = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow"),
               pa.bool_(): pd.BooleanDtype()}
    frame = table.to_pandas(types_mapper=mapping.get, date_as_object=False)
    return _plain_frame(frame)


def _plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Normalise a database frame as the Arrow readers give it, whatever the driver.

    Naive nanosecond datetimes (dates too), floats for decimals and for whole numbers
    with NULLs, nullable booleans, and text as pyarrow strings.
    """
    out = {}
    for name, col in frame.items():
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            if getattr(col.dtype, "tz", None) is not None:
                col = col.dt.tz_localize(None)
            col = col.astype("datetime64[ns]")
        elif col.dtype == bool:
            col = col.astype("boolean")
        elif col.dtype == object:
            col = _plain_objects(col)
        out[str(name)] = col
    return pd.DataFrame(out, index=frame.index)


def _plain_objects(col: pd.Series) -> pd.Series:
    """Type a column of Python objects (a DB-API driver's rows) as the Arrow readers would."""
    kind = pd.api.types.infer_dtype(col, skipna=True)
    if kind == "string":
        return col.astype(pd.StringDtype("pyarrow"))
    if kind == "boolean":
        return col.astype("boolean")
    if kind in ("decimal", "integer", "mixed-integer-float", "floating"):
        return pd.to_numeric(col, errors="coerce").astype("float64")
    if kind in ("date", "datetime", "datetime64"):
        return pd.to_datetime(col, errors="coerce").astype("datetime64[ns]")
    return col


class _Reader(ABC):
    """One open connection: list tables, run a query into a frame (one subclass per driver)."""

    def __init__(self, src: SqlSource) -> None:
        self.src = src
        self.conn: Any = None

    @abstractmethod
    def tables(self) -> dict[str, str]:
        """Return the tables and views of the schema by lower-case name -> name as stored."""

    @abstractmethod
    def frame(self, query: str) -> pd.DataFrame:
        """Run ``query``; return its rows."""

    def close(self) -> None:
        """Close the connection."""
        if self.conn is not None:
            self.conn.close()


def _schema_filter(schema: str | None) -> str:
    if schema is None:
        return "table_schema = current_schema()"
    return "table_schema = '" + schema.replace("'", "''") + "'"


class _DuckDBReader(_Reader):
    def __init__(self, src: SqlSource) -> None:
        import duckdb

        super().__init__(src)
        path = _duckdb_path(src.url)
        if not path.is_file():
            raise FileNotFoundError(str(path))
        self.conn = duckdb.connect(str(path), read_only=True)

    def tables(self) -> dict[str, str]:
        rows = self.conn.sql("SELECT table_name FROM information_schema.tables WHERE "
                             + _schema_filter(self.src.schema)).fetchall()
        return {str(r[0]).lower(): str(r[0]) for r in rows}

    def frame(self, query: str) -> pd.DataFrame:
        return _arrow_frame(self.conn.sql(query).to_arrow_table())


def _duckdb_path(url: str) -> Path:
    """Return the file of ``duckdb:///abs/file.duckdb`` (absolute) or ``duckdb://rel/file.duckdb``."""
    rest = url.split("://", 1)[1].split("?", 1)[0]
    if rest.startswith("/"):
        return Path("/" + rest.lstrip("/"))
    return Path(rest).expanduser().resolve()


class _PostgresReader(_Reader):
    """PostgreSQL through one of :data:`DRIVERS`."""

    def __init__(self, src: SqlSource) -> None:
        super().__init__(src)
        self.libpq = "postgresql://" + src.url.split("://", 1)[1]
        if src.driver == "adbc":
            import adbc_driver_postgresql.dbapi as adbc

            self.conn = adbc.connect(self.libpq)
            self._stored_order()
        elif src.driver == "duckdb":
            self.conn = _duckdb_attached(self.libpq)
        else:
            import psycopg

            self.conn = psycopg.connect(self.libpq)
            self.conn.read_only = True
            self._stored_order()

    def _stored_order(self) -> None:
        """Read a table in its stored order: no parallel workers, every scan from the first block."""
        with self.conn.cursor() as cur:
            cur.execute("SET max_parallel_workers_per_gather = 0")
            cur.execute("SET synchronize_seqscans = off")

    def tables(self) -> dict[str, str]:
        query = "SELECT table_name FROM information_schema.tables WHERE " + _schema_filter(self.src.schema)
        if self.src.driver == "duckdb":
            query = f"SELECT * FROM postgres_query('pg', {_sql_text(query)})"
        return {str(v).lower(): str(v) for v in self.frame(query).iloc[:, 0]}

    def frame(self, query: str) -> pd.DataFrame:
        if self.src.driver == "adbc":
            with self.conn.cursor() as cur:
                cur.execute(query)
                return _arrow_frame(cur.fetch_arrow_table())
        if self.src.driver == "connectorx":
            import connectorx as cx

            return _arrow_frame(cx.read_sql(self.libpq, query, return_type="arrow"))
        if self.src.driver == "duckdb":
            if not query.startswith("SELECT * FROM postgres_query"):
                query = f"SELECT * FROM postgres_query('pg', {_sql_text(query)})"
            return _arrow_frame(self.conn.sql(query).to_arrow_table())
        with self.conn.cursor() as cur:
            cur.execute(query)
            names = [d.name for d in cur.description]
            return _plain_frame(pd.DataFrame.from_records(cur.fetchall(), columns=names))


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _duckdb_attached(libpq: str) -> Any:
    """Return a DuckDB connection with the PostgreSQL database attached read-only as ``pg``."""
    import duckdb

    conn = duckdb.connect()
    try:
        import duckdb_extension_postgres_scanner as ext

        found = sorted(Path(ext.__file__).parent.glob("extensions/*/postgres_scanner.duckdb_extension"))
        conn.execute(f"LOAD '{found[-1]}'")
    except (ImportError, IndexError):
        conn.execute("LOAD postgres")
    conn.execute(f"ATTACH {_sql_text(libpq)} AS pg (TYPE postgres, READ_ONLY)")
    return conn


class _AlchemyReader(_Reader):
    """Any other SQLAlchemy database (SQL Server, MySQL, Oracle ...) through pandas."""

    def __init__(self, src: SqlSource) -> None:
        import sqlalchemy

        super().__init__(src)
        self.engine = sqlalchemy.create_engine(src.url)
        self.conn = self.engine.connect()

    def tables(self) -> dict[str, str]:
        import sqlalchemy

        inspector = sqlalchemy.inspect(self.conn)
        names = inspector.get_table_names(schema=self.src.schema) + inspector.get_view_names(schema=self.src.schema)
        return {n.lower(): n for n in names}

    def frame(self, query: str) -> pd.DataFrame:
        import sqlalchemy

        return _plain_frame(pd.read_sql(sqlalchemy.text(query), self.conn))

    def close(self) -> None:
        super().close()
        self.engine.dispose()


_READERS: dict[str, Callable[[SqlSource], _Reader]] = {
    "duckdb": _DuckDBReader, "postgresql": _PostgresReader, "sqlalchemy": _AlchemyReader,
}


def _failure_key(message: str) -> str:
    """Return the catalog key of a connection failure from the driver's message."""
    low = message.lower()
    if ("password" in low and ("authentication" in low or "no password" in low)) or "access denied" in low:
        return "db_auth"
    if ("does not exist" in low and "database" in low) or "unknown database" in low:
        return "db_no_database"
    if any(s in low for s in ("refused", "could not translate", "timeout", "timed out", "unreachable",
                              "name or service", "no route", "could not connect", "connection to server")):
        return "db_unreachable"
    return "db_connect"


@contextmanager
def _connected(src: SqlSource, report: ValidationReport) -> Iterator[_Reader | None]:
    """Open a reader; None (a fatal problem on ``report``, ``report.unreadable``) when that fails."""
    try:
        reader = _READERS[src.kind](src)
    except FileNotFoundError:
        report.unreadable = True
        report.problems.append(make_problem("", src.shown, None, None, None, "source", key="db_no_file",
                                            fatal=True, source=src.shown))
        yield None
        return
    except ImportError as exc:
        report.unreadable = True
        report.problems.append(make_problem("", src.shown, None, None, None, "source", key="db_no_driver",
                                            fatal=True, source=src.shown, error=src.scrub(exc)))
        yield None
        return
    except Exception as exc:  # every driver has its own error classes
        key = _failure_key(str(exc))
        report.unreadable = True
        report.problems.append(make_problem("", src.shown, None, None, None, "source", key=key, fatal=True,
                                            source=src.shown, error=_first_line(src.scrub(exc))))
        yield None
        return
    try:
        yield reader
    finally:
        reader.close()


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else text


def _target(src: SqlSource, name: str, present: dict[str, str]) -> str | None:
    """Return the table or query that holds contract table ``name``; None when the database has none."""
    mapped = src.mapping.get(name)
    if mapped is not None:
        return mapped
    stored = present.get(name)
    if stored is None:
        return None
    return f"{src.schema}.{stored}" if src.schema else stored


def _query(target: str) -> str:
    if _is_query(target):
        return target
    return "SELECT * FROM " + ".".join(_quote(p) for p in target.split("."))


def _read_one(reader: _Reader, src: SqlSource, name: str, target: str, report: ValidationReport) -> RawTable | None:
    """Read one table; None (and a fatal problem) when the database refuses the query."""
    label = _label(src, name, target)
    try:
        frame = reader.frame(_query(target))
    except Exception as exc:  # every driver has its own error classes
        report.problems.append(make_problem(name, label, None, None, None, "file", key="db_query", fatal=True,
                                            table=name, error=_first_line(src.scrub(exc))))
        return None
    return SqlRawTable(name, label, frame.reset_index(drop=True), src.kind)


def _meta(reader: _Reader, src: SqlSource, present: dict[str, str]) -> dict[str, Any]:
    """Return the ``dataset`` table's ``key, value`` rows, then ``dataset.toml``'s keys over them."""
    meta: dict[str, Any] = {}
    if "dataset" in present:
        stored = present["dataset"]
        frame = reader.frame(_query(f"{src.schema}.{stored}" if src.schema else stored))
        if frame.shape[1] >= 2:
            for key, value in zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True):
                if isinstance(key, str) and key.strip():
                    meta[key.strip()] = value
    return {**meta, **src.meta}


def read_database(src: SqlSource, report: ValidationReport, *, only: str | None = None
                  ) -> tuple[dict[str, RawTable], dict[str, Any], dict[str, str]]:
    """Read a database source's contract tables as raw tables.

    Parameters
    ----------
    src : SqlSource
        From :func:`database_of`.
    report : ValidationReport
        Connection failures (``report.unreadable``) and refused queries are added here.
    only : str, optional
        Read this table alone (and no metadata).

    Returns
    -------
    tables : dict of str to RawTable
        The tables read, by contract name, rows in the order the database gives them.
    meta : dict
        The ``dataset`` table's keys, with ``dataset.toml``'s over them.
    labels : dict of str to str
        Where each contract table was looked for, for the problems of missing tables.
    """
    raws: dict[str, RawTable] = {}
    labels: dict[str, str] = {}
    meta: dict[str, Any] = {}
    with _connected(src, report) as reader:
        if reader is None:
            return raws, meta, labels
        present = reader.tables()
        for name in [only] if only else TABLE_ORDER:
            target = _target(src, name, present)
            labels[name] = _label(src, name, target or (f"{src.schema}.{name}" if src.schema else name))
            raw = None if target is None else _read_one(reader, src, name, target, report)
            if raw is not None:
                raws[name] = raw
        if only is None:
            meta = _meta(reader, src, present)
    return raws, meta, labels


def data_hash(raws: dict[str, RawTable], meta: dict[str, Any]) -> str:
    """Return the sha256 of the data read (table names, columns, dtypes, values) and the metadata.

    The same rows give the same digest whatever database or driver they came from,
    so the cache and the report stamp behave as for files.
    """
    digest = hashlib.sha256()
    for name in sorted(raws):
        frame = raws[name].frame
        digest.update(f"{name}\0{list(frame.columns)}\0{[str(t) for t in frame.dtypes]}\0".encode())
        if len(frame):
            digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    digest.update(json.dumps(meta, sort_keys=True, default=str).encode())
    return digest.hexdigest()


# ---------------------------------------------------------------------- writing


def _arrow_of(frame: pd.DataFrame, dates: set[str]) -> Any:
    """Return ``frame`` as an Arrow table with ``dates`` (and midnight-only datetimes) as DATE."""
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, name in enumerate(table.column_names):
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            midnight = col.dropna().dt.normalize().eq(col.dropna()).all()
            if name in dates or midnight:
                table = table.set_column(i, name, table.column(i).cast(pa.date32()))
        elif pa.types.is_large_string(table.column(i).type):
            table = table.set_column(i, name, table.column(i).cast(pa.string()))
    return table


def write_tables(url: str, tables: dict[str, pd.DataFrame], meta: dict[str, Any]) -> str:
    """Write typed tables (and a ``dataset`` table of ``meta``) into a database, replacing them.

    Parameters
    ----------
    url : str
        ``duckdb:///path/file.duckdb`` (created when missing), a PostgreSQL URL, or any
        SQLAlchemy URL.
    tables : dict of str to DataFrame
        Typed frames by contract name (a :class:`~salesnb.data.Dataset`'s ``tables``).
    meta : dict
        Written as the ``dataset`` table's ``key, value`` rows.

    Returns
    -------
    str
        The URL as it may be shown (:func:`safe_source`).
    """
    src = _source(url)
    arrow = {name: _arrow_of(frame, {c.name for c in TABLES[name].columns if c.dtype == "date"})
             for name, frame in tables.items()}
    arrow["dataset"] = _arrow_of(pd.DataFrame({"key": [str(k) for k in meta],
                                               "value": [str(v) for v in meta.values()]}), set())
    try:
        _WRITERS[src.kind](src, arrow)
    except Exception as exc:  # every driver has its own error classes
        raise DataSourceError.from_catalog("problems.error_db_write", source=src.shown,
                                           error=_first_line(src.scrub(exc))) from None
    return src.shown


def _qualified(src: SqlSource, name: str) -> str:
    return f"{_quote(src.schema)}.{_quote(name)}" if src.schema else _quote(name)


def _write_duckdb(src: SqlSource, arrow: dict[str, Any]) -> None:
    import duckdb

    path = _duckdb_path(src.url)
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as conn:
        if src.schema:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(src.schema)}")
        for name, table in arrow.items():
            conn.register("_salesnb_in", table)
            conn.execute(f"CREATE OR REPLACE TABLE {_qualified(src, name)} AS SELECT * FROM _salesnb_in")
            conn.unregister("_salesnb_in")


def _write_postgres(src: SqlSource, arrow: dict[str, Any]) -> None:
    """Replace the tables (a view that depends on one stops the write: nothing of the company's is dropped)."""
    import adbc_driver_postgresql.dbapi as adbc

    with adbc.connect("postgresql://" + src.url.split("://", 1)[1]) as conn, conn.cursor() as cur:
        if src.schema:
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(src.schema)}")
        for name, table in arrow.items():
            cur.execute(f"DROP TABLE IF EXISTS {_qualified(src, name)}")
            cur.adbc_ingest(name, table, mode="create", db_schema_name=src.schema)
        conn.commit()


def _write_alchemy(src: SqlSource, arrow: dict[str, Any]) -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(src.url)
    try:
        with engine.begin() as conn:
            for name, table in arrow.items():
                table.to_pandas().to_sql(name, conn, if_exists="replace", index=False)
    finally:
        engine.dispose()


_WRITERS: dict[str, Callable[[SqlSource, dict[str, Any]], None]] = {
    "duckdb": _write_duckdb, "postgresql": _write_postgres, "sqlalchemy": _write_alchemy,
}
