"""Report packs: run notebooks with parameters, export HTML, write the pack index.

``run_pack`` is the whole public surface; see its docstring for the layout of a pack,
the isolation guarantee and the failure rules. The main process stays light (standard
library only); notebook execution and HTML export happen in worker processes
(:mod:`salesnb.report._engine`).
"""

from salesnb.report._pack import NotebookResult, PackResult, run_pack

__all__ = ["NotebookResult", "PackResult", "run_pack"]
