"""Papermill's own parameter injection and run metadata, for every notebook the runner runs.

Worker side (imports papermill). A notebook run by ``salesnb run``, by the
``papermill`` command with ``--engine salesnb`` or by an Airflow task gets the same
``injected-parameters`` cell (written by :func:`papermill.parameterize.parameterize_notebook`)
and the same ``metadata["papermill"]`` (parameters, input and output paths,
start/end times, durations, exception flags, per cell too), written by papermill's
:class:`~papermill.engines.NotebookExecutionManager`.

Parameter safety is unchanged: the runner checks names and values before any kernel
starts (:mod:`salesnb.report._plan`); here the injected cell is also read back and
must give exactly the values that were checked.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from nbformat import NotebookNode
from papermill.engines import NotebookExecutionManager
from papermill.execute import prepare_notebook_metadata, remove_error_markers
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from salesnb.errors import ParameterError

INJECTED_TAG = "injected-parameters"


def prepare_notebook(path: str, params: Mapping[str, Any], *, output_path: str | None,
                     kernel_name: str = "python3") -> tuple[NotebookNode, int]:
    """Read a notebook and inject its parameters the way ``papermill.execute_notebook`` does.

    Parameters
    ----------
    path : str
        The notebook.
    params : mapping
        The checked parameter values (nothing is injected when empty, as papermill does).
    output_path : str, optional
        Recorded as ``metadata["papermill"]["output_path"]``.
    kernel_name : str
        The kernel papermill's translator is chosen for.

    Returns
    -------
    (NotebookNode, int)
        The notebook and the index of its injected cell (-1 when none).

    Raises
    ------
    ParameterError
        When the injected cell does not read back as ``params``.
    """
    nb = load_notebook_node(path)
    if params:
        nb = parameterize_notebook(nb, dict(params), kernel_name=kernel_name, language="python")
    nb = prepare_notebook_metadata(nb, path, output_path)
    nb = remove_error_markers(nb)
    where = injected_index(nb)
    if where >= 0:
        check_round_trip(nb.cells[where].source, params)
        # papermill gives the new cell a random id, which the HTML shows: a fixed one
        # keeps the same inputs giving the same page.
        nb.cells[where]["id"] = INJECTED_TAG
    return nb, where


def injected_index(nb: NotebookNode) -> int:
    """Return the index of the ``injected-parameters`` cell, or -1."""
    return next((i for i, c in enumerate(nb.cells) if INJECTED_TAG in c.metadata.get("tags", [])), -1)


def check_round_trip(source: str, params: Mapping[str, Any]) -> None:
    """Check that an injected cell assigns exactly ``params``, each as a plain literal.

    Raises
    ------
    ParameterError
        For a line that is not ``name = literal`` or a value that reads back differently.
    """
    found: dict[str, Any] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            raise ParameterError.from_catalog("report.error_injected", name="?", value=repr(ast.unparse(node)))
        try:
            found[node.targets[0].id] = ast.literal_eval(node.value)
        except ValueError as exc:
            raise ParameterError.from_catalog(
                "report.error_injected", name=node.targets[0].id, value=repr(ast.unparse(node.value))
            ) from exc
    for name, value in params.items():
        if name not in found or found[name] != value or type(found[name]) is not type(value):
            raise ParameterError.from_catalog("report.error_injected", name=name, value=repr(value))


def execution_manager(nb: NotebookNode) -> NotebookExecutionManager:
    """Return papermill's bookkeeper for ``nb`` (no progress bar, no saving while running)."""
    return NotebookExecutionManager(nb, output_path=None, progress_bar=False, autosave_cell_every=0)
