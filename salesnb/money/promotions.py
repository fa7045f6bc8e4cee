"""Promotions: sales and margin with and without each promotion code, against the same weeks a year before.

A promotion runs from the first to the last day an order line carries its code. Over
those days :func:`promotion_effect` splits sales into the lines with the code and the
lines without it, and sets the total against the same weekdays 52 weeks earlier (364
days), so a Monday compares with a Monday.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from salesnb.market.periods import in_days
from salesnb.money.margin import costed_orders

if TYPE_CHECKING:
    from salesnb.data import Dataset

__all__ = ["YEAR_BEFORE", "promotion_effect", "promotion_weeks"]

#: How far back "the same weeks of the year before" lie: 52 weeks.
YEAR_BEFORE = pd.Timedelta(days=364)


def promotion_weeks(lines: pd.DataFrame) -> pd.DataFrame:
    """Return each promotion code's first and last day on an order line (``code, start, end, days``)."""
    coded = lines.loc[lines["promo_code"].notna()]
    out = coded.groupby("promo_code", sort=True)["order_date"].agg(start="min", end="max").reset_index()
    out = out.rename(columns={"promo_code": "code"})
    out["days"] = (out["end"] - out["start"]).dt.days + 1
    return out.sort_values(["start", "code"], kind="stable").reset_index(drop=True)


def _totals(lines: pd.DataFrame) -> tuple[float, float]:
    """Net sales and margin of ``lines``."""
    return float(lines["net_amount"].sum()), float(lines["margin"].sum())


def promotion_effect(dataset: Dataset, *, code: str | None = None) -> pd.DataFrame:
    """Sales and margin during each promotion, with and without its code, and a year before.

    Parameters
    ----------
    dataset : Dataset
        Orders with a ``promo_code`` column (no rows otherwise).
    code : str, optional
        One promotion code; all by default.

    Returns
    -------
    DataFrame
        One row per code, oldest first: ``code, start, end, days, sales_with, margin_with,
        margin_pct_with, sales_without, margin_without, margin_pct_without, sales, margin,
        sales_year_before, margin_year_before, uplift`` (sales / sales_year_before - 1)
        and ``margin_uplift``. ``sales_year_before`` is NaN when the history does not reach
        back that far.
    """
    lines = costed_orders(dataset, shared=True)[["order_date", "promo_code", "net_amount", "margin"]]
    weeks = promotion_weeks(lines)
    if code is not None:
        weeks = weeks.loc[weeks["code"] == code]
    first_day = lines["order_date"].min()
    rows = []
    for row in weeks.itertuples(index=False):
        now = lines.loc[in_days(lines["order_date"], row.start, row.end)]
        coded = now["promo_code"] == row.code
        with_code, without = _totals(now.loc[coded.fillna(False)]), _totals(now.loc[~coded.fillna(False)])
        lo, hi = row.start - YEAR_BEFORE, row.end - YEAR_BEFORE
        before = _totals(lines.loc[in_days(lines["order_date"], lo, hi)]) if lo >= first_day else (
            float("nan"), float("nan"))
        rows.append({"code": row.code, "start": row.start, "end": row.end, "days": int(row.days),
                     "sales_with": with_code[0], "margin_with": with_code[1],
                     "sales_without": without[0], "margin_without": without[1],
                     "sales": with_code[0] + without[0], "margin": with_code[1] + without[1],
                     "sales_year_before": before[0], "margin_year_before": before[1]})
    return _finish(pd.DataFrame(rows, columns=["code", "start", "end", "days", "sales_with", "margin_with",
                                               "sales_without", "margin_without", "sales", "margin",
                                               "sales_year_before", "margin_year_before"]))


def _finish(out: pd.DataFrame) -> pd.DataFrame:
    """Add margin percentages and uplifts; put the columns in their documented order."""
    out["margin_pct_with"] = out["margin_with"] / out["sales_with"].where(out["sales_with"] > 0)
    out["margin_pct_without"] = out["margin_without"] / out["sales_without"].where(out["sales_without"] > 0)
    out["uplift"] = out["sales"] / out["sales_year_before"].where(out["sales_year_before"] > 0) - 1
    out["margin_uplift"] = out["margin"] / out["margin_year_before"].where(out["margin_year_before"] > 0) - 1
    return out[["code", "start", "end", "days", "sales_with", "margin_with", "margin_pct_with", "sales_without",
                "margin_without", "margin_pct_without", "sales", "margin", "sales_year_before",
                "margin_year_before", "uplift", "margin_uplift"]].reset_index(drop=True)
