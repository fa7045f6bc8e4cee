"""The sample's sales reps: tenured reps, one leaver, new hires, quiet and pacing reps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.sample.draw import choice_index, largest_remainder, uniform_dates
from salesnb.sample.names import make_ids, person_names
from salesnb.sample.timeline import Calendar, roll_forward

if TYPE_CHECKING:
    from salesnb.sample.regions import Provinces


@dataclass(frozen=True)
class Staff:
    """The reps (one entry per rep, by position; ids follow the hiring order).

    Attributes
    ----------
    rep_ids : numpy.ndarray
        Rep ids (``R001``).
    rep_comm : numpy.ndarray
        Index of the rep's community.
    rep_hire, rep_leave : numpy.ndarray
        Hire day and leave day (NaT while employed).
    rep_activity : numpy.ndarray
        How much the rep contacts and sells (1 is average; quiet reps about 0.3).
    rep_discipline : numpy.ndarray
        Report discipline score (40-98).
    rep_pacing : numpy.ndarray
        Whether the rep falls behind on sales in the last three months.
    rep_new : numpy.ndarray
        Whether the rep was hired during the history's last months.
    rep_replaces : numpy.ndarray
        Index of the leaver a new hire replaces, or -1.
    rep_names : list of str
        Full names.
    rep_capacity : numpy.ndarray
        Weekly contact capacity.
    """

    rep_ids: np.ndarray
    rep_comm: np.ndarray
    rep_hire: np.ndarray
    rep_leave: np.ndarray
    rep_activity: np.ndarray
    rep_discipline: np.ndarray
    rep_pacing: np.ndarray
    rep_new: np.ndarray
    rep_replaces: np.ndarray
    rep_names: list[str]
    rep_capacity: np.ndarray


def reps(rng: np.random.Generator, cal: Calendar, provinces: Provinces, scale: float) -> Staff:
    """Draw the reps: where they work, when they came and left, how active they are.

    Tenured reps are spread over the communities by market weight; the first new hires
    replace the leavers (hired a few weeks before the hand-over). Ids follow the hiring
    order, so the newest reps have the highest ids.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    cal : Calendar
        The history window.
    provinces : Provinces
        Communities and their market weight.
    scale : float
        Size multiplier.

    Returns
    -------
    Staff
    """
    n_comm = len(provinces.comm_ids)
    n_reps = max(14, round(25 * scale))
    n_new = max(3, round(3.6 * scale))
    n_exist = n_reps - n_new
    comm_weight = np.bincount(provinces.prov_comm, weights=provinces.prov_weight, minlength=n_comm)
    comm, hire, leave, leavers = _tenured(rng, cal, comm_weight, n_exist, max(1, round(scale)))
    new_comm, new_hire = _new_hires(rng, cal, comm_weight, comm[leavers], leave[leavers], n_new)

    comm = np.concatenate([comm, new_comm])
    hire = np.concatenate([hire, new_hire])
    leave = np.concatenate([leave, np.full(n_new, np.datetime64("NaT"), dtype="datetime64[D]")])
    is_new = np.r_[np.zeros(n_exist, bool), np.ones(n_new, bool)]
    replaces = np.full(n_reps, -1)
    replaces[n_exist:n_exist + len(leavers)] = leavers
    activity, discipline, pacing = _traits(rng, is_new, leave, scale)

    order = np.lexsort((np.arange(n_reps), hire))
    inverse = np.empty(n_reps, dtype=int)
    inverse[order] = np.arange(n_reps)
    width = max(3, len(str(n_reps)))
    names = person_names(rng, n_reps)
    return Staff(
        rep_ids=make_ids("R", np.arange(1, n_reps + 1), width),
        rep_comm=comm[order],
        rep_hire=hire[order],
        rep_leave=leave[order],
        rep_activity=activity[order],
        rep_discipline=discipline[order],
        rep_pacing=pacing[order],
        rep_new=is_new[order],
        rep_replaces=np.where(replaces[order] >= 0, inverse[np.maximum(replaces[order], 0)], -1),
        rep_names=[names[i] for i in order],
        rep_capacity=np.where(is_new, rng.integers(20, 36, n_reps), rng.integers(25, 61, n_reps))[order],
    )


def _tenured(rng: np.random.Generator, cal: Calendar, comm_weight: np.ndarray, n_exist: int,
             n_leave: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Draw the reps hired before the history: community, hire and leave dates, the leavers."""
    per_comm = largest_remainder(comm_weight, n_exist)
    comm = np.repeat(np.arange(len(comm_weight)), per_comm)
    hire = roll_forward(uniform_dates(rng, cal.start - 3650, cal.start - 60, n_exist), cal.busdaycal)
    leave = np.full(n_exist, np.datetime64("NaT"), dtype="datetime64[D]")
    eligible = np.flatnonzero(per_comm[comm] >= 2)
    leavers = np.sort(rng.choice(eligible, size=min(n_leave, len(eligible)), replace=False))
    leave[leavers] = cal.end - rng.integers(40, 110, len(leavers))
    return comm, hire, leave, leavers


def _new_hires(rng: np.random.Generator, cal: Calendar, comm_weight: np.ndarray, left_comm: np.ndarray,
               left_date: np.ndarray, n_new: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw the new hires' communities and hire dates; the first ones replace the leavers."""
    nl = len(left_comm)
    new_comm = np.empty(n_new, dtype=int)
    new_hire = np.empty(n_new, dtype="datetime64[D]")
    new_comm[:nl] = left_comm
    new_hire[:nl] = left_date - rng.integers(14, 45, nl)
    new_comm[nl:] = choice_index(rng, comm_weight, n_new - nl)
    new_hire[nl:] = cal.end - rng.integers(25, 180, n_new - nl)
    return new_comm, roll_forward(new_hire, cal.busdaycal)


def _traits(rng: np.random.Generator, is_new: np.ndarray, leave: np.ndarray,
            scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw activity and report discipline; pick the quiet reps and those pacing behind."""
    n_reps = len(is_new)
    activity = np.exp(rng.normal(0, 0.3, n_reps))
    discipline = np.clip(rng.normal(78, 10, n_reps), 40, 98)
    tenured_stayers = np.flatnonzero(~is_new & np.isnat(leave))
    n_lazy = min(len(tenured_stayers), max(2, round(2 * scale)))
    lazy = rng.choice(tenured_stayers, size=n_lazy, replace=False)
    activity[lazy] = rng.uniform(0.2, 0.35, n_lazy)
    discipline[lazy] = rng.uniform(45, 60, n_lazy)
    pace_pool = np.setdiff1d(tenured_stayers, lazy)
    n_pace = min(len(pace_pool), max(2, round(3 * scale)) - 1)
    pacing = np.zeros(n_reps, bool)
    pacing[rng.choice(pace_pool, size=n_pace, replace=False)] = True
    pacing[lazy[0]] = True  # one of the quiet reps is also behind on sales
    return activity, discipline, pacing


def rep_frame(staff: Staff, comm_ids: list[str]) -> pd.DataFrame:
    """Return the ``reps`` table from what :func:`reps` drew.

    Parameters
    ----------
    staff : Staff
        The result of :func:`reps`.
    comm_ids : list of str
        The community ids (``region_id`` of each rep).

    Returns
    -------
    pandas.DataFrame
    """
    return pd.DataFrame({
        "rep_id": staff.rep_ids,
        "name": staff.rep_names,
        "region_id": np.array(comm_ids, dtype=object)[staff.rep_comm],
        "hire_date": staff.rep_hire,
        "leave_date": staff.rep_leave,
        "weekly_capacity": staff.rep_capacity.astype(np.int64),
    })
