"""Largest-remainder (Hamilton) rounding: split an amount so the parts add up exactly.

Splitting 100 € in three equal parts gives 33.33… each; rounding each part on its
own gives 99 €. The largest-remainder method first gives every part the whole
units of its exact share (33, 33, 33), then hands the units still missing (1) to
the parts with the largest remainders, one each, ties going to the earlier
position. The parts then add up to the total exactly, and each differs from its
exact share by less than one unit.

Everything is done in integer multiples of ``unit`` (1 € or 0.01 €), so floating
point never makes a sum drift by a cent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.params import check_choice, parameter_error

__all__ = ["allocate", "check_unit", "from_units", "hamilton", "to_units"]

OnZero = Literal["raise", "equal"]


def check_unit(unit: object) -> float:
    """Return the rounding step ``unit`` as a float when it is a finite number above 0.

    Parameters
    ----------
    unit : number
        Smallest step of an amount: 1 for whole euros, 0.01 for cents, 1000 for
        thousands (numpy numbers too; bools are refused).

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        ``The 'unit' parameter must be a positive number such as 1 or 0.01. Got 0 instead.``
    """
    if isinstance(unit, bool) or not isinstance(unit, int | float | np.integer | np.floating) \
            or not math.isfinite(float(unit)) or float(unit) <= 0:
        raise parameter_error("unit", value=repr(unit))
    return float(unit)


def to_units(amount: object, unit: float = 1, *, name: str = "total") -> int:
    """Round an amount to a whole number of ``unit`` (half away from zero).

    The amount is read through its decimal text, so ``1234.56`` with ``unit=0.01`` is
    exactly 123456 units (not 123455.99…).

    Raises
    ------
    ParameterError
        When ``amount`` is not a finite non-negative number.
    """
    check_unit(unit)
    if isinstance(amount, bool) or not isinstance(amount, int | float | np.integer | np.floating | Decimal):
        raise parameter_error("amount_number", name=name, value=repr(amount))
    try:
        value = Decimal(str(amount)) / Decimal(str(unit))
    except InvalidOperation:
        raise parameter_error("amount_finite", name=name, value=repr(amount)) from None
    if not value.is_finite():
        raise parameter_error("amount_finite", name=name, value=repr(amount))
    if value < 0:
        raise parameter_error("amount_negative", name=name, value=repr(amount))
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_units(units: np.ndarray | int, unit: float = 1) -> np.ndarray | int | float:
    """Turn whole numbers of ``unit`` back into amounts.

    Integer units (1, 100 …) give integers; a unit whose inverse is a whole number
    (0.01, 0.5 …) divides by that inverse, so 12345 cents is exactly the float
    ``123.45`` (the nearest double), not ``123.45000000000002``.
    """
    unit = check_unit(unit)
    arr = np.asarray(units, dtype=np.int64)
    if unit.is_integer():
        out = arr * np.int64(unit)
    else:
        inverse = 1.0 / unit
        out = arr / round(inverse) if abs(inverse - round(inverse)) < 1e-9 else arr * unit
    return out if np.ndim(units) else out.item()


def hamilton(totals: np.ndarray, group: np.ndarray, weights: np.ndarray, *,
             on_zero: OnZero = "raise", what: str = "weights") -> np.ndarray:
    """Split many totals at once by largest remainder (the engine of :func:`allocate`).

    Parameters
    ----------
    totals : int array, shape (G,)
        Whole units to split, one per group (non-negative).
    group : int array, shape (n,)
        Group (0..G-1) of each part.
    weights : float array, shape (n,)
        Non-negative, finite weights.
    on_zero : {"raise", "equal"}
        What to do with a group whose weights are all zero but whose total is not:
        raise, or split it equally.
    what : str
        Name of the weights in error messages.

    Returns
    -------
    int64 array, shape (n,)
        The parts; each group's parts add up to its total exactly. Within a group,
        remaining units go to the largest remainders; ties go to the lower position.

    Raises
    ------
    ParameterError
        When a positive total has no part to go to, or (with ``on_zero="raise"``) only
        parts of zero weight.
    """
    totals = np.asarray(totals, dtype=np.int64)
    group = np.asarray(group, dtype=np.intp)
    weights = np.asarray(weights, dtype=float)
    n_groups = len(totals)
    if len(weights) == 0:
        if (totals > 0).any():
            raise ParameterError.from_catalog("targets.error_split_no_parts", what=what)
        return np.zeros(0, dtype=np.int64)
    counts = np.bincount(group, minlength=n_groups)
    wsum = np.bincount(group, weights=weights, minlength=n_groups)
    stuck = (wsum <= 0) & (totals > 0)
    if stuck.any():
        weights = _zero_weights(totals, group, weights, stuck, counts, on_zero=on_zero, what=what)
        wsum = np.bincount(group, weights=weights, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(wsum[group] > 0, weights / wsum[group], 0.0)
    exact = totals[group].astype(float) * share
    base = np.floor(exact).astype(np.int64)
    frac = exact - base
    # exact integer sums: partial sums stay far below 2**53 for any realistic amount
    assigned = np.rint(np.bincount(group, weights=base.astype(float), minlength=n_groups)).astype(np.int64)
    left = totals - assigned
    if (left < 0).any():  # float noise put a part above its share: take it back from the smallest remainder
        base, left = _give_back(base, frac, group, left)
        frac = exact - base
    # rank the parts within each group: largest remainder first, then by position
    key = np.clip(np.round(frac, 9), 0.0, 1.0)
    key = np.where(weights > 0, key, -1.0)  # a zero weight never gets a unit, whatever float noise does
    if n_groups <= 1 << 20:  # one stable float sort: group, then remainder (group + 0.25 * (1 - key))
        order = np.argsort(group + 0.25 * (1.0 - key), kind="stable")
    else:  # pragma: no cover - too many groups for the float key to keep 1e-9 steps apart
        order = np.lexsort((np.arange(len(group)), -key, group))
    starts = np.cumsum(counts) - counts
    sorted_group = group[order]
    rank = np.arange(len(order)) - starts[sorted_group]
    bump = rank < left[sorted_group]
    parts = base.copy()
    parts[order[bump]] += 1
    return parts


def _zero_weights(totals: np.ndarray, group: np.ndarray, weights: np.ndarray, stuck: np.ndarray,
                  counts: np.ndarray, *, on_zero: OnZero, what: str) -> np.ndarray:
    """Weights with the all-zero groups in ``stuck`` set to equal weights (``on_zero="equal"``), or raise."""
    if on_zero != "equal":
        bad = int(np.flatnonzero(stuck)[0])
        if counts[bad] == 0:
            raise ParameterError.from_catalog("targets.error_split_no_parts", what=what)
        raise ParameterError.from_catalog("targets.error_split_all_zero", what=what, units=int(totals[bad]))
    if (counts[stuck] == 0).any():
        raise ParameterError.from_catalog("targets.error_split_no_parts", what=what)
    return np.where(stuck[group], 1.0, weights)


def _give_back(base: np.ndarray, frac: np.ndarray, group: np.ndarray,
               left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    base = base.copy()
    for g in np.flatnonzero(left < 0):
        members = np.flatnonzero((group == g) & (base > 0))
        members = members[np.argsort(frac[members], kind="stable")]
        base[members[: -left[g]]] -= 1
        left[g] = 0
    return base, left


def allocate(total: float, weights: Sequence[float] | np.ndarray | pd.Series, *, unit: float = 1,
             on_zero: OnZero = "raise") -> np.ndarray | pd.Series:
    """Split ``total`` in proportion to ``weights`` so the parts add up to it exactly.

    Uses largest-remainder (Hamilton) rounding in whole multiples of ``unit``:
    each part gets the whole units of its exact share, and the units still missing
    go one by one to the parts with the largest remainders (ties: the earlier
    position wins). Every part is then within one unit of its exact share, zero
    weights get zero, and the result depends only on the inputs.

    Parameters
    ----------
    total : float
        Non-negative amount to split. It is first rounded to the nearest multiple of
        ``unit`` (half away from zero, read through its decimal text), and that
        rounded total is what the parts add up to.
    weights : sequence, array or Series
        Non-negative, finite weights; only their proportions matter.
    unit : float, default 1
        Smallest step of a part: 1 for whole euros, 0.01 for cents, 1000 for
        thousands.
    on_zero : {"raise", "equal"}, default "raise"
        When every weight is zero and the total is not: ``"raise"`` raises
        :class:`ParameterError`; ``"equal"`` splits the total equally (still by
        largest remainder). A zero total with zero weights gives zeros either way.

    Returns
    -------
    ndarray or Series
        The parts, as int64 when ``unit`` is a whole number and float64 multiples
        of ``unit`` otherwise; a Series with the same index when ``weights`` is one.

    Raises
    ------
    ParameterError
        For a negative or non-finite total, a non-positive unit, a negative or
        non-finite weight, no weights at all with a positive total, or all-zero
        weights with ``on_zero="raise"``.

    Examples
    --------
    >>> allocate(100, [1, 1, 1])
    array([34, 33, 33])
    >>> allocate(10, [0.5, 0.3, 0.2, 0])
    array([5, 3, 2, 0])
    >>> allocate(1.00, [1, 1, 1], unit=0.01)
    array([0.34, 0.33, 0.33])
    """
    check_choice("on_zero", on_zero, ("raise", "equal"))
    unit = check_unit(unit)
    units = to_units(total, unit)
    index = weights.index if isinstance(weights, pd.Series) else None
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise parameter_error("alloc_weights_numbers") from None
    if w.ndim != 1:
        raise parameter_error("alloc_weights_shape", shape=w.shape)
    if not np.isfinite(w).all():
        raise parameter_error("alloc_weights_finite")
    if (w < 0).any():
        first = int(np.flatnonzero(w < 0)[0])
        raise parameter_error("alloc_weights_negative", value=repr(w[first]), position=first)
    parts = hamilton(np.array([units]), np.zeros(len(w), dtype=np.intp), w, on_zero=on_zero)
    out = from_units(parts, unit)
    return pd.Series(out, index=index, name=getattr(weights, "name", None)) if index is not None else out
