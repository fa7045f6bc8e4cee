"""The history window of the sample and Spain's national working days."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesnb.sample.reference import FIXED_HOLIDAYS, HISTORY_MONTHS


def easter(year: int) -> np.datetime64:
    """Return Easter Sunday of ``year`` (anonymous Gregorian algorithm).

    Parameters
    ----------
    year : int
        The year.

    Returns
    -------
    numpy.datetime64
        The day, at day resolution.
    """
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    lw = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lw) // 451
    month, day = divmod(h + lw - 7 * m + 114, 31)
    return np.datetime64(f"{year:04d}-{month:02d}-{day + 1:02d}", "D")


@dataclass(frozen=True)
class Calendar:
    """The history window and Spain's national working days.

    Attributes
    ----------
    end_month : numpy.datetime64
        The last month of history (month resolution).
    """

    end_month: np.datetime64

    @property
    def months(self) -> np.ndarray:
        """Return the :data:`HISTORY_MONTHS` months of history, oldest first."""
        return np.arange(self.end_month - (HISTORY_MONTHS - 1), self.end_month + 1)

    @property
    def start(self) -> np.datetime64:
        """Return the first day of history."""
        return (self.end_month - (HISTORY_MONTHS - 1)).astype("datetime64[D]")

    @property
    def end(self) -> np.datetime64:
        """Return the last day of history."""
        return (self.end_month + 1).astype("datetime64[D]") - 1

    @property
    def busdaycal(self) -> np.busdaycalendar:
        """Return the working days: Monday to Friday but national holidays and Good Friday."""
        first = int(str(self.end_month)[:4]) - 25
        years = range(first, first + 30)
        days = [np.datetime64(f"{y:04d}-{md}", "D") for y in years for md in FIXED_HOLIDAYS]
        days += [easter(y) - 2 for y in years]  # Good Friday
        return np.busdaycalendar(holidays=np.array(days, dtype="datetime64[D]"))

    def month_start(self, m: int) -> np.datetime64:
        """Return the first day of month ``m`` of the history (0 is the oldest)."""
        return self.months[m].astype("datetime64[D]")

    def month_end(self, m: int) -> np.datetime64:
        """Return the last day of month ``m`` of the history (0 is the oldest)."""
        return (self.months[m] + 1).astype("datetime64[D]") - 1

    def years(self, dates: np.ndarray | np.datetime64) -> np.ndarray:
        """Return the years elapsed since the start of the history (float)."""
        return (np.asarray(dates, dtype="datetime64[D]") - self.start).astype(float) / 365.25


def roll_forward(dates: np.ndarray, cal: np.busdaycalendar) -> np.ndarray:
    """Move each date forward to the next working day.

    Parameters
    ----------
    dates : numpy.ndarray
        Dates (any datetime64 resolution).
    cal : numpy.busdaycalendar
        The working days (:attr:`Calendar.busdaycal`).

    Returns
    -------
    numpy.ndarray
        Days; a working day stays where it is.
    """
    return np.busday_offset(dates.astype("datetime64[D]"), 0, roll="forward", busdaycal=cal)
