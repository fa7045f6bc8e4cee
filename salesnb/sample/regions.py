"""The sample's regions: ten communities and their provinces, with drawn figures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesnb.sample.reference import GEOGRAPHY, PENETRATION


@dataclass(frozen=True)
class Provinces:
    """The provinces as the other steps see them (one entry per province, by position).

    Attributes
    ----------
    prov_ids : numpy.ndarray
        Region ids (``ES-V``).
    prov_comm : numpy.ndarray
        Index of each province's community in ``comm_ids``.
    prov_weight : numpy.ndarray
        Share of the company's business (population, wealth, penetration); sums to 1.
    prov_attr : numpy.ndarray
        Attractiveness score (unit standard deviation).
    prov_town : list of str
        Capital of each province.
    prov_prefix : list of str
        Landline prefix of each province.
    comm_ids : list of str
        The community ids (``ES-VC``).
    """

    prov_ids: np.ndarray
    prov_comm: np.ndarray
    prov_weight: np.ndarray
    prov_attr: np.ndarray
    prov_town: list[str]
    prov_prefix: list[str]
    comm_ids: list[str]


def region_table(rng: np.random.Generator) -> tuple[pd.DataFrame, Provinces]:
    """Draw the figures of every province and sum them up by community.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.

    Returns
    -------
    pandas.DataFrame
        The ``regions`` table: communities first, then provinces (ranked by attractiveness).
    Provinces
        The provinces' figures the other steps use.
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
    provinces = Provinces(
        prov_ids=np.array([r[0] for r in rows], dtype=object),
        prov_comm=prov_comm,
        prov_weight=weight / weight.sum(),
        prov_attr=figures["score"] / figures["score"].std(),
        prov_town=[r[3] for r in rows],
        prov_prefix=[r[6] for r in rows],
        comm_ids=comm_ids,
    )
    return frame, provinces


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


