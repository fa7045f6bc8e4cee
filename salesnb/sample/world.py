"""The sample company's world: regions, reps, products and customers.

:func:`build_world` draws them in a fixed order from one random generator and
returns their tables plus a :class:`World`, the numpy arrays the lead and monthly
simulations read. The customer and rep steps live in :mod:`salesnb.sample.customers`
and :mod:`salesnb.sample.reps`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from salesnb.sample.customers import customers
from salesnb.sample.draw import uniform_dates
from salesnb.sample.names import make_ids
from salesnb.sample.reference import CATALOGUE, CATEGORIES, DECLINING, GEOGRAPHY, LAUNCHES, PENETRATION
from salesnb.sample.reps import rep_frame, reps
from salesnb.sample.timeline import Calendar, roll_forward


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
    regions, info = region_table(rng)
    staff = reps(rng, cal, info, scale)
    products = product_table(rng, cal)
    clients = customers(rng, cal, info, staff, scale)
    w = World(
        cal=cal, busdaycal=cal.busdaycal,
        **info,
        **{k: v for k, v in staff.items() if k not in ("rep_names", "rep_capacity", "rep_replaces")},
        **{k: v for k, v in products.items() if k != "frame"},
        **{k: v for k, v in clients.items() if k != "frame"},
    )
    tables = {"regions": regions, "reps": rep_frame(staff, info["comm_ids"]),
              "customers": clients["frame"], "products": products["frame"]}
    return w, tables


# ------------------------------------------------------------------------------ regions


def region_table(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Draw the figures of every province and sum them up by community.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.

    Returns
    -------
    pandas.DataFrame
        The ``regions`` table: communities first, then provinces (ranked by attractiveness).
    dict
        The ``prov_*`` and ``comm_ids`` fields of :class:`World`.
    """
    rows = [(pid, pname, c_i, town, pop_k, gdp, prefix)
            for c_i, (_cid, _cname, provinces) in enumerate(GEOGRAPHY)
            for pid, pname, town, pop_k, gdp, prefix in provinces]
    figures = _province_figures(rng, rows)
    prov_comm = np.array([r[2] for r in rows])
    prov_frame = pd.DataFrame({
        "region_id": [r[0] for r in rows],
        "name": [r[1] for r in rows],
        "parent_id": [GEOGRAPHY[r[2]][0] for r in rows],
        "level": "province",
        "population": figures["population"].astype(np.int64),
        "gdp_per_capita": figures["gdp"].astype(float),
        "households": figures["households"],
        "retail_sales": figures["retail"].astype(float),
        "rank": figures["rank"],
    })
    frame = pd.concat([pd.DataFrame(_community_rows(figures, prov_comm)), prov_frame], ignore_index=True)
    frame["population"] = frame["population"].astype(np.int64)
    frame["households"] = frame["households"].astype(np.int64)
    frame["rank"] = frame["rank"].astype("Int64")

    comm_ids = [g[0] for g in GEOGRAPHY]
    penetration = np.array([PENETRATION[comm_ids[c]] for c in prov_comm])
    weight = ((figures["population"] / 1e6) ** 0.9 * (figures["gdp"] / 25000.0) ** 0.7
              * penetration)
    info = {
        "prov_ids": np.array([r[0] for r in rows], dtype=object),
        "prov_comm": prov_comm,
        "prov_weight": weight / weight.sum(),
        "prov_attr": figures["score"] / figures["score"].std(),
        "prov_town": [r[3] for r in rows],
        "prov_prefix": [r[6] for r in rows],
        "comm_ids": comm_ids,
    }
    return frame, info


def _province_figures(rng: np.random.Generator, rows: list[tuple]) -> dict[str, np.ndarray]:
    """Draw population, GDP, households and retail sales; score and rank the provinces."""
    n = len(rows)
    pop = np.array([r[4] for r in rows]) * 1000 + rng.integers(-499, 500, n)
    gdp = np.round(np.array([r[5] for r in rows]) * (1 + rng.normal(0, 0.015, n)))
    hh_size = np.clip(2.5 + rng.normal(0, 0.08, n), 2.25, 2.75)
    households = np.round(pop / hh_size).astype(np.int64)
    retail = np.round(pop * gdp * 0.21 * rng.uniform(0.9, 1.1, n), -3)

    def z(x: np.ndarray) -> np.ndarray:
        return (x - x.mean()) / x.std()

    score = 0.5 * z(np.log(retail)) + 0.3 * z(gdp) + 0.2 * z(np.log(households))
    order = np.argsort(-score, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    return {"population": pop, "gdp": gdp, "households": households, "retail": retail,
            "score": score, "rank": rank}


def _community_rows(figures: dict[str, np.ndarray], prov_comm: np.ndarray) -> list[dict]:
    """Return one ``regions`` row per community: its provinces' figures summed up."""
    pop, gdp = figures["population"], figures["gdp"]
    out = []
    for c_i, (cid, cname, _p) in enumerate(GEOGRAPHY):
        mask = prov_comm == c_i
        cpop = int(pop[mask].sum())
        out.append({
            "region_id": cid, "name": cname, "parent_id": None, "level": "region",
            "population": cpop,
            "gdp_per_capita": float(np.round((gdp[mask] * pop[mask]).sum() / cpop)),
            "households": int(figures["households"][mask].sum()),
            "retail_sales": float(figures["retail"][mask].sum()), "rank": pd.NA,
        })
    return out


# ----------------------------------------------------------------------------- products


def product_table(rng: np.random.Generator, cal: Calendar) -> dict[str, Any]:
    """Draw costs, launch dates and popularity of the fixed catalogue.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    cal : Calendar
        The history window (launches, the fading old model).

    Returns
    -------
    dict
        ``frame`` (the ``products`` table) and the ``prod_*`` fields of :class:`World`.
    """
    n = len(CATALOGUE)
    cat = np.array([c for c, _n, _p in CATALOGUE])
    names = [name for _c, name, _p in CATALOGUE]
    price = np.array([p for _c, _n, p in CATALOGUE])
    cost = np.round(price * rng.uniform(0.42, 0.68, n), 2)
    launch = roll_forward(uniform_dates(rng, cal.start - 4320, cal.start - 400, n), cal.busdaycal)
    for name, offset in LAUNCHES.items():  # launches happen on the first of a month
        month = cal.months[0] + offset if offset >= 0 else cal.end_month + offset
        launch[names.index(name)] = month.astype("datetime64[D]")
    launch[names.index(DECLINING)] = (cal.months[0] - 176).astype("datetime64[D]")
    weight = np.exp(rng.normal(0, 0.45, n)) * (price / 500.0) ** -0.3
    decline = np.zeros(n)
    decline[names.index(DECLINING)] = 0.6
    frame = pd.DataFrame({
        "product_id": make_ids("P", np.arange(1, n + 1), 3),
        "name": names,
        "category": [CATEGORIES[c] for c in cat],
        "unit_price": price,
        "unit_cost": cost,
        "launch_date": launch,
    })
    return {"frame": frame, "prod_ids": frame["product_id"].to_numpy(), "prod_cat": cat,
            "prod_price": price, "prod_launch": launch, "prod_weight": weight,
            "prod_decline": decline}
