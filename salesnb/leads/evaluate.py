"""How good are the scores? Lift, capture, AUC and calibration on held-out history.

A score is only worth using if it sorts leads better than chance. The checks here
use *cross-validated* scores: the history is cut into five parts, each part is
scored by a scorer that learned from the other four, so no lead is scored by a
model that saw its outcome.

- **Lift by decile**: sort leads by score, cut them into ten equal groups; the lift
  of a group is its win rate divided by the overall win rate (2 = twice as good).
- **Capture at 20%**: the share of all wins found in the top 20% of scores (random
  order finds 20%).
- **AUC**: the chance that a random won lead scores above a random lost one
  (0.5 = coin toss, 1 = perfect order).
- **Calibration**: in each band of predicted win chance, the share actually won;
  the Brier score is the mean squared gap between prediction and outcome.

:func:`backtest` runs all of them on a fitted scorer's history at once.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from salesnb.errors import ParameterError
from salesnb.params import check_positive_int

if TYPE_CHECKING:
    from salesnb.leads.score import LeadScorer

__all__ = [
    "Backtest",
    "backtest",
    "calibration_table",
    "capture_at",
    "cross_validated_scores",
    "evidence",
    "lift_table",
]


def _arrays(y: ArrayLike, score: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    yy = np.asarray(y).astype(bool).astype(int)
    ss = np.asarray(score, dtype=float)
    if yy.shape != ss.shape or yy.ndim != 1:
        raise ParameterError.from_catalog("leads.error_score_shapes", y_shape=yy.shape, score_shape=ss.shape)
    if len(yy) == 0:
        raise ParameterError.from_catalog("leads.error_nothing_to_evaluate")
    return yy, ss


def _order(score: np.ndarray) -> np.ndarray:
    """Return the positions from the highest score down; ties keep their input order."""
    return np.argsort(-score, kind="stable")


def lift_table(y: ArrayLike, score: ArrayLike, *, bins: int = 10) -> pd.DataFrame:
    """Return the win rate and lift per score group, best scores first.

    Parameters
    ----------
    y : array-like of bool
        Outcomes (True = won).
    score : array-like of float
        Scores (higher = more likely won).
    bins : int, default 10
        Number of equal-size groups (10 = deciles).

    Returns
    -------
    DataFrame
        ``decile`` (1 = highest scores), ``leads``, ``wins``, ``win_rate``, ``lift``,
        ``capture`` (share of all wins in the group) and ``cum_capture``.
    """
    check_positive_int("bins", bins)
    yy, ss = _arrays(y, score)
    ordered = yy[_order(ss)]
    groups = np.array_split(ordered, min(bins, len(ordered)))
    total_wins = max(int(yy.sum()), 1)
    base = yy.mean() if len(yy) else 0.0
    rows = []
    cum = 0
    for i, g in enumerate(groups, start=1):
        wins = int(g.sum())
        cum += wins
        rate = wins / len(g) if len(g) else 0.0
        rows.append({"decile": i, "leads": len(g), "wins": wins, "win_rate": rate,
                     "lift": rate / base if base > 0 else np.nan,
                     "capture": wins / total_wins, "cum_capture": cum / total_wins})
    return pd.DataFrame(rows)


def capture_at(y: ArrayLike, score: ArrayLike, *, share: float = 0.2) -> float:
    """Return the share of all wins among the top ``share`` of leads by score (0.2 = top 20%).

    The top group is ``ceil(share * n)`` leads; ties keep their input order.
    """
    if isinstance(share, bool) or not isinstance(share, numbers.Real) or not 0 < share <= 1:
        raise ParameterError.from_catalog("leads.error_unit_interval", name="share", value=repr(share))
    yy, ss = _arrays(y, score)
    if yy.sum() == 0:
        return float("nan")
    k = int(np.ceil(share * len(yy) - 1e-9))
    return float(yy[_order(ss)[:k]].sum() / yy.sum())


def calibration_table(y: ArrayLike, score: ArrayLike, *, bins: int = 10) -> pd.DataFrame:
    """Return the predicted against the observed win rate, in equal-width bands of predicted chance.

    Returns
    -------
    DataFrame
        ``bin`` (e.g. ``"20–30%"``), ``low``, ``high``, ``leads``, ``mean_score``
        (average prediction) and ``observed`` (share won); empty bands are left out.
    """
    check_positive_int("bins", bins)
    yy, ss = _arrays(y, score)
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.searchsorted(edges, ss, side="right") - 1, 0, bins - 1)
    rows = []
    for b in range(bins):
        sel = idx == b
        if not sel.any():
            continue
        rows.append({"bin": f"{edges[b] * 100:.0f}–{edges[b + 1] * 100:.0f}%", "low": edges[b],
                     "high": edges[b + 1], "leads": int(sel.sum()), "mean_score": float(ss[sel].mean()),
                     "observed": float(yy[sel].mean())})
    return pd.DataFrame(rows, columns=["bin", "low", "high", "leads", "mean_score", "observed"])


def evidence(y: ArrayLike, score: ArrayLike) -> dict[str, float]:
    """Return the headline checks of a set of scores.

    Returns
    -------
    dict
        ``n`` (leads), ``base_rate``, ``auc`` (NaN with one outcome only),
        ``capture_20``, ``lift_top`` (lift of the top decile) and ``brier``.
    """
    yy, ss = _arrays(y, score)
    both = 0 < yy.sum() < len(yy)
    lift = lift_table(yy, ss)
    return {
        "n": len(yy),
        "base_rate": float(yy.mean()),
        "auc": float(roc_auc_score(yy, ss)) if both else float("nan"),
        "capture_20": capture_at(yy, ss),
        "lift_top": float(lift["lift"].iloc[0]) if len(lift) else float("nan"),
        "brier": float(brier_score_loss(yy, np.clip(ss, 0, 1))),
    }


def cross_validated_scores(scorer: BaseEstimator, X: pd.DataFrame, y: ArrayLike, *, n_splits: int = 5,
                           random_state: int = 0) -> pd.Series:
    """Return out-of-fold probabilities: each lead scored by a scorer that never saw it.

    Parameters
    ----------
    scorer : estimator
        A fitted or unfitted :class:`~salesnb.leads.LeadScorer` (or any classifier
        with ``predict_proba``). A fitted LeadScorer is re-run in the mode it used
        (``mode_``), so ``auto`` does not switch mode on the smaller folds.
    X : DataFrame
        Features of closed leads.
    y : array-like of bool
        Outcomes.
    n_splits : int, default 5
        Folds (stratified, shuffled with ``random_state``); reduced when an outcome
        has fewer leads than folds.

    Returns
    -------
    Series
        Probability of being won, same index as ``X``.

    Raises
    ------
    ParameterError
        When there are fewer than two leads of either outcome.
    """
    yy = np.asarray(y).astype(bool)
    n_won = int(yy.sum())
    k = min(n_splits, n_won, len(yy) - n_won)
    if k < 2:
        raise ParameterError.from_catalog("leads.error_cv_classes", won=n_won, lost=len(yy) - n_won)
    template = clone(scorer)
    mode = getattr(scorer, "mode_", None)
    if mode is not None and "mode" in template.get_params():
        template.set_params(mode=mode)
    out = np.zeros(len(yy))
    folds = StratifiedKFold(k, shuffle=True, random_state=random_state)
    for train, test in folds.split(np.zeros(len(yy)), yy):
        model = clone(template).fit(X.iloc[train], yy[train])
        out[test] = model.predict_proba(X.iloc[test])[:, 1]
    return pd.Series(out, index=X.index, name="score")


# --------------------------------------------------------------------------- backtest of a scorer


@dataclass
class Backtest:
    """Cross-validated evidence for a scorer (see :func:`backtest`).

    ``ok`` is False when the history is too thin to test (fewer than 2 won or 2
    lost leads, or fewer than 20 closed); then only ``n_closed`` and ``n_won`` are set.
    """

    ok: bool
    n_closed: int
    n_won: int
    mode: str
    scores: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    outcome: pd.Series = field(default_factory=lambda: pd.Series(dtype=bool))
    lift: pd.DataFrame = field(default_factory=pd.DataFrame)
    calibration: pd.DataFrame = field(default_factory=pd.DataFrame)
    metrics: dict[str, float] = field(default_factory=dict)


def backtest(scorer: LeadScorer, X: pd.DataFrame, y: pd.Series, *, n_splits: int = 5,
             random_state: int = 0) -> Backtest:
    """Score the history out of fold and measure lift, capture, AUC and calibration.

    Parameters
    ----------
    scorer : LeadScorer
        Fitted on ``X, y`` (its mode is kept on every fold).
    X, y
        From :func:`salesnb.leads.history`.
    n_splits : int, default 5
        Folds of :func:`cross_validated_scores`.
    random_state : int, default 0
        Seed of the folds.

    Returns
    -------
    Backtest
        With ``ok`` False (and no scores) when the history is too thin to test.
    """
    yy = np.asarray(y).astype(bool)
    n, won = len(yy), int(yy.sum())
    mode = getattr(scorer, "mode_", scorer.mode)
    if n < 20 or min(won, n - won) < 2:
        return Backtest(ok=False, n_closed=n, n_won=won, mode=mode)
    oof = cross_validated_scores(scorer, X, yy, n_splits=n_splits, random_state=random_state)
    return Backtest(ok=True, n_closed=n, n_won=won, mode=mode, scores=oof,
                    outcome=pd.Series(yy, index=X.index), lift=lift_table(yy, oof),
                    calibration=calibration_table(yy, oof), metrics=evidence(yy, oof))
