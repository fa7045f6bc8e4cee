"""Money: gross margin, selling expenses against budget, commissions, promotions and competitors.

The modules, analyses first (pure functions on a :class:`~salesnb.data.Dataset`):

* :mod:`~salesnb.money.margin` — :func:`costed_orders`, :func:`margin` by product,
  category, customer, rep, region, channel or month, :func:`margin_comparison` against
  the same period a year earlier;
* :mod:`~salesnb.money.expenses` — :func:`expenses_vs_budget`, :func:`selling_cost_share`
  (selling expenses and cost of goods as shares of net sales), :func:`contribution`
  per rep and region (margin minus direct selling expenses);
* :mod:`~salesnb.money.commissions` — :func:`commissions` per rep (tiers of attainment,
  bonuses), :func:`incentive_cost` of the team, :func:`rate_what_if`;
* :mod:`~salesnb.money.promotions` — :func:`promotion_effect`: with and without each
  code, against the same weeks a year before;
* :mod:`~salesnb.money.competitors` — :func:`competitor_losses`,
  :func:`where_competitors_win`, :func:`competitor_profiles`.

:mod:`salesnb.money.views` holds what notebook 06 and the rep pages of the review show;
:mod:`salesnb.plots.money` its charts. The activity a target needs lives beside the
targets (:mod:`salesnb.targets.activity`, :mod:`salesnb.targets.pipeline`).
"""

from salesnb.money.commissions import (
    FLAT_RATE,
    check_plan,
    commission_plan,
    commissions,
    incentive_cost,
    rate_what_if,
)
from salesnb.money.competitors import competitor_losses, competitor_profiles, losses, where_competitors_win
from salesnb.money.expenses import contribution, expense_lines, expenses_vs_budget, selling_cost_share
from salesnb.money.margin import GROUPS, costed_orders, margin, margin_comparison
from salesnb.money.promotions import promotion_effect, promotion_weeks

__all__ = [
    "FLAT_RATE",
    "GROUPS",
    "check_plan",
    "commission_plan",
    "commissions",
    "competitor_losses",
    "competitor_profiles",
    "contribution",
    "costed_orders",
    "expense_lines",
    "expenses_vs_budget",
    "incentive_cost",
    "losses",
    "margin",
    "margin_comparison",
    "promotion_effect",
    "promotion_weeks",
    "rate_what_if",
    "selling_cost_share",
    "where_competitors_win",
]
