"""Parameters: what a notebook declares, its rules, and one checker per rule.

* :mod:`salesnb.params.declared` reads a notebook's ``parameters`` cell and checks the
  values a run may inject (plain literals of the declared type) — standard library only;
* :mod:`salesnb.params.rules` and :mod:`salesnb.params.notebooks` hold each notebook's
  rules as data and :func:`check_notebook`, the one call the runner and every
  notebook's validation cell make;
* :mod:`salesnb.params.checks` has one checker per rule, for notebook values
  (:func:`check_int`, :func:`check_date` ...) and for library arguments
  (:func:`check_positive_int`, :func:`to_timestamp` ...).

Every message comes from ``salesnb/locale/params.json`` in the report language or the
``lang`` passed: it names the parameter, what was expected and what came.
"""

from salesnb.params.checks import (
    check_bool,
    check_choice,
    check_data,
    check_date,
    check_float,
    check_fraction,
    check_int,
    check_lang,
    check_positive_int,
    check_positive_number,
    check_text,
    message,
    parameter_error,
    show_value,
    to_timestamp,
)
from salesnb.params.declared import (
    MISSING,
    Declared,
    check_name,
    check_params,
    check_plain,
    parameters_from_source,
    parameters_source,
    parse_cli_value,
    read_parameters,
    to_source,
)
from salesnb.params.notebooks import NOTEBOOK_RULES, NotebookParams, check_notebook, rules_of

__all__ = [
    "MISSING",
    "NOTEBOOK_RULES",
    "Declared",
    "NotebookParams",
    "check_bool",
    "check_choice",
    "check_data",
    "check_date",
    "check_float",
    "check_fraction",
    "check_int",
    "check_lang",
    "check_name",
    "check_notebook",
    "check_params",
    "check_plain",
    "check_positive_int",
    "check_positive_number",
    "check_text",
    "message",
    "parameter_error",
    "parameters_from_source",
    "parameters_source",
    "parse_cli_value",
    "read_parameters",
    "rules_of",
    "show_value",
    "to_source",
    "to_timestamp",
]
