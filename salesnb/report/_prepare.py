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
own. Nothing is lost when it fails or cannot cache (a cluster whose workers are
other machines): each report then checks the data as before, and a source the
check calls unusable is reported by the notebooks (00 lists every problem).

A database is read once per pack too (:func:`pinned_database`, before the run stamp,
which would otherwise read it to hash it): the child reads, checks and caches it
(:func:`salesnb.data.loader.pin_database`), and the pack's environment pins that
snapshot (:data:`~salesnb.data.loader.SNAPSHOT_ENV`) for its reports, whose loads
then read the cached dataset instead of querying and hashing every table again, so
every report of the pack shows the same data even while the database changes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from salesnb import config

__all__ = ["pinned_database", "prepare_data"]


def prepare_data(source: Path | str, *, scheduler: str | None = None) -> float | None:
    """Check the pack's data once and fill the load cache; return the seconds it took.

    Parameters
    ----------
    source : Path or str
        The pack's dataset (a folder or workbook; a database is
        :func:`pinned_database`'s).
    scheduler : str, optional
        The pack's Dask scheduler: a remote one (``tcp://...``) has workers with caches
        of their own, so nothing is prepared here; ``local:N`` shares this machine's.

    Returns
    -------
    float or None
        Wall seconds of the check, or None when nothing was prepared (a database,
        a remote cluster, a source that does not exist, or a check that failed: the
        reports then check the data themselves).
    """
    if not _local(scheduler) or not Path(source).exists() or _database(source):
        return None
    began = time.monotonic()
    done = _in_child(_check, str(source))
    return time.monotonic() - began if done else None


@contextlib.contextmanager
def pinned_database(source: Path | str, *, scheduler: str | None = None) -> Iterator[float | None]:
    """While a pack runs, pin its database to the snapshot read and checked once here.

    The check runs in a child process (:func:`salesnb.data.loader.pin_database`: read,
    hash, check, cache); the pin goes into this process's environment, which the pack's
    workers and kernels inherit, and is removed when the pack ends.

    Parameters
    ----------
    source : Path or str
        The pack's dataset: anything but a database (a URL, or a folder whose
        ``dataset.toml`` names one) is left to :func:`prepare_data`.
    scheduler : str, optional
        The pack's Dask scheduler: a remote one's workers do not share this machine's
        cache, so nothing is pinned and each report reads the database.

    Yields
    ------
    float or None
        Wall seconds of the check, or None when nothing was pinned (then every report
        reads the database, as without this step).
    """
    from salesnb.data.loader import SNAPSHOT_ENV

    began = time.monotonic()
    pin = _in_child(_pin, str(source)) if _local(scheduler) and _database(source) else None
    if not isinstance(pin, str):
        yield None
        return
    before = os.environ.get(SNAPSHOT_ENV)
    os.environ[SNAPSHOT_ENV] = pin
    try:
        yield time.monotonic() - began
    finally:
        if before is None:
            os.environ.pop(SNAPSHOT_ENV, None)
        else:
            os.environ[SNAPSHOT_ENV] = before


def _local(scheduler: str | None) -> bool:
    """Return whether the pack's reports run on this machine (its own pool or a ``local:N`` cluster)."""
    return scheduler is None or scheduler.startswith("local:")


def _database(source: Path | str) -> bool:
    """Return whether ``source`` is a database (a URL, or a folder whose ``dataset.toml`` names one)."""
    from salesnb.data.sql import database_of

    return config.is_database_url(source) or database_of(source) is not None


def _in_child(target: Callable[[str, Connection], None], source: str) -> Any:
    """Run ``target(source, conn)`` in a child process; return what it sent, None when it failed."""
    # spawn, not fork: the caller has threads by now (the zygote's reader, a cluster's event loop)
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=target, args=(source, send), daemon=True)
    child.start()
    send.close()
    try:
        try:
            value = receive.recv()
        except EOFError:  # the child died before it sent anything
            value = None
        child.join()
    finally:
        receive.close()
        if child.is_alive():  # Ctrl-C or SIGTERM while the check runs: stop it with the pack
            child.kill()
            child.join()
    return value if child.exitcode == 0 else None


def _check(source: str, conn: Connection) -> None:
    """Check ``source`` (the child process): :func:`salesnb.data.validate` caches what the loads need."""
    from salesnb.data import validate

    validate(source)
    conn.send(True)


def _pin(source: str, conn: Connection) -> None:
    """Check database ``source`` (the child process) and send its pin (:func:`salesnb.data.loader.pin_database`)."""
    from salesnb.data.loader import pin_database

    conn.send(pin_database(source))
