"""Paths and defaults. Nothing else in salesnb reads ``__file__``."""

from __future__ import annotations

import os
import re
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The project checkout (holds notebooks/, data/, reports/) when installed in development mode.
PROJECT_ROOT = PACKAGE_DIR.parent

DEFAULT_LANG = "en"
LANGUAGES = ("en", "es")
DEFAULT_CURRENCY = "EUR"
DEFAULT_COUNTRY = "ES"
#: Seconds one notebook may run before the runner stops it.
DEFAULT_TIMEOUT = 300
#: Set to "1" in the environment of report kernels: ``salesnb.data.load`` keeps its last
#: dataset (read-only frames) for the kernel's next page (:mod:`salesnb.data.kept`).
KEEP_DATA_ENV = "SALESNB_KEEP_DATA"


def project_root() -> Path:
    """Return the project checkout, overridable with ``SALESNB_HOME``."""
    env = os.environ.get("SALESNB_HOME")
    return Path(env).resolve() if env else PROJECT_ROOT


def notebooks_dir() -> Path:
    """Folder holding the analysis notebooks."""
    return project_root() / "notebooks"


def reports_dir() -> Path:
    """Default folder for report packs."""
    return project_root() / "reports"


def exports_dir(key: str) -> Path:
    """Default folder for a notebook's exports: ``reports/exports/<key>`` (git-ignored, like every pack).

    ``key`` is the as-of day or the year the export is for, so exports of different
    periods never overwrite each other and never land next to the notebooks.
    """
    return reports_dir() / "exports" / key


def shown_path(path: str | os.PathLike[str]) -> str:
    """Return a path as a page shows it: relative to the project when inside it (``reports/exports/2027``)."""
    resolved = Path(path).expanduser().resolve()
    try:
        return resolved.relative_to(project_root().resolve()).as_posix()
    except ValueError:
        return str(resolved)


def sample_dir() -> Path:
    """Folder of the bundled sample company (``data/sample``)."""
    return project_root() / "data" / "sample"


def cache_dir() -> Path:
    """Folder for the loaded-dataset cache: ``SALESNB_CACHE``, else ``$XDG_CACHE_HOME/salesnb``."""
    env = os.environ.get("SALESNB_CACHE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "salesnb"


def templates_dir() -> Path:
    """Return the folder of the nbconvert templates shipped with the package."""
    return PACKAGE_DIR / "templates"


def is_database_url(data: object) -> bool:
    """Return whether a ``data`` value names a database (``duckdb:///file.duckdb``, ``postgresql://...``)."""
    return isinstance(data, str) and re.match(r"^\s*[a-zA-Z][a-zA-Z0-9+.\-]*://", data) is not None


def resolve_data_path(data: str | os.PathLike[str]) -> Path:
    """Turn a notebook's ``data`` parameter into a path.

    ``"sample"`` (or an empty string) means the bundled sample company; any other
    value is a folder or workbook path, relative to the current directory.
    """
    text = os.fspath(data).strip()
    if text in ("", "sample"):
        return sample_dir()
    return Path(text).expanduser().resolve()
