"""Load and validate a dataset against the contract in :mod:`salesnb.schema`.

A *source* is either a folder holding one file per table (``orders.csv``,
``orders.parquet`` ...) plus an optional ``dataset.toml``, or one ``.xlsx`` workbook
with a sheet per table (and an optional ``dataset`` sheet of ``key, value`` rows), or a
database: ``duckdb:///path/file.duckdb``, any SQLAlchemy URL, or a folder whose
``dataset.toml`` has a ``[database]`` table (:mod:`~salesnb.data.sql`).

:func:`validate` reads everything it can and returns a :class:`ValidationReport`
listing every problem at once. :func:`load` returns a :class:`Dataset` of typed
frames, or raises :class:`~salesnb.errors.DataValidationError` carrying the report.
Rows with problems are never dropped silently: unless the caller passes
``on_bad_rows="reject"`` they stop the load, and when rejected they stay on the
dataset (``Dataset.rejected`` and ``Dataset.rejected_rows``) for reports to show.

Row numbers are the ones a user sees in a spreadsheet: the header is row 1, so the
first data row is row 2.

The package, in the order a load runs through it:

* :mod:`~salesnb.data.problems` -- the problem model (:class:`Problem`,
  :class:`Notice`, :class:`ValidationReport`) and its catalog-backed texts;
* :mod:`~salesnb.data.reading` -- files, encodings, CSV/Parquet/xlsx, as untyped cells;
* :mod:`~salesnb.data.sql` -- a DuckDB file or a database URL (``dataset.toml`` may map
  tables to queries), read as raw tables whose rows are named by their primary key;
* :mod:`~salesnb.data.coerce` -- typing each column by the contract, cell by cell;
* :mod:`~salesnb.data.checks` -- columns, cross-column rules, primary and foreign keys;
* :mod:`~salesnb.data.dataset` -- the typed :class:`Dataset`;
* :mod:`~salesnb.data.loader` -- :func:`load`, :func:`validate`, :func:`read_table`,
  the cache, :func:`content_hash`, :func:`employed`, :func:`require_tables`;
* :mod:`~salesnb.data.kept` -- in a report kernel, the last dataset (read-only frames),
  handed to the kernel's next page instead of reading the cache again;
* :mod:`~salesnb.data.memo` -- a disk memo (file-locked, keyed by content) for results
  several reports compute from the same data (the targets' forecasts).
"""

from salesnb.data.dataset import DEFAULT_META, Dataset, MissingTableError
from salesnb.data.loader import content_hash, employed, load, read_table, require_tables, validate
from salesnb.data.problems import RULES, Notice, Problem, ValidationReport, file_label, load_error_message
from salesnb.schema import TABLES

__all__ = [
    "DEFAULT_META",
    "RULES",
    "TABLES",
    "Dataset",
    "MissingTableError",
    "Notice",
    "Problem",
    "ValidationReport",
    "content_hash",
    "employed",
    "file_label",
    "load",
    "load_error_message",
    "read_table",
    "require_tables",
    "validate",
]
