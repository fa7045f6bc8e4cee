"""Hold and override: annual targets locked by hand, and the region totals that honour them.

``overrides={"rep:R007": 250000, "region:ES-MD": 1.2e6}`` locks annual targets. A
locked region gets exactly its amount; a locked rep gets exactly theirs and their
region gets it on top of its share of the rest; everything not locked is re-spread
over the unlocked regions and reps with the method's proportions. Locks that add up to
more than the total (or to more than their locked region) raise :class:`OverrideError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.params import check_choice, message, parameter_error
from salesnb.targets.allocate import from_units, hamilton, to_units

__all__ = ["Lock", "OverrideError", "RegionTotals", "check_overrides", "parse_overrides", "region_totals"]

#: One locked target: ``(level, id, units)`` with level ``"rep"`` or ``"region"``.
Lock = tuple[str, str, int]


class OverrideError(ParameterError):
    """Locked targets cannot be honoured.

    They exceed the total (or their region), name an unknown or inactive rep or
    region, or leave nothing unlocked to carry the rest.
    """


def _override_items(overrides: object) -> list[tuple[str, str, object]]:
    """``(level, id, amount)`` of each lock, from a mapping or a frame, before checking."""
    if isinstance(overrides, pd.DataFrame):
        missing = {"level", "id", "target"} - set(overrides.columns)
        if missing:
            raise parameter_error("overrides_columns", missing=", ".join(sorted(missing)))
        return [(str(lv), str(i), t) for lv, i, t in overrides[["level", "id", "target"]].itertuples(index=False)]
    if isinstance(overrides, Mapping):
        items = []
        for key, value in overrides.items():
            if not isinstance(key, str) or ":" not in key:
                raise parameter_error("overrides_key", value=repr(key))
            level, ident = key.split(":", 1)
            items.append((level.strip(), ident.strip(), value))
        return items
    raise parameter_error("overrides_type", type=type(overrides).__name__)


def check_overrides(overrides: object) -> None:
    """Check hand-locked targets the way :func:`parse_overrides` reads them.

    The rule behind notebook 03's ``overrides`` parameter (see
    :mod:`salesnb.params.notebooks`): keys ``rep:<id>``/``region:<id>``, amounts that
    are finite and not negative, nothing locked twice. Whether the ids exist is known
    only with the data, when the plan is built.

    Parameters
    ----------
    overrides : mapping, DataFrame or None
        As for :func:`parse_overrides`.

    Raises
    ------
    ParameterError
        For a bad key, level, amount or type, or a target locked twice.
    """
    parse_overrides(overrides, 1)


def parse_overrides(overrides: object, unit: float) -> list[Lock]:
    """Read locked targets into whole units.

    Parameters
    ----------
    overrides : mapping, DataFrame or None
        ``{"rep:R07": 250000, "region:ES-MD": 1.2e6}``, or a frame with columns
        ``level`` (rep/region), ``id`` and ``target``.
    unit : float
        Rounding step of the amounts.

    Returns
    -------
    list of (level, id, units)
        In the order given; empty for None.

    Raises
    ------
    ParameterError
        For a bad key, level, amount or type, or a target locked twice.
    """
    if overrides is None:
        return []
    out, seen = [], set()
    for level, ident, value in _override_items(overrides):
        check_choice("overrides level", level, ("rep", "region"))
        if (level, ident) in seen:
            raise parameter_error("overrides_twice", level=message(f"overrides_level_{level}"), ident=repr(ident))
        seen.add((level, ident))
        out.append((level, ident, to_units(value, unit, name=f"overrides[{level}:{ident}]")))
    return out


@dataclass
class RegionTotals:
    """The first split of the cascade, with the locks honoured (all amounts in whole units).

    Attributes
    ----------
    totals : ndarray, shape (R,)
        Each region's annual target.
    free : ndarray, shape (R,)
        The part of each region's target not locked to one of its reps.
    rep_lock : dict
        Position of a locked rep (in the reps table) → their locked units.
    locked : ndarray of bool, shape (R,)
        Whether the region itself is locked.
    """

    totals: np.ndarray
    free: np.ndarray
    rep_lock: dict[int, int]
    locked: np.ndarray


def _read_locks(locks: list[Lock], regions: list[str], year: int,
                reps: pd.DataFrame) -> tuple[np.ndarray, dict[int, int]]:
    """Region locks (-1 = none) by region position, and rep locks by rep position."""
    region_pos = {r: i for i, r in enumerate(regions)}
    rep_pos = {p: i for i, p in enumerate(reps["rep_id"])}
    region_lock = np.full(len(regions), -1, dtype=np.int64)
    rep_lock: dict[int, int] = {}
    for level, ident, units in locks:
        if level == "region":
            if ident not in region_pos:
                raise OverrideError.from_catalog("params.override_region_unknown", ident=repr(ident),
                                                 regions=", ".join(regions))
            region_lock[region_pos[ident]] = units
        else:
            if ident not in rep_pos:
                raise OverrideError.from_catalog("params.override_rep_unknown", ident=repr(ident), year=year)
            if reps["availability"].iloc[rep_pos[ident]] <= 0 and units > 0:
                raise OverrideError.from_catalog("params.override_rep_no_days", ident=repr(ident), year=year)
            rep_lock[rep_pos[ident]] = units
    return region_lock, rep_lock


def _free_units(total: int, region_lock: np.ndarray, locked_in: np.ndarray, regions: list[str],
                unit: float) -> int:
    """Units left for the unlocked regions once every lock is served; raise when locks exceed their parent."""
    is_locked = region_lock >= 0
    for r in np.flatnonzero(is_locked & (locked_in > region_lock)):
        raise OverrideError.from_catalog("params.override_region_exceeded", region=regions[r],
                                         locked=from_units(int(locked_in[r]), unit),
                                         lock=from_units(int(region_lock[r]), unit))
    free = total - int(region_lock[is_locked].sum()) - int(locked_in[~is_locked].sum())
    if free < 0:
        raise OverrideError.from_catalog("params.override_total_exceeded", locked=from_units(total - free, unit),
                                         total=from_units(total, unit))
    return free


def region_totals(locks: list[Lock], *, regions: list[str], year: int, reps: pd.DataFrame,
                  rep_region: np.ndarray, weights: np.ndarray, total: int, unit: float) -> RegionTotals:
    """Split the annual total over regions, honouring the locks.

    Unlocked regions carry what the locks leave, in proportion to their weight less
    the share of their locked reps (largest remainder).

    Parameters
    ----------
    locks : list of (level, id, units)
        From :func:`parse_overrides`.
    regions : list of str
        The territories.
    year : int
        The year planned (for messages).
    reps : DataFrame
        The reps that can carry a target (``rep_id, weight, availability``).
    rep_region : ndarray, shape (P,)
        Position of each rep's region in ``regions``.
    weights : ndarray, shape (R, C)
        The method's region × category weights.
    total : int
        The annual target in whole units.
    unit : float
        Rounding step (for messages).

    Returns
    -------
    RegionTotals

    Raises
    ------
    OverrideError
        When a lock names an unknown region or rep, a rep without a working day, or
        locks exceed the total, their region's lock, or leave nothing to carry the rest.
    """
    n_regions = len(regions)
    region_lock, rep_lock = _read_locks(locks, regions, year, reps)
    locked_in = np.zeros(n_regions, dtype=np.int64)
    for p, units in rep_lock.items():
        locked_in[rep_region[p]] += units
    is_locked = region_lock >= 0
    free = _free_units(total, region_lock, locked_in, regions, unit)
    # unlocked regions carry the rest by their weight, less the share of their locked reps
    eff = reps["weight"].to_numpy() * reps["availability"].to_numpy()
    region_eff = np.bincount(rep_region, weights=eff, minlength=n_regions)
    locked_eff = np.zeros(n_regions)
    for p in rep_lock:
        locked_eff[rep_region[p]] += eff[p]
    with np.errstate(divide="ignore", invalid="ignore"):
        unlocked_share = np.where(region_eff > 0, 1 - locked_eff / region_eff, 1.0)
    carry = np.where(is_locked, 0.0, weights.sum(axis=1) * np.clip(unlocked_share, 0, 1))
    if free > 0 and carry.sum() <= 0:
        raise OverrideError.from_catalog("params.override_nothing_free", free=from_units(free, unit))
    spread = hamilton(np.array([free]), np.zeros(n_regions, dtype=np.intp), carry, what="region weights")
    totals = np.where(is_locked, region_lock, spread + locked_in)
    return RegionTotals(totals=totals, free=totals - locked_in, rep_lock=rep_lock, locked=is_locked)
