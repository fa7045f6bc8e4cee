"""What every notebook does in its first cells, in one call each.

``setup`` sets the report language and chart style and keeps library chatter
(warnings, progress logs) out of the director's HTML. ``open_dataset`` loads the
data, rejecting bad rows so the report can still run and say what was set aside;
when the data cannot be used, its error is in the report language too.

Importing this module in a Jupyter kernel installs :func:`show_error`: a salesnb
error raised by a cell shows as its message alone (``ParameterError: ...``, the
same line the HTML report shows), without a traceback into salesnb. The cell
still fails, so Run All, papermill and the report runner stop there as before.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from salesnb import i18n
from salesnb.data import Dataset, ValidationReport, load, load_error_message, validate
from salesnb.display import HTML, note
from salesnb.errors import DataSourceError, DataValidationError, SalesnbError
from salesnb.plots import apply_style

__all__ = ["error_line", "explore", "install_error_display", "live_view", "open_dataset", "rejected_note", "setup",
           "show_error"]

_QUIET_LOGGERS = ("statsforecast", "cmdstanpy", "prophet", "numba", "matplotlib", "py.warnings")


def setup(*, lang: str = "en") -> None:
    """Prepare a notebook: language, chart style, quiet libraries, pandas display.

    Parameters
    ----------
    lang : {"en", "es"}
        Report language for every text, number and date.
    """
    i18n.set_language(lang)
    install_error_display()
    apply_style()
    warnings.filterwarnings("ignore")
    os.environ.setdefault("TQDM_DISABLE", "1")
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 160)


def open_dataset(data: str, *, on_bad_rows: str = "reject") -> Dataset:
    """Load the dataset a notebook reports on.

    Parameters
    ----------
    data : str
        ``"sample"`` or a folder/workbook path (already checked by
        :func:`salesnb.params.check_data`).
    on_bad_rows : {"reject", "raise"}
        ``"reject"`` (the default for reports) sets bad rows aside and keeps them
        on the dataset, so the report runs and says what it left out.

    Raises
    ------
    DataValidationError
        When the data has fatal problems; the message lists them with file, row and
        fix, in the report language (``exc.report`` holds the full report).
    DataSourceError
        When the source is not a folder or workbook, or cannot be read; also in the
        report language.
    """
    lang = i18n.get_language()
    try:
        return load(data, on_bad_rows=on_bad_rows)
    except DataValidationError as exc:
        if lang == "en" or not isinstance(exc.report, ValidationReport):
            raise
        raise DataValidationError(load_error_message(exc.report, lang=lang), exc.report) from None
    except DataSourceError:
        if lang == "en":
            raise
        report = validate(data)
        if not report.problems:
            raise
        raise DataSourceError(report.problems[0].to_text(lang=lang)) from None


def rejected_note(dataset: Dataset) -> HTML | None:
    """Return a call-out when rows were rejected (the data-check report lists them); else None."""
    if dataset.n_rejected:
        return note(i18n.t("datacheck.rejected_intro", n=i18n.fmt_number(dataset.n_rejected)), warn=True)
    return None


def error_line(error: BaseException) -> str:
    """Return the one-line text of an error as the HTML report shows it: ``Name: message``."""
    return f"{type(error).__name__}: {error}"


def show_error(shell: object, etype: type[BaseException], value: BaseException, tb: object,
               tb_offset: int | None = None) -> list[str]:
    """IPython custom exception handler: show a salesnb error as its message, no traceback.

    The message (what was checked, what was expected, what came, how to fix it) is
    already in the report language. It goes out as the cell's error output, so the
    cell counts as failed and the kernel's reply carries the error's name and text.
    """
    lines = [f"\x1b[1;31m{etype.__name__}\x1b[0m: {line}" if i == 0 else line
             for i, line in enumerate(str(value).splitlines() or [""])]
    shell._showtraceback(etype, value, ["\n".join(lines)])  # type: ignore[attr-defined]
    return []


def install_error_display() -> bool:
    """Install :func:`show_error` for :class:`SalesnbError` in the running IPython kernel.

    Returns
    -------
    bool
        True when installed; False outside a kernel that can show it (plain Python,
        a terminal IPython).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "_showtraceback") or not hasattr(shell, "kernel"):
        return False
    shell.set_custom_exc((SalesnbError,), show_error)
    return True


install_error_display()


def live_view(controls: Mapping[str, Any], render: Callable[..., Sequence[Any]]) -> None:
    """Display what ``render`` returns for the controls' values, and redraw it in place when they change.

    ``render(**{name: control.value})`` returns the parts to show (tables, figures,
    notes). Each part is displayed as an ordinary output, so an HTML export keeps
    the default view; in JupyterLab a change of any control replaces the parts in
    place (the same outputs, updated), never adding a second copy below.
    A matplotlib figure is closed once shown.

    Parameters
    ----------
    controls : mapping of str to ipywidgets.ValueWidget
        The controls, by the keyword ``render`` takes.
    render : callable
        Keyword arguments in, a sequence of displayable parts out.
    """
    from IPython.display import HTML as Blank
    from IPython.display import display

    def values() -> dict[str, Any]:
        return {name: w.value for name, w in controls.items()}

    handles = [display(part, display_id=True) for part in _shown(render(**values()))]

    def redraw(_change: object) -> None:
        parts = _shown(render(**values()))
        for i, handle in enumerate(handles):
            handle.update(parts[i] if i < len(parts) else Blank(""))

    for w in controls.values():
        w.observe(redraw, names="value")


def _shown(parts: Sequence[Any]) -> list[Any]:
    """Return the parts as a list, each matplotlib figure as the house PNG (:func:`salesnb.plots.to_png`), closed."""
    from IPython.display import Image
    from matplotlib import pyplot as plt
    from matplotlib.figure import Figure

    from salesnb.plots import describe, to_png

    out = []
    for part in parts:
        if isinstance(part, Figure):
            alt = describe(part)
            image = Image(data=to_png(part), format="png", metadata={"alt": alt} if alt else None)
            plt.close(part)
            part = image
        out.append(part)
    return out


def explore(controls: Mapping[str, Any], render: Callable[..., Sequence[Any]]) -> None:
    """Display the controls in a row, then :func:`live_view` of ``render`` below them.

    The controls are widgets (an HTML export drops them); the view below is ordinary
    output, so the export shows the default selection.
    """
    import ipywidgets as widgets
    from IPython.display import display

    display(widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap")))
    live_view(controls, render)
