"""The three ways to split the annual target over regions and categories.

* ``last_year_share`` — each region × category cell's share of last year's sales.
* ``potential_blend`` — a region's share blends its share of last year's sales with
  its share of market potential (``potential_weight``, default 0.3); inside a region,
  categories follow the region's own mix of last year.
* ``growth`` — each cell grows at its own recent rate (last year over the year before,
  clipped to :data:`GROWTH_LIMITS`; cells with no sales the year before use the
  company's rate), and the grown cells set the proportions.

:func:`cell_weights` gives the region × category weights of a method; the cascade
splits the target in proportion to them.
"""

from __future__ import annotations

import numpy as np

from salesnb.targets.basis import SalesBasis
from salesnb.vocab import TARGET_METHODS

__all__ = ["GROWTH_LIMITS", "METHODS", "category_mix", "cell_weights"]

#: The split methods, in the order tables show them (one list with notebook 03's parameter rules).
METHODS = TARGET_METHODS
#: Clip of a cell's own growth rate in the ``growth`` method.
GROWTH_LIMITS = (-0.30, 0.50)


def cell_weights(basis: SalesBasis, method: str, potential_weight: float) -> np.ndarray:
    """Return the R x C weights of the region × category split for a method.

    Parameters
    ----------
    basis : SalesBasis
        Last year's sales, from :func:`salesnb.targets.basis.sales_basis`.
    method : {"last_year_share", "potential_blend", "growth"}
        The split method (checked by the caller).
    potential_weight : float
        Weight of market potential in ``potential_blend`` (0 … 1).

    Returns
    -------
    ndarray, shape (R, C)
        Non-negative weights; only their proportions matter.
    """
    base = basis.base
    if method == "last_year_share":
        return base
    if method == "potential_blend":
        rows = base.sum(axis=1)
        last_share = rows / rows.sum()
        region = (1 - potential_weight) * last_share + potential_weight * basis.potential
        return region[:, None] * category_mix(base)
    prev = basis.prev
    if prev.sum() <= 0:  # no year before: no momentum to measure
        return base
    overall = float(np.clip(base.sum() / prev.sum() - 1, *GROWTH_LIMITS))
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(prev > 0, base / prev - 1, overall)
    return base * (1 + np.clip(own, *GROWTH_LIMITS))


def category_mix(weights: np.ndarray) -> np.ndarray:
    """Return each row's category mix (rows summing to 1); the overall mix for an empty row.

    Parameters
    ----------
    weights : ndarray, shape (R, C)
        Region × category weights.

    Returns
    -------
    ndarray, shape (R, C)
    """
    total = weights.sum(axis=0)
    overall = total / total.sum() if total.sum() > 0 else np.full(weights.shape[1], 1 / weights.shape[1])
    rows = weights.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rows > 0, weights / rows, overall[None, :])
