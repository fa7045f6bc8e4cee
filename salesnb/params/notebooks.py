"""Each notebook's parameter rules, and the one call that checks them.

The runner (before any kernel starts) and each notebook's validation cell call the
same :func:`check_notebook`, so a value the runner passes is one the notebook accepts,
and a bad one gets the same message from both (the runner first also requires plain
literals of the type the parameters cell declares, since only those can be injected)::

    p = params.check_notebook(globals(), notebook="01_market_analysis")
    p.horizon, p.period_end        # 6, Timestamp('2026-10-31 00:00:00')

Every problem is reported at once, in the language the ``lang`` parameter asks for
(the report language is not changed: :func:`salesnb.notebook.setup` does that).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from salesnb.config import DEFAULT_LANG
from salesnb.errors import ParameterError
from salesnb.params.checks import parameter_error
from salesnb.params.rules import (
    DataSource,
    Date,
    Delegate,
    Flag,
    Interval,
    Language,
    Options,
    OrNone,
    PeriodSpan,
    Positive,
    Rule,
    Text,
)
from salesnb.vocab import COMPARISONS, LEAD_MODES, ON_BAD_ROWS, REVIEW_PERIODS, TARGET_METHODS

__all__ = ["NOTEBOOK_RULES", "NotebookParams", "check_notebook"]

_COMMON: dict[str, Rule] = {"data": DataSource(), "lang": Language()}

#: The rules of every notebook in ``notebooks/``, by file stem; names as in its parameters cell.
NOTEBOOK_RULES: dict[str, dict[str, Rule]] = {
    "00_data_check": {**_COMMON, "on_bad_rows": Options(ON_BAD_ROWS)},
    "01_market_analysis": {
        **_COMMON,
        "period_end": Date(),
        "comparison": Options(COMPARISONS),
        "region": Text(),
        "category": Text(),
        "horizon": Interval("int", 1, 24),
    },
    "02_lead_prioritization": {
        **_COMMON,
        "as_of": Date(),
        "mode": Options(LEAD_MODES),
        "capacity": OrNone(Interval("int", 0, None)),
        "top_n": Interval("int", 1, None),
        "export": Flag(),
        "export_dir": Text("folder"),
        "mask_contacts": Flag(),
    },
    "03_target_breakdown": {
        **_COMMON,
        "year": Delegate("salesnb.targets.cascade:check_year"),
        "annual_target": OrNone(Interval("float", 0, None)),
        "growth_pct": Delegate("salesnb.targets.cascade:check_growth_pct"),
        "method": Options(TARGET_METHODS),
        "ramp_months": Delegate("salesnb.targets.cascade:check_ramp_months"),
        "country": Delegate("salesnb.workdays:check_country", skip=("",)),
        "closures": Delegate("salesnb.workdays:parse_closures", pass_name=True),
        "overrides": Delegate("salesnb.targets:check_overrides"),
        "export": Flag(),
        "export_dir": Text("folder"),
    },
    "04_periodic_review": {
        **_COMMON,
        "period": PeriodSpan(REVIEW_PERIODS),
        "period_end": Date(),
        "rep_id": OrNone(Text()),
        "weights": Delegate("salesnb.review.kpis:check_weights"),
        "growth": Delegate("salesnb.review.plan:check_growth"),
        "targets": OrNone(Text()),
        "response_sla_hours": Positive(),
        "resolution_sla_days": Positive(),
        "mask_contacts": Flag(),
    },
    "05_work_plan": {
        **_COMMON,
        "year": Delegate("salesnb.targets.cascade:check_year"),
        "period_end": OrNone(Date()),
        "assumptions": Text(),
        "annual_target": OrNone(Interval("float", 0, None)),
        "growth_pct": Delegate("salesnb.targets.cascade:check_growth_pct"),
        "method": Options(TARGET_METHODS),
        "ramp_months": Delegate("salesnb.targets.cascade:check_ramp_months"),
        "hires": Delegate("salesnb.plan.assumptions:check_hires"),
        "training": Delegate("salesnb.plan.assumptions:check_training"),
        "goals": Delegate("salesnb.plan.assumptions:check_goals"),
    },
    "06_money_and_effort": {
        **_COMMON,
        "period_end": Date(),
        "comparison": Options(COMPARISONS),
        "what_if_pct": Interval("float", 0, 99),
        "pipeline_months": Interval("int", 1, 12),
    },
}


class NotebookParams(Mapping[str, Any]):
    """A notebook's checked parameters, by name and as attributes (``p.horizon``, ``p["data"]``).

    Parameters
    ----------
    notebook : str
        The notebook's file stem.
    values : mapping of str to object
        The normalised values.
    """

    def __init__(self, notebook: str, values: Mapping[str, Any]) -> None:
        self._notebook = notebook
        self._values = dict(values)

    def __getitem__(self, name: str) -> Any:
        """Return the value of one parameter."""
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the parameter names."""
        return iter(self._values)

    def __len__(self) -> int:
        """Return how many parameters there are."""
        return len(self._values)

    def __getattr__(self, name: str) -> Any:
        """Return a parameter as an attribute (``p.horizon``)."""
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        """Show the notebook and its values."""
        return f"NotebookParams({self._notebook!r}, {self._values!r})"


def rules_of(notebook: str) -> dict[str, Rule]:
    """Return the rules of one notebook.

    Parameters
    ----------
    notebook : str
        File stem (``"01_market_analysis"``) or file name.

    Returns
    -------
    dict of str to Rule

    Raises
    ------
    ParameterError
        When salesnb has no rules for that notebook.
    """
    stem = notebook.removesuffix(".ipynb").rsplit("/", 1)[-1]
    if stem not in NOTEBOOK_RULES:
        raise parameter_error("notebook_unknown", notebook=notebook, known=", ".join(NOTEBOOK_RULES))
    return NOTEBOOK_RULES[stem]


def check_notebook(values: Mapping[str, Any], *, notebook: str, lang: str | None = None) -> NotebookParams:
    """Check a notebook's parameters against its rules, all at once.

    Parameters
    ----------
    values : mapping of str to object
        The notebook's namespace (``globals()`` in its validation cell) or the values a
        run will inject; names without a rule are ignored.
    notebook : str
        The notebook's file stem (``"04_periodic_review"``).
    lang : {"en", "es"}, optional
        Language of the messages. Defaults to the ``lang`` parameter among ``values``
        (when it is valid), else English.

    Returns
    -------
    NotebookParams
        Every ruled parameter in its normal form: dates as ``pandas.Timestamp`` (a custom
        review period's start stays ``YYYY-MM-DD`` text, as the review takes it), whole
        numbers as ``int``, flags as ``bool``, ``data`` as an absolute path; values a
        domain check accepts (closures, overrides, weights, growth) unchanged.

    Raises
    ------
    ParameterError
        Naming every bad or missing parameter, one per line, in ``lang``.
    """
    rules = rules_of(notebook)
    code = Language().check("lang", lang) if lang is not None else _language_of(values)
    checked: dict[str, Any] = {}
    problems: list[ParameterError] = []
    for name, rule in rules.items():
        if name not in values:
            problems.append(parameter_error("missing", lang=code, name=name, notebook=notebook))
            continue
        try:
            checked[name] = rule.check(name, values[name], lang=code)
        except ParameterError as exc:
            problems.append(exc)
    if len(problems) == 1:
        raise problems[0]  # its own class (an OverrideError stays one) and cause
    if problems:
        raise parameter_error("several", lang=code, n=len(problems), notebook=notebook,
                              problems="\n".join(f"- {p}" for p in problems)) from problems[0]
    return NotebookParams(notebook, checked)


def _language_of(values: Mapping[str, Any]) -> str:
    """Return the language the ``lang`` value asks for, or the default when it is missing or bad."""
    try:
        return Language().check("lang", values.get("lang", DEFAULT_LANG))
    except ParameterError:
        return DEFAULT_LANG
