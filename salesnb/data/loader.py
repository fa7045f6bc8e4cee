"""Load, validate and cache a dataset: the entry points of :mod:`salesnb.data`.

:func:`validate` reads everything it can and returns a
:class:`~salesnb.data.problems.ValidationReport` listing every problem at once.
:func:`load` returns a :class:`~salesnb.data.dataset.Dataset` of typed frames, or
raises :class:`~salesnb.errors.DataValidationError` carrying the report. Rows with
problems are never dropped silently: unless the caller passes
``on_bad_rows="reject"`` they stop the load, and when rejected they stay on the
dataset (``Dataset.rejected`` and ``Dataset.rejected_rows``) for reports to show.
A load is cached on disk by the content hash of the source's files.

The module is named ``loader`` so that it does not hide behind the :func:`load`
function that :mod:`salesnb.data` re-exports.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import pickle
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa

from salesnb import i18n
from salesnb.catalog import get_language
from salesnb.data import kept
from salesnb.data.checks import CheckedSource, cascade_rejections, check_read, check_source, check_table
from salesnb.data.dataset import DEFAULT_META, Dataset, MissingTableError
from salesnb.data.memo import file_lock
from salesnb.data.problems import Problem, ValidationReport, join_and, load_error_message
from salesnb.data.reading import TABLE_SUFFIXES, WORKBOOK_SUFFIXES, RawTable, read_file, read_workbook, table_files
from salesnb.data.sql import SqlSource, data_hash, database_of, read_database
from salesnb.errors import DataSourceError, DataValidationError
from salesnb.params import check_choice
from salesnb.schema import TABLES

__all__ = ["CACHE_FORMAT", "SNAPSHOT_ENV", "content_hash", "employed", "load", "pin_database", "read_table",
           "require_tables", "validate"]

#: Version of what the cache holds: bump when the typed result of a load or the layout of the
#: pickled objects changes (3: the loader became the ``salesnb.data`` package), so old entries
#: are never unpickled.
CACHE_FORMAT = "3"

#: The environment variable that pins a database source to one snapshot: ``KEY:DIGEST`` (from
#: :func:`pin_database`), the key naming the source (its masked URL, schema, tables and metadata,
#: hashed) and the digest its cached dataset. Loads of exactly that source read the cached dataset
#: instead of querying the database; any other source ignores it. It never holds a credential.
SNAPSHOT_ENV = "SALESNB_DATA_SNAPSHOT"


def content_hash(source: str | Path) -> str:
    """Return the sha256 hex digest of a source's table files and metadata (names and bytes).

    For a database source, the digest of the data read (:func:`salesnb.data.sql.data_hash`).

    Parameters
    ----------
    source : str or Path
        Folder, workbook or database.

    Returns
    -------
    str
        The digest; identical inputs give the identical digest.
    """
    db = database_of(source)
    if db is not None:
        return _pinned(db) or data_hash(*_read_database(db)[:2])
    path = Path(source)
    files = [path] if path.is_file() else [
        file for file in sorted(path.iterdir())
        if file.is_file() and ((file.suffix.lower() in TABLE_SUFFIXES and file.stem.lower() in TABLES)
                               or file.name == "dataset.toml")]
    stamp = (str(path.resolve()), path.is_file(), tuple(_file_stamp(file) for file in files))
    if stamp not in _HASHES:
        _HASHES.clear()  # one source at a time is what a process loads; keep the memo small
        _HASHES[stamp] = _hash_files(files, named=not path.is_file())
    return _HASHES[stamp]


#: Digests of the sources hashed in this process, by the name, size, change time and inode of their files.
_HASHES: dict[tuple, str] = {}


def _file_stamp(file: Path) -> tuple:
    """Return what identifies a file's bytes without reading them (name, size, modification and change time, inode)."""
    info = file.stat()
    return file.name, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def _hash_files(files: list[Path], *, named: bool) -> str:
    """Return the sha256 hex digest of ``files``' bytes (each preceded by its name when ``named``)."""
    digest = hashlib.sha256()
    for file in files:
        if named:
            digest.update(file.name.encode())
            digest.update(b"\0")
        with file.open("rb") as handle:
            while chunk := handle.read(1 << 24):
                digest.update(chunk)
        if named:
            digest.update(b"\0")
    return digest.hexdigest()


def employed(reps: pd.DataFrame, *, start: object, end: object | None = None) -> pd.Series:
    """Return which reps are employed on at least one day of ``start..end`` (``end`` defaults to ``start``).

    The one rule every module uses: a rep works from ``hire_date`` through
    ``leave_date``, both days included (the leave date is the last day worked); an
    empty ``hire_date`` means employed before the data starts, an empty
    ``leave_date`` still employed.

    Returns
    -------
    Series of bool
        Aligned with ``reps``.
    """
    first = pd.Timestamp(start)
    last = pd.Timestamp(end) if end is not None else first
    hire = pd.to_datetime(reps["hire_date"])
    leave = pd.to_datetime(reps["leave_date"])
    return (hire.isna() | (hire <= last)) & (leave.isna() | (leave >= first))


def _resolve(source: str | Path) -> str | Path:
    """Return the bundled sample's folder for ``"sample"`` (or ``""``), else ``source`` unchanged."""
    from salesnb.config import resolve_data_path

    if isinstance(source, str) and source.strip() in ("", "sample"):
        return resolve_data_path(source)
    return source


def _read_one(path: Path, name: str, report: ValidationReport, lang: str) -> RawTable | None:
    """Read table ``name`` alone from a folder or workbook source."""
    if path.is_dir():
        files = table_files(path).get(name, [])
        if len(files) > 1:
            raise DataValidationError.from_catalog("problems.error_two_files", None, lang=lang, table=name,
                                                   source=path, files=join_and((f.name for f in files), lang))
        return read_file(files[0], name, report) if files else None
    if path.is_file() and path.suffix.lower() in WORKBOOK_SUFFIXES:
        return read_workbook(path, report)[0].get(name)
    raise DataSourceError.from_catalog("problems.error_not_a_source", lang=lang, source=path)


def read_table(source: str | Path, name: str) -> pd.DataFrame:
    """Return one table of a source, typed by the contract, without reading the others.

    For callers that need a single small table before anything else runs (the report
    runner reads ``reps`` to plan per-rep pages). Files are read exactly as
    :func:`load` reads them (encodings, separators, Excel sheets); foreign keys to
    other tables are not checked, and cells that break a row rule come back empty
    (NaN/NaT) rather than stopping the read: :func:`validate` reports them.

    Parameters
    ----------
    source : str or Path
        Folder or workbook (``"sample"`` for the bundled sample).
    name : str
        Table name from the contract.

    Returns
    -------
    DataFrame

    Raises
    ------
    MissingTableError
        When the source has no such table.
    DataValidationError
        When the table cannot be used (unreadable file, missing column, duplicate key).
    DataSourceError
        When the source does not exist or is not a folder or workbook.
    """
    from salesnb.schema import table as contract_of

    contract = contract_of(name)
    lang = i18n.get_language()
    db = database_of(_resolve(source))
    if db is not None:
        shown: str | Path = db.shown
        report = ValidationReport(source=db.shown)
        raw = _read_database(db, only=name, report=report)[0].get(name)
    else:
        shown = Path(_resolve(source)).expanduser()
        report = ValidationReport(source=shown)
        raw = _read_one(shown, name, report, lang)
    if raw is None and not report.fatal:
        raise MissingTableError.from_catalog("problems.error_table_absent", lang=lang, source=shown, table=name)
    frame = None if raw is None else check_table(raw, contract, report)[0]
    if frame is None or report.fatal:
        raise DataValidationError.from_catalog("problems.error_table_unusable", report, lang=lang, table=name,
                                               source=shown, problems=report.to_text(max_problems=10, lang=lang))
    return frame


def _read_database(db: SqlSource, *, only: str | None = None, report: ValidationReport | None = None
                   ) -> tuple[dict[str, RawTable], dict, dict[str, str], ValidationReport]:
    """Read a database source; a :class:`DataSourceError` when it cannot be reached or opened."""
    report = ValidationReport(source=db.shown) if report is None else report
    raws, meta, labels = read_database(db, report, only=only)
    if report.unreadable:
        raise DataSourceError(report.problems[0].to_text(lang=i18n.get_language()))
    return raws, meta, labels, report


def validate(source: str | Path) -> ValidationReport:
    """Check a source against the data contract and report every problem at once.

    Parameters
    ----------
    source : str or Path
        A folder of CSV/Parquet files (one per table), an .xlsx workbook or a database
        (read once: a load of the same data then takes the cached dataset).

    Returns
    -------
    ValidationReport
        ``report.ok`` is True when there is nothing to fix. Never raises for bad
        data: unreadable sources are reported with ``report.unreadable = True``.
    """
    db = database_of(source)
    if db is not None:
        return _check_database(db)[0]
    lock = _lock_file(source)
    with _locked(lock):
        cached = _cached_report(source)
        if cached is not None:
            return cached
        report, checked = check_source(source)
        if lock is not None:  # the loads that follow (notebook 00 then every report) start from it
            _cache_checked(source, report, checked)
    return report


def _cached_report(source: str | Path) -> ValidationReport | None:
    """Return the report of a cached load of the same bytes (either ``on_bad_rows``), or None."""
    for mode in ("reject", "raise"):
        cache_file = _cache_file(source, mode)
        dataset = _read_cache(cache_file) if cache_file is not None and cache_file.is_file() else None
        if dataset is not None and dataset.report is not None:
            return dataclasses.replace(dataset.report, source=Path(source).expanduser())
    return None


def _cache_checked(source: str | Path, report: ValidationReport, checked: CheckedSource) -> None:
    """Cache the dataset each ``on_bad_rows`` would load from this check, where the load would not raise.

    ``checked`` is used up: its tables as read are let go before the dataset is written, which
    is when the check's memory peaks on a large source.
    """
    if report.unreadable or report.fatal:
        return
    path = Path(source)
    dataset = _build(report, checked, "reject", source=path.resolve(), name=path.stem, digest=content_hash(path))
    _fill_cache(dataset, checked, {mode: _cache_file(source, mode) for mode in ("reject", "raise")})


def _fill_cache(dataset: Dataset, checked: CheckedSource, entries: dict[str, Path | None]) -> None:
    """Write ``dataset`` (built for ``"reject"``) to the cache ``entries`` of each ``on_bad_rows`` it stands for.

    The ``"raise"`` entry only when the data has no row problems (that load would raise).
    ``checked`` is let go first; the dataset is handed over to this process's next load.
    """
    checked.raws.clear()
    checked.typed.clear()
    pa.default_memory_pool().release_unused()  # Arrow keeps freed buffers for reuse; give them back now
    written = None
    _HANDOVER.clear()
    for mode, cache_file in entries.items():
        if cache_file is not None and not (mode == "raise" and dataset.report.row_problems):
            written = _write_cache(dataset, cache_file, same_as=written)
            _HANDOVER[cache_file] = dataset


#: The dataset :func:`validate` just cached, by cache entry, for the next :func:`load` of this process to take
#: (notebook 00 validates, then loads): one handover, then it is gone, so no two loads share a dataset.
_HANDOVER: dict[Path, Dataset] = {}


def load(source: str | Path, *, on_bad_rows: Literal["raise", "reject"] = "raise",
         cache: bool = True) -> Dataset:
    """Load a source into a :class:`Dataset` of typed frames.

    Parameters
    ----------
    source : str or Path
        A folder of CSV/Parquet files (one per table) or an .xlsx workbook.
        ``"sample"`` loads the bundled sample company.
    on_bad_rows : {"raise", "reject"}, default "raise"
        What to do with rows that break a row rule (bad date, negative price,
        unknown category ...). ``"raise"`` stops the load; ``"reject"`` sets those
        rows aside in ``Dataset.rejected_rows`` with their reasons in
        ``Dataset.rejected``. Rows referring to a rejected row (an order of a
        rejected customer) are rejected with them, with that reason.
    cache : bool, default True
        Reuse the typed dataset from an earlier load of the same bytes (keyed by
        :func:`content_hash`, :data:`CACHE_FORMAT` and ``on_bad_rows``), kept in
        :func:`salesnb.config.cache_dir`. A report pack loads the same data once per
        notebook and rep page; the cache makes every load after the first ~10x faster.
        The result is identical either way.

    Returns
    -------
    Dataset

    Raises
    ------
    DataSourceError
        The source does not exist or is not a folder/workbook.
    DataValidationError
        Fatal problems (missing table or column, unreadable file, duplicate key,
        dangling foreign key), or row problems with ``on_bad_rows="raise"``.
        ``exc.report`` holds the full :class:`ValidationReport`.
    """
    check_choice("on_bad_rows", on_bad_rows, ("raise", "reject"))
    source = _resolve(source)
    db = database_of(source)
    if db is not None:
        return _load_database(db, on_bad_rows, cache=cache)
    cache_file = _cache_file(source, on_bad_rows) if cache else None
    dataset = kept.take(cache_file)  # a report kernel's previous page loaded the same bytes
    if dataset is None:
        dataset = kept.keep(_load_cached(source, on_bad_rows, cache_file), cache_file)
    dataset.source = Path(source).resolve()
    return dataset


def _load_cached(source: str | Path, on_bad_rows: str, cache_file: Path | None) -> Dataset:
    """Load a folder or workbook: the dataset :func:`validate` handed over, the cache entry, or a read."""
    with _locked(_lock_file(source) if cache_file is not None else None):
        handed = _HANDOVER.pop(cache_file, None) if cache_file is not None else None
        _HANDOVER.clear()
        if handed is not None:  # what the cache entry holds, without reading a second copy
            return handed
        if cache_file is not None and cache_file.is_file():
            dataset = _read_cache(cache_file)
            if dataset is not None:
                return dataset
        dataset = _load(source, on_bad_rows)
        if cache_file is not None:
            _write_cache(dataset, cache_file)
    return dataset


def _lock_file(source: str | Path) -> Path | None:
    """Return the lock of the cache entries of ``source``'s bytes; None when the source does not exist."""
    from salesnb.config import cache_dir

    path = Path(source)
    return cache_dir() / f"dataset-{content_hash(path)[:32]}.lock" if path.exists() else None


@contextlib.contextmanager
def _locked(lock: Path | None) -> Iterator[None]:
    """Hold ``lock`` (:func:`salesnb.data.memo.file_lock`) while reading or filling the cache of one source.

    The notebooks of a pack start together and each loads the same data: with the lock
    one process reads and checks it while the others wait, then they read its cache
    entry instead of checking the same bytes again. No lock (an unwritable cache folder
    or ``lock`` None) only loses that.
    """
    with contextlib.nullcontext() if lock is None else file_lock(lock):
        yield


def _cache_file(source: str | Path, on_bad_rows: str) -> Path | None:
    """Return the cache entry of a load of ``source``; None when the source does not exist."""
    path = Path(source)
    if not path.exists():
        return None
    return _cache_entry(content_hash(path), on_bad_rows)


def _cache_entry(digest: str, on_bad_rows: str) -> Path:
    """Return the cache entry of a load of data with content hash ``digest``."""
    from salesnb import __version__
    from salesnb.config import cache_dir

    layout = f"{Dataset.__module__}.{Dataset.__qualname__}"
    key = hashlib.sha256(
        f"{digest}|{on_bad_rows}|{CACHE_FORMAT}|{layout}|{__version__}|{pd.__version__}".encode()
    ).hexdigest()[:32]
    return cache_dir() / f"dataset-{key}.pkl"


def _load_database(db: SqlSource, on_bad_rows: str, *, cache: bool) -> Dataset:
    """Load a database source (see :func:`load`).

    The snapshot :data:`SNAPSHOT_ENV` pins, when its cache entry is there; else the database
    is read and hashed, and the cached typed dataset of the same data reused.
    """
    pinned = _pinned(db) if cache else None
    if pinned is not None:
        dataset = _kept_or_cached(_cache_entry(pinned, on_bad_rows), db)
        if dataset is not None:
            return dataset
    raws, meta, labels, report = _read_database(db)
    digest = data_hash(raws, meta)
    cache_file = _cache_entry(digest, on_bad_rows) if cache else None
    dataset = _kept_or_cached(cache_file, db) if cache_file is not None else None
    if dataset is not None:
        return dataset
    report, checked = check_read(raws, meta, [], report, labels=labels)
    dataset = _build(report, checked, on_bad_rows, source=db.shown, name=_database_name(db), digest=digest)
    if cache_file is not None:
        _write_cache(dataset, cache_file)
    return dataset


def _database_name(db: SqlSource) -> str:
    """Return the name of a database source's dataset when its metadata gives none (the database's)."""
    from urllib.parse import urlsplit

    return Path(urlsplit(db.url).path).stem or db.kind


def _kept_or_cached(cache_file: Path, db: SqlSource) -> Dataset | None:
    """Return the dataset of entry ``cache_file``: the one this report kernel kept (see ``data.kept``), or read."""
    dataset = kept.take(cache_file)
    if dataset is None:
        found = _cached_dataset(cache_file, db)
        dataset = None if found is None else kept.keep(found, cache_file)
    if dataset is not None:
        dataset.source = db.shown
    return dataset


def _cached_dataset(cache_file: Path, db: SqlSource) -> Dataset | None:
    """Return the dataset of a database source in ``cache_file`` (handed over or read); None when absent."""
    handed = _HANDOVER.pop(cache_file, None)
    _HANDOVER.clear()
    dataset = handed if handed is not None else _read_cache(cache_file) if cache_file.is_file() else None
    if dataset is not None:
        dataset.source = db.shown
    return dataset


def pin_database(source: str | Path) -> str | None:
    """Read and check a database source once, cache its dataset, and return the pin of that snapshot.

    A report pack calls this once, before its reports, and gives every report the pin in
    :data:`SNAPSHOT_ENV`: their loads, :func:`validate` and :func:`content_hash` of the same
    source then read the cached dataset instead of querying and hashing every table again, and
    all of them see the one snapshot. The cache must be shared with the reports (this machine's).

    Parameters
    ----------
    source : str or Path
        A database URL, or a folder whose ``dataset.toml`` names a database.

    Returns
    -------
    str or None
        ``KEY:DIGEST`` for :data:`SNAPSHOT_ENV` (no credential in it); None when ``source`` is
        not a database or cannot be read. A source with problems that stop its load is pinned
        too (its digest, no cache entry): the reports then read it and report them.
    """
    db = database_of(_resolve(source))
    if db is None:
        return None
    digest = _check_database(db, report=False)[1]
    return None if digest is None else f"{_source_key(db)}:{digest}"


def _source_key(db: SqlSource) -> str:
    """Return what names a database source in a pin: a hash of its masked URL, schema, tables and metadata."""
    named = json.dumps([db.shown, db.schema, sorted(db.mapping.items()), db.meta], sort_keys=True, default=str)
    return hashlib.sha256(named.encode()).hexdigest()[:32]


def _pinned(db: SqlSource) -> str | None:
    """Return the digest :data:`SNAPSHOT_ENV` pins ``db`` to; None when it pins nothing or another source."""
    key, _, digest = os.environ.get(SNAPSHOT_ENV, "").partition(":")
    return digest if digest and key == _source_key(db) else None


def _check_database(db: SqlSource, *, report: bool = True) -> tuple[ValidationReport, str | None]:
    """Check a database source (:func:`validate`), caching its dataset; return the report and the data's digest.

    A pinned snapshot's report is read from its cache entry; else the database is read and
    hashed, and checked unless a cache entry of the same data holds the report (without
    ``report``, an entry is not read: the report returned is then the read's alone). The
    digest is None when the database cannot be read.
    """
    pinned = _pinned(db)
    cached = None if pinned is None or not report else _database_report(db, pinned)
    if cached is not None:
        return cached, pinned
    read = ValidationReport(source=db.shown)
    raws, meta, labels = read_database(db, read)
    if read.unreadable:
        return read, None
    digest = data_hash(raws, meta)
    if not report and any(_cache_entry(digest, mode).is_file() for mode in ("reject", "raise")):
        return read, digest
    cached = _database_report(db, digest)
    if cached is not None:
        return cached, digest
    checks, checked = check_read(raws, meta, [], read, labels=labels)
    if not (checks.fatal or checks.unreadable):
        dataset = _build(checks, checked, "reject", source=db.shown, name=_database_name(db), digest=digest)
        _fill_cache(dataset, checked, {mode: _cache_entry(digest, mode) for mode in ("reject", "raise")})
    return checks, digest


def _database_report(db: SqlSource, digest: str) -> ValidationReport | None:
    """Return the report of a cached load of the data with ``digest`` (either ``on_bad_rows``), or None."""
    for mode in ("reject", "raise"):
        cache_file = _cache_entry(digest, mode)
        dataset = _read_cache(cache_file) if cache_file.is_file() else None
        if dataset is not None and dataset.report is not None:
            _HANDOVER.clear()
            _HANDOVER[cache_file] = dataset  # the load that follows (notebook 00) takes it
            return dataclasses.replace(dataset.report, source=db.shown)
    return None


def _read_cache(cache_file: Path) -> Dataset | None:
    """Return the cached dataset; None (and the entry removed) when it cannot be read."""
    try:
        with cache_file.open("rb") as handle:
            dataset = pickle.load(handle)
    except Exception:  # a stale or broken cache entry is only a slower load
        cache_file.unlink(missing_ok=True)
        return None
    if not isinstance(dataset, Dataset):
        cache_file.unlink(missing_ok=True)
        return None
    return dataset


def _write_cache(dataset: Dataset, target: Path, *, same_as: Path | None = None) -> Path | None:
    """Write ``dataset`` to the cache atomically; return the entry, or None when it cannot be written.

    ``same_as`` is an entry just written with the same dataset: the new entry is a hard link to
    it (where the file system has them) instead of a second copy.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        if same_as is None or not _linked(same_as, tmp):
            with tmp.open("wb") as handle:
                pickle.dump(dataset, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    except OSError:  # a read-only home only loses the speed-up
        return None
    return target


def _linked(existing: Path, new: Path) -> bool:
    """Make ``new`` a hard link to ``existing``; False where the file system cannot."""
    try:
        os.link(existing, new)
    except OSError:
        return False
    return True


def _set_aside(checked: CheckedSource, bad_rows: dict[str, set[int]]
               ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Split every typed table into the rows kept and the rejected rows as read (with their ``row``)."""
    tables: dict[str, pd.DataFrame] = {}
    rejected_rows: dict[str, pd.DataFrame] = {}
    for name, frame in checked.typed.items():
        rows = sorted(bad_rows.get(name, ()))
        if rows:
            raw = checked.raws[name]
            kept = raw.frame.iloc[rows].copy()
            kept.insert(0, "row", [raw.row(r) for r in rows])
            rejected_rows[name] = kept.reset_index(drop=True)
            frame = frame.drop(index=frame.index[rows])
        # numbered 0, 1 ... already (nothing dropped): the frame itself, not a copy of a large table
        tables[name] = frame if frame.index.equals(pd.RangeIndex(len(frame))) else frame.reset_index(drop=True)
    return tables, rejected_rows


def _load(source: str | Path, on_bad_rows: str) -> Dataset:
    """Load without the cache (see :func:`load`)."""
    report, checked = check_source(source)
    path = Path(source)
    return _build(report, checked, on_bad_rows, source=path.resolve(), name=path.stem,
                  digest=None if report.unreadable else content_hash(path))


def _build(report: ValidationReport, checked: CheckedSource, on_bad_rows: str, *, source: Path | str,
           name: str, digest: str | None) -> Dataset:
    """Return the dataset of a checked source, or raise for what stops its load (see :func:`load`)."""
    lang = get_language()  # as read_table: a load error reads in the report language
    if report.unreadable:
        raise DataSourceError(report.problems[0].to_text(lang=lang) if report.problems else str(source))
    if report.fatal or (report.row_problems and on_bad_rows == "raise"):
        raise DataValidationError(load_error_message(report, lang=lang), report)
    bad_rows = {name: set(rows) for name, rows in checked.bad_rows.items()}
    extra_problems = cascade_rejections(checked, bad_rows)
    tables, rejected_rows = _set_aside(checked, bad_rows)
    problems: list[Problem] = report.row_problems + extra_problems
    rejected = ValidationReport(report.source, problems).to_frame().drop(columns="fatal")
    meta = {**DEFAULT_META, **checked.meta}
    return Dataset(
        tables=tables,
        name=str(meta.get("name") or name),
        currency=str(meta["currency"]).upper(),
        country=str(meta["country"]).upper(),
        source=source,
        content_hash=str(digest),
        rejected=rejected,
        rejected_rows=rejected_rows,
        report=report,
        meta=meta,
        rejected_problems=problems,
    )


def require_tables(dataset: Dataset, names: Iterable[str], *, analysis: str) -> None:
    """Raise :class:`MissingTableError` naming every table ``analysis`` needs but lacks."""
    lacking = [n for n in names if not dataset.has(n)]
    if lacking:
        raise MissingTableError.from_catalog("problems.error_require_tables", analysis=analysis,
                                             tables=", ".join(lacking), source=dataset.source)
