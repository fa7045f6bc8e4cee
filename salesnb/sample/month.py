"""One month of the simulation: its dates, season, price level and promotion; running ids."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesnb.sample.names import make_ids
from salesnb.sample.reference import HISTORY_MONTHS
from salesnb.sample.timeline import Calendar


def promotions(cal: Calendar) -> dict[int, str]:
    """Return month index -> promotion code (spring, Black Friday, summer sales).

    Parameters
    ----------
    cal : Calendar
        The history window.

    Returns
    -------
    dict of int to str
        ``PRIMAVERA26`` in March of even years and April of odd ones, ``BLACKFRIDAY26``
        in November, ``REBAJAS26`` in July.
    """
    out = {}
    for m, month in enumerate(cal.months):
        y, mo = int(str(month)[:4]), int(str(month)[5:7])
        yy = f"{y % 100:02d}"
        if mo == (3 if y % 2 == 0 else 4):
            out[m] = f"PRIMAVERA{yy}"
        elif mo == 11:
            out[m] = f"BLACKFRIDAY{yy}"
        elif mo == 7:
            out[m] = f"REBAJAS{yy}"
    return out


@dataclass(frozen=True)
class Month:
    """One month of the history, as the monthly steps see it.

    Attributes
    ----------
    index : int
        Position in the history (0 is the oldest month).
    start, end, mid : numpy.datetime64
        First, last and 15th day.
    n_days : int
        Calendar days in the month.
    workdays : numpy.ndarray
        Its working days.
    t : float
        Years from the start of the history to ``mid``.
    moy : int
        Month of the year, 0 for January.
    year : int
        Calendar year.
    price_factor : float
        List prices relative to the last year of history (2 % a year).
    promo : str or None
        The promotion running this month.
    """

    index: int
    start: np.datetime64
    end: np.datetime64
    mid: np.datetime64
    n_days: int
    workdays: np.ndarray
    t: float
    moy: int
    year: int
    price_factor: float
    promo: str | None

    @classmethod
    def of(cls, cal: Calendar, busdaycal: np.busdaycalendar, m: int, promos: dict[int, str]) -> Month:
        """Return month ``m`` of the history.

        Parameters
        ----------
        cal : Calendar
            The history window.
        busdaycal : numpy.busdaycalendar
            The working days.
        m : int
            Position in the history.
        promos : dict of int to str
            :func:`promotions`.

        Returns
        -------
        Month
        """
        start, end = cal.month_start(m), cal.month_end(m)
        days = np.arange(start, end + 1)
        year = int(str(cal.months[m])[:4])
        return cls(
            index=m, start=start, end=end, mid=start + 14, n_days=len(days),
            workdays=days[np.is_busday(days, busdaycal=busdaycal)],
            t=float(cal.years(start + 14)),
            moy=int(str(cal.months[m])[5:7]) - 1,
            year=year,
            price_factor=1.02 ** (year - int(str(cal.end_month)[:4])),
            promo=promos.get(m),
        )

    @property
    def months_left(self) -> int:
        """Return the months of history after this one."""
        return HISTORY_MONTHS - 1 - self.index


class IdSequence:
    """Running ids of one table (``O0000001``, ``O0000002`` ...) across the months.

    Parameters
    ----------
    prefix : str
        The letter before the number.
    width : int
        Digits of the number.
    """

    def __init__(self, prefix: str, width: int) -> None:
        self.prefix = prefix
        self.width = width
        self.issued = 0

    def next(self, n: int) -> np.ndarray:
        """Return the next ``n`` ids (object array)."""
        ids = make_ids(self.prefix, self.issued + 1 + np.arange(n), self.width)
        self.issued += n
        return ids
