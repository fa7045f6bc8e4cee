"""The dataset a report kernel keeps between the pages it runs.

A notebook with rep pages runs its team page and every rep page one after another in
one kernel (:mod:`salesnb.report._engine`), each page starting with
``load(data)``. Reading the cache entry again is the largest cost of a rep page on a
large company (the pickled dataset is ~3 GiB at 100x the sample: ~6 s a page), and a
new set of frames also misses every memo keyed by the frames (the review's team
figures, the money page's costed lines), so each page paid them again.

In a report kernel (the environment has :data:`salesnb.config.KEEP_DATA_ENV` set to
``"1"``; :func:`salesnb.report._zygote.kernel_env` sets it) :func:`salesnb.data.load`
keeps the last dataset it returned and hands the next load of the same cache entry
the *same frames* in a new :class:`~salesnb.data.Dataset` (its own ``tables`` dict,
metadata and lists). What makes that safe for page isolation:

* the kept frames are **read-only**: their arrays refuse writes, so a page that
  assigns into a loaded table in place fails loudly (``ValueError: assignment
  destination is read-only``) instead of changing what the next page reads. Every
  analysis in the package works on copies (the package never mutates its inputs);
  a notebook that wants to change a table makes its own (``ds.orders.copy()``);
* a page that changes a kept frame's *shape* in place (adds, drops or renames a
  column, sorts or re-indexes in place) changes the frame's fingerprint; the next
  load sees it, drops the kept dataset and reads the cache entry again;
* only one dataset is kept (the last), keyed by its cache entry, which is keyed by the
  bytes of the source: different data is a different entry.

Outside report kernels (an analyst's JupyterLab, a script) nothing is kept and loaded
frames stay writable.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salesnb.config import KEEP_DATA_ENV

if TYPE_CHECKING:
    import pandas as pd

    from salesnb.data.dataset import Dataset

__all__ = ["enabled", "forget", "freeze", "keep", "take"]

#: The kept dataset, the cache entry it came from and the fingerprint of its frames.
_KEPT: dict[str, Any] = {"entry": None, "dataset": None, "shape": None}


def enabled() -> bool:
    """Return whether this process keeps its last dataset (a report kernel)."""
    return os.environ.get(KEEP_DATA_ENV) == "1"


def take(entry: Path | None) -> Dataset | None:
    """Return the kept dataset of cache entry ``entry`` as a new :class:`Dataset`; None when there is none.

    A kept dataset whose frames changed shape since it was kept is dropped (None):
    the caller reads the cache entry again.
    """
    if entry is None or _KEPT["entry"] != entry or not enabled():
        return None
    dataset = _KEPT["dataset"]
    if _fingerprint(dataset) != _KEPT["shape"]:
        forget()
        return None
    return _handed(dataset)


def keep(dataset: Dataset, entry: Path | None) -> Dataset:
    """Keep ``dataset`` (loaded from cache entry ``entry``) for the next load; return what the caller hands out.

    Outside a report kernel, or without a cache entry, ``dataset`` itself is returned
    and nothing is kept. Otherwise its frames are made read-only (:func:`freeze`),
    it replaces the dataset kept before, and a new :class:`Dataset` sharing its frames
    is returned.
    """
    if entry is None or not enabled():
        return dataset
    forget()
    for frame in _frames(dataset):
        freeze(frame)
    _KEPT.update(entry=entry, dataset=dataset, shape=_fingerprint(dataset))
    return _handed(dataset)


def forget() -> None:
    """Drop the kept dataset (the next load reads its cache entry)."""
    _KEPT.update(entry=None, dataset=None, shape=None)


def freeze(frame: pd.DataFrame) -> None:
    """Make the arrays behind ``frame``'s columns read-only, in place.

    Reaches into pandas' block manager (``frame._mgr.blocks``) and the arrays of its
    extension arrays (``_ndarray``, ``_data``, ``_mask``, ``_codes``): pandas has no
    public way to make a frame read-only. Arrays already read-only (Arrow-backed
    strings) are left as they are. ``tests/test_data_kept.py`` checks that a write into
    a frozen column of each contract type raises, so a pandas release that moves these
    attributes fails that test instead of silently letting writes through.
    """
    import numpy as np

    frame._clear_item_cache()  # column Series made before the freeze would still be writable views
    for block in frame._mgr.blocks:
        values = block.values
        arrays = [values] if isinstance(values, np.ndarray) else []
        arrays += [a for a in (getattr(values, name, None) for name in ("_ndarray", "_data", "_mask", "_codes"))
                   if isinstance(a, np.ndarray)]
        for array in arrays:
            array.flags.writeable = False


def _frames(dataset: Dataset) -> list[pd.DataFrame]:
    """Every frame a dataset holds: its tables, the rejected problems and the rejected rows."""
    return [*dataset.tables.values(), dataset.rejected, *dataset.rejected_rows.values()]


def _handed(dataset: Dataset) -> Dataset:
    """Return a new :class:`Dataset` sharing ``dataset``'s (read-only) frames, with its own dicts and lists."""
    return dataclasses.replace(dataset, tables=dict(dataset.tables), rejected_rows=dict(dataset.rejected_rows),
                               meta=dict(dataset.meta), rejected_problems=list(dataset.rejected_problems))


def _fingerprint(dataset: Dataset) -> tuple[Any, ...]:
    """Return what an in-place change of a kept frame's shape would alter: identities, columns, dtypes, lengths."""
    return tuple(
        (id(frame), id(frame._mgr), id(frame.index), tuple(frame.index.names), len(frame), tuple(frame.columns),
         tuple(map(str, frame.dtypes)))
        for frame in _frames(dataset)
    )
