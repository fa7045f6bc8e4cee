"""Lead scoring: one scikit-learn classifier, three ways of learning, explanations in words.

:class:`LeadScorer` gives every lead a probability of being won. How it learns
depends on how much won/lost history there is (``mode="auto"``), or on the mode
you force:

``rules`` (fewer than :data:`AUTO_RULES_BELOW` closed leads)
    Transparent points: a big investment, interest in exclusivity, a warm source, a
    province among the most attractive … each add points (:data:`DEFAULT_RULES`).
    Points become a probability through ``prior`` (the expected win rate, or the
    observed one when there is some history) and ``points_scale``.
``bayes`` (fewer than :data:`AUTO_BAYES_BELOW` closed leads)
    Frequency scoring like Odoo CRM's predictive lead scoring: for each field, how
    often each value (numbers in five bands) appears among won and among lost leads,
    with Laplace smoothing; the ratios multiply into the odds (naive Bayes). The
    odds are then calibrated on cross-validated scores.
``model`` (from :data:`AUTO_BAYES_BELOW` closed leads)
    A calibrated blend of a regularised logistic regression (numbers in logarithms
    when skewed, with spline terms; categories one-hot) and a histogram gradient
    boosting model. Five-fold out-of-fold predictions choose the regression's
    regularisation, the blend weight and a Platt calibration (a logistic fit of the
    outcome on the blended log-odds), then both models are refitted on all the history.

Whatever the mode, :meth:`LeadScorer.contributions` says how much each field moves
a lead's log-odds, and :meth:`LeadScorer.explain` turns the largest ones into
phrases a rep understands ("investment of €100,000 or more", "source: referral"),
in the report language.

:func:`fit_scorer` fits the scorer on the history (or, with none, on the open leads
in rules mode) and :func:`score_leads` puts each lead's win chance and reasons next
to it, best first.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, SplineTransformer, StandardScaler
from sklearn.utils import Tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d
from threadpoolctl import threadpool_limits

from salesnb import i18n
from salesnb.errors import ParameterError
from salesnb.leads.features import lead_features
from salesnb.params import (
    check_choice,
    check_fraction,
    check_positive_int,
    check_positive_number,
    parameter_error,
)
from salesnb.vocab import LEAD_MODES

_CONTRIB_CHUNK = 20_000  # leads whose model contributions are computed together

__all__ = [
    "AUTO_BAYES_BELOW",
    "AUTO_RULES_BELOW",
    "DEFAULT_GROUPS",
    "DEFAULT_KINDS",
    "DEFAULT_RULES",
    "MODES",
    "LeadScorer",
    "choose_mode",
    "fit_scorer",
    "score_leads",
]

MODES = LEAD_MODES  # one list with notebook 02's parameter rules
#: ``auto`` uses rules below this many closed (won + lost) leads …
AUTO_RULES_BELOW = 30
#: … frequency (naive Bayes) scoring below this many, and the model from there on.
AUTO_BAYES_BELOW = 300
#: The model also needs this many leads of each outcome; with fewer, ``auto`` picks bayes.
MIN_PER_CLASS = 20

#: Points of the rules mode: ``(column, test, value, points)``. Rules on a missing
#: column are skipped; a lead collects the points of every rule it meets. Tests:
#: ``>=``, ``>``, ``<=``, ``<``, ``==``, ``in`` (value is a tuple).
DEFAULT_RULES: tuple[tuple[str, str, Any, float], ...] = (
    ("est_investment", ">=", 40_000, 1),
    ("est_investment", ">=", 100_000, 1),
    ("est_investment", "<", 15_000, -1),
    ("employees", ">=", 25, 1),
    ("exclusive_interest", "==", True, 2),
    ("foreign_investor", "==", True, 1),
    ("source", "in", ("referral", "partner", "trade_fair"), 1),
    ("source", "in", ("cold_list",), -1),
    ("region_rank", "<=", 20, 1),
    ("region_rank", "<=", 10, 1),
)
#: How values of known columns are written in explanations.
DEFAULT_KINDS = {
    "est_investment": "money",
    "employees": "count",
    "region_rank": "rank",
    "region_index": "index",
    "region_gdp_per_capita": "money",
    "region_households": "count",
}
#: Fields explained together, as one factor phrased by the first: the regional figures
#: move together, so "province in the top 10" says it once.
DEFAULT_GROUPS = {
    "region_rank": ("region_rank", "region_index", "region_gdp_per_capita", "region_households"),
}
_OPS = (">=", ">", "<=", "<", "==", "in")
_EPS = 1e-6


def choose_mode(n_won: int, n_lost: int) -> str:
    """Return the mode ``auto`` picks for a history of ``n_won`` won and ``n_lost`` lost leads.

    ``rules`` below :data:`AUTO_RULES_BELOW` closed leads or when one outcome never
    happened; ``bayes`` below :data:`AUTO_BAYES_BELOW` or with fewer than
    :data:`MIN_PER_CLASS` of either outcome; ``model`` otherwise.
    """
    n = n_won + n_lost
    if n < AUTO_RULES_BELOW or min(n_won, n_lost) == 0:
        return "rules"
    if n < AUTO_BAYES_BELOW or min(n_won, n_lost) < MIN_PER_CLASS:
        return "bayes"
    return "model"


# --------------------------------------------------------------------------- helpers


def _is_categorical(series: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def _cat_values(series: pd.Series) -> pd.Series:
    """Return categories as object strings (``True``/``False`` for booleans), missing as NaN."""
    out = series.astype(object)
    mask = series.isna().to_numpy()
    values = np.array([str(v) for v in out.to_numpy()], dtype=object)
    values[mask] = np.nan
    return pd.Series(values, index=series.index, dtype=object)


def _array_frame(X: Any) -> pd.DataFrame:
    """Return a 2-D array-like as a frame with columns ``x0, x1 …``; columns that are all numbers become floats."""
    if X is None or isinstance(X, str | bytes):
        raise ValueError(f"Expected a 2D array or DataFrame, got {type(X).__name__} instead.")
    if hasattr(X, "toarray"):
        raise TypeError("LeadScorer does not accept sparse input; pass a DataFrame or dense array.")
    arr = np.asarray(X, dtype=object)
    if arr.ndim != 2:
        raise ValueError(f"Expected 2D array, got {arr.ndim}D array instead. Reshape your data "
                         "either using array.reshape(-1, 1) if your data has a single feature or "
                         "array.reshape(1, -1) if it contains a single sample.")
    names = [f"x{i}" for i in range(arr.shape[1])]
    frame = pd.DataFrame(arr, columns=names)
    for c in names:  # numeric columns back to numbers
        converted = pd.to_numeric(frame[c], errors="coerce")
        if converted.notna().sum() == frame[c].notna().sum():
            frame[c] = converted.astype(float)
    return frame


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, _EPS, 1 - _EPS)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _nice(x: float) -> float:
    """Round to two significant digits (63,412 -> 63,000; 0.0437 -> 0.044)."""
    if x == 0 or not math.isfinite(x):
        return float(x)
    digits = 1 - math.floor(math.log10(abs(x)))
    return float(round(x, digits))


class _SignedLog(TransformerMixin, BaseEstimator):
    """``sign(x) * log1p(|x|)`` on the columns that are skewed and non-negative at fit."""

    def __init__(self, skew: float = 1.0) -> None:
        self.skew = skew

    def fit(self, X: Any, y: Any = None) -> _SignedLog:
        arr = np.asarray(X, dtype=float)
        self.n_features_in_ = arr.shape[1]
        frame = pd.DataFrame(arr)
        self.log_ = np.array([bool(frame[c].min() >= 0 and (frame[c].skew() or 0) > self.skew)
                              if frame[c].notna().sum() > 2 else False for c in frame], dtype=bool)
        return self

    def transform(self, X: Any) -> np.ndarray:
        arr = np.array(X, dtype=float, copy=True)
        arr[:, self.log_] = np.log1p(np.clip(arr[:, self.log_], 0, None))
        return arr

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        if input_features is None:
            return np.array([f"x{i}" for i in range(self.n_features_in_)], dtype=object)
        return np.asarray(input_features, dtype=object)


def _linear_model(cats: list[str], nums: list[str], splines: list[str], C: float) -> Pipeline:
    parts = []
    if nums:
        parts.append(("num", Pipeline([
            ("log", _SignedLog()),
            ("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)),
            ("scale", StandardScaler()),
        ]), nums))
    if splines:
        parts.append(("spline", Pipeline([
            ("log", _SignedLog()),
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("spline", SplineTransformer(n_knots=5, degree=3, extrapolation="constant")),
        ]), splines))
    if cats:
        parts.append(("cat", Pipeline([
            ("impute", SimpleImputer(strategy="constant", fill_value="(missing)", keep_empty_features=True)),
            ("onehot", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5,
                                     sparse_output=False)),
        ]), cats))
    return Pipeline([("prep", ColumnTransformer(parts, remainder="drop")),
                     ("clf", LogisticRegression(C=C, max_iter=5000))])


def _boosting_model(cats: list[str], nums: list[str], random_state: int | None) -> Pipeline:
    parts = []
    if cats:
        parts.append(("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                            encoded_missing_value=np.nan, max_categories=250), cats))
    if nums:
        parts.append(("num", "passthrough", nums))
    mask = [True] * len(cats) + [False] * len(nums)
    return Pipeline([("prep", ColumnTransformer(parts, remainder="drop")),
                     ("clf", HistGradientBoostingClassifier(categorical_features=mask,
                                                            random_state=random_state))])


# --------------------------------------------------------------------------- the scorer


class LeadScorer(ClassifierMixin, BaseEstimator):
    """Probability that a lead is won, learned from whatever history there is.

    A scikit-learn classifier (``fit``, ``predict_proba``, ``predict``,
    ``decision_function``, ``classes_``) on a DataFrame with numeric, categorical
    and missing values; a numpy array works too (columns ``x0, x1 …``).

    Parameters
    ----------
    mode : {"auto", "rules", "bayes", "model"}, default "auto"
        How to learn (see the module docs); ``auto`` decides from the history with
        :func:`choose_mode`. The mode used is ``mode_`` after fitting.
    rules : sequence of (column, test, value, points), optional
        Rules of the rules mode; default :data:`DEFAULT_RULES`.
    prior : float, default 0.2
        Win rate assumed by the rules mode when there is no history (the average score
        of the leads passed to ``fit`` is set to it); with history it is blended with
        the observed rate.
    prior_strength : float, default 10
        Weight of ``prior`` in that blend, in leads (10: the prior counts as 10 closed leads).
    points_scale : float, default 0.5
        Log-odds per rule point (0.5: each point multiplies the odds by about 1.65).
    smoothing : float, default 1.0
        Laplace smoothing of the bayes mode (added to every value count).
    n_bins : int, default 5
        Bands numbers are cut into (at quantiles, rounded) for bayes and explanations.
    C : float or sequence of float, default (0.03, 0.1, 0.3, 1.0)
        Inverse regularisation of the model mode's logistic regression; with several,
        the one with the best out-of-fold log-loss is used (``C_``).
    cv : int, default 5
        Folds used by the model mode to choose its blend and calibration (and by the
        bayes mode to calibrate).
    kinds : mapping of str to str, optional
        How values of a column are written in explanations: ``money``, ``count``,
        ``rank``, ``index`` or ``number``; default :data:`DEFAULT_KINDS`.
    groups : mapping of str to sequence of str, optional
        Fields explained as one factor, named and phrased by the key field; default
        :data:`DEFAULT_GROUPS` (the regional figures, phrased by the province's rank).
    random_state : int, default 0
        Seed of the folds and of the boosting model: same data, same scores.
    n_threads : int or None, default 1
        Threads for the boosting model (None: the library default). One thread is
        fastest on small data and on a busy machine.

    Attributes
    ----------
    mode_ : str
        The mode used.
    classes_ : ndarray
        The two outcomes; ``classes_[1]`` (``True`` for won) is the positive one.
    n_features_in_, feature_names_in_
        As in scikit-learn.
    blend_weight_ : float
        Model mode: weight of the boosting model in the blend (0 = logistic only).
    C_ : float
        Model mode: the regularisation chosen for the logistic regression.
    """

    def __init__(self, mode: str = "auto", *, rules: Sequence[tuple[str, str, Any, float]] | None = None,
                 prior: float = 0.2, prior_strength: float = 10.0, points_scale: float = 0.5,
                 smoothing: float = 1.0, n_bins: int = 5,
                 C: float | Sequence[float] = (0.03, 0.1, 0.3, 1.0), cv: int = 5,
                 kinds: dict[str, str] | None = None, groups: dict[str, Sequence[str]] | None = None,
                 random_state: int | None = 0,
                 n_threads: int | None = 1) -> None:
        self.mode = mode
        self.rules = rules
        self.prior = prior
        self.prior_strength = prior_strength
        self.points_scale = points_scale
        self.smoothing = smoothing
        self.n_bins = n_bins
        self.C = C
        self.cv = cv
        self.kinds = kinds
        self.groups = groups
        self.random_state = random_state
        self.n_threads = n_threads

    # ------------------------------------------------------------------ sklearn API

    def __sklearn_tags__(self) -> Tags:
        """Return scikit-learn's tags: missing values, text and categories are accepted; binary only."""
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.classifier_tags.multi_class = False
        return tags

    def _check_params(self) -> None:
        check_choice("mode", self.mode, MODES)
        check_fraction("prior", self.prior)
        value = self.prior_strength
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
            raise ParameterError.from_catalog("leads.error_non_negative_number", name="prior_strength",
                                              value=repr(value))
        check_positive_number("points_scale", self.points_scale)
        check_positive_number("smoothing", self.smoothing)
        grid = [self.C] if isinstance(self.C, numbers.Real) else list(self.C)
        if not grid or any(isinstance(c, bool) or not isinstance(c, numbers.Real) or not c > 0 for c in grid):
            raise ParameterError.from_catalog("leads.error_c_grid", name="C", value=repr(self.C))
        for name, low in (("n_bins", 2), ("cv", 2)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
                raise ParameterError.from_catalog("leads.error_int_at_least", name=name, low=low, value=repr(value))
        for rule in self.rules or ():
            if len(rule) != 4 or rule[1] not in _OPS:
                raise ParameterError.from_catalog("leads.error_rule", tests=", ".join(_OPS), value=repr(rule))

    def _frame(self, X: Any, *, reset: bool) -> pd.DataFrame:
        """Return ``X`` as a frame of float and text columns, checked against what ``fit`` saw.

        ``reset`` (in ``fit``) records the number and names of the columns; otherwise
        they must match. Numbers are floats, categories object text (see :func:`_cat_values`).
        """
        if isinstance(X, pd.DataFrame):
            frame = X
            names = [str(c) for c in X.columns]
            named = all(isinstance(c, str) for c in X.columns)
        else:
            frame = _array_frame(X)
            names, named = list(frame.columns), False
        if frame.shape[0] == 0:
            raise ValueError(f"Found array with 0 sample(s) (shape={frame.shape}) while a minimum of 1 is required.")
        if frame.shape[1] == 0:
            raise ValueError(f"Found array with 0 feature(s) (shape={frame.shape}) while a minimum of 1 is required.")
        self._check_features(frame, names, named, reset=reset)
        out = pd.DataFrame(index=frame.index)
        for name, col in zip(names, frame.columns, strict=True):
            series = frame[col]
            is_cat = (_is_categorical(series) if reset else self.columns_[name]["cat"])
            if not is_cat:
                raw = pd.to_numeric(series, errors="coerce").astype(float)
                if np.isinf(raw.to_numpy()).any():
                    raise ValueError("Input X contains infinity or a value too large for dtype('float64').")
                out[name] = raw
            else:
                out[name] = _cat_values(series)
        return out

    def _check_features(self, frame: pd.DataFrame, names: list[str], named: bool, *, reset: bool) -> None:
        """Record (``reset``) or check the number and names of the columns, as scikit-learn does."""
        if reset:
            self.n_features_in_ = frame.shape[1]
            if named:
                self.feature_names_in_ = np.asarray(names, dtype=object)
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            return
        if frame.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {frame.shape[1]} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input.")
        fitted = getattr(self, "feature_names_in_", None)
        if fitted is not None and named and list(fitted) != names:
            raise ValueError("The feature names should match those that were passed during fit.")

    def _labels(self, y: Any, n: int) -> np.ndarray:
        if y is None:
            return np.zeros(0, dtype=int)
        y = column_or_1d(y, warn=True)
        if len(y) != n:
            raise ValueError(f"Found input variables with inconsistent numbers of samples: [{n}, {len(y)}]")
        if pd.isna(pd.Series(y)).any():
            raise ValueError("Input y contains NaN.")
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) > 2:
            raise ValueError(f"Only binary classification is supported (won or lost). The type of the target "
                             f"is multiclass ({len(classes)} classes).")
        binary = y.dtype == bool or set(classes.tolist()) <= {0, 1}
        if len(classes) < 2:
            if not binary:
                raise ValueError("y has only one class; LeadScorer needs won and lost examples "
                                 "(or boolean / 0-1 labels, whose two classes are known).")
            classes = np.array([False, True]) if y.dtype == bool else np.array([0, 1], dtype=y.dtype)
        self.classes_ = classes
        return (y == classes[1]).astype(int)

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> LeadScorer:
        """Learn from closed leads.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_leads, n_fields)
            Features of closed leads (see :func:`salesnb.leads.lead_features`).
        y : array-like of shape (n_leads,), optional
            Outcomes (True/1 = won). Only the rules mode works without them.

        Returns
        -------
        self
        """
        self._check_params()
        self.__dict__.pop("_contrib_memo", None)
        if y is None and self.mode not in ("auto", "rules"):
            raise ParameterError.from_catalog("leads.error_requires_y", mode=repr(self.mode))
        frame = self._frame(X, reset=True)
        target = self._labels(y, len(frame))
        if y is None:
            self.classes_ = np.array([False, True])
        n_won = int(target.sum())
        n_lost = int(len(target) - n_won)
        mode = choose_mode(n_won, n_lost) if self.mode == "auto" else self.mode
        if mode in ("bayes", "model") and min(n_won, n_lost) < 2:
            raise ParameterError.from_catalog("leads.error_mode_classes", mode=repr(mode), won=n_won, lost=n_lost,
                                              n=n_won + n_lost)
        self.mode_ = mode
        self.n_won_, self.n_lost_ = n_won, n_lost
        self._describe_columns(frame)
        with threadpool_limits(limits=self.n_threads) if self.n_threads else nullcontext():
            getattr(self, f"_fit_{mode}")(frame, target)
        return self

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """Return the log-odds of being won (positive: more likely won than lost)."""
        check_is_fitted(self, "mode_")
        frame = self._frame(X, reset=False)
        with threadpool_limits(limits=self.n_threads) if self.n_threads else nullcontext():
            return self._logodds(frame)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Return the probabilities of lost and won, shape (n_leads, 2); columns follow ``classes_``."""
        p = expit(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Return the more likely outcome of each lead (``classes_[1]`` when its probability is at least 0.5)."""
        p = self.predict_proba(X)[:, 1]
        return self.classes_[(p >= 0.5).astype(int)]

    # ------------------------------------------------------------------ columns

    def _describe_columns(self, frame: pd.DataFrame) -> None:
        kinds = {**DEFAULT_KINDS, **(self.kinds or {})}
        info: dict[str, dict[str, Any]] = {}
        for name in frame.columns:
            series = frame[name]
            if series.dtype == object:
                counts = series.value_counts(dropna=True)
                info[name] = {"cat": True, "kind": "category", "values": counts,
                              "missing": float(series.isna().mean())}
                continue
            values = series.dropna().to_numpy(dtype=float)
            uniq = np.unique(values)
            if len(uniq) > self.n_bins:
                qs = np.quantile(values, np.linspace(0, 1, self.n_bins + 1)[1:-1])
                edges = sorted({_nice(q) for q in qs} - {_nice(float(uniq.min()))})
            else:
                edges = sorted(float(u) for u in uniq[1:])
            info[name] = {"cat": False, "kind": kinds.get(name, "number"), "edges": np.asarray(edges),
                          "quantiles": np.quantile(values, [0.1, 0.3, 0.5, 0.7, 0.9]) if len(values) else
                          np.zeros(0), "max": float(uniq.max()) if len(uniq) else float("nan"),
                          "missing": float(series.isna().mean()), "unique": len(uniq)}
        self.columns_ = info

    def _bands(self, name: str, series: pd.Series) -> pd.Series:
        """Return the value bands of a column (category text, ``b0``..``bk`` for numbers, NaN for missing)."""
        info = self.columns_[name]
        if info["cat"]:
            return series
        codes = np.searchsorted(info["edges"], series.to_numpy(dtype=float), side="right")
        out = pd.Series([f"b{c}" for c in codes], index=series.index, dtype=object)
        out[series.isna().to_numpy()] = np.nan
        return out

    # ------------------------------------------------------------------ rules

    def _active_rules(self) -> list[tuple[str, str, Any, float]]:
        rules = DEFAULT_RULES if self.rules is None else self.rules
        return [tuple(r) for r in rules if r[0] in self.columns_]

    @staticmethod
    def _rule_hits(rule: tuple[str, str, Any, float], series: pd.Series) -> np.ndarray:
        _col, op, value, _pts = rule
        if op == "in":
            allowed = {str(v) for v in value}
            return series.map(lambda v: isinstance(v, str) and v in allowed).to_numpy(dtype=bool)
        if op == "==":
            target = str(value) if not isinstance(value, int | float) or isinstance(value, bool) else value
            if series.dtype == object:
                return (series == str(target)).fillna(False).to_numpy(dtype=bool)
            return (series == float(value)).fillna(False).to_numpy(dtype=bool)
        x = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            res = {">=": x >= value, ">": x > value, "<=": x <= value, "<": x < value}[op]
        return np.nan_to_num(res, nan=0).astype(bool)

    def _points(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return the points per column (sum of the rules met), shape (n_leads, n_columns)."""
        pts = pd.DataFrame(0.0, index=frame.index, columns=frame.columns)
        for rule in self._active_rules():
            pts[rule[0]] += self._rule_hits(rule, frame[rule[0]]) * float(rule[3])
        return pts

    def _fit_rules(self, frame: pd.DataFrame, target: np.ndarray) -> None:
        n = len(target)
        rate = (target.sum() + self.prior * self.prior_strength) / (n + self.prior_strength)
        self.prior_rate_ = float(rate)
        # intercept so that the average score of the leads seen in fit equals the (blended)
        # win rate: the history when there is one, else the leads being scored
        s = self.points_scale * self._points(frame).sum(axis=1).to_numpy()
        lo, hi = -20.0, 20.0
        for _ in range(60):
            mid = (lo + hi) / 2
            if expit(mid + s).mean() < rate:
                lo = mid
            else:
                hi = mid
        self.intercept_ = float((lo + hi) / 2)

    def _contrib_rules(self, frame: pd.DataFrame) -> pd.DataFrame:
        return self._points(frame) * self.points_scale

    # ------------------------------------------------------------------ bayes

    def _nb_tables(self, frame: pd.DataFrame, target: np.ndarray) -> dict[str, pd.Series]:
        """Return per column log P(value | won) - log P(value | lost), Laplace-smoothed."""
        a = float(self.smoothing)
        n_won, n_lost = int(target.sum()), int(len(target) - target.sum())
        tables = {}
        for name in frame.columns:
            bands = self._bands(name, frame[name]).fillna("(missing)")
            won = bands[target == 1].value_counts()
            lost = bands[target == 0].value_counts()
            values = won.index.union(lost.index)
            k = len(values) + 1  # one slot for values never seen
            won = won.reindex(values, fill_value=0)
            lost = lost.reindex(values, fill_value=0)
            tables[name] = (np.log((won + a) / (n_won + a * k)) - np.log((lost + a) / (n_lost + a * k)))
        return tables

    def _nb_contrib(self, frame: pd.DataFrame, tables: dict[str, pd.Series]) -> pd.DataFrame:
        out = pd.DataFrame(index=frame.index)
        for name in frame.columns:
            bands = self._bands(name, frame[name]).fillna("(missing)")
            out[name] = bands.map(tables[name]).astype(float).fillna(0.0).to_numpy()
        return out

    def _fit_bayes(self, frame: pd.DataFrame, target: np.ndarray) -> None:
        n_won = int(target.sum())
        n_lost = len(target) - n_won
        self.nb_prior_ = float(np.log(n_won / n_lost))
        self.nb_tables_ = self._nb_tables(frame, target)
        # calibrate the naive log-odds on out-of-fold scores (naive Bayes is over-confident)
        self.nb_slope_, self.nb_intercept_ = 1.0, 0.0
        k = min(self.cv, n_won, n_lost)
        if k >= 2 and min(n_won, n_lost) >= 10:
            z = np.zeros(len(target))
            folds = StratifiedKFold(k, shuffle=True, random_state=self.random_state)
            for tr, te in folds.split(frame, target):
                fr, tt = frame.iloc[tr], target[tr]
                prior = np.log(tt.sum() / (len(tt) - tt.sum()))
                z[te] = prior + self._nb_contrib(frame.iloc[te], self._nb_tables(fr, tt)).sum(axis=1)
            platt = LogisticRegression(C=1.0).fit(z.reshape(-1, 1), target)
            slope = float(np.clip(platt.coef_[0, 0], 0.05, 1.5))
            self.nb_slope_ = slope
            self.nb_intercept_ = float(platt.intercept_[0] + (platt.coef_[0, 0] - slope) * z.mean())

    def _contrib_bayes(self, frame: pd.DataFrame) -> pd.DataFrame:
        return self._nb_contrib(frame, self.nb_tables_) * self.nb_slope_

    # ------------------------------------------------------------------ model

    def _fit_model(self, frame: pd.DataFrame, target: np.ndarray) -> None:
        cats = [c for c in frame.columns if self.columns_[c]["cat"]]
        nums = [c for c in frame.columns if not self.columns_[c]["cat"]]
        splines = [c for c in nums if self.columns_[c]["unique"] > 5]
        grid = [float(self.C)] if isinstance(self.C, numbers.Real) else [float(c) for c in self.C]
        n_won = int(target.sum())
        k = min(self.cv, n_won, len(target) - n_won)
        folds = StratifiedKFold(k, shuffle=True, random_state=self.random_state)
        oof_boost = np.zeros(len(target))
        oof_lin = np.zeros((len(grid), len(target)))
        for tr, te in folds.split(frame, target):
            boost = _boosting_model(cats, nums, self.random_state).fit(frame.iloc[tr], target[tr])
            oof_boost[te] = boost.predict_proba(frame.iloc[te])[:, 1]
            linear = _linear_model(cats, nums, splines, grid[0])
            prep = linear.named_steps["prep"].fit(frame.iloc[tr], target[tr])
            a, b = prep.transform(frame.iloc[tr]), prep.transform(frame.iloc[te])
            for g, c in enumerate(grid):  # the regularisation is chosen on the same folds
                clf = LogisticRegression(C=c, max_iter=5000).fit(a, target[tr])
                oof_lin[g, te] = clf.predict_proba(b)[:, 1]
        losses = [_log_loss(target, p) for p in oof_lin]
        g_best = int(np.argmin(losses))
        self.C_ = grid[g_best]
        z_boost = logit(np.clip(oof_boost, _EPS, 1 - _EPS))
        z_lin = logit(np.clip(oof_lin[g_best], _EPS, 1 - _EPS))
        best = None
        for w in np.round(np.linspace(0, 1, 11), 2):
            z = (w * z_boost + (1 - w) * z_lin).reshape(-1, 1)
            platt = LogisticRegression(C=1e4).fit(z, target)
            loss = _log_loss(target, platt.predict_proba(z)[:, 1])
            if best is None or loss < best[0] - 1e-9:
                best = (loss, float(w), float(platt.coef_[0, 0]), float(platt.intercept_[0]))
        _, self.blend_weight_, self.platt_slope_, self.platt_intercept_ = best
        self.models_ = {}
        if self.blend_weight_ > 0:
            self.models_["boost"] = _boosting_model(cats, nums, self.random_state).fit(frame, target)
        if self.blend_weight_ < 1:
            self.models_["linear"] = _linear_model(cats, nums, splines, self.C_).fit(frame, target)
        self._background()

    def _model_logodds(self, frame: pd.DataFrame) -> np.ndarray:
        z = np.zeros(len(frame))
        for name, model in self.models_.items():
            w = self.blend_weight_ if name == "boost" else 1 - self.blend_weight_
            z += w * logit(np.clip(model.predict_proba(frame)[:, 1], _EPS, 1 - _EPS))
        return self.platt_slope_ * z + self.platt_intercept_

    def _background(self) -> None:
        """Record typical values of each column, to measure what a lead's own value changes."""
        bg: dict[str, tuple[list[Any], np.ndarray]] = {}
        for name, info in self.columns_.items():
            if info["cat"]:
                top = info["values"].head(8)
                values: list[Any] = list(top.index)
                weights = list(top.to_numpy(dtype=float) / max(top.sum(), 1) * (1 - info["missing"]))
            else:
                values = list(info["quantiles"])
                weights = [(1 - info["missing"]) / max(len(values), 1)] * len(values)
            if info["missing"] > 0:
                values.append(np.nan)
                weights.append(info["missing"])
            w = np.asarray(weights, dtype=float)
            bg[name] = (values, w / w.sum() if w.sum() > 0 else w)
        self.background_ = bg

    def _contrib_model(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Model contributions, a block of at most :data:`_CONTRIB_CHUNK` leads at a time (bounded memory)."""
        if len(frame) <= _CONTRIB_CHUNK:
            return self._contrib_model_block(frame)
        return pd.concat([self._contrib_model_block(frame.iloc[start:start + _CONTRIB_CHUNK])
                          for start in range(0, len(frame), _CONTRIB_CHUNK)])

    def _contrib_model_block(self, frame: pd.DataFrame) -> pd.DataFrame:
        base = self._model_logodds(frame)
        out = pd.DataFrame(index=frame.index)
        n = len(frame)
        for name in frame.columns:
            values, weights = self.background_[name]
            if not values:
                out[name] = 0.0
                continue
            # the block once per typical value (a take, not a concat of copies: same rows, less work)
            stacked = frame.take(np.tile(np.arange(n), len(values))).reset_index(drop=True)
            col = np.repeat(np.array(values, dtype=object), n)
            stacked[name] = col if self.columns_[name]["cat"] else col.astype(float)
            z = self._model_logodds(stacked).reshape(len(values), n)
            out[name] = base - weights @ z
        return out

    # ------------------------------------------------------------------ common

    def _logodds(self, frame: pd.DataFrame) -> np.ndarray:
        if self.mode_ == "rules":
            return self.intercept_ + self._contrib_rules(frame).sum(axis=1).to_numpy()
        if self.mode_ == "bayes":
            raw = self.nb_prior_ + self._nb_contrib(frame, self.nb_tables_).sum(axis=1).to_numpy()
            return self.nb_slope_ * raw + self.nb_intercept_
        return self._model_logodds(frame)

    def contributions(self, X: ArrayLike) -> pd.DataFrame:
        """Return how much each field moves each lead's log-odds of being won.

        ``rules``: the field's points times ``points_scale``; ``bayes``: the field's
        (calibrated) log-likelihood ratio; ``model``: the lead's log-odds minus its
        average log-odds when the field takes typical values of the history instead.

        Returns
        -------
        DataFrame
            Same index as ``X`` (a fresh RangeIndex for arrays), one column per field.
        """
        check_is_fitted(self, "mode_")
        frame = self._frame(X, reset=False)
        out = self._recall_contributions(frame)
        if out is None:
            with threadpool_limits(limits=self.n_threads) if self.n_threads else nullcontext():
                out = getattr(self, f"_contrib_{self.mode_}")(frame)
            if self.mode_ == "model":  # the costly mode: keep the last answer for the same leads
                self._contrib_memo = (pd.util.hash_pandas_object(frame, index=False).to_numpy(),
                                      frame.reset_index(drop=True), out.reset_index(drop=True))
        out.index = frame.index
        return out

    def _recall_contributions(self, frame: pd.DataFrame) -> pd.DataFrame | None:
        """Return the contributions of the last model call when it covered every row of ``frame``, else None.

        The same leads in another order or a subset of them (the explanations, then
        the importance over the scored list): rows are found by their hash and
        checked equal, and a lead's contributions do not depend on the other rows.
        """
        memo = self.__dict__.get("_contrib_memo")
        if memo is None:
            return None
        hashes, seen, contrib = memo
        first = ~pd.Index(hashes).duplicated()
        at = pd.Index(hashes[first]).get_indexer(pd.util.hash_pandas_object(frame, index=False).to_numpy())
        if (at < 0).any():
            return None
        rows = np.flatnonzero(first)[at]
        if not seen.take(rows).reset_index(drop=True).equals(frame.reset_index(drop=True)):
            return None
        return contrib.take(rows).reset_index(drop=True)

    def grouped(self, contributions: pd.DataFrame) -> pd.DataFrame:
        """Return the contributions with the fields of each group (``groups``) summed into its first field."""
        groups = DEFAULT_GROUPS if self.groups is None else self.groups
        out = contributions.copy()
        for lead, members in groups.items():
            present = [m for m in members if m in out.columns]
            if lead not in out.columns or len(present) < 2:
                continue
            out[lead] = out[present].sum(axis=1)
            out = out.drop(columns=[m for m in present if m != lead])
        return out

    def explain(self, X: ArrayLike, *, top: int = 3, min_effect: float = 0.05,
                lang: str | None = None) -> pd.DataFrame:
        """Return the reasons behind each lead's score, in words.

        Parameters
        ----------
        X : DataFrame or array-like
            Leads to explain (same columns as in ``fit``).
        top : int, default 3
            At most this many positive and this many negative factors per lead.
        min_effect : float, default 0.05
            Factors moving the log-odds by less than this are left out.
        lang : {"en", "es"}, optional
            Language of the phrases; the report language by default.

        Returns
        -------
        DataFrame
            Same index as ``X``: ``score`` (probability of being won), ``positive`` and
            ``negative`` (lists of phrases, strongest first), ``why`` and ``watch_out``
            (the same lists as one ``"; "``-separated text).
        """
        check_positive_int("top", top, lang=lang)
        frame = self._frame(X, reset=False)
        contrib = self.grouped(self.contributions(frame))
        score = expit(self.decision_function(frame))
        values = contrib.to_numpy()
        order = np.argsort(-np.abs(values), axis=1, kind="stable")  # strongest first, per lead
        ranked = np.take_along_axis(values, order, axis=1)
        say = _Phrases(self, frame[list(contrib.columns)], lang)
        positive = say.lists(order, _first_true(ranked >= min_effect, top))
        negative = say.lists(order, _first_true(ranked <= -min_effect, top))
        return pd.DataFrame({
            "score": score,
            "positive": positive,
            "negative": negative,
            "why": ["; ".join(p) for p in positive],
            "watch_out": ["; ".join(n) for n in negative],
        }, index=frame.index)

    def importance(self, X: ArrayLike) -> pd.DataFrame:
        """Return which fields matter most over a set of leads.

        Returns
        -------
        DataFrame
            ``field, label, mean_abs, mean`` (average absolute and signed contribution
            to the log-odds), most important first.
        """
        contrib = self.grouped(self.contributions(X))
        out = pd.DataFrame({"field": contrib.columns,
                            "label": [field_label(c) for c in contrib.columns],
                            "mean_abs": contrib.abs().mean().to_numpy(),
                            "mean": contrib.mean().to_numpy()})
        return out.sort_values(["mean_abs", "field"], ascending=[False, True], kind="stable",
                               ignore_index=True)

    # ------------------------------------------------------------------ words

    def phrase(self, name: str, value: object, *, lang: str | None = None) -> str:
        """Return one factor in words: the field and the lead's value (``"source: referral"``)."""
        info = self.columns_[name]
        label = field_label(name, lang=lang)
        if _is_missing(value):
            return i18n.t("leads.phrase_missing", label=label, lang=lang)
        if self.mode_ == "rules":
            fired = [r for r in self._active_rules() if r[0] == name
                     and self._rule_hits(r, pd.Series([value], dtype=object if info["cat"] else float))[0]]
            if fired:
                return self._rule_phrase(fired[-1], value, label, lang)
        if info["cat"]:
            return _category_phrase(name, str(value), label, lang)
        x = float(value)
        if info["kind"] == "rank":
            for top in (5, 10, 20):
                if x <= top:
                    return i18n.t("leads.phrase_rank_top", n=top, lang=lang)
            return i18n.t("leads.phrase_rank", rank=_fmt(x, "rank", lang), n=_fmt(info["max"], "rank", lang),
                          lang=lang)
        edges = info["edges"]
        band = int(np.searchsorted(edges, x, side="right"))
        kind = info["kind"]
        if len(edges) == 0:
            return i18n.t("leads.phrase_value", label=label, value=_fmt(x, kind, lang), lang=lang)
        if band == 0:
            return i18n.t("leads.phrase_lt", label=label, value=_fmt(edges[0], kind, lang), lang=lang)
        if band == len(edges):
            return i18n.t("leads.phrase_ge", label=label, value=_fmt(edges[-1], kind, lang), lang=lang)
        return i18n.t("leads.phrase_between", label=label, low=_fmt(edges[band - 1], kind, lang),
                      high=_fmt(edges[band], kind, lang), lang=lang)

    def _rule_phrase(self, rule: tuple[str, str, Any, float], value: Any, label: str,
                     lang: str | None) -> str:
        name, op, threshold, _ = rule
        kind = self.columns_[name]["kind"]
        if op in ("in", "==") or self.columns_[name]["cat"]:
            return _category_phrase(name, str(value), label, lang)
        if kind == "rank" and op in ("<=", "<"):
            n = int(threshold) if op == "<=" else int(threshold) - 1
            return i18n.t("leads.phrase_rank_top", n=n, lang=lang)
        key = {">=": "phrase_ge", ">": "phrase_gt", "<=": "phrase_le", "<": "phrase_lt"}[op]
        return i18n.t(f"leads.{key}", label=label, value=_fmt(float(threshold), kind, lang), lang=lang)


def field_label(name: str, *, lang: str | None = None) -> str:
    """Return a field's name in words (``est_investment`` -> "investment"); unknown fields as written."""
    key = f"leads.feat_{name}"
    if key in i18n.catalog():
        return i18n.t(key, lang=lang)
    return str(name).replace("_", " ")


def _category_phrase(name: str, value: str, label: str, lang: str | None) -> str:
    catalog = i18n.catalog()
    for key in (f"leads.fact_{name}_{value.lower()}", ):
        if key in catalog:
            return i18n.t(key, lang=lang)
    word_key = f"leads.val_{name}_{value}"
    word = i18n.t(word_key, lang=lang) if word_key in catalog else value
    return i18n.t("leads.phrase_value", label=label, value=word, lang=lang)


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _first_true(mask: np.ndarray, top: int) -> np.ndarray:
    """Return ``mask`` keeping, in each row, only its first ``top`` True cells."""
    return mask & (np.cumsum(mask, axis=1) <= top)


class _Phrases:
    """The phrases of one :meth:`LeadScorer.explain` call, each distinct one built once.

    A phrase depends on the field and the lead's value only, and for a number of the
    model or Bayes modes only on its band, so leads that share them share the text.
    """

    def __init__(self, scorer: LeadScorer, frame: pd.DataFrame, lang: str | None) -> None:
        self.scorer, self.lang = scorer, lang
        self.names = list(frame.columns)
        self.columns = [frame[name].tolist() for name in self.names]
        self.memo: dict[tuple[int, object], str] = {}

    def key(self, j: int, value: object) -> object:
        """Return what the phrase of field ``j`` depends on for this value."""
        if _is_missing(value):
            return ("missing",)
        info = self.scorer.columns_[self.names[j]]
        if self.scorer.mode_ == "rules" or info["cat"] or info["kind"] == "rank" or len(info["edges"]) == 0:
            return value
        return ("band", int(np.searchsorted(info["edges"], float(value), side="right")))

    def text(self, j: int, r: int) -> str:
        """Return the phrase of field ``j`` for lead ``r`` (row position)."""
        value = self.columns[j][r]
        key = (j, self.key(j, value))
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self.scorer.phrase(self.names[j], value, lang=self.lang)
        return found

    def lists(self, order: np.ndarray, keep: np.ndarray) -> list[list[str]]:
        """Return per lead the phrases of the fields ``order[r][keep[r]]``, in that order."""
        return [[self.text(j, r) for j in order[r][keep[r]].tolist()] for r in range(len(order))]


def _fmt(x: float, kind: str, lang: str | None) -> str:
    if kind == "money":
        return i18n.fmt_money(x, lang=lang)
    if kind in ("count", "rank", "index"):
        return i18n.fmt_number(x, lang=lang)
    decimals = 0 if abs(x) >= 100 or float(x).is_integer() else 2
    return i18n.fmt_number(x, decimals=decimals, lang=lang)


# --------------------------------------------------------------------------- scoring the lead list


def fit_scorer(X: pd.DataFrame, y: pd.Series, *, mode: str = "auto", fallback: pd.DataFrame | None = None,
               **options: Any) -> LeadScorer:
    """Fit a :class:`LeadScorer` on the history, or on the open leads when there is none.

    With no closed lead at all the rules mode is the only one possible; it is then
    fitted on ``fallback`` (the features of the leads to score) without outcomes, so
    their average score is the ``prior`` win rate.

    Parameters
    ----------
    X : DataFrame
        Features of the closed leads (:func:`salesnb.leads.history`); may be empty.
    y : Series of bool
        Their outcomes (True for won).
    mode : {"auto", "rules", "bayes", "model"}, default "auto"
        See :class:`LeadScorer`.
    fallback : DataFrame, optional
        Features of the leads to score, used when ``X`` is empty.
    **options
        Further :class:`LeadScorer` parameters (``prior``, ``cv`` …).

    Returns
    -------
    LeadScorer
        Fitted; ``mode_`` says which mode ran.

    Raises
    ------
    ParameterError
        When ``mode`` is ``bayes`` or ``model`` and there is no history.
    """
    if len(X):
        return LeadScorer(mode=mode, **options).fit(X, y)
    if mode in ("bayes", "model"):
        raise parameter_error("leads_mode_needs_history", mode=repr(mode))
    if fallback is None or not len(fallback):
        raise parameter_error("leads_nothing_to_score")
    return LeadScorer(mode="rules", **options).fit(fallback)


def score_leads(scorer: LeadScorer, leads: pd.DataFrame, regions: pd.DataFrame | None = None, *,
                top: int = 3, lang: str | None = None) -> pd.DataFrame:
    """Return the leads with their win chance and reasons, best first.

    Parameters
    ----------
    scorer : LeadScorer
        Fitted.
    leads : DataFrame
        Leads to score (e.g. :meth:`Dedup.open_leads`).
    regions : DataFrame, optional
        The ``regions`` table (for the regional features the scorer was fitted with).
    top : int, default 3
        Reasons kept per lead, for and against.

    Returns
    -------
    DataFrame
        ``leads`` plus ``score``, ``positive``, ``negative``, ``why``, ``watch_out``,
        sorted by score (highest first, ties by ``lead_id``).
    """
    if leads.empty:
        return leads.assign(score=pd.Series(dtype=float), positive=[], negative=[], why="", watch_out="")
    X = lead_features(leads, regions)
    X = X[[c for c in scorer.feature_names_in_]] if hasattr(scorer, "feature_names_in_") else X
    reasons = scorer.explain(X, top=top, lang=lang)
    out = leads.copy()
    for col in ("score", "positive", "negative", "why", "watch_out"):
        out[col] = reasons[col].to_numpy()
    return out.sort_values(["score", "lead_id"], ascending=[False, True], kind="stable", ignore_index=True)
