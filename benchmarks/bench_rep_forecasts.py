"""Cheaper rep forecasts for the targets' feasibility check at scale: accuracy and CPU on held-out months.

:func:`salesnb.targets.forecast_history` forecasts every region and every rep with the
full ensemble (about 0.06 s of CPU per series: 2,500 reps at 100x). This compares,
on the last ``--holdout`` months of a generated company's history (each series cut
there, forecast from what came before, scored on what came after):

* ``ensemble`` -- what ships: every region and rep through :func:`salesnb.forecast.forecast`
  in one call;
* ``share`` -- only the regions through the ensemble; each rep gets its region's
  forecast and bounds times the rep's share of the region's sales in the last 12
  months before the cut;
* ``theta`` -- regions through the ensemble; each rep through statsforecast's
  ``DynamicOptimizedTheta`` alone (one of the three members), its own intervals (what
  ships above ``targets.REP_THETA_ABOVE`` rep series: ``forecast.theta_forecast``, scored
  in the report by ``targets.forecast_check``);
* ``calib100`` -- the ensemble's points, with the intervals calibrated on the held-out
  scores of at most 100 series (every k-th) instead of all (the points are the same;
  only the interval stretch can move).

Scores per level (region, rep): WAPE of the months (sum |error| / sum actual), the
mean absolute error of the holdout's total as a share of the actual total (what the
bottom-up check reads), coverage of the 80 % and 95 % intervals (monthly points), and
CPU seconds (``time.process_time``) of the forecasts.

Usage::

    python benchmarks/bench_rep_forecasts.py /tmp/scale26/x10 [--holdout 12]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from salesnb import data, targets
from salesnb.forecast import forecast
from salesnb.targets import history_series

LEVELS = (80, 95)


def _cut(series: pd.DataFrame, holdout: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split each series into its history and its last ``holdout`` months."""
    last = series.groupby("series_id")["ds"].transform("max")
    cut = last - pd.DateOffset(months=holdout)
    return series.loc[series["ds"] <= cut], series.loc[series["ds"] > cut]


def _ensemble(train: pd.DataFrame, h: int) -> pd.DataFrame:
    return forecast(train, h=h, season_length=12, level=LEVELS, freq="MS")


def _share(train: pd.DataFrame, h: int, rep_region: pd.Series) -> pd.DataFrame:
    """Regions by the ensemble, reps by their share of the region's last 12 months."""
    regions = _ensemble(train.loc[train["series_id"].str.startswith("region:")], h)
    reps = train.loc[train["series_id"].str.startswith("rep:")]
    recent = reps.loc[reps["ds"] > reps["ds"].max() - pd.DateOffset(months=12)].groupby("series_id")["y"].sum()
    last_year = train.loc[train["ds"] > train["ds"].max() - pd.DateOffset(months=12)]
    region_recent = last_year.groupby("series_id")["y"].sum()
    parts = []
    for sid, value in recent.items():
        region = f"region:{rep_region[sid[len('rep:'):]]}"
        share = value / region_recent[region] if region_recent.get(region, 0) > 0 else 0.0
        part = regions.loc[regions["series_id"] == region].copy()
        cols = [c for c in part.columns if c.startswith("yhat")]
        part[cols] = part[cols] * share
        parts.append(part.assign(series_id=sid))
    return pd.concat([regions, *parts], ignore_index=True)


def _theta(train: pd.DataFrame, h: int) -> pd.DataFrame:
    """Regions by the ensemble, reps by DynamicOptimizedTheta alone."""
    from statsforecast.models import DynamicOptimizedTheta

    regions = _ensemble(train.loc[train["series_id"].str.startswith("region:")], h)
    parts = [regions]
    for sid, rows in train.loc[train["series_id"].str.startswith("rep:")].groupby("series_id"):
        y = rows["y"].to_numpy(dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = DynamicOptimizedTheta(season_length=12).forecast(y, h, level=list(LEVELS))
        ds = pd.date_range(rows["ds"].max() + pd.offsets.MonthBegin(1), periods=h, freq="MS")
        part = {"series_id": sid, "ds": ds, "yhat": np.clip(res["mean"], 0, None)}
        for L in LEVELS:
            part[f"yhat_lo_{L}"] = np.clip(res[f"lo-{L}"], 0, None)
            part[f"yhat_hi_{L}"] = np.clip(res[f"hi-{L}"], 0, None)
        parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True)


def _calib100(train: pd.DataFrame, h: int, full: pd.DataFrame) -> pd.DataFrame:
    """Return the ensemble's points with the interval stretch of a run on at most 100 series (every k-th)."""
    ids = sorted(train["series_id"].unique())
    step = max(1, int(np.ceil(len(ids) / 100)))
    subset = _ensemble(train.loc[train["series_id"].isin(ids[::step])], h)
    out = full.copy()
    for L in LEVELS:
        ratio = subset.attrs["interval_scale"][L] / full.attrs["interval_scale"][L]
        for side in ("lo", "hi"):
            col = f"yhat_{side}_{L}"
            out[col] = np.clip(out["yhat"] + (out[col] - out["yhat"]) * ratio, 0, None)
    return out


def _scores(fc: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    both = fc.merge(actual, on=["series_id", "ds"], how="inner")
    both["level"] = both["series_id"].str.split(":").str[0]
    rows = []
    for level, g in both.groupby("level"):
        totals = g.groupby("series_id")[["y", "yhat"]].sum()
        total_err = (totals["yhat"] - totals["y"]).abs() / totals["y"].where(totals["y"] > 0)
        rows.append({"level": level, "series": g["series_id"].nunique(),
                     "wape": float((g["y"] - g["yhat"]).abs().sum() / g["y"].abs().sum()),
                     "total_err": float(total_err.mean()),
                     **{f"cover_{L}": float(((g["y"] >= g[f"yhat_lo_{L}"]) & (g["y"] <= g[f"yhat_hi_{L}"])).mean())
                        for L in LEVELS}})
    return pd.DataFrame(rows)


def main() -> None:
    """Score the methods on one generated company and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--holdout", type=int, default=12)
    args = parser.parse_args()
    ds = data.load(args.data)
    plan = targets.breakdown(ds, year=2027, growth_pct=8.0)
    series = history_series(ds, plan)
    train, actual = _cut(series, args.holdout)
    rep_region = plan.reps.set_index("rep_id")["region_id"].astype(str)
    h = args.holdout
    results, cpu = {}, {}
    for name, run in (("ensemble", lambda: _ensemble(train, h)), ("share", lambda: _share(train, h, rep_region)),
                      ("theta", lambda: _theta(train, h))):
        start = time.process_time()
        results[name] = run()
        cpu[name] = time.process_time() - start
    results["calib100"] = _calib100(train, h, results["ensemble"])
    cpu["calib100"] = float("nan")  # what it saves is the calibration refits of the other series (see README)
    table = pd.concat([_scores(fc, actual).assign(method=name, cpu_s=round(cpu[name], 1))
                       for name, fc in results.items()], ignore_index=True)
    print(f"{args.data}: {series['series_id'].nunique()} series, history cut {args.holdout} months before its end")
    print(table[["method", "level", "series", "wape", "total_err", "cover_80", "cover_95", "cpu_s"]]
          .round(3).to_string(index=False))


if __name__ == "__main__":
    main()
