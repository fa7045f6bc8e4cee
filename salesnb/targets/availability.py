"""Who can carry a target, and on which days: working-day calendars and rep availability.

A rep's *availability* on a day is "employed that day" × ramp, on the working days of
their region's holiday calendar: a new hire ramps linearly from 0 to full quota over
``ramp_months`` from the hire date, and a leaver has no target after ``leave_date``.
Weekends, public holidays of the country (and of a region's subdivision) and company
closures are not working days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesnb import workdays
from salesnb.data import Dataset, employed
from salesnb.params import parameter_error
from salesnb.targets.basis import SalesBasis

__all__ = ["RepAvailability", "WorkCalendars", "rep_availability"]

#: Average days per month, for ramps measured in months.
DAYS_PER_MONTH = 365.25 / 12


class WorkCalendars:
    """Working days of a year for each holiday calendar (subdivision) in use.

    Parameters
    ----------
    year : int
        The year.
    country : str
        ISO code of the public-holiday calendar.
    keys : dict
        Region → its subdivision (None for the country's calendar alone).
    closures : DatetimeIndex
        Company closure days.

    Attributes
    ----------
    days : DatetimeIndex
        Every day of the year (D days).
    month : ndarray
        Month (0–11) of each day.
    names : list of str
        The calendars, by subdivision (``""`` = the country's alone).
    region_cal : dict
        Region → index of its calendar in ``names``.
    frame : DataFrame
        The day calendars (:func:`salesnb.workdays.day_calendar`) with a ``calendar`` column.
    working : ndarray, shape (K, D)
        Whether each day is a working day, per calendar.
    per_month : ndarray, shape (K, 12)
        Working days per month.
    open_share : ndarray, shape (K, 12)
        Share of a month's normal working days (no holidays or weekends) that closures leave open.

    Raises
    ------
    ParameterError
        When a calendar has no working day in the year.
    """

    def __init__(self, year: int, country: str, keys: dict[str, str | None], closures: pd.DatetimeIndex):
        self.days = pd.date_range(dt.date(year, 1, 1), dt.date(year, 12, 31), freq="D")
        self.month = self.days.month.to_numpy() - 1
        self.names = sorted({k or "" for k in keys.values()})
        self.region_cal = {r: self.names.index(k or "") for r, k in keys.items()}
        frames, working, open_days = [], [], []
        for name in self.names:
            frame = workdays.day_calendar(self.days[0], self.days[-1], country=country, subdiv=name or None,
                                          closures=closures)
            frames.append(frame.assign(calendar=name))
            working.append(frame["working"].to_numpy())
            open_days.append((~frame["weekend"] & (frame["holiday"] == "")).to_numpy())
        self.frame = pd.concat(frames, ignore_index=True)
        self.working = np.array(working)  # K x D
        per_month = np.array([np.bincount(self.month, weights=w, minlength=12) for w in self.working])
        normal = np.array([np.bincount(self.month, weights=w, minlength=12) for w in open_days])
        if (per_month.sum(axis=1) == 0).any():
            raise parameter_error("targets_no_working_day", year=year)
        self.per_month = per_month  # K x 12 working days
        with np.errstate(divide="ignore", invalid="ignore"):
            self.open_share = np.where(normal > 0, per_month / normal, 0.0)  # K x 12


@dataclass
class RepAvailability:
    """The reps who can carry a target in the year, and on which days.

    Attributes
    ----------
    reps : DataFrame
        Reps employed in the year in a territory: the dataset's columns plus ``book``
        (last year's sales of the accounts they hold), ``book_share``,
        ``capacity_share``, a provisional ``weight`` (last year's structure),
        ``availability`` (share of the year's working days at full quota),
        ``ramp_end`` and ``status`` (``active``, ``ramping``, ``leaving``).
    daily : ndarray, shape (P, D)
        Availability per rep and day of the year (employed × ramp on working days).
    calendar : ndarray, shape (P,)
        Index of each rep's holiday calendar in :attr:`WorkCalendars.names`.
    """

    reps: pd.DataFrame
    daily: np.ndarray
    calendar: np.ndarray


def _books(reps: pd.DataFrame, basis: SalesBasis) -> pd.DataFrame:
    """Add each rep's book, book and capacity shares and provisional weight."""
    base = basis.hist.loc[basis.hist["order_date"] >= basis.base_start]
    book = base.groupby(["owner", "region_id"], observed=True)["net_amount"].sum()
    reps["book"] = [max(float(book.get((p, r), 0.0)), 0.0) for p, r in zip(reps["rep_id"], reps["region_id"],
                                                                             strict=True)]
    cap = reps["weekly_capacity"].astype(float).clip(lower=0)
    region_book = reps.groupby("region_id")["book"].transform("sum")
    region_cap = cap.groupby(reps["region_id"]).transform("sum")
    reps["book_share"] = np.where(region_book > 0, reps["book"] / region_book.where(region_book > 0, 1), 0.0)
    reps["capacity_share"] = np.where(region_cap > 0, cap / region_cap.where(region_cap > 0, 1), 0.0)
    n_region = reps.groupby("region_id")["rep_id"].transform("size")
    # provisional weight (last year's structure), used to size locked reps' share of their region
    weight = np.where(region_book > 0, reps["book_share"], reps["capacity_share"])
    reps["weight"] = np.where((region_book <= 0) & (region_cap <= 0), 1.0 / n_region, weight)
    return reps


def _daily(reps: pd.DataFrame, cal: WorkCalendars, ramp: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Availability per rep and day (employed × ramp on working days), calendar indices and working days."""
    days = cal.days.to_numpy()
    hire = reps["hire_date"].to_numpy(dtype="datetime64[ns]")[:, None]
    leave = reps["leave_date"].to_numpy(dtype="datetime64[ns]")[:, None]
    on_payroll = (days[None, :] >= hire) & (np.isnat(leave) | (days[None, :] <= leave))
    if ramp > 0:
        elapsed = (days[None, :] - hire) / np.timedelta64(1, "D") + 1
        factor = np.clip(elapsed / (ramp * DAYS_PER_MONTH), 0, 1)
    else:
        factor = np.ones((len(reps), len(days)))
    cal_idx = np.array([cal.region_cal[r] for r in reps["region_id"]], dtype=int)
    working = cal.working[cal_idx] if len(reps) else np.zeros((0, len(days)), bool)
    return np.where(on_payroll & working, factor, 0.0), cal_idx, working


def rep_availability(ds: Dataset, basis: SalesBasis, cal: WorkCalendars, *, ramp: float) -> RepAvailability:
    """Return the reps active in the year with their weights, status and daily availability.

    Parameters
    ----------
    ds : Dataset
        Needs reps.
    basis : SalesBasis
        Last year's sales (for each rep's book) and the territories.
    cal : WorkCalendars
        The year's working days.
    ramp : float
        Months for a new hire to reach full quota (0 = no ramp).

    Returns
    -------
    RepAvailability
    """
    start, end = cal.days[0], cal.days[-1]
    reps = ds.reps.copy()
    reps["rep_id"] = reps["rep_id"].astype(str)
    reps["region_id"] = reps["region_id"].astype(str)
    active = employed(reps, start=start, end=end)
    reps = _books(reps.loc[active & reps["region_id"].isin(basis.regions)].reset_index(drop=True), basis)
    avail, cal_idx, working = _daily(reps, cal, ramp)
    reps["availability"] = avail.sum(axis=1) / np.maximum(working.sum(axis=1), 1)
    ramp_end = reps["hire_date"] + pd.to_timedelta(ramp * DAYS_PER_MONTH, unit="D")
    reps["ramp_end"] = ramp_end.dt.normalize()
    ramping = ramp_end > start
    leaving = reps["leave_date"].notna() & (reps["leave_date"] <= end)
    reps["status"] = np.where(leaving, "leaving", np.where(ramping, "ramping", "active"))
    return RepAvailability(reps=reps, daily=avail, calendar=cal_idx)
