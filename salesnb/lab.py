"""Working copies of the notebooks for an analyst in JupyterLab (``salesnb lab``).

The committed notebooks in ``notebooks/`` are templates: the runner and papermill
read their parameters cells. An analyst never edits them; ``salesnb lab`` copies
them into a git-ignored folder (``work/<lang>/`` by default), in one language (the
other language's ``lang-xx`` cells are removed), with ``data`` and ``lang`` set in
their parameters cells, and starts JupyterLab there. Running, editing and saving a
copy leaves ``git status`` clean. A copy that already exists is kept (it holds the
analyst's work) unless ``fresh=True``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from salesnb import config
from salesnb.params import check_lang, check_text

__all__ = ["LAB_FOLDER", "lab_command", "lab_folder", "set_parameters", "working_copies", "working_copy"]

#: The folder (under the project root) that holds the working copies; git-ignored.
LAB_FOLDER = "work"

_ASSIGNMENT = re.compile(r"^(?P<name>[A-Za-z_]\w*)(?P<hint>\s*:[^=]*)?=\s*(?P<value>.*?)(?P<comment>\s+#.*)?$")


def lab_folder(lang: str = "en") -> Path:
    """Return the folder of the working copies in ``lang``: ``<project>/work/<lang>``."""
    return config.project_root() / LAB_FOLDER / check_lang("lang", lang)


def set_parameters(source: str, values: dict[str, object]) -> str:
    """Return a parameters cell with the literals of ``values`` put in place of its defaults.

    Only top-level ``name: type = literal  # comment`` lines whose name is in
    ``values`` change; the type hint and the comment stay.
    """
    lines = []
    for line in source.splitlines():
        match = _ASSIGNMENT.match(line)
        if match and match["name"] in values:
            value = json.dumps(values[match["name"]], ensure_ascii=False)
            line = f"{match['name']}{match['hint'] or ' '}= {value}{match['comment'] or ''}"
        lines.append(line)
    return "\n".join(lines)


def _data_value(data: str) -> str:
    """Return ``data`` as the copy's parameter: ``"sample"`` stays, a path becomes absolute."""
    text = check_text("data", data).strip()
    return "sample" if text in ("", "sample") else str(config.resolve_data_path(text))


def working_copy(template: str | os.PathLike[str], folder: str | os.PathLike[str], *, lang: str = "en",
                 data: str = "sample", fresh: bool = False) -> Path:
    """Write one notebook's working copy into ``folder`` and return its path.

    Parameters
    ----------
    template : path
        A committed notebook (``notebooks/01_market_analysis.ipynb``).
    folder : path
        Where the copy goes (created when missing).
    lang : {"en", "es"}
        The copy keeps the markdown cells of this language only and sets ``lang``.
    data : str
        ``"sample"`` or a dataset path (made absolute), set as the ``data`` parameter.
    fresh : bool
        Overwrite a copy that already exists; by default it is kept as the analyst left it.

    Returns
    -------
    Path
        The copy.
    """
    import nbformat

    lang = check_lang("lang", lang)
    template = Path(template)
    target = Path(folder) / template.name
    if target.exists() and not fresh:
        return target
    nb = nbformat.read(template, as_version=4)
    nb.cells = [cell for cell in nb.cells if _keeps(cell, lang)]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if "parameters" in cell.metadata.get("tags", []):
                cell.source = set_parameters(cell.source, {"data": _data_value(data), "lang": lang})
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


def _keeps(cell: object, lang: str) -> bool:
    """Return False for a cell tagged for the other language only."""
    tags = [str(t) for t in cell.get("metadata", {}).get("tags", []) if str(t).startswith("lang-")]  # type: ignore[attr-defined]
    return not tags or f"lang-{lang}" in tags


def working_copies(*, lang: str = "en", data: str = "sample", folder: str | os.PathLike[str] | None = None,
                   notebooks: Sequence[str | os.PathLike[str]] | None = None, fresh: bool = False) -> list[Path]:
    """Write the working copies of the notebooks and return their paths.

    Parameters
    ----------
    lang : {"en", "es"}
        Language of the copies.
    data : str
        Dataset of the copies (``"sample"`` or a path).
    folder : path, optional
        Default :func:`lab_folder` of ``lang``.
    notebooks : sequence of paths, optional
        Templates to copy (default: every ``notebooks/*.ipynb``).
    fresh : bool
        Overwrite existing copies.
    """
    target = Path(folder) if folder is not None else lab_folder(lang)
    templates = [Path(n) for n in notebooks] if notebooks else sorted(config.notebooks_dir().glob("*.ipynb"))
    return [working_copy(t, target, lang=lang, data=data, fresh=fresh) for t in templates]


def lab_command(folder: str | os.PathLike[str], *, port: int | None = None, token: str | None = None,
                open_browser: bool = True, ip: str | None = None) -> list[str]:
    """Return the command that starts JupyterLab on ``folder``.

    ``--allow-root`` is added when running as root (containers, cloud notebooks),
    where JupyterLab refuses to start without it.
    """
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={Path(folder).resolve()}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    if port is not None:
        cmd.append(f"--port={int(port)}")
    if ip is not None:
        cmd.append(f"--ip={ip}")
    if token is not None:
        cmd.append(f"--IdentityProvider.token={token}")
    if not open_browser:
        cmd.append("--no-browser")
    return cmd
