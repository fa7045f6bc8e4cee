"""Market analysis: seasonality, same-period comparisons, trends, mix, Pareto/ABC, attractiveness.

Every function takes order lines first (usually the frame of :func:`enrich_orders`,
which adds channel, province, region, category, product and customer names to each
line) and its options keyword-only; none mutates its inputs. Periods are whole days:
a comparison "to 31 Oct 2026" includes every order dated that day.

The package, in the order the market notebook uses it (every name below is also
importable from ``salesnb.market`` itself):

* :mod:`~salesnb.market.orders` - :func:`enrich_orders`, :func:`filter_orders`: one
  joined frame everyone reuses;
* :mod:`~salesnb.market.periods` - :func:`period_bounds`, :func:`compare_periods`,
  :func:`fastest_growing`: sales against the same period last year;
* :mod:`~salesnb.market.seasons` - :func:`seasonality`, :func:`weekday_indices`,
  :func:`name_seasons`, :func:`season_ahead`, :func:`seasonal_matrix`;
* :mod:`~salesnb.market.trends` - :func:`trend`, :func:`momentum`,
  :func:`mix_over_time`: rolling sums and shares over time;
* :mod:`~salesnb.market.pareto` - :func:`abc`, :func:`key_accounts`,
  :func:`concentration`: Pareto classes and HHI;
* :mod:`~salesnb.market.geo` - :func:`attractiveness`, :func:`penetration`,
  :func:`market_map`, :func:`whitespace`, :func:`top_areas`: where the market is and
  where we are not yet;
* :mod:`~salesnb.market.lifecycle` - :func:`product_lifecycle`, :func:`new_products`,
  :func:`product_ramp`, :func:`declining_products`;
* :mod:`~salesnb.market.demand` - :func:`demand_series`, :func:`demand_levels`,
  :func:`backtest_windows`, :func:`accuracy_of`, :func:`forecast_summary`,
  :func:`total_first`: monthly series for :mod:`salesnb.forecast` and the next months'
  totals;
* :mod:`~salesnb.market.monthly` - the group x month matrices the modules above share;
* :mod:`~salesnb.market.texts` - :func:`period_label`, :func:`period_note`,
  :func:`concentration_text`, :func:`season_label`, :func:`accuracy_text`,
  :func:`accuracy_note`: sentences in the report language (:mod:`salesnb.i18n`);
* :mod:`~salesnb.market.views` - :func:`headline`, :func:`translate`, :func:`kinds`,
  :func:`explore`: what the notebook shows; its charts are in
  :mod:`salesnb.plots.market`.
"""

from __future__ import annotations

from salesnb.market.demand import (
    accuracy_of,
    backtest_windows,
    demand_levels,
    demand_series,
    forecast_summary,
    total_first,
)
from salesnb.market.geo import (
    DEFAULT_WEIGHTS,
    QUADRANTS,
    attractiveness,
    market_map,
    penetration,
    top_areas,
    whitespace,
)
from salesnb.market.lifecycle import declining_products, new_products, product_lifecycle, product_ramp
from salesnb.market.orders import enrich_orders, filter_orders
from salesnb.market.pareto import abc, concentration, key_accounts
from salesnb.market.periods import (
    COMPARISONS,
    Period,
    compare_periods,
    fastest_growing,
    is_new,
    period_bounds,
    shares_of_change,
)
from salesnb.market.seasons import name_seasons, season_ahead, seasonal_matrix, seasonality, weekday_indices
from salesnb.market.texts import (
    accuracy_note,
    accuracy_text,
    concentration_text,
    period_label,
    period_note,
    season_label,
)
from salesnb.market.trends import mix_over_time, momentum, trend
from salesnb.market.views import explore, headline, kinds, translate

__all__ = [
    "COMPARISONS",
    "DEFAULT_WEIGHTS",
    "QUADRANTS",
    "Period",
    "abc",
    "accuracy_note",
    "accuracy_of",
    "accuracy_text",
    "attractiveness",
    "backtest_windows",
    "compare_periods",
    "concentration",
    "concentration_text",
    "declining_products",
    "demand_levels",
    "demand_series",
    "enrich_orders",
    "explore",
    "fastest_growing",
    "filter_orders",
    "forecast_summary",
    "headline",
    "is_new",
    "key_accounts",
    "kinds",
    "market_map",
    "mix_over_time",
    "momentum",
    "name_seasons",
    "new_products",
    "penetration",
    "period_bounds",
    "period_label",
    "period_note",
    "product_lifecycle",
    "product_ramp",
    "season_ahead",
    "season_label",
    "seasonal_matrix",
    "seasonality",
    "shares_of_change",
    "top_areas",
    "total_first",
    "translate",
    "trend",
    "weekday_indices",
    "whitespace",
]
