"""Step 1½ of a pack: check the data once, before any report starts.

Every notebook opens the pack's dataset, and a dataset is read, typed and checked
once per content (:func:`salesnb.data.validate` fills the load cache that every later
load of the same bytes reads). Left to the notebooks, that first check ran inside
whichever report opened the data first, under that report's timeout, while the
others waited on the cache's lock: for a company a hundred times the sample the
check alone takes minutes, and a report that timed out during it left nothing in
the cache, so the next one started the check again.

:func:`prepare_data` runs the check here instead, once per pack, in a child process
(its peak memory is returned to the system when it ends), with no timeout of its
own. Nothing is lost when it fails or cannot cache (a database source, a cluster
whose workers are other machines): each report then checks the data as before, and
a source the check calls unusable is reported by the notebooks (00 lists every
problem).
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from salesnb import config

__all__ = ["prepare_data"]


def prepare_data(source: Path | str, *, scheduler: str | None = None) -> float | None:
    """Check the pack's data once and fill the load cache; return the seconds it took.

    Parameters
    ----------
    source : Path or str
        The pack's dataset (a folder or workbook; a database URL is left to the
        reports, whose loads read the database to hash it anyway).
    scheduler : str, optional
        The pack's Dask scheduler: a remote one (``tcp://...``) has workers with caches
        of their own, so nothing is prepared here; ``local:N`` shares this machine's.

    Returns
    -------
    float or None
        Wall seconds of the check, or None when nothing was prepared (a database URL,
        a remote cluster, a source that does not exist, or a check that failed: the
        reports then check the data themselves).
    """
    if scheduler is not None and not scheduler.startswith("local:"):
        return None
    if config.is_database_url(source) or not Path(source).exists():
        return None
    began = time.monotonic()
    # spawn, not fork: the caller has threads by now (the zygote's reader, a cluster's event loop)
    child = multiprocessing.get_context("spawn").Process(target=_check, args=(str(source),), daemon=True)
    child.start()
    try:
        child.join()
    finally:
        if child.is_alive():  # Ctrl-C or SIGTERM while the check runs: stop it with the pack
            child.kill()
            child.join()
    return time.monotonic() - began if child.exitcode == 0 else None


def _check(source: str) -> None:
    """Check ``source`` (the child process): :func:`salesnb.data.validate` caches what the loads need."""
    from salesnb.data import validate

    validate(source)
