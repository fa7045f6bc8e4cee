"""The contract's checks on a source: columns, typed cells, cross-column rules and keys.

:func:`check_source` reads a source (:mod:`salesnb.data.reading`), types every table
(:mod:`salesnb.data.coerce`) and checks what the schema declares: required tables and
columns, cross-column rules (``leave_date >= hire_date``), primary keys and foreign
keys. Every problem goes onto one :class:`~salesnb.data.problems.ValidationReport`;
nothing is dropped here. :func:`cascade_rejections` extends a rejection to the rows
that point at a rejected row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salesnb.data.coerce import Coding, type_column, type_extra
from salesnb.data.problems import Problem, ValidationReport, make_problem, shorten
from salesnb.data.reading import RawTable, read_source
from salesnb.data.sql import database_of, read_database
from salesnb.schema import TABLE_ORDER, TABLES, ForeignKey, Rule, Table

__all__ = ["CheckedSource", "cascade_rejections", "check_keys", "check_read", "check_source", "check_table",
           "check_tier_overlap"]

#: Problems listed per broken key before the rest is summed up.
_MAX_KEY_PROBLEMS = 200


@dataclass
class CheckedSource:
    """What a check of a source produced besides its report.

    Attributes
    ----------
    typed : dict of str to DataFrame
        Every table that could be typed (bad rows still in it).
    bad_rows : dict of str to set of int
        Per table, positions of the rows with a row problem.
    raws : dict of str to RawTable
        The tables as read.
    meta : dict
        ``dataset.toml`` (or the ``dataset`` sheet).
    used_files : list of Path
        The files read.
    """

    typed: dict[str, pd.DataFrame]
    bad_rows: dict[str, set[int]]
    raws: dict[str, RawTable]
    meta: dict[str, Any]
    used_files: list[Path]


def check_source(source: str | Path) -> tuple[ValidationReport, CheckedSource]:
    """Read and check a whole source against the contract.

    Parameters
    ----------
    source : str or Path
        A folder of CSV/Parquet files, an .xlsx workbook, or a database
        (:func:`salesnb.data.sql.database_of`).

    Returns
    -------
    report : ValidationReport
        Every problem found.
    checked : CheckedSource
        The typed tables and what they came from (empty when the source is unreadable).
    """
    db = database_of(source)
    if db is not None:
        report = ValidationReport(source=db.shown)
        raws, meta, labels = read_database(db, report)
        return check_read(raws, meta, [], report, labels=labels)
    path = Path(source).expanduser()
    report = ValidationReport(source=path)
    raws, meta, used = read_source(path, report)
    return check_read(raws, meta, used, report)


def check_read(raws: dict[str, RawTable], meta: dict[str, Any], used: list[Path], report: ValidationReport, *,
               labels: dict[str, str] | None = None) -> tuple[ValidationReport, CheckedSource]:
    """Check tables already read (:func:`check_source` after reading).

    Parameters
    ----------
    raws : dict of str to RawTable
        The tables read, by contract name.
    meta : dict
        The source's metadata.
    used : list of Path
        The files read.
    report : ValidationReport
        The report of the read; problems are added here.
    labels : dict of str to str, optional
        Where each table was looked for in a database (the ``file`` of a missing table).

    Returns
    -------
    report : ValidationReport
    checked : CheckedSource
        As :func:`check_source`.
    """
    if report.unreadable:
        return report, CheckedSource({}, {}, {}, {}, [])
    typed: dict[str, pd.DataFrame] = {}
    bad_rows: dict[str, set[int]] = {}
    coded: dict[str, dict[str, Coding]] = {}
    for name in TABLE_ORDER:
        contract = TABLES[name]
        raw = raws.get(name)
        if raw is None:
            if contract.required and not any(p.table == name for p in report.problems):
                file = (labels or {}).get(name, f"{name}.csv")
                report.problems.append(make_problem(name, file, None, None, None, "missing table",
                                                    key="missing_table", fatal=True, table=name,
                                                    hint="db_missing_table" if labels is not None else "missing_table",
                                                    columns=", ".join(contract.required_columns)))
            continue
        coded[name] = {}
        frame, bad = check_table(raw, contract, report, coded=coded[name])
        report.files[name] = {"file": raw.file, "encoding": raw.encoding, "rows": len(raw.frame)}
        if frame is not None:
            typed[name] = frame
            bad_rows[name] = bad
    check_keys(typed, raws, report, coded=coded)
    return report, CheckedSource(typed, bad_rows, raws, meta, used)


def _check_columns(raw: RawTable, contract: Table, report: ValidationReport) -> bool:
    """Report duplicate and missing columns; return whether the table can be typed."""
    frame = raw.frame
    present = set(frame.columns)
    duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    for col in duplicated:
        report.problems.append(make_problem(contract.name, raw.file, raw.header_row(), col, None,
                                            "duplicate column", key="duplicate_column", fatal=True, column=col))
    missing = [c for c in contract.required_columns if c not in present]
    lowered = {c.lower().replace(" ", "_"): c for c in present}
    for col in missing:
        similar = lowered.get(col.lower())
        hint = "rename_column" if similar else f"add_column_{contract.column(col).dtype}"
        report.problems.append(make_problem(contract.name, raw.file, raw.header_row(), col, None, "missing column",
                                            key="missing_column", hint=hint, fatal=True, column=col,
                                            similar=similar or ""))
    return not (missing or duplicated)


def _type_columns(raw: RawTable, contract: Table, report: ValidationReport, bad: set[int],
                  coded: dict[str, Coding] | None) -> pd.DataFrame:
    """Type every declared column present; report its cell problems and add their rows to ``bad``.

    The typed key columns (primary and foreign) that carry codes go into ``coded`` when given.
    """
    frame = raw.frame
    out: dict[str, pd.Series] = {}
    keys = {*contract.primary_key, *(fk.column for fk in contract.foreign_keys)}
    for col in contract.columns:
        if col.name not in frame.columns:
            continue
        result = type_column(frame[col.name], col)
        out[col.name] = result.values
        if coded is not None and col.name in keys and result.coding is not None:
            coded[col.name] = result.coding
        for cell in result.problems:
            report.problems.append(make_problem(contract.name, raw.file, raw.row(cell.idx), col.name, cell.value,
                                                cell.rule, key=cell.key, hint=cell.hint, fatal=False, **cell.args))
            bad.add(cell.idx)
    return pd.DataFrame(out, index=frame.index)


def _check_rule(typed: pd.DataFrame, raw: RawTable, contract: Table, rule: Rule, report: ValidationReport,
                bad: set[int]) -> None:
    """Report the rows breaking one cross-column rule (both values given) and add them to ``bad``."""
    left, right = typed[rule.left], typed[rule.right]
    both = left.notna() & right.notna()
    ok = {">=": left >= right, "<=": left <= right, ">": left > right, "<": left < right}[rule.op]
    broken = both & ~ok.fillna(True).astype(bool)
    for idx in np.flatnonzero(broken.to_numpy()):
        lv, rv = left.iloc[idx], right.iloc[idx]
        report.problems.append(make_problem(
            contract.name, raw.file, raw.row(idx), rule.left,
            shorten(f"{_fmt(lv)} vs {rule.right} {_fmt(rv)}"), rule.name,
            key="order", hint=_order_hint(contract, rule), fatal=False, rule=rule.name,
            left=rule.left, left_value=_fmt(lv), right=rule.right, right_value=_fmt(rv)))
        bad.add(int(idx))


def check_table(raw: RawTable, contract: Table, report: ValidationReport, *,
                coded: dict[str, Coding] | None = None) -> tuple[pd.DataFrame | None, set[int]]:
    """Check and type one table; undeclared columns are kept and typed too.

    Parameters
    ----------
    raw : RawTable
        The table as read (its column names are stripped in place).
    contract : Table
        Its contract.
    report : ValidationReport
        Problems are added here.
    coded : dict, optional
        Filled with the typed key columns that carry codes (see :func:`check_keys`).

    Returns
    -------
    frame : DataFrame or None
        The typed table, or None when a column is missing or repeated.
    bad : set of int
        Positions of the rows with a row problem.
    """
    frame = raw.frame
    frame.columns = [str(c).strip() for c in frame.columns]
    if not _check_columns(raw, contract, report):
        return None, set()
    if contract.required and frame.empty:
        report.problems.append(make_problem(contract.name, raw.file, None, None, None, "empty table",
                                            key="empty_table", fatal=True, table=contract.name))
    bad: set[int] = set()
    typed = _type_columns(raw, contract, report, bad, coded)
    declared = set(typed.columns)
    for rule in contract.rules:
        if rule.left in typed and rule.right in typed:
            _check_rule(typed, raw, contract, rule, report, bad)
    if contract.name == "commission_plans":
        check_tier_overlap(typed, raw, report, bad)
    for name in frame.columns:
        if name not in declared:
            typed[name] = type_extra(frame[name])
    return typed, bad


def check_tier_overlap(typed: pd.DataFrame, raw: RawTable, report: ValidationReport, bad: set[int]) -> None:
    """Report commission tiers that start before the previous tier of their plan ends.

    Tiers of one ``plan_id`` are taken in ``tier_from`` order; a tier whose ``tier_from``
    is below the ``tier_to`` of the tier before it overlaps it (an empty ``tier_to`` is
    open-ended, so any later tier overlaps). Each overlapping row is a row problem.
    """
    frame = typed[["plan_id", "tier_from", "tier_to"]].dropna(subset=["plan_id", "tier_from"])
    frame = frame.assign(_pos=np.arange(len(typed))[typed["plan_id"].notna() & typed["tier_from"].notna()])
    for _, tiers in frame.sort_values(["plan_id", "tier_from"], kind="stable").groupby("plan_id", sort=True):
        ends = tiers["tier_to"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
        starts = tiers["tier_from"].to_numpy(dtype=float)
        for i in np.flatnonzero(starts[1:] < ends[:-1]) + 1:
            idx = int(tiers["_pos"].iloc[i])
            report.problems.append(make_problem(
                "commission_plans", raw.file, raw.row(idx), "tier_from", f"{starts[i]:g}", "tier overlap",
                key="tier_overlap", fatal=False, plan=str(tiers["plan_id"].iloc[i]), start=f"{starts[i]:g}",
                previous=f"{starts[i - 1]:g}", end=f"{ends[i - 1]:g}"))
            bad.add(idx)


def _order_hint(contract: Table, rule: Rule) -> str:
    """Return the hint key of a cross-column rule: its own text when the schema gives one (same English)."""
    return f"order_{contract.name}_{rule.left}_{rule.right}" if rule.hint else "order"


def _fmt(value: object) -> str:
    """Return a value of a cross-column rule as text (dates as ``YYYY-MM-DD``)."""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _key_strings(frame: pd.DataFrame, columns: Iterable[str]) -> pd.Series:
    """Return each row's key (one or more columns) as one string; '' when empty."""
    parts = [frame[c].astype("string").fillna("") for c in columns]
    key = parts[0]
    for part in parts[1:]:
        key = key + "\x1f" + part
    return key


def _comparable_as_values(frame: pd.DataFrame, columns: list[str], coded: dict[str, Coding]) -> bool:
    """Return whether two rows' keys are equal as strings (:func:`_key_strings`) exactly when equal as values.

    True for text (without the unit separator that joins a key's columns), integer and
    datetime columns, whose text is one per value; not for floats (``0.0`` and ``-0.0``)
    or anything else.
    """
    for c in columns:
        col = frame[c]
        if isinstance(col.dtype, pd.StringDtype):
            text = pd.Series(pd.array(coded[c].distinct, dtype="string")) if c in coded else col
            if len(columns) > 1 and text.str.contains("\x1f", regex=False).fillna(False).any():
                return False
        elif not (pd.api.types.is_integer_dtype(col) or pd.api.types.is_datetime64_dtype(col)):
            return False
    return True


def _value_codes(column: Coding) -> np.ndarray:
    """Return a code per row of a coded column: equal codes exactly where the typed values are equal.

    Every missing value has one code.
    """
    distinct = column.distinct
    missing = pd.isna(distinct)
    if column.unique:
        canonical = np.arange(len(distinct))
    else:
        canonical = pd.factorize(pd.array(distinct, dtype="string"), use_na_sentinel=False)[0]
    if missing.any():
        canonical[missing] = canonical[np.flatnonzero(missing)[0]]
    return canonical[column.codes]


def _repeated_keys(frame: pd.DataFrame, columns: list[str], coded: dict[str, Coding] | None = None
                   ) -> np.ndarray:
    """Return the rows whose key (not empty) another row repeats, as :func:`_key_strings` compares keys.

    Text columns in ``coded`` are compared by their codes (:func:`_value_codes`).
    """
    coded = coded or {}
    if _comparable_as_values(frame, columns, coded):  # the same rows, without making a string per row
        keys = pd.DataFrame({c: _value_codes(coded[c]) if c in coded else frame[c] for c in columns},
                            index=frame.index)
        repeated = keys.duplicated(keep=False).to_numpy()
        # one column: an empty key ("") is no key; several: the joined key is never empty
        return repeated & frame[columns[0]].notna().to_numpy() if len(columns) == 1 else repeated
    key = _key_strings(frame, columns)
    return (key.duplicated(keep=False) & (key != "")).to_numpy()


def _check_primary_key(name: str, frame: pd.DataFrame, raw: RawTable, report: ValidationReport,
                       coded: dict[str, Coding] | None = None) -> None:
    """Report repeated primary keys of one table."""
    contract = TABLES[name]
    columns = [c for c in contract.primary_key if c in frame]
    idxs = np.flatnonzero(_repeated_keys(frame, columns, coded))[:_MAX_KEY_PROBLEMS]
    key = _key_strings(frame.iloc[idxs], columns)
    for i, idx in enumerate(idxs):
        value = key.iloc[i].replace("\x1f", " / ")
        report.problems.append(make_problem(
            name, raw.file, raw.row(idx), ", ".join(contract.primary_key), shorten(value),
            "primary key", key="duplicate_key", fatal=True, value=repr(value)))


def _dangling(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """Return which values are given and match no key."""
    return (values.notna() & ~values.astype("string").isin(keys).fillna(False)).to_numpy()


def _check_foreign_key(name: str, frame: pd.DataFrame, raw: RawTable, fk: ForeignKey, keys: pd.Series,
                       report: ValidationReport, coded: Coding | None = None) -> None:
    """Report the values of one foreign key that match no key of the table it points to.

    A coded column is matched once per distinct value.
    """
    values = frame[fk.column]
    if coded is None:
        dangling = _dangling(values, keys)
    else:
        dangling = _dangling(pd.Series(pd.array(coded.distinct, dtype="string")), keys)[coded.codes]
    idxs = np.flatnonzero(dangling)
    for idx in idxs[:_MAX_KEY_PROBLEMS]:
        value = values.iloc[idx]
        report.problems.append(make_problem(
            name, raw.file, raw.row(idx), fk.column, shorten(value), "foreign key", key="fk_unknown",
            fatal=True, value=value, ref_column=fk.ref_column, ref_table=fk.ref_table))
    if len(idxs) > _MAX_KEY_PROBLEMS:
        report.problems.append(make_problem(
            name, raw.file, None, fk.column, None, "foreign key", key="fk_unknown_more", fatal=True,
            n=len(idxs) - _MAX_KEY_PROBLEMS, ref_table=fk.ref_table))


def check_keys(typed: dict[str, pd.DataFrame], raws: dict[str, RawTable], report: ValidationReport, *,
               coded: dict[str, dict[str, Coding]] | None = None) -> None:
    """Report repeated primary keys, then foreign keys pointing at nothing (or at a missing table).

    ``coded`` holds, by table, the codes of key columns (:class:`~salesnb.data.coerce.Coding`):
    those are compared once per distinct value instead of once per row.
    """
    coded = coded or {}
    keysets: dict[str, pd.Series] = {}
    already_failed = {p.table for p in report.fatal}
    referenced = {fk.ref_table for name in typed for fk in TABLES[name].foreign_keys}
    for name, frame in typed.items():
        _check_primary_key(name, frame, raws[name], report, coded.get(name))
        if len(TABLES[name].primary_key) == 1 and name in referenced and TABLES[name].primary_key[0] in frame:
            key = _key_strings(frame, TABLES[name].primary_key)
            keysets[name] = key[key != ""]
    for name, frame in typed.items():
        for fk in TABLES[name].foreign_keys:
            if fk.column not in frame or not frame[fk.column].notna().any():
                continue
            if fk.ref_table in keysets:
                _check_foreign_key(name, frame, raws[name], fk, keysets[fk.ref_table], report,
                                   coded.get(name, {}).get(fk.column))
            elif fk.ref_table not in typed and fk.ref_table not in already_failed:
                report.problems.append(make_problem(
                    name, raws[name].file, None, fk.column, None, "foreign key", key="fk_table_missing",
                    fatal=True, column=fk.column, ref_table=fk.ref_table))


def cascade_rejections(checked: CheckedSource, bad_rows: dict[str, set[int]]) -> list[Problem]:
    """Reject rows whose foreign key points at a rejected row; return the reasons.

    ``bad_rows`` is extended in place, table by table in load order, so a rejection
    travels down a chain (customer -> its orders).
    """
    problems: list[Problem] = []
    for name in TABLE_ORDER:
        if name not in checked.typed:
            continue
        frame = checked.typed[name]
        raw = checked.raws[name]
        for fk in TABLES[name].foreign_keys:
            parent_bad = bad_rows.get(fk.ref_table)
            if not parent_bad or fk.column not in frame or fk.ref_table not in checked.typed:
                continue
            parent = checked.typed[fk.ref_table][fk.ref_column]
            gone = set(parent.iloc[sorted(parent_bad)].dropna().astype(str))
            hits = frame[fk.column].astype("string").isin(gone).fillna(False).to_numpy()
            for idx in np.flatnonzero(hits):
                if int(idx) in bad_rows.setdefault(name, set()):
                    continue
                bad_rows[name].add(int(idx))
                value = str(frame[fk.column].iloc[idx])
                problems.append(make_problem(
                    name, raw.file, raw.row(idx), fk.column, value, "rejected parent", key="rejected_parent",
                    fatal=False, value=value, ref_table=fk.ref_table))
    return problems
