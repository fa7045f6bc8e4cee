"""Demand forecasts with intervals, their own backtest accuracy, and coherent hierarchies.

Long frames in and out, shaped like statsforecast's: ``series_id, ds, y`` in;
``series_id, ds, yhat, yhat_lo_<L>, yhat_hi_<L>, method`` out.

How each series is forecast
---------------------------
Missing periods inside a series (a month without orders) count as **zero demand**; a
series starts at its first row and ends at its last. Each series is then put in one
class, named in the ``method`` column:

``regular``
    At least two full seasons of history. The median of three statsforecast models
    fitted with the season length: ``AutoETS``, ``AutoCES`` and
    ``DynamicOptimizedTheta``. A median of diverse exponential-smoothing and Theta
    models is a published, robust recipe (the "SCUM" benchmark of Petropoulos and
    Svetunkov, 2020, without its slow ARIMA member); on M1 and Tourism monthly it beats
    each member and the classic Theta method (``benchmarks/README.md``).
``short``
    8 periods up to two seasons: the same three models without a seasonal term.
``intermittent``
    A sale on average every 1.32 periods or rarer (the Syntetos-Boylan cut-off) and no
    negative value: the mean of ``CrostonSBA``, ``ADIDA`` and ``IMAPA`` (a flat rate),
    with ranges from the empirical quantiles of the series' own history.
``tiny``
    Fewer than 8 periods: the mean of ``Naive`` (the last value) and ``HistoricAverage``.
``constant``
    Every value equal (all-zero series included): that value, with no spread.

Intervals of regular and short series
-------------------------------------
The combined range starts from the ETS and Theta members' ranges, averaged around the
median forecast (CES contributes its point forecast only: its ranges are simulated and
cost twenty times its fit). Models' own ranges are too narrow on real sales: they
ignore that the model itself may be wrong. So the method is re-run from up to three
earlier origins on the last periods of each series (rolling origin, the model
structure chosen on the full history, its parameters re-estimated), and every
held-out miss is measured in units of the range the method gave for it. The
conformal quantile of those scores, pooled over the series of the call, says by how
much the ranges must be stretched to reach their nominal coverage on held-out data.
The final stretch is the average of 1 (the models' own range) and that conformal
factor: an equal-weight combination of two estimates of the same quantile. Alone,
each missed the nominal coverage by more than 5 points on one benchmark set; the
average stayed within 5 points on both (see ``benchmarks/README.md``). The factors used
are in ``result.attrs["interval_scale"]``.

Forecasts and bounds are clipped at zero for every series whose history has no
negative value. Bounds always nest (``lo_95 <= lo_80 <= yhat <= hi_80 <= hi_95``).
Everything is deterministic: the models are fitted by deterministic optimisers and
no random numbers are drawn.

The package
-----------

* :mod:`~salesnb.forecast.inputs` - parameter checks, the long frame and one regular
  series per id;
* :mod:`~salesnb.forecast.models` - each series' class and models, and the held-out
  scores of its ranges;
* :mod:`~salesnb.forecast.intervals` - the conformal stretch of the ranges, nested bounds;
* :mod:`~salesnb.forecast.predict` - :func:`forecast`;
* :mod:`~salesnb.forecast.theta` - :func:`theta_forecast`, Dynamic Optimized Theta alone
  with its own ranges (for many series where the ensemble's cost matters);
* :mod:`~salesnb.forecast.reconcile` - parts made to add up to their total;
* :mod:`~salesnb.forecast.accuracy` - :func:`smape`, :func:`mase`, :func:`backtest`;
* :mod:`~salesnb.forecast.hierarchy` - :func:`forecast_hierarchy`.
"""

from __future__ import annotations

from salesnb.forecast.accuracy import MIN_BACKTEST_TRAIN as MIN_BACKTEST_TRAIN
from salesnb.forecast.accuracy import BacktestResult, backtest, mase, smape
from salesnb.forecast.hierarchy import forecast_hierarchy
from salesnb.forecast.models import CALIBRATION_WINDOWS as CALIBRATION_WINDOWS
from salesnb.forecast.models import INTERMITTENT_ADI as INTERMITTENT_ADI
from salesnb.forecast.models import MIN_MODEL_POINTS as MIN_MODEL_POINTS
from salesnb.forecast.predict import forecast
from salesnb.forecast.reconcile import RECONCILE_METHODS as RECONCILE_METHODS
from salesnb.forecast.theta import theta_forecast

__all__ = ["BacktestResult", "backtest", "forecast", "forecast_hierarchy", "mase", "smape", "theta_forecast"]
