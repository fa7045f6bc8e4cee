"""The ``salesnb`` papermill engine: papermill's interface, the runner's fast execution.

Registered through papermill's ``papermill.engine`` entry point (``pyproject.toml``),
so once salesnb is installed::

    papermill notebooks/04_periodic_review.ipynb out.ipynb --engine salesnb -p rep_id R007

runs the notebook with papermill's own parameter injection and metadata, on the
runner's batch kernel: an ipykernel without the debugger (no ``debugpy`` import), no
notebook saved after every cell (papermill's default engine rewrites the output file
after each one; papermill writes it once at the end), and, when the environment
variable ``SALESNB_ZYGOTE`` names the socket of a running kernel zygote
(:mod:`salesnb.report._zygote`), a kernel forked from it with the heavy libraries
already imported. From Python, ``report_html="page.html"`` (or the environment
variable ``SALESNB_PAPERMILL_HTML=1``: next to the output notebook) also writes the
director's offline HTML page, exported exactly as ``salesnb run`` exports it.

Papermill loads this module while it is still importing itself (entry points are
registered at the end of ``papermill.engines``), so the worker side of the runner,
which imports ``papermill.execute``, is imported only when a notebook runs.

Execution errors follow papermill: the failing cell is flagged, execution stops and
papermill raises :class:`papermill.exceptions.PapermillExecutionError`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from papermill.engines import Engine

from salesnb import __version__, config
from salesnb.report import _html
from salesnb.report._notebooks import load_notebook
from salesnb.report._plan import check_report_params
from salesnb.report._publish import params_text

#: Environment variable naming a running zygote's socket (kernels are forked from it).
ZYGOTE_ENV = "SALESNB_ZYGOTE"
#: Environment variable asking for the HTML page next to the output notebook.
HTML_ENV = "SALESNB_PAPERMILL_HTML"


class SalesnbEngine(Engine):
    """Papermill engine running notebooks on salesnb's batch kernels."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        start_timeout: int = 60,
        execution_timeout: float | None = None,
        report_html: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Execute ``nb_man.nb`` (papermill calls this between ``notebook_start`` and ``notebook_complete``).

        Parameters
        ----------
        nb_man : NotebookExecutionManager
            Papermill's bookkeeper of the notebook.
        kernel_name : str
            Ignored: every notebook runs on this interpreter's batch Python kernel.
        log_output : bool
            Unused (outputs are not echoed).
        start_timeout : int
            Seconds the kernel may take to start.
        execution_timeout : float, optional
            Seconds one cell may run (papermill's ``--execution-timeout``).
        report_html : str, optional
            Also write the offline HTML page here.
        **kwargs
            Papermill's other engine arguments (``input_path``, ``output_path``, ...).

        Returns
        -------
        NotebookNode
            The executed notebook.
        """
        input_path = str(kwargs.get("input_path") or "")
        check_parameters(nb_man.nb, input_path)
        html = report_html
        output = kwargs.get("output_path")
        if html is None and os.environ.get(HTML_ENV) == "1" and isinstance(output, str) and output.endswith(".ipynb"):
            html = output[: -len(".ipynb")] + ".html"
        coro = _run(nb_man, cwd=os.getcwd(), timeout=execution_timeout)
        _in_fresh_loop(coro)
        if html:
            export_page(nb_man.nb, html, input_path=input_path)
        return nb_man.nb


def check_parameters(nb: Any, input_path: str) -> None:
    """Refuse, before any kernel starts, parameters ``salesnb run`` would refuse.

    The values papermill injected (``metadata["papermill"]["parameters"]``) are checked
    against the notebook's ``parameters`` cell and, for the workbook's notebooks,
    its rules (:func:`salesnb.report._plan.check_report_params`). A notebook that is
    not a local file is not checked.

    Raises
    ------
    ParameterError
        For a value the notebook does not accept.
    """
    params = dict(nb.metadata.get("papermill", {}).get("parameters") or {})
    path = Path(input_path)
    if not params or not path.is_file():
        return
    check_report_params(params, load_notebook(path), lang=params.get("lang") if params.get("lang") in
                        config.LANGUAGES else None)


def serve_zygote(folder: str, notebooks: list[str] | None = None) -> int:
    """Start a kernel zygote for papermill runs on this machine and wait until stopped.

    The zygote imports what the notebooks import plus salesnb's heavy libraries, then
    forks a ready kernel for each ``papermill ... --engine salesnb`` run whose
    environment has ``SALESNB_ZYGOTE=<folder>/zygote.sock`` (printed on start). It
    ends with this process (Ctrl-C or SIGTERM)::

        python -m salesnb.report.papermill_engine /run/salesnb &
        SALESNB_ZYGOTE=/run/salesnb/zygote.sock papermill in.ipynb out.ipynb --engine salesnb

    Parameters
    ----------
    folder : str
        Where the socket goes (a short path: Unix sockets allow ~100 bytes).
    notebooks : list of str, optional
        The notebooks whose imports to preload (default: every notebook in
        ``config.notebooks_dir()``).

    Returns
    -------
    int
        The exit code: 0 after a clean stop, 1 when no zygote can run here.
    """
    import signal
    import sys

    from salesnb.report import _notebooks, _zygote

    paths = [Path(n) for n in notebooks] if notebooks else sorted(config.notebooks_dir().glob("*.ipynb"))
    modules = _notebooks.preload([load_notebook(p) for p in paths])
    Path(folder).mkdir(parents=True, exist_ok=True)
    zygote = _zygote.Zygote.start(folder, modules)
    if zygote is None:
        return 1
    print(f"{ZYGOTE_ENV}={zygote.path}", flush=True)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()  # until Ctrl-C or SIGTERM
    finally:
        zygote.stop()
    return 0


def _in_fresh_loop(coro: Any) -> Any:
    """Run ``coro`` to the end, in a thread when this one already runs an event loop (Jupyter)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _run(nb_man: Any, *, cwd: str, timeout: float | None) -> None:
    """Start one batch kernel, run every cell (stopping at an error, as papermill does), kill it."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from salesnb.report import _engine

    scratch = tempfile.mkdtemp(prefix="salesnb-pm-")
    pool = _engine.KernelPool(cwd=cwd, scratch=scratch, warm_code="", notify=lambda message: None,
                              zygote=os.environ.get(ZYGOTE_ENV) or None)
    try:
        kernel = await pool.take(prefetch_next=False)
        client = NotebookClient(nb_man.nb, km=kernel.km, kernel_name=_engine.KERNEL_NAME, timeout=timeout,
                                resources={"metadata": {"path": cwd}}, record_timing=False)
        client.kc = kernel.kc
        nb_man.nb.metadata["language_info"] = kernel.language_info
        try:
            await _engine.execute_cells(client, nb_man.nb, nb_man)
        except CellExecutionError:
            pass  # flagged on the cell; papermill raises PapermillExecutionError after saving
        finally:
            pool.release(kernel)
    finally:
        await pool.close()
        shutil.rmtree(scratch, ignore_errors=True)


def export_page(nb: Any, path: str, *, input_path: str) -> None:
    """Write the offline HTML page of an executed notebook, as ``salesnb run`` exports it.

    Parameters
    ----------
    nb : NotebookNode
        The executed notebook (with papermill's metadata).
    path : str
        Where to write the page.
    input_path : str
        The source notebook (its title and folder).
    """
    from salesnb.report import _engine

    params = dict(nb.metadata.get("papermill", {}).get("parameters") or {})
    lang = params.get("lang") if params.get("lang") in config.LANGUAGES else "en"
    words = _html.labels(lang)
    title = Path(input_path).stem or Path(path).stem
    failed = bool(nb.metadata.get("papermill", {}).get("exception"))
    task = {
        "title": title,
        "notebook": input_path or path,
        "lang": lang,
        "stamp_items": [(words["s_report"], title), (words["s_params"], params_text(params)),
                        (words["s_version"], __version__)],
        "failed_label": words["failed_banner"],
        "toc_label": words["toc"],
        "chart_label": words["chart"],
    }
    exporter = _engine.build_exporter(str(config.templates_dir()))
    body, _ = exporter.from_notebook_node(nb, resources=_engine.export_resources(task, "Error" if failed else None))
    Path(path).write_text(body, encoding="utf-8")


if __name__ == "__main__":  # python -m salesnb.report.papermill_engine FOLDER [NOTEBOOK ...]
    import sys

    sys.exit(serve_zygote(sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else 2)
