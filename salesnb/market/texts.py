"""Sentences and words of the market report, in the report language (:mod:`salesnb.i18n`).

Shared by :mod:`salesnb.market.views` and the charts of :mod:`salesnb.plots.market`
(which cannot import the views: the views draw the charts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from salesnb import i18n
from salesnb.market.periods import period_bounds
from salesnb.params import to_timestamp

__all__ = ["accuracy_note", "accuracy_text", "concentration_text", "period_label", "period_note", "season_label",
           "word"]


def period_label(period_end: object, *, comparison: str = "ytd") -> str:
    """Describe the compared periods in words, in the report language.

    Example: ``"Year to date: Jan 1, 2026 – Oct 31, 2026 vs Jan 1, 2025 – Oct 31, 2025"``.
    """
    p = period_bounds(period_end, comparison=comparison)
    return i18n.t("market.period_line", name=i18n.t(f"market.comparison_{comparison}"),
                  start=i18n.fmt_date(p.start), end=i18n.fmt_date(p.end),
                  prior_start=i18n.fmt_date(p.prior_start), prior_end=i18n.fmt_date(p.prior_end))


def period_note(enriched: pd.DataFrame, *, period_end: object, comparison: str = "ytd",
                date: str = "order_date") -> str:
    """:func:`period_label`, plus a warning when the data stops before ``period_end``.

    The warning appears when the last order is more than 7 days before the period's end
    (a month-end export that is a few days short is normal; weeks short is not).
    """
    text = period_label(period_end, comparison=comparison)
    end = to_timestamp("period_end", period_end)
    last = enriched[date].max() if len(enriched) else pd.NaT
    if pd.isna(last) or last < end - pd.Timedelta(days=7):
        text += " " + i18n.t("market.data_ends_early", last=i18n.fmt_date(last), end=i18n.fmt_date(end))
    return text


def concentration_text(concentration: pd.DataFrame) -> str:
    """One sentence on :func:`concentration` (top share, HHI, effective number) in the report language."""
    c = concentration.iloc[0]
    if pd.isna(c["top_share"]):
        return i18n.t("market.no_data")
    return i18n.t("market.concentration_note", top=int(c["top"]), share=i18n.fmt_pct(c["top_share"]),
                  hhi=i18n.fmt_number(c["hhi"]), n=i18n.fmt_number(c["effective_n"]))


def season_label(season: str) -> str:
    """``high``/``low``/``normal`` in the report language (``"High season"``)."""
    return i18n.t(f"market.season_{season}")


def accuracy_text(accuracy: Mapping[str, Any] | pd.Series | None, *, windows: int | None = None,
                  h: int | None = None) -> str:
    """One sentence with a backtest's sMAPE, MASE and interval coverage (or that there was none).

    Parameters
    ----------
    accuracy : mapping or Series, optional
        ``smape`` in percent (0-200, as :func:`salesnb.forecast.backtest` reports it),
        ``mase``, ``coverage_80`` and ``coverage_95`` as fractions (see :func:`accuracy_of`).
    windows, h : int, optional
        Number and length of the backtest windows, stated when given.
    """
    parts = {k: accuracy.get(k) for k in ("smape", "mase", "coverage_80", "coverage_95")} if accuracy else {}
    if all(v is None or pd.isna(v) for v in parts.values()):
        return i18n.t("market.no_backtest")
    smape = None if parts["smape"] is None or pd.isna(parts["smape"]) else float(parts["smape"]) / 100
    values = {"smape": i18n.fmt_pct(smape), "mase": i18n.fmt_number(parts["mase"], decimals=2),
              "cov80": i18n.fmt_pct(parts["coverage_80"], decimals=0),
              "cov95": i18n.fmt_pct(parts["coverage_95"], decimals=0)}
    if windows and h:
        return i18n.t("market.fan_accuracy_windows", windows=windows, h=h, **values)
    return i18n.t("market.fan_accuracy", **values)


def accuracy_note(accuracy: Mapping[str, Any] | pd.Series | None, *, windows: int | None = None,
                  h: int | None = None) -> str:
    """:func:`accuracy_text` for the page, with a caution when the forecast lost to the naive one (MASE > 1)."""
    text = i18n.t("market.forecast_accuracy", text=accuracy_text(accuracy, windows=windows, h=h))
    mase = accuracy.get("mase") if accuracy else None
    if mase is not None and pd.notna(mase) and float(mase) > 1:
        text += " " + i18n.t("market.mase_caution")
    return text


def word(column: str, value: object) -> object:
    """Return a coded value of ``column`` in the report language (``store`` -> "Family store").

    The ``"total"`` series id becomes "Total"; values without a catalog text (names
    from the data) and missing values come back unchanged.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return value
    if column == "series_id":
        return i18n.t("common.total") if value == "total" else value
    key = f"market.{column}_{value}"
    return i18n.t(key) if key in i18n.catalog() else value
