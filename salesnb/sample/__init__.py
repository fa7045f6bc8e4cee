"""The deterministic sample company, at any scale.

:func:`generate` writes a complete dataset that satisfies :mod:`salesnb.schema`
for a fictional Spanish maker of furniture and hospitality equipment,
*Muebles Ejemplo S.A.* (based in the Comunitat Valenciana), which sells through
distributors, family stores, shopping malls and franchises across ten
autonomous communities and their provinces.

The data is invented but carries the patterns the notebooks look for:

* **Seasons** per category (high season in spring or autumn, low season in August
  and January; terrace, ice-cream and barbecue equipment peak before summer).
* **Trend** of roughly 5-10 % a year overall, different by community and channel:
  the mix shifts from family ``store`` accounts to ``distributor`` accounts.
* **Promotions** (spring, Black Friday, summer sales) with deeper discounts and more
  volume; the order line carries the ``promo_code``.
* **Returns** (negative quantity, about 1.5 % of lines), **lost customers** that
  slow down and stop buying, **reps pacing behind** in the last months, **new hires**
  ramping up and one **leaver** whose accounts were handed over.
* **Leads** whose chance of being won depends on their attributes and on the
  attractiveness of their province, with realistic duplicates (same company
  spelled differently, same phone in another format, leads that are already
  customers).
* **Receivables** with late payers and unpaid recent invoices, **complaints**
  (including goods that do not match the signed configuration list), monthly
  **rep reports** (some late, some missing) and quarterly **evaluations**.

Everything depends only on ``seed``, ``scale`` and ``end``: the same arguments
give byte-identical files. Orders, invoices and activities are generated month
by month and appended to their files, so memory does not grow with the number
of order lines.

The package, in the order the generator runs:

* :mod:`~salesnb.sample.reference` — the static tables (geography, catalogue, names, rates);
* :mod:`~salesnb.sample.world` — the company the simulations read, drawn by
  :mod:`~salesnb.sample.regions`, :mod:`~salesnb.sample.reps`,
  :mod:`~salesnb.sample.products` and :mod:`~salesnb.sample.customers` (helpers:
  :mod:`~salesnb.sample.timeline`, :mod:`~salesnb.sample.draw`, :mod:`~salesnb.sample.names`);
* :mod:`~salesnb.sample.leads` — the lead list and the contacts with leads;
* :mod:`~salesnb.sample.simulate` — the monthly loop, one step per table (sales in
  :mod:`~salesnb.sample.orders`, the month in :mod:`~salesnb.sample.month`);
* :mod:`~salesnb.sample.write` — CSV files and ``dataset.toml``;
  :mod:`~salesnb.sample.generator` — the public :func:`generate`.
"""

from __future__ import annotations

from salesnb.sample.generator import generate
from salesnb.sample.reference import COMPANY, HISTORY_MONTHS

__all__ = ["COMPANY", "HISTORY_MONTHS", "generate"]
