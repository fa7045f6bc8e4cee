"""The notebooks of a pack: find them, read their parameters, titles and imports (standard library only)."""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salesnb import config
from salesnb import params as P
from salesnb.errors import ReportError
from salesnb.report import _zygote


@dataclass
class Notebook:
    """A notebook of the pack, read once.

    Attributes
    ----------
    path : Path
        The ``.ipynb`` file.
    name : str
        Its stem, the report's file name in the pack.
    titles : dict
        First Markdown heading per language tag (``None``: cells without one).
    declared : dict
        The parameters its ``parameters`` cell declares.
    imports : set of str
        Modules its code cells import (for warming kernels).
    """

    path: Path
    name: str
    titles: dict[str | None, str]
    declared: dict[str, P.Declared]
    imports: set[str]

    def title(self, lang: str) -> str:
        """Return the title in ``lang`` (first heading of a cell tagged ``lang-xx`` or untagged)."""
        return self.titles.get(lang) or self.titles.get(None) or self.name


def resolve_notebooks(
    notebooks: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None,
    *,
    lang: str | None = None,
) -> list[Path]:
    """Return the notebook files to run: those named, or every one in ``config.notebooks_dir()``."""
    if notebooks is None:
        folder = config.notebooks_dir()
        found = sorted(folder.glob("*.ipynb"))
        if not found:
            raise ReportError.from_catalog("report.error_no_notebooks_in", lang=lang, folder=folder)
        return [p.resolve() for p in found]
    if isinstance(notebooks, str | os.PathLike):
        notebooks = [notebooks]
    paths = [_find_notebook(item, lang=lang) for item in notebooks]
    if not paths:
        raise ReportError.from_catalog("report.error_no_notebooks", lang=lang)
    return paths


def _find_notebook(item: str | os.PathLike[str], *, lang: str | None) -> Path:
    """Return the notebook a path or a name in ``config.notebooks_dir()`` stands for."""
    raw = Path(item).expanduser()
    candidates = [raw, raw.with_name(raw.name + ".ipynb")]
    if not raw.is_absolute():
        base = config.notebooks_dir()
        candidates += [base / raw, base / (raw.name + ".ipynb")]
    hit = next((c for c in candidates if c.suffix == ".ipynb" and c.is_file()), None)
    if hit is None:
        raise ReportError.from_catalog(
            "report.error_notebook_not_found", lang=lang, name=repr(os.fspath(item)), folder=config.notebooks_dir()
        )
    return hit.resolve()


def load_notebook(path: Path, *, lang: str | None = None) -> Notebook:
    """Read a notebook's parameters, titles and imports."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError.from_catalog("report.error_notebook_unreadable", lang=lang, path=path, error=exc) from exc
    return Notebook(
        path=path,
        name=path.stem,
        titles=_titles(nb),
        declared=P.read_parameters(nb) if P.parameters_source(nb) is not None else {},
        imports=_imports(nb),
    )


def _titles(nb: Mapping[str, Any]) -> dict[str | None, str]:
    """First Markdown heading per language tag (``None``: cells without one)."""
    titles: dict[str | None, str] = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        tags = [t for t in cell.get("metadata", {}).get("tags", []) if str(t).startswith("lang-")]
        keys: list[str | None] = [t[5:] for t in tags] or [None]
        src = cell.get("source", "")
        for line in ("".join(src) if isinstance(src, list) else src).splitlines():
            match = re.match(r"#{1,6}\s+(.+?)\s*#*\s*$", line)
            if match:
                for key in keys:
                    titles.setdefault(key, match[1])
                break
    return titles


def _imports(nb: Mapping[str, Any]) -> set[str]:
    """Modules the notebook's code cells import (for warming kernels)."""
    found: set[str] = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        text = "".join(src) if isinstance(src, list) else src
        lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names if a.name != "*")
    return found


def preload(nbs: list[Notebook]) -> list[str]:
    """Modules the kernel zygote imports, cheapest-to-need first.

    First what every notebook imports, then what some import, then the heavy
    libraries salesnb's analyses import lazily (``_zygote.HEAVY_MODULES``). A module
    whose top-level name is also a file or package next to a notebook is left out: a
    kernel finds that one first (its working folder leads ``sys.path``), the zygote
    would find another.
    """
    local: set[str] = set()
    for folder in {nb.path.parent for nb in nbs}:
        with contextlib.suppress(OSError):
            local |= {_top(entry.name) for entry in folder.iterdir()
                      if entry.suffix == ".py" or os.path.isfile(entry / "__init__.py")}
    common = sorted(set.intersection(*(nb.imports for nb in nbs)))
    some = sorted(set.union(*(nb.imports for nb in nbs)) - set(common))
    wanted = [*common, *some, *(m for m in _zygote.HEAVY_MODULES if m not in common and m not in some)]
    return [m for m in wanted if _top(m) not in local]


def _top(name: str) -> str:
    """``pkg`` of ``pkg.mod`` or of a file name ``pkg.py``."""
    return name.removesuffix(".py").split(".")[0]


def check_unique_names(nbs: list[Notebook], *, lang: str | None = None) -> None:
    """Refuse two notebooks with one name: their reports would overwrite each other."""
    seen: dict[str, Path] = {}
    for nb in nbs:
        if nb.name in seen:
            raise ReportError.from_catalog(
                "report.error_duplicate_name", lang=lang, name=nb.name, first=seen[nb.name], second=nb.path
            )
        seen[nb.name] = nb.path
