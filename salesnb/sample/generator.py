"""The public entry point: :func:`generate` checks its arguments and writes the sample folder."""

from __future__ import annotations

import numbers
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.params import check_positive_number
from salesnb.sample.leads import lead_activities, leads
from salesnb.sample.money import (
    budget_frame,
    commission_plan_table,
    competitor_table,
    customer_losses,
    expense_frame,
    lead_lost_to,
    rep_plans,
)
from salesnb.sample.reference import COMPANY, HISTORY_MONTHS
from salesnb.sample.simulate import complaint_frame, evaluation_frame, rep_report_frame, simulate
from salesnb.sample.timeline import Calendar
from salesnb.sample.world import World, build_world
from salesnb.sample.write import write_metadata, write_table


def check_seed(seed: object) -> int:
    """Return ``seed`` as an int when it is a whole number of at least 0 (numpy ints too).

    Raises
    ------
    ParameterError
        ``The 'seed' parameter must be a non-negative integer. Got -1 instead.``
    """
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and int(seed) >= 0:
        return int(seed)
    raise ParameterError.from_catalog("sample.error_seed", value=repr(seed))


def check_end(end: object) -> np.datetime64:
    """Return the last month of history from ``"YYYY-MM"`` text (1990-01 to 2100-12).

    Raises
    ------
    ParameterError
        When ``end`` is not such a text.
    """
    match = re.fullmatch(r"(\d{4})-(\d{2})", end) if isinstance(end, str) else None
    if match is None or not (1 <= int(match[2]) <= 12) or not (1990 <= int(match[1]) <= 2100):
        raise ParameterError.from_catalog("sample.error_end", value=repr(end))
    return np.datetime64(end, "M")


def generate(
    path: str | os.PathLike[str],
    *,
    scale: float = 1.0,
    seed: int = 0,
    end: str = "2026-10",
) -> Path:
    r"""Write the sample company *Muebles Ejemplo S.A.* as a folder of CSV files.

    One ``<table>.csv`` per table of :data:`salesnb.schema.TABLES` (UTF-8, ``\n`` line
    endings, ISO dates, empty cells for missing values, money with two decimals, the
    contract's columns first and extra columns after them) plus ``dataset.toml``.
    Existing files of the same names are replaced; other files are left alone.

    Parameters
    ----------
    path : str or os.PathLike
        Folder to write; created if missing.
    scale : float, default 1.0
        Size multiplier. At 1 the company has about 25 reps, 1,000 customers, 2,500
        leads and 45,000 order lines; regions and products do not scale.
    seed : int, default 0
        Seed of the random generator. The same ``seed``, ``scale`` and ``end`` always
        give byte-identical files.
    end : str, default "2026-10"
        Last month of history as ``"YYYY-MM"``; the data covers the 36 months up to and
        including it. The generator never looks at today's date.

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    salesnb.errors.ParameterError
        If ``scale`` is not a positive number, ``seed`` not a non-negative integer,
        ``end`` not a ``"YYYY-MM"`` month, or ``path`` is an existing file.

    Examples
    --------
    >>> from salesnb.sample import generate
    >>> folder = generate("data/sample")  # doctest: +SKIP
    >>> big = generate("/tmp/big", scale=10, seed=1)  # doctest: +SKIP
    """
    scale = check_positive_number("scale", scale)
    seed = check_seed(seed)
    cal = Calendar(check_end(end))
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise ParameterError.from_catalog("sample.error_path_file", value=repr(os.fspath(path)))
    folder.mkdir(parents=True, exist_ok=True)

    rng = np.random.default_rng(seed)
    w, tables = build_world(rng, cal, scale)
    tables["leads"], lead_sim = leads(rng, w, scale)
    lead_acts = lead_activities(rng, w, lead_sim)
    lead_acts["lead_id"] = tables["leads"]["lead_id"].to_numpy()[lead_acts["lead"]]
    _add_losses(rng, w, tables)
    for table in ("regions", "reps", "customers", "products", "leads"):
        write_table(folder, table, tables[table])
    lead_pool = {"rep": lead_sim["rep"], "created": lead_sim["created"].astype("datetime64[D]"),
                 "closed": lead_sim["closed"].astype("datetime64[D]"),
                 "lead_id": tables["leads"]["lead_id"].to_numpy()}
    complaints, monthly_sales = simulate(rng, w, folder, lead_acts, lead_pool)
    write_table(folder, "complaints", complaint_frame(rng, w, complaints))
    write_table(folder, "rep_reports", rep_report_frame(rng, w))
    write_table(folder, "evaluations", evaluation_frame(rng, w))
    _write_money(rng, w, folder, scale, monthly_sales)
    write_metadata(folder, _metadata(str(cal.months[0]), end), seed=seed, scale=scale, end=end)
    return folder


def _add_losses(rng: np.random.Generator, w: World, tables: dict[str, pd.DataFrame]) -> None:
    """Add ``lost_to`` to the leads, ``lost_date``/``lost_to`` to the customers and ``plan_id`` to the reps."""
    comm_of = dict(zip(w.prov_ids, np.array(w.comm_ids, dtype=object)[w.prov_comm], strict=True))
    tables["leads"] = tables["leads"].assign(lost_to=lead_lost_to(rng, tables["leads"], comm_of))
    lost_date, lost_to = customer_losses(rng, w)
    position = pd.Index(w.cust_ids).get_indexer(tables["customers"]["customer_id"])
    tables["customers"] = tables["customers"].assign(lost_date=lost_date[position], lost_to=lost_to[position])
    tables["reps"] = tables["reps"].assign(plan_id=rep_plans(w))


def _write_money(rng: np.random.Generator, w: World, folder: Path, scale: float,
                 monthly_sales: np.ndarray) -> None:
    """Write the competitors, commission plans, expenses and budget tables."""
    write_table(folder, "competitors", competitor_table())
    write_table(folder, "commission_plans", commission_plan_table())
    expenses = expense_frame(rng, w, scale)
    write_table(folder, "expenses", expenses)
    write_table(folder, "budget", budget_frame(rng, w, expenses, monthly_sales))


def _metadata(first: str, end: str) -> dict[str, str]:
    """Return the text fields of ``dataset.toml``: name, currency, country, description, generator."""
    return {
        "name": COMPANY,
        "currency": "EUR",
        "country": "ES",
        "description": (
            "Fictional Spanish maker of furniture and hospitality equipment selling through "
            f"distributors, stores, malls and franchises; {HISTORY_MONTHS} months of history "
            f"from {first} to {end}. Invented data: any resemblance to real firms is chance."
        ),
        "generator": "salesnb.sample",
    }
