"""Random draws the generator's steps share (all through one ``numpy`` Generator)."""

from __future__ import annotations

import numpy as np


def choice_index(rng: np.random.Generator, probs: np.ndarray, size: int) -> np.ndarray:
    """Draw ``size`` indices of ``probs`` with those (not necessarily normalised) weights.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    probs : numpy.ndarray
        Non-negative weights, one per option.
    size : int
        How many draws.

    Returns
    -------
    numpy.ndarray
        Integers in ``[0, len(probs))``.
    """
    return rng.choice(len(probs), size=size, p=probs / probs.sum())


def uniform_dates(rng: np.random.Generator, lo: object, hi: object, size: int) -> np.ndarray:
    """Draw dates uniformly in ``[lo, hi]`` (bounds may be arrays).

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    lo, hi : numpy.datetime64 or numpy.ndarray
        First and last possible day (inclusive), scalars or one per draw.
    size : int
        How many draws.

    Returns
    -------
    numpy.ndarray
        Days (``datetime64[D]``).
    """
    lo = np.asarray(lo, dtype="datetime64[D]")
    hi = np.asarray(hi, dtype="datetime64[D]")
    span = (hi - lo).astype(np.int64) + 1
    return lo + np.floor(rng.random(size) * span).astype(np.int64)


def largest_remainder(weights: np.ndarray, total: int, minimum: int = 1) -> np.ndarray:
    """Split ``total`` into whole counts proportional to ``weights``, each at least ``minimum``.

    Parameters
    ----------
    weights : numpy.ndarray
        Non-negative weights.
    total : int
        The sum of the counts.
    minimum : int, default 1
        The count every weight gets first.

    Returns
    -------
    numpy.ndarray
        Integer counts summing to ``total`` (largest-remainder rounding, ties by position).
    """
    base = np.full(len(weights), minimum)
    rest = total - base.sum()
    share = weights / weights.sum() * rest
    counts = base + np.floor(share).astype(int)
    left = total - counts.sum()
    order = np.argsort(-(share - np.floor(share)), kind="stable")
    counts[order[:left]] += 1
    return counts
