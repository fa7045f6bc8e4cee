"""Commissions: tiers of attainment, bonuses, the team's incentive cost and a what-if on the rates.

A plan is a table of tiers (``commission_plans``: ``plan_id, tier_from, tier_to, rate,
base`` and optional bonuses). A rep whose attainment of target (net sales / target
over the period) falls in a tier earns that tier's rate on *all* their net sales (or
margin, when the plan's base says so) of the period; the plan's bonuses add an amount
per new customer won and per overdue invoice collected. Reps name their plan in
``reps.plan_id``; a rep without one follows ``default``; a dataset without plans pays
:data:`FLAT_RATE` of net sales to everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.market.periods import in_days
from salesnb.money.margin import costed_orders, remember
from salesnb.params import check_positive_number, to_timestamp
from salesnb.review.plan import daily_targets

if TYPE_CHECKING:
    from salesnb.data import Dataset
    from salesnb.review.plan import TargetSource

__all__ = ["DEFAULT_PLAN", "FLAT_RATE", "check_plan", "commission_plan", "commissions", "incentive_cost",
           "rate_what_if"]

#: The rate every rep earns on net sales when the dataset has no commission plan.
FLAT_RATE = 0.03
#: Plan of a rep whose ``plan_id`` is empty.
DEFAULT_PLAN = "default"
_TIER_COLUMNS = ["plan_id", "tier_from", "tier_to", "rate", "base", "bonus_new_customer", "bonus_collected"]


def check_plan(plan: pd.DataFrame) -> pd.DataFrame:
    """Return the tiers of ``plan`` sorted by plan and start, after checking they do not overlap.

    Parameters
    ----------
    plan : DataFrame
        ``plan_id, tier_from, tier_to, rate, base`` (optional ``bonus_new_customer``,
        ``bonus_collected``); an empty ``tier_to`` is open-ended.

    Returns
    -------
    DataFrame
        The seven columns of the contract, bonuses 0 where empty.

    Raises
    ------
    ParameterError
        When a tier starts below the end of the tier before it in the same plan, or a
        rate is not between 0 and 1.
    """
    tiers = plan.copy()
    for col in ("bonus_new_customer", "bonus_collected"):
        tiers[col] = tiers[col].astype(float) if col in tiers else np.nan
    tiers["tier_to"] = tiers["tier_to"].astype(float)
    tiers = tiers[_TIER_COLUMNS].sort_values(["plan_id", "tier_from"], kind="stable").reset_index(drop=True)
    bad_rate = tiers.loc[~tiers["rate"].astype(float).between(0, 1)]
    if len(bad_rate):
        raise ParameterError.from_catalog("money.error_rate", plan=str(bad_rate["plan_id"].iloc[0]),
                                          value=repr(float(bad_rate["rate"].iloc[0])))
    for plan_id, group in tiers.groupby("plan_id", sort=True):
        ends = group["tier_to"].fillna(np.inf).to_numpy(dtype=float)
        starts = group["tier_from"].to_numpy(dtype=float)
        hit = np.flatnonzero(starts[1:] < ends[:-1])
        if len(hit):
            i = int(hit[0]) + 1
            raise ParameterError.from_catalog("money.error_tier_overlap", plan=str(plan_id), start=f"{starts[i]:g}",
                                              previous=f"{starts[i - 1]:g}", end=f"{ends[i - 1]:g}")
    return tiers


def commission_plan(dataset: Dataset) -> pd.DataFrame:
    """Return the dataset's commission tiers (checked), or the flat plan when it has none.

    Returns
    -------
    DataFrame
        As :func:`check_plan`; without a ``commission_plans`` table one ``default`` tier
        from 0 with :data:`FLAT_RATE` on net sales and no bonuses.
    """
    if dataset.has("commission_plans") and len(dataset["commission_plans"]):
        return check_plan(dataset["commission_plans"])
    return check_plan(pd.DataFrame({"plan_id": [DEFAULT_PLAN], "tier_from": [0.0], "tier_to": [np.nan],
                                    "rate": [FLAT_RATE], "base": ["net_sales"]}))


def _tier_of(tiers: pd.DataFrame, attainment: float) -> tuple[int, float, str]:
    """Return (tier number from 1, rate, base) of one attainment; below the first tier: tier 0, rate 0."""
    ends = tiers["tier_to"].fillna(np.inf).to_numpy(dtype=float)
    starts = tiers["tier_from"].to_numpy(dtype=float)
    value = 0.0 if not np.isfinite(attainment) else attainment
    hit = np.flatnonzero((starts <= value) & (value < ends))
    if not len(hit):
        return 0, 0.0, str(tiers["base"].iloc[0])
    i = int(hit[0])
    return i + 1, float(tiers["rate"].iloc[i]), str(tiers["base"].iloc[i])


def _period_sales(dataset: Dataset, start: pd.Timestamp, end: pd.Timestamp, *,
                  lines: pd.DataFrame | None = None) -> pd.DataFrame:
    """Net sales, margin and new customers per rep in the span.

    ``lines``: costed order lines covering the span (default: all of them, shared). A
    new customer is one whose first line sold ever (in ``orders``) falls in the span.
    """
    lines = costed_orders(dataset, shared=True) if lines is None else lines
    now = lines.loc[in_days(lines["order_date"], start, end), ["rep_id", "net_amount", "margin"]]
    out = now.groupby("rep_id", sort=True)[["net_amount", "margin"]].sum().rename(columns={"net_amount": "net_sales"})
    orders = dataset.orders
    sold = orders.loc[orders["quantity"] > 0, ["customer_id", "order_date", "order_id", "rep_id"]]
    # a customer's first line is on its first day: sort only those lines, not every line
    first_day = sold.groupby("customer_id", sort=False, dropna=False)["order_date"].transform("min")
    sold = sold.loc[sold["order_date"] == first_day].sort_values(["order_date", "order_id"], kind="stable")
    first = sold.drop_duplicates("customer_id", keep="first")
    first = first.loc[in_days(first["order_date"], start, end)]
    out["new_customers"] = first.groupby("rep_id").size().reindex(out.index).fillna(0).astype(int)
    return out


def _collected(dataset: Dataset, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Overdue invoices paid in the span, per rep of the customer (``customers.rep_id``)."""
    if not dataset.has("invoices"):
        return pd.Series(dtype=int)
    inv = dataset["invoices"]
    paid = inv.loc[in_days(inv["paid_date"], start, end) & (inv["paid_date"] > inv["due_date"])]
    rep = paid["customer_id"].map(dataset.customers.set_index("customer_id")["rep_id"])
    return rep.value_counts().astype(int)


def _targets(dataset: Dataset, start: pd.Timestamp, end: pd.Timestamp, targets: TargetSource | None) -> pd.Series:
    """Each rep's target over the span: a ``rep_id, target`` frame as given, else the review's daily targets."""
    if isinstance(targets, pd.DataFrame) and "date" not in targets and "month" not in targets:
        return targets.groupby("rep_id")["target"].sum().astype(float)
    daily = _daily(dataset, start, end, targets)
    return daily.groupby("rep_id")["target"].sum().astype(float)


def _daily(dataset: Dataset, start: pd.Timestamp, end: pd.Timestamp, targets: TargetSource | None) -> pd.DataFrame:
    """Return the review's daily targets of the span; the default ones computed once per dataset and span."""
    if targets is not None:
        return daily_targets(dataset, start=start, end=end, targets=targets)
    return remember(dataset, ("daily_targets", start, end), lambda: daily_targets(dataset, start=start, end=end))


def commissions(dataset: Dataset, *, start: object, end: object, plan: pd.DataFrame | None = None,
                targets: TargetSource | None = None, rate_factor: float = 1.0,
                lines: pd.DataFrame | None = None) -> pd.DataFrame:
    """Commission of every rep with sales or a target in a period.

    Parameters
    ----------
    dataset : Dataset
        The loaded data (``orders``; ``invoices`` for the collection bonus).
    start, end : date-like
        The period, both days included.
    plan : DataFrame, optional
        Tiers as in :func:`check_plan`; the dataset's plans (or the flat plan) by default.
    targets : TargetPlan, DataFrame or path, optional
        Targets: a ``rep_id, target`` frame for the period, or whatever
        :func:`salesnb.review.plan.daily_targets` takes; by default the target plan.
    rate_factor : float, default 1.0
        Multiplies every rate (a what-if: 1.1 = rates 10 % higher).
    lines : DataFrame, optional
        :func:`~salesnb.money.costed_orders` of ``dataset``, already computed (speed-up;
        the lines from ``start`` to ``end`` are enough).

    Returns
    -------
    DataFrame
        One row per rep: ``rep_id, plan_id, net_sales, margin, target, attainment, tier,
        rate, base, base_amount, commission, new_customers, collected, bonuses, total``
        (attainment NaN without a target: the first tier applies).
    """
    s, e = to_timestamp("start", start), to_timestamp("end", end)
    factor = check_positive_number("rate_factor", rate_factor)
    tiers = check_plan(plan) if plan is not None else commission_plan(dataset)
    return _table(dataset, _inputs(dataset, s, e, targets, lines=lines), tiers, factor)


def _inputs(dataset: Dataset, start: pd.Timestamp, end: pd.Timestamp, targets: TargetSource | None, *,
            lines: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Return what a commission table is computed from: sales, targets and overdue invoices collected per rep."""
    return (_period_sales(dataset, start, end, lines=lines), _targets(dataset, start, end, targets),
            _collected(dataset, start, end))


def _table(dataset: Dataset, inputs: tuple[pd.DataFrame, pd.Series, pd.Series], tiers: pd.DataFrame,
           factor: float) -> pd.DataFrame:
    """Return the frame of :func:`commissions` from its :func:`_inputs` (``rate_what_if`` reuses them)."""
    sales, target, collected = inputs
    reps = sorted(set(sales.index) | set(target.index[target > 0]))
    named = dataset.reps.set_index("rep_id")["plan_id"] if "plan_id" in dataset.reps else None
    plans = {rep: _plan_of(named, rep, tiers) for rep in reps}
    own = {plan_id: tiers.loc[tiers["plan_id"] == plan_id] for plan_id in dict.fromkeys(plans.values())}
    rows = [_rep_row(rep, plans[rep], own[plans[rep]], sales, target, factor) for rep in reps]
    out = pd.DataFrame(rows)
    out["collected"] = collected.reindex(out["rep_id"]).fillna(0).astype(int).to_numpy()
    out["bonuses"] = out["new_customers"] * out.pop("_bonus_new") + out["collected"] * out.pop("_bonus_collected")
    out["total"] = out["commission"] + out["bonuses"]
    return out


def _plan_of(named: pd.Series | None, rep: str, tiers: pd.DataFrame) -> str:
    """Return the rep's plan id: ``reps.plan_id`` (``named``) when that plan exists, else the default (or first)."""
    plans = set(tiers["plan_id"])
    plan_id = named.get(rep) if named is not None else None
    if isinstance(plan_id, str) and plan_id in plans:
        return plan_id
    return DEFAULT_PLAN if DEFAULT_PLAN in plans else str(tiers["plan_id"].iloc[0])


def _rep_row(rep: str, plan_id: str, own: pd.DataFrame, sales: pd.DataFrame, target: pd.Series,
             factor: float) -> dict[str, object]:
    """One rep's row of :func:`commissions` (bonuses per unit kept apart for the caller); ``own``: its plan's tiers."""
    net = float(sales["net_sales"].get(rep, 0.0))
    mar = float(sales["margin"].get(rep, 0.0))
    tgt = float(target.get(rep, 0.0))
    att = net / tgt if tgt > 0 else float("nan")
    tier, rate, base = _tier_of(own, att if tgt > 0 else 0.0)
    amount = max(net if base == "net_sales" else mar, 0.0)
    return {"rep_id": rep, "plan_id": plan_id, "net_sales": net, "margin": mar, "target": tgt, "attainment": att,
            "tier": tier, "rate": rate * factor, "base": base, "base_amount": amount,
            "commission": round(amount * rate * factor, 2),
            "new_customers": int(sales["new_customers"].get(rep, 0)),
            "_bonus_new": float(np.nan_to_num(own["bonus_new_customer"].max())),
            "_bonus_collected": float(np.nan_to_num(own["bonus_collected"].max()))}


def incentive_cost(table: pd.DataFrame) -> dict[str, float]:
    """Return the team's incentive cost from :func:`commissions`: total, commission, bonuses, share of net sales."""
    sales = float(table["net_sales"].sum())
    total = float(table["total"].sum())
    return {"total": total, "commission": float(table["commission"].sum()), "bonuses": float(table["bonuses"].sum()),
            "net_sales": sales, "share": total / sales if sales > 0 else float("nan")}


def rate_what_if(dataset: Dataset, *, start: object, end: object, factors: Sequence[float] = (0.8, 0.9, 1.0, 1.1, 1.2),
                 plan: pd.DataFrame | None = None, targets: TargetSource | None = None) -> pd.DataFrame:
    """Return the team's incentive cost if every rate were multiplied by each of ``factors``.

    Returns
    -------
    DataFrame
        ``factor, commission, bonuses, total, share`` (total / net sales), one row per factor.
    """
    s, e = to_timestamp("start", start), to_timestamp("end", end)
    daily = None if isinstance(targets, pd.DataFrame) else _daily(dataset, s, e, targets)
    fixed = targets if daily is None else daily.groupby("rep_id", as_index=False)["target"].sum()
    checked = [check_positive_number("rate_factor", factor) for factor in factors]
    tiers = check_plan(plan) if plan is not None else commission_plan(dataset)
    inputs = _inputs(dataset, s, e, fixed)  # the same sales and targets for every factor
    rows = []
    for factor, rate_factor in zip(factors, checked, strict=True):
        cost = incentive_cost(_table(dataset, inputs, tiers, rate_factor))
        rows.append({"factor": float(factor), **{k: cost[k] for k in ("commission", "bonuses", "total", "share")}})
    return pd.DataFrame(rows)
