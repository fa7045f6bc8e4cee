"""The sample company's world: regions, reps, products and customers in one place.

:func:`build_world` draws them in a fixed order from one random generator
(:mod:`~salesnb.sample.regions`, :mod:`~salesnb.sample.reps`,
:mod:`~salesnb.sample.products`, :mod:`~salesnb.sample.customers`) and returns their
tables plus a :class:`World`, the numpy arrays the lead and monthly simulations read.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from salesnb.sample.customers import customers
from salesnb.sample.products import product_table
from salesnb.sample.regions import region_table
from salesnb.sample.reps import rep_frame, reps
from salesnb.sample.timeline import Calendar


@dataclass
class World:
    """Everything the lead and monthly simulations need, as numpy arrays.

    Provinces, reps, products and customers are numbered by position; the ``*_ids``
    arrays hold their ids. ``cust_owner0`` handles a customer until ``cust_switch``,
    ``cust_owner1`` from then on.
    """

    cal: Calendar
    busdaycal: np.busdaycalendar
    # provinces
    prov_ids: np.ndarray
    prov_comm: np.ndarray
    prov_weight: np.ndarray
    prov_attr: np.ndarray
    prov_town: list[str]
    prov_prefix: list[str]
    comm_ids: list[str]
    # reps
    rep_ids: np.ndarray
    rep_comm: np.ndarray
    rep_hire: np.ndarray
    rep_leave: np.ndarray
    rep_activity: np.ndarray
    rep_discipline: np.ndarray
    rep_pacing: np.ndarray
    rep_new: np.ndarray
    # products
    prod_ids: np.ndarray
    prod_cat: np.ndarray
    prod_price: np.ndarray
    prod_launch: np.ndarray
    prod_weight: np.ndarray
    prod_decline: np.ndarray
    # customers
    cust_ids: np.ndarray
    cust_names: list[str]
    cust_phone: list[str]
    cust_channel: np.ndarray
    cust_prov: np.ndarray
    cust_created: np.ndarray
    cust_rate: np.ndarray
    cust_size: np.ndarray
    cust_churn: np.ndarray
    cust_owner0: np.ndarray
    cust_owner1: np.ndarray
    cust_switch: np.ndarray
    cust_delay: np.ndarray
    cust_baddebt: np.ndarray

    def owner(self, cust: np.ndarray, dates: np.ndarray) -> np.ndarray:
        """Return the index of the rep who handles each customer on each date."""
        return np.where(dates >= self.cust_switch[cust], self.cust_owner1[cust],
                        self.cust_owner0[cust])


def build_world(rng: np.random.Generator, cal: Calendar, scale: float) -> tuple[World, dict[str, pd.DataFrame]]:
    """Draw the regions, reps, products and customers (in that order).

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator (advanced by the draws).
    cal : Calendar
        The history window.
    scale : float
        Size multiplier of reps and customers.

    Returns
    -------
    World
        The arrays the simulations read.
    dict of str to pandas.DataFrame
        The ``regions``, ``reps``, ``customers`` and ``products`` tables.
    """
    regions, provinces = region_table(rng)
    staff = reps(rng, cal, provinces, scale)
    products, catalogue = product_table(rng, cal)
    clients, accounts = customers(rng, cal, provinces, staff, scale)
    wanted = {f.name for f in fields(World)}
    parts = {f.name: getattr(part, f.name) for part in (provinces, staff, catalogue, accounts)
             for f in fields(part) if f.name in wanted}
    w = World(cal=cal, busdaycal=cal.busdaycal, **parts)
    tables = {"regions": regions, "reps": rep_frame(staff, provinces.comm_ids), "customers": clients,
              "products": products}
    return w, tables
