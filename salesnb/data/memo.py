"""A disk memo for results that several reports of a pack compute from the same data.

The target breakdown (03) and the work plan (05) forecast the same histories; the
forecasts cost minutes at a hundred times the sample. :func:`remembered` keeps a
computed value in :func:`salesnb.config.cache_dir` under a key made of everything
the value depends on (:func:`memo_key`: the inputs' bytes, the options, the versions),
so the second report reads what the first computed, and a different input or option
is a different entry: the memo never changes a result.

Reports start two at a time: an exclusive file lock per entry makes the second wait
for the first's computation instead of repeating it. Entries are written atomically
(a temporary file renamed); an entry that cannot be read is computed again, and a
cache folder that cannot be written only loses the speed-up.

:func:`remember` is the in-process counterpart: a value computed once per set of a
dataset's frames (the same objects), for what several sections of one report derive
from the same tables.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

try:  # pragma: no cover - Windows has no fcntl: entries are then not locked
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["file_lock", "memo_key", "remember", "remembered"]

T = TypeVar("T")


def memo_key(*parts: bytes | str) -> str:
    """Return the hex digest (32 characters) of ``parts``, each length-prefixed so that no two lists collide.

    Parameters
    ----------
    *parts : bytes or str
        Everything the remembered value depends on (str is encoded as UTF-8).

    Returns
    -------
    str
    """
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else bytes(part)
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:32]


@contextlib.contextmanager
def file_lock(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file ``lock`` (created when missing) for the ``with`` block.

    Parameters
    ----------
    lock : Path
        The lock file. A folder that cannot be written (or a platform without
        ``fcntl``) gives no lock: the block still runs.

    Yields
    ------
    None
    """
    handle = None
    if fcntl is not None:
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            handle = lock.open("a")
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError:
            handle = None
    try:
        yield
    finally:
        if handle is not None:
            handle.close()


def remembered(kind: str, key: str, compute: Callable[[], T], *, folder: Path | None = None) -> T:
    """Return the value remembered under ``kind`` and ``key``, computing and keeping it on a miss.

    Parameters
    ----------
    kind : str
        What the value is (``"forecast"``): the entry's file name starts with it.
    key : str
        From :func:`memo_key` of everything the value depends on.
    compute : callable
        Called with no arguments on a miss; its value is pickled into the entry.
    folder : Path, optional
        Where entries live; :func:`salesnb.config.cache_dir` by default.

    Returns
    -------
    object
        What ``compute`` returned, now or for an earlier call with the same key.
    """
    from salesnb.config import cache_dir

    entry = (folder if folder is not None else cache_dir()) / f"{kind}-{key}.pkl"
    with file_lock(entry.with_suffix(".lock")):
        if entry.is_file():
            try:
                with entry.open("rb") as handle:
                    return pickle.load(handle)
            except Exception:  # a broken entry is computed again
                entry.unlink(missing_ok=True)
        value = compute()
        _write(value, entry)
        return value


def _write(value: object, entry: Path) -> None:
    """Pickle ``value`` to ``entry`` atomically; a folder that cannot be written is skipped."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except OSError:
        pass


#: What :func:`remember` keeps: weak references to the last dataset's tables, and its values by key.
_SHARED: dict[str, Any] = {"tables": (), "values": {}}


def remember(dataset: Any, key: Hashable, compute: Callable[[], T], *, along: Iterable[object] = ()) -> T:
    """Return ``compute()``, computed once while ``dataset``'s tables are the same frame objects.

    Several sections share what they derive from the same tables (the costed order
    lines, the default targets of a period, the targets' history series). One dataset
    is kept at a time: another dataset's tables, or a table replaced by a new frame,
    start afresh, and the values go when the orders frame does. A value that also
    depends on other objects (a target plan) names them in ``along``: it is computed
    again when any of them is not the same object. Callers must not modify what it
    returns.
    """
    frames = tuple(dataset.tables.values())
    held = _SHARED["tables"]
    if len(held) != len(frames) or not all(ref() is f for ref, f in zip(held, frames, strict=True)):
        _SHARED["values"] = {}  # the previous dataset's values go before the new ones are built
        _SHARED["tables"] = tuple(weakref.ref(f) for f in frames)
        weakref.finalize(dataset.orders, _SHARED["values"].clear)
    values = _SHARED["values"]
    others = tuple(along)
    hit = values.get(key)
    if hit is None or len(hit[0]) != len(others) or not all(r() is o for r, o in zip(hit[0], others, strict=True)):
        values.pop(key, None)  # the previous value goes before the new one is built
        values[key] = hit = (tuple(weakref.ref(o) for o in others), compute())
    return hit[1]
