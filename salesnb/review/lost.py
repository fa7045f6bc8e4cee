"""Lost customers (*clientes perdidos*) and the churn risk of active ones.

**The lost-customer rule.** Each customer has a buying rhythm: the median number of days
between their purchase dates (days with an order whose net total is positive; a return
alone is not a purchase). A customer is **lost** when the days since their last purchase
exceed what that rhythm allows::

    allowed days = max(90, 2.5 x median gap)     (two or more purchase dates)
    allowed days = 180                           (a single purchase date)

so a customer who buys every two weeks is lost after 90 quiet days, one who buys twice a
year after about 15 months. The day they become lost is ``last purchase + allowed + 1``.
**Value at risk** is what the customer bought (net) in the 12 months up to their last
purchase: the yearly business at stake if they do not come back.

**Churn risk** of an active customer is the probability that they are lost by the rule
90 days from now. It is learnt from the customers' own history with a logistic
regression (scikit-learn, standardised features) on recency, frequency and money (RFM):
recency in days, recency as a share of the customer's allowed days, purchase dates in
the last 12 months, log of net sales in the last 12 months, log of tenure, the recent
pace (purchase dates in the last 90 days against a quarter of the last 12 months: a
customer slowing down scores low) and the channel. The model is trained on a snapshot one horizon
earlier (customers active then, label: lost by the rule one horizon later) and tested on
the next snapshot; the AUC of that held-out snapshot is reported with the scores (0.5 is
chance, 1 is perfect ranking).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.params import check_positive_number, to_timestamp
from salesnb.review._common import customer_owner, memo, positive_orders

if TYPE_CHECKING:
    from salesnb.data import Dataset
    from salesnb.review.periods import DateLike

__all__ = ["LOST_RULE", "ChurnResult", "churn_risk", "customer_rhythm", "lost_customers"]

#: Parameters of the lost-customer rule (documented in docs/KPIS.md).
LOST_RULE = {"min_days": 90, "factor": 2.5, "single_order_days": 180}


def _check_rule(min_days: float, factor: float, single_order_days: float) -> None:
    """Check the three numbers of the lost-customer rule: each a positive number."""
    for name, value in (("min_days", min_days), ("factor", factor), ("single_order_days", single_order_days)):
        check_positive_number(name, value)


def customer_rhythm(dataset: Dataset, *, as_of: DateLike, min_days: float = LOST_RULE["min_days"],
                    factor: float = LOST_RULE["factor"],
                    single_order_days: float = LOST_RULE["single_order_days"],
                    orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each customer's buying rhythm and status as of a date.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    as_of : date
        Only orders up to this day count.
    min_days, factor, single_order_days : float
        The rule: lost when days since the last purchase > ``max(min_days, factor x
        median gap)``, or > ``single_order_days`` for a single purchase date.
    orders : DataFrame, optional
        Pre-computed positive orders of ``dataset.orders`` (internal speed-up).

    Returns
    -------
    DataFrame
        One row per customer with a purchase up to ``as_of``: customer_id, name, rep_id
        (owner; the rep of the last order when the customer has none), purchases (dates),
        first_order, last_order, median_gap, allowed_days, days_since, lost_date, status
        (``active`` or ``lost``), value_at_risk, last_order_value.
    """
    _check_rule(min_days, factor, single_order_days)
    as_of = to_timestamp("as_of", as_of)
    key = ("customer_rhythm", as_of, float(min_days), float(factor), float(single_order_days),
           id(dataset.customers))
    return memo(dataset.orders, key, lambda: _rhythm(dataset, as_of, min_days, factor, single_order_days,
                                                     orders)).copy()


def _rhythm(dataset: Dataset, as_of: pd.Timestamp, min_days: float, factor: float, single_order_days: float,
            orders: pd.DataFrame | None) -> pd.DataFrame:
    po = positive_orders(dataset.orders) if orders is None else orders
    po = po.loc[po["order_date"] <= as_of]
    cols = ["customer_id", "name", "rep_id", "purchases", "first_order", "last_order", "median_gap",
            "allowed_days", "days_since", "lost_date", "status", "value_at_risk", "last_order_value"]
    if po.empty:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        for c in ("first_order", "last_order", "lost_date"):
            empty[c] = pd.Series(dtype="datetime64[ns]")
        for c in ("purchases", "median_gap", "allowed_days", "days_since", "value_at_risk", "last_order_value"):
            empty[c] = pd.Series(dtype=float)
        return empty
    days = po[["customer_id", "order_date"]].assign(customer_id=po["customer_id"].astype(str))
    days = days.drop_duplicates().sort_values(["customer_id", "order_date"], kind="stable")
    gaps = days.groupby("customer_id", sort=False)["order_date"].diff().dt.days
    stats = days.assign(gap=gaps).groupby("customer_id", sort=True).agg(
        purchases=("order_date", "size"), first_order=("order_date", "min"),
        last_order=("order_date", "max"), median_gap=("gap", "median"))
    allowed = np.where(stats["purchases"] >= 2, np.maximum(min_days, factor * stats["median_gap"].fillna(0)),
                       single_order_days)
    stats["allowed_days"] = allowed.astype(float)
    stats["days_since"] = (as_of - stats["last_order"]).dt.days
    stats["lost_date"] = stats["last_order"] + pd.to_timedelta(np.floor(allowed).astype(int) + 1, unit="D")
    stats["status"] = np.where(stats["days_since"] > stats["allowed_days"], "lost", "active")
    stats["value_at_risk"], stats["last_order_value"] = _order_values(dataset, as_of, stats["last_order"])
    owner = customer_owner(dataset)
    last_rep = po.assign(customer_id=po["customer_id"].astype(str)).sort_values(
        "order_date", kind="stable").groupby("customer_id")["rep_id"].last().astype(object)
    rep = owner.reindex(stats.index)
    stats["rep_id"] = rep.where(rep.notna(), last_rep.reindex(stats.index))
    names = dataset.customers.assign(customer_id=dataset.customers["customer_id"].astype(str)) \
        .set_index("customer_id")["name"].astype(object)
    stats["name"] = names.reindex(stats.index)
    return stats.reset_index()[cols]


def _order_values(dataset: Dataset, as_of: pd.Timestamp, last_order: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return each customer's value at risk and the value of their last purchase day.

    Value at risk is net sales (returns included) in the 12 months up to the last
    purchase; ``last_order`` is indexed by customer id.
    """
    lines = dataset.orders.loc[dataset.orders["order_date"] <= as_of, ["customer_id", "order_date", "net_amount"]]
    lines = lines.assign(customer_id=lines["customer_id"].astype(str))
    last = lines["customer_id"].map(last_order)
    window = (lines["order_date"] <= last) & (lines["order_date"] > last - pd.DateOffset(years=1))
    value_at_risk = lines.loc[window].groupby("customer_id")["net_amount"].sum() \
        .reindex(last_order.index).fillna(0.0)
    on_last = lines["order_date"] == last
    last_value = lines.loc[on_last].groupby("customer_id")["net_amount"].sum() \
        .reindex(last_order.index).fillna(0.0)
    return value_at_risk, last_value


def lost_customers(dataset: Dataset, *, start: DateLike, end: DateLike, rep_id: str | None = None,
                   **rule: float) -> pd.DataFrame:
    """Return the customers who became lost between ``start`` and ``end`` (lost date in the span).

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    start, end : date
        The span; the rule is applied as of ``end``.
    rep_id : str, optional
        Only this rep's customers.
    **rule
        ``min_days``, ``factor``, ``single_order_days`` (see :func:`customer_rhythm`).

    Returns
    -------
    DataFrame
        The :func:`customer_rhythm` columns, sorted by value at risk (largest first).
    """
    s, e = to_timestamp("start", start), to_timestamp("end", end)
    rhythm = customer_rhythm(dataset, as_of=e, **rule)
    sel = rhythm.loc[(rhythm["status"] == "lost") & (rhythm["lost_date"] >= s) & (rhythm["lost_date"] <= e)]
    if rep_id is not None:
        sel = sel.loc[sel["rep_id"].astype(str) == str(rep_id)]
    return sel.sort_values(["value_at_risk", "customer_id"], ascending=[False, True], kind="stable") \
        .reset_index(drop=True)


# --------------------------------------------------------------------------- churn risk


@dataclass
class ChurnResult:
    """Churn-risk scores of active customers and how well the model ranked held-out history.

    Attributes
    ----------
    scores : DataFrame
        customer_id, name, rep_id, risk (0-1), days_since, allowed_days, purchases_12m,
        sales_12m, value_at_risk; sorted by risk x value at risk.
    auc : float
        ROC AUC on the held-out snapshot (NaN when it had a single class).
    method : str
        ``"logistic_rfm"`` (or the lead scorer's name when it was reused).
    n_train, n_test : int
        Customers in the training and held-out snapshots.
    horizon_days : int
        How far ahead "lost" is predicted.
    notes : list of str
        Caveats (too little history, one class only ...).
    """

    scores: pd.DataFrame
    auc: float
    method: str
    n_train: int
    n_test: int
    horizon_days: int
    notes: list[str] = field(default_factory=list)


_CHANNELS = ("distributor", "store", "mall", "franchise")
_FEATURES = ["days_since", "recency_ratio", "purchases_12m", "log_sales_12m", "log_tenure", "pace",
             *(f"channel_{c}" for c in _CHANNELS)]


def _snapshot(dataset: Dataset, po: pd.DataFrame, cutoff: pd.Timestamp, rhythm: pd.DataFrame) -> pd.DataFrame:
    """RFM features of the customers active at ``cutoff`` (``rhythm`` as of ``cutoff``)."""
    active = rhythm.loc[rhythm["status"] == "active"]
    if active.empty:
        return pd.DataFrame(columns=[*_FEATURES, "sales_12m"], index=active.index, dtype=float)
    recent = po.loc[(po["order_date"] <= cutoff) & (po["order_date"] > cutoff - pd.DateOffset(years=1))]
    recent = recent.assign(customer_id=recent["customer_id"].astype(str))
    freq = recent.drop_duplicates(["customer_id", "order_date"]).groupby("customer_id").size()
    money = recent.groupby("customer_id")["net_amount"].sum()
    feats = pd.DataFrame(index=active.index)
    feats["days_since"] = active["days_since"].astype(float)
    feats["recency_ratio"] = active["days_since"] / active["allowed_days"]
    feats["purchases_12m"] = freq.reindex(active.index).fillna(0).astype(float)
    feats["sales_12m"] = money.reindex(active.index).fillna(0.0)
    feats["log_sales_12m"] = np.log1p(feats["sales_12m"].clip(lower=0))
    feats["log_tenure"] = np.log1p((cutoff - active["first_order"]).dt.days.astype(float))
    quarter = recent.loc[recent["order_date"] > cutoff - pd.Timedelta(days=91)]
    last_90 = quarter.drop_duplicates(["customer_id", "order_date"]).groupby("customer_id").size()
    feats["pace"] = last_90.reindex(active.index).fillna(0) / (feats["purchases_12m"] / 4 + 0.5)
    channel = dataset.customers.assign(customer_id=dataset.customers["customer_id"].astype(str)) \
        .set_index("customer_id")["channel"].astype(str).reindex(active.index)
    for name in _CHANNELS:
        feats[f"channel_{name}"] = (channel == name).astype(float).to_numpy()
    return feats


def _labels(customers: pd.Index, rhythm_later: pd.DataFrame) -> pd.Series:
    """1 when a customer is lost by the rule in the later rhythm, else 0."""
    return (rhythm_later["status"].reindex(customers) == "lost").astype(int)


def churn_risk(dataset: Dataset, *, as_of: DateLike, horizon_days: int = 90, **rule: float) -> ChurnResult:
    """Probability that each active customer is lost by the rule within ``horizon_days``.

    See the module docstring for the features, the training snapshots and the AUC.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    as_of : date
        Scores are for the customers active on this day; training uses only earlier facts.
    horizon_days : int, default 90
        How far ahead "lost" is predicted.
    **rule
        Parameters of the lost-customer rule.
    """
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 30:
        raise ParameterError.from_catalog("review.error_horizon_days", value=repr(horizon_days))
    rule = {**LOST_RULE, **rule}
    as_of = to_timestamp("as_of", as_of)
    po = positive_orders(dataset.orders)
    po = po.loc[po["order_date"] <= as_of]
    h = pd.Timedelta(days=horizon_days)
    train_at, test_at = as_of - 2 * h, as_of - h
    rhythm = {at: customer_rhythm(dataset, as_of=at, orders=po, **rule).set_index("customer_id")
              for at in (train_at, test_at, as_of)}
    current = _snapshot(dataset, po, as_of, rhythm[as_of])
    train = _snapshot(dataset, po, train_at, rhythm[train_at])
    test = _snapshot(dataset, po, test_at, rhythm[test_at])
    y_train = _labels(train.index, rhythm[test_at])
    y_test = _labels(test.index, rhythm[as_of])
    risk, auc, notes = _fit_risk(train, y_train, test, y_test, current)
    scores = _risk_table(current, risk, rhythm[as_of])
    return ChurnResult(scores, auc, "logistic_rfm", len(train), len(test), horizon_days, notes)


def _fit_risk(train: pd.DataFrame, y_train: pd.Series, test: pd.DataFrame, y_test: pd.Series,
              current: pd.DataFrame) -> tuple[np.ndarray, float, list[str]]:
    """Return the current customers' risk, the held-out AUC and caveats.

    The model learns on the older snapshot, is scored on the held-out one (AUC), then
    refit on the held-out one when it can; with too little history the risk is the
    recency ratio.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    notes: list[str] = []
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    auc = float("nan")
    if len(train) >= 20 and y_train.nunique() == 2:
        model.fit(train[_FEATURES].to_numpy(), y_train.to_numpy())
        if len(test) and y_test.nunique() == 2:
            auc = float(roc_auc_score(y_test.to_numpy(), model.predict_proba(test[_FEATURES].to_numpy())[:, 1]))
        else:
            notes.append("held_out_one_class")
        # final model: the most recent labelled snapshot
        if len(test) >= 20 and y_test.nunique() == 2:
            model.fit(test[_FEATURES].to_numpy(), y_test.to_numpy())
        risk = model.predict_proba(current[_FEATURES].to_numpy())[:, 1] if len(current) else np.array([])
    else:
        notes.append("too_little_history")
        risk = current["recency_ratio"].clip(0, 1).to_numpy() if len(current) else np.array([])
    return risk, auc, notes


def _risk_table(current: pd.DataFrame, risk: np.ndarray, rhythm: pd.DataFrame) -> pd.DataFrame:
    """Return the scores of the current customers with their rhythm, by expected loss (largest first)."""
    scores = current.assign(risk=risk)
    scores["name"] = rhythm["name"].reindex(scores.index)
    scores["rep_id"] = rhythm["rep_id"].reindex(scores.index)
    scores["allowed_days"] = rhythm["allowed_days"].reindex(scores.index)
    scores["last_order"] = rhythm["last_order"].reindex(scores.index)
    scores["value_at_risk"] = rhythm["value_at_risk"].reindex(scores.index)
    scores["expected_loss"] = scores["risk"] * scores["value_at_risk"].clip(lower=0)
    scores = scores.reset_index().rename(columns={"index": "customer_id"})
    scores = scores.sort_values(["expected_loss", "customer_id"], ascending=[False, True], kind="stable")
    keep = ["customer_id", "name", "rep_id", "risk", "days_since", "allowed_days", "last_order",
            "purchases_12m", "sales_12m", "value_at_risk", "expected_loss"]
    return scores[keep].reset_index(drop=True)
