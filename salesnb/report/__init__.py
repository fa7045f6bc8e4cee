"""Report packs: run notebooks with parameters, export HTML, write the pack index.

``run_pack`` is the whole public surface; see its docstring for the layout of a pack,
the isolation guarantee and the failure rules. The main process stays light (standard
library only); notebook execution and HTML export happen in worker processes
(:mod:`salesnb.report._engine`).

Inside, a pack is three steps, one module each, driven by :mod:`~salesnb.report._pack`:

- plan (:mod:`~salesnb.report._plan`, reading notebooks with
  :mod:`~salesnb.report._notebooks`): every option and parameter checked, every
  report listed, before any kernel starts;
- run (:mod:`~salesnb.report._pool`): jobs with an explicit status on worker
  processes (:mod:`~salesnb.report._engine`), kernels forked by a zygote
  (:mod:`~salesnb.report._zygote`), parameters injected by papermill
  (:mod:`~salesnb.report._papermill`); or, with ``scheduler``, each report a task on
  a Dask cluster (:mod:`~salesnb.report._cluster`, :mod:`~salesnb.report._cluster_worker`);
- publish (:mod:`~salesnb.report._publish`, pages from :mod:`~salesnb.report._html`):
  stand-in pages, ``index.html``, ``pack.json``, the atomic rename, ``latest.html``.

The same execution is papermill's ``salesnb`` engine
(:mod:`salesnb.report.papermill_engine`, registered in ``pyproject.toml``).

Every text the runner writes comes from ``salesnb/locale/report.json`` (en, es).
"""

from salesnb.report._pack import NotebookResult, PackResult, run_pack

__all__ = ["NotebookResult", "PackResult", "run_pack"]
