"""The sample's money and rivals: expenses near a budget, commission plans, competitors and losses.

Drawn after the monthly simulation (the revenue budget reads its monthly sales):

* :func:`competitor_table` — the rivals the sales team meets, with their price position;
* :func:`lead_lost_to` and :func:`customer_losses` — competitor names on part of the
  lost leads and of the customers that stopped buying;
* :func:`commission_plan_table` and :func:`rep_plans` — a tiered plan on net sales for
  most reps and one on margin for the senior ones;
* :func:`expense_frame` and :func:`budget_frame` — selling expenses by line, month, rep
  and region, and a budget they land near.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.sample.draw import choice_index
from salesnb.sample.month import promotions
from salesnb.sample.names import make_ids
from salesnb.sample.reference import FAR_FUTURE, HISTORY_MONTHS

if TYPE_CHECKING:
    from salesnb.sample.world import World

#: (name, price position, channels, regions, notes) of the sample's competitors.
COMPETITORS = (
    ("Mobiliaria Levante S.A.", "budget", "store; mall", "ES-VC; ES-MC; ES-AN",
     "Cheap flat-pack lines; wins on price, weak after-sales service."),
    ("Nordhus Interiör Iberia", "premium", "mall; distributor", "ES-MD; ES-CT; ES-PV",
     "Scandinavian design, strong brand, long delivery times."),
    ("Hostelpro Equipos S.L.", "similar", "distributor; franchise", "ES-AN; ES-MD; ES-VC",
     "Hospitality equipment specialist with its own technical service."),
    ("Gelatec Italia", "premium", "franchise", "ES-CT; ES-VC; ES-MC",
     "Italian ice-cream machines; franchises ask for it by name."),
    ("Muebles Castilla Directo", "budget", "store; other", "ES-CL; ES-CM; ES-GA",
     "Regional maker selling direct to stores at low prices."),
    ("Brasa & Fuego Pro", "similar", "franchise; other", "ES-AR; ES-CT; ES-AN",
     "Barbecue and grill brand sold through restaurant suppliers."),
)
#: Chance that a lost lead names its competitor, by lost reason (others never do).
LOST_TO_P = {"competitor": 0.9, "price": 0.45}
#: Share of the customers who stopped buying whose new supplier is known.
CUSTOMER_LOST_TO_P = 0.55

#: Monthly cost of a rep by expense line (EUR, at full activity): salaries, travel, vehicles,
#: entertainment. Travel and entertainment follow how active the rep is.
REP_COSTS = {"salaries": 4300.0, "travel": 950.0, "vehicles": 560.0, "entertainment": 260.0}
#: Company lines per month (EUR at scale 1): advertising, samples_displays, training, other.
COMPANY_COSTS = {"advertising": 24000.0, "samples_displays": 9500.0, "training": 3200.0, "other": 2500.0}
#: Extra spend in promotion months (EUR at scale 1) and in the trade-fair months (February, September).
PROMOTION_COST = 32000.0
TRADE_FAIR_COST = 58000.0
TRADE_FAIR_MONTHS = (2, 9)


def competitor_table() -> pd.DataFrame:
    """Return the ``competitors`` table (fixed, no randomness)."""
    return pd.DataFrame(COMPETITORS, columns=["name", "price_position", "channels", "regions", "notes"])


def _regional_pick(rng: np.random.Generator, regions: np.ndarray) -> np.ndarray:
    """Pick a competitor per loss: the rivals strong in the loss's region are three times as likely."""
    strong = np.array([[r in c[3] for c in COMPETITORS] for r in np.unique(regions)], dtype=float)
    weights = 1.0 + 2.0 * strong
    row = np.searchsorted(np.unique(regions), regions)
    out = np.empty(len(regions), dtype=np.int64)
    for k in range(len(weights)):
        hit = row == k
        out[hit] = choice_index(rng, weights[k] / weights[k].sum(), int(hit.sum()))
    return out


def lead_lost_to(rng: np.random.Generator, leads: pd.DataFrame, comm_of: dict[str, str]) -> np.ndarray:
    """Return the ``lost_to`` column of the leads: a competitor on part of the lost ones.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    leads : pandas.DataFrame
        The ``leads`` table (``status``, ``lost_reason``, ``region_id``).
    comm_of : dict of str to str
        Province id -> community id.

    Returns
    -------
    numpy.ndarray
        Object array: a competitor name or None.
    """
    reason = leads["lost_reason"].to_numpy(dtype=object)
    p = np.array([LOST_TO_P.get(r, 0.0) if isinstance(r, str) else 0.0 for r in reason])
    named = (leads["status"].to_numpy() == "lost") & (rng.random(len(leads)) < p)
    comm = np.array([comm_of.get(r, r) for r in leads["region_id"].to_numpy()], dtype=object)
    out = np.full(len(leads), None, dtype=object)
    if named.any():
        names = np.array([c[0] for c in COMPETITORS], dtype=object)
        out[named] = names[_regional_pick(rng, comm[named].astype(str))]
    return out


def customer_losses(rng: np.random.Generator, w: World) -> tuple[np.ndarray, np.ndarray]:
    """Return ``lost_date`` and ``lost_to`` of every customer (in ``w``'s order).

    A customer who stopped buying at least three months before the end of the history
    has a lost-customer record dated in the month after its last orders; its new
    supplier is known for about half of them.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        Customers and the history window.

    Returns
    -------
    lost_date : numpy.ndarray
        ``datetime64[D]``, NaT when not lost.
    lost_to : numpy.ndarray
        Object array: a competitor name or None.
    """
    n = len(w.cust_ids)
    lost = w.cust_churn <= HISTORY_MONTHS - 3
    month = np.minimum(w.cust_churn, HISTORY_MONTHS - 1)
    start = (w.cal.months[0] + month).astype("datetime64[D]")
    day = start + rng.integers(0, 28, n)
    lost_date = np.where(lost, day, np.datetime64("NaT"))
    named = lost & (rng.random(n) < CUSTOMER_LOST_TO_P)
    lost_to = np.full(n, None, dtype=object)
    if named.any():
        comm = np.array(w.comm_ids, dtype=object)[w.prov_comm[w.cust_prov[named]]].astype(str)
        lost_to[named] = np.array([c[0] for c in COMPETITORS], dtype=object)[_regional_pick(rng, comm)]
    return lost_date, lost_to


def commission_plan_table() -> pd.DataFrame:
    """Return the ``commission_plans`` table: a tiered plan on net sales and a senior plan on margin.

    ``default``: 1.5 % of net sales below 80 % of target, 2.5 % from 80 %, 3.5 % from
    100 % and 4.5 % from 120 %; 150 EUR per new customer and 20 EUR per overdue invoice
    collected. ``senior``: 7 % of margin below 100 %, 9 % from there.
    """
    rows = [
        ("default", 0.0, 0.8, 0.015, "net_sales", 150.0, 20.0),
        ("default", 0.8, 1.0, 0.025, "net_sales", None, None),
        ("default", 1.0, 1.2, 0.035, "net_sales", None, None),
        ("default", 1.2, None, 0.045, "net_sales", None, None),
        ("senior", 0.0, 1.0, 0.07, "margin", 150.0, 0.0),
        ("senior", 1.0, None, 0.09, "margin", None, None),
    ]
    frame = pd.DataFrame(rows, columns=["plan_id", "tier_from", "tier_to", "rate", "base",
                                        "bonus_new_customer", "bonus_collected"])
    return frame.astype({"tier_to": float, "bonus_new_customer": float, "bonus_collected": float})


def rep_plans(w: World) -> np.ndarray:
    """Return each rep's ``plan_id``: ``senior`` for reps hired more than ten years before the end."""
    senior = w.rep_hire <= w.cal.end - 3652
    return np.where(senior, "senior", "default").astype(object)


def _rep_months(w: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (rep, month index, share of the month employed) of every rep-month of the history."""
    starts = w.cal.months.astype("datetime64[D]")
    ends = (w.cal.months + 1).astype("datetime64[D]") - 1
    leave = np.where(np.isnat(w.rep_leave), FAR_FUTURE, w.rep_leave)
    first = np.maximum(starts[None, :], w.rep_hire[:, None])
    last = np.minimum(ends[None, :], leave[:, None])
    days = np.maximum((last - first).astype(np.int64) + 1, 0)
    share = days / (ends - starts + 1).astype(np.int64)[None, :]
    rep, month = np.nonzero(share > 0)
    return rep, month, share[rep, month]


def expense_frame(rng: np.random.Generator, w: World, scale: float) -> pd.DataFrame:
    """Draw the ``expenses`` table: rep lines per rep and month, company lines per month.

    Rep lines are charged to the rep and their region; travel and entertainment follow
    the rep's activity. Company lines scale with ``scale``; promotion spend falls in
    the promotion months and trade fairs in February and September.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        Reps and the history window.
    scale : float
        Size multiplier of the company lines.

    Returns
    -------
    pandas.DataFrame
        ``expense_id, date, line, amount, rep_id, region_id`` by date, then rep.
    """
    rep, month, share = _rep_months(w)
    parts = []
    effort = np.minimum(w.rep_activity, 1.6)
    for line, cost in REP_COSTS.items():
        factor = effort[rep] if line in ("travel", "entertainment") else 1.0
        amount = cost * share * factor * rng.normal(1.0, 0.07, len(rep))
        parts.append(pd.DataFrame({"m": month, "line": line, "amount": amount, "rep": rep}))
    parts.append(_company_lines(rng, w, scale))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.iloc[np.lexsort((frame["rep"].to_numpy(), frame["m"].to_numpy()))]
    has_rep = frame["rep"].to_numpy() >= 0
    rep_idx = np.maximum(frame["rep"].to_numpy(), 0)
    n = len(frame)
    return pd.DataFrame({
        "expense_id": make_ids("G", np.arange(1, n + 1), 7),
        "date": (w.cal.months[frame["m"].to_numpy()] + 1).astype("datetime64[D]") - 1,
        "line": frame["line"].to_numpy(dtype=object),
        "amount": np.round(frame["amount"].to_numpy(dtype=float), 2),
        "rep_id": np.where(has_rep, w.rep_ids[rep_idx], None),
        "region_id": np.where(has_rep, np.array(w.comm_ids, dtype=object)[w.rep_comm[rep_idx]], None),
    })


def _company_lines(rng: np.random.Generator, w: World, scale: float) -> pd.DataFrame:
    """Draw the company-wide lines of every month (no rep, no region)."""
    promos = promotions(w.cal)
    rows = []
    for m, month in enumerate(w.cal.months):
        moy = int(str(month)[5:7])
        costs = dict(COMPANY_COSTS)
        if m in promos:
            costs["promotions"] = PROMOTION_COST
        if moy in TRADE_FAIR_MONTHS:
            costs["trade_fairs"] = TRADE_FAIR_COST
        rows += [(m, line, cost * scale * rng.normal(1.0, 0.08)) for line, cost in costs.items()]
    frame = pd.DataFrame(rows, columns=["m", "line", "amount"])
    return frame.assign(rep=-1)


def budget_frame(rng: np.random.Generator, w: World, expenses: pd.DataFrame,
                 monthly_sales: np.ndarray) -> pd.DataFrame:
    """Return the ``budget`` table: revenue and every expense line per month, company-wide.

    The expense budget is what was spent, within a few per cent either way, rounded to
    hundreds (a budget that was met on average); the revenue budget is the same month
    a year earlier plus 6 % (the first year: its own sales, rounded).

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        The history window.
    expenses : pandas.DataFrame
        What :func:`expense_frame` returned.
    monthly_sales : numpy.ndarray
        Net sales of each month of the history.

    Returns
    -------
    pandas.DataFrame
        ``year, month, line, amount`` by year, month and line.
    """
    month = (expenses["date"].to_numpy().astype("datetime64[M]") - w.cal.months[0]).astype(np.int64)
    spent = expenses.assign(m=month).groupby(["m", "line"], sort=True)["amount"].sum().reset_index()
    spent["amount"] = np.round(spent["amount"] * rng.normal(1.0, 0.04, len(spent)), -2)
    sales = np.asarray(monthly_sales, dtype=float)
    before = np.r_[sales[:12] * rng.normal(0.97, 0.02, min(12, len(sales))), sales[:-12] * 1.06]
    revenue = pd.DataFrame({"m": np.arange(len(sales)), "line": "revenue", "amount": np.round(before, -3)})
    frame = pd.concat([revenue, spent], ignore_index=True)
    months = w.cal.months[frame["m"].to_numpy()]
    frame = frame.assign(year=months.astype("datetime64[Y]").astype(int) + 1970,
                         month=months.astype(int) % 12 + 1)
    frame = frame.sort_values(["year", "month", "line"], kind="stable")
    return frame[["year", "month", "line", "amount"]].reset_index(drop=True)
