"""The problem model of the loader: what is wrong with a source, in two languages.

A :class:`Problem` is one thing wrong in a source (file, row, column, value, the rule
it breaks, what to do); a :class:`Notice` is worth knowing without being wrong; a
:class:`ValidationReport` gathers both for one source. Every text comes from the
``problems`` catalog (``salesnb/locale/problems.json``): English is what
``salesnb validate`` prints, and :meth:`Problem.text` and friends give any report
language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from salesnb import i18n

__all__ = [
    "MAX_VALUE_SHOWN",
    "RULES",
    "Notice",
    "Problem",
    "ValidationReport",
    "add_notice",
    "file_label",
    "join_and",
    "load_error_message",
    "make_problem",
    "problem_text",
    "sheet_file",
    "shorten",
]

#: Longest cell value a problem shows; longer ones are cut with an ellipsis.
MAX_VALUE_SHOWN = 60


#: Argument value of a problem text: one string, or several joined with "and" in the text's language.
ArgValue = str | tuple[str, ...]
Args = tuple[tuple[str, ArgValue], ...]

#: Catalog key (in ``salesnb/locale/problems.json``) of every rule name a :class:`Problem` can carry,
#: besides the cross-column rules of the schema (``leave_date >= hire_date``), which are shown as written.
RULES = {
    name: "problems.rule_" + name.replace(" ", "_")
    for name in ("file", "source", "header", "missing table", "missing column", "duplicate column",
                 "empty table", "allowed values", "number", "whole number", "min", "max", "date",
                 "boolean", "required", "primary key", "foreign key", "rejected parent", "tier overlap")
}

_SHEET_FILE = re.compile(r"^(?P<book>.+\.xls[xm]) \[sheet (?P<sheet>.*)\]$", re.IGNORECASE)


def problem_text(key: str, lang: str, /, **values: object) -> str:
    """Return ``problems.<key>`` of the catalog in ``lang``, filled with ``values``."""
    return i18n.t(f"problems.{key}", lang=lang, **values)


def join_and(items: Iterable[str], lang: str) -> str:
    """Join ``items`` as ``a and b`` (``a y b`` in Spanish)."""
    items = list(items)
    text = items[0] if items else ""
    for item in items[1:]:
        text = problem_text("text_and", lang, left=text, right=item)
    return text


def _render(args: Args, lang: str) -> dict[str, str]:
    return {name: join_and(value, lang) if isinstance(value, tuple) else value for name, value in args}


def sheet_file(book: str, sheet: object) -> str:
    """Return the ``file`` of a problem in a workbook sheet: ``book.xlsx [sheet orders]``."""
    return problem_text("text_sheet", "en", book=book, sheet=sheet)


def shorten(value: object) -> str:
    """Return ``value`` as text of at most :data:`MAX_VALUE_SHOWN` characters, for display."""
    text = str(value)
    return text if len(text) <= MAX_VALUE_SHOWN else text[: MAX_VALUE_SHOWN - 1] + "…"


def file_label(file: str, *, lang: str = "en") -> str:
    """Return a ``file`` as the loader writes it (``Problem.file``, ``ValidationReport.files``) in ``lang``.

    Parameters
    ----------
    file : str
        A file name, or ``book.xlsx [sheet orders]`` for a sheet of a workbook.
    lang : {"en", "es"}, default "en"
        ``"es"`` gives ``book.xlsx [hoja orders]``; plain file names are the same in every language.

    Returns
    -------
    str
    """
    found = _SHEET_FILE.match(file)
    if found is None:
        return file
    return problem_text("text_sheet", lang, book=found["book"], sheet=found["sheet"])


@dataclass(frozen=True)
class Problem:
    """One problem found in a source.

    ``message`` and ``hint`` are the English texts (what ``salesnb validate`` prints);
    :meth:`text`, :meth:`hint_text` and :meth:`rule_text` give them in a report language,
    from the ``problems`` catalog (``salesnb/locale/problems.json``) and ``args``.

    Attributes
    ----------
    table : str
        Table name ("" for a problem with the source as a whole).
    file : str
        File (and sheet) the problem is in.
    row : int, str or None
        Row as seen in a spreadsheet (header = 1); in a database table, the row's
        primary key (``order_id=O-1 / line_no=2``); None for file/column problems.
    column : str or None
        Column name, when the problem is in one column.
    value : str or None
        The offending value, shortened for display.
    rule : str
        Short name of the broken rule (``date``, ``min``, ``primary key`` ...), a stable
        English identifier; :meth:`rule_text` translates it.
    message : str
        What was expected and what came, in English.
    hint : str
        How to fix it, in English.
    fatal : bool
        True when the dataset cannot be used at all (missing table or column,
        unreadable file, duplicate primary key, dangling foreign key); False for
        row problems, which ``on_bad_rows="reject"`` can set aside.
    key : str
        Catalog key of the message (``problems.msg_<key>``); "" for a problem built
        by hand, whose ``message`` is then used in every language.
    hint_key : str
        Catalog key of the hint (``problems.hint_<hint_key>``); "" as for ``key``.
    args : tuple of (name, value) pairs
        Values filled into both texts; a tuple value is a list joined with "and".
    """

    table: str
    file: str
    row: int | str | None
    column: str | None
    value: str | None
    rule: str
    message: str
    hint: str
    fatal: bool
    key: str = ""
    hint_key: str = ""
    args: Args = ()

    def text(self, lang: str = "en") -> str:
        """Return the message in ``lang`` (``"en"`` or ``"es"``)."""
        if not self.key:
            return self.message
        return problem_text(f"msg_{self.key}", lang, **_render(self.args, lang))

    def hint_text(self, lang: str = "en") -> str:
        """How to fix it, in ``lang``."""
        if not self.hint_key:
            return self.hint
        return problem_text(f"hint_{self.hint_key}", lang, **_render(self.args, lang))

    def rule_text(self, lang: str = "en") -> str:
        """Return the rule's name in ``lang``; a schema rule such as ``leave_date >= hire_date`` stays as written."""
        key = RULES.get(self.rule)
        return i18n.t(key, lang=lang) if key else self.rule

    def file_text(self, lang: str = "en") -> str:
        """Return the file (and sheet) in ``lang``: ``book.xlsx [hoja orders]``, ``a.csv y a.parquet``."""
        files = dict(self.args).get("files") if self.key == "two_files" else None
        return join_and(files, lang) if isinstance(files, tuple) else file_label(self.file, lang=lang)

    def to_text(self, *, lang: str = "en") -> str:
        """One line: where, what, and how to fix it (``lang`` defaults to English)."""
        if lang == "en":
            file, message, hint = self.file, self.message, self.hint
        else:
            file, message, hint = self.file_text(lang), self.text(lang), self.hint_text(lang)
        where = [p for p in (file, problem_text("text_row", lang, row=self.row) if self.row else "",
                             problem_text("text_column", lang, column=self.column) if self.column else "") if p]
        text = f"{', '.join(where)}: {message}"
        return f"{text} {problem_text('text_fix', lang, hint=hint)}" if hint else text


def make_problem(table: str, file: str, row: int | str | None, column: str | None, value: str | None, rule: str, /, *,
                 key: str, fatal: bool, hint: str | None = None, **args: object) -> Problem:
    """Build a :class:`Problem` whose texts come from the ``problems`` catalog.

    Parameters
    ----------
    table, file, row, column, value, rule
        As on :class:`Problem`.
    key : str
        The message is ``problems.msg_<key>``.
    fatal : bool
        As on :class:`Problem`.
    hint : str, optional
        The hint is ``problems.hint_<hint>``; defaults to ``key``.
    **args
        Values of the texts' ``{fields}``: converted with ``str``, except tuples and
        lists, which are kept as lists of strings and joined with "and" in each language.
    """
    frozen: Args = tuple((name, tuple(map(str, v)) if isinstance(v, tuple | list) else str(v))
                         for name, v in args.items())
    hint_key = hint or key
    english = _render(frozen, "en")
    return Problem(table, file, row, column, value, rule, problem_text(f"msg_{key}", "en", **english),
                   problem_text(f"hint_{hint_key}", "en", **english), fatal, key, hint_key, frozen)


@dataclass(frozen=True)
class Notice:
    """Something worth knowing about a source that is not a problem (e.g. a file read as cp1252).

    Attributes
    ----------
    key : str
        Catalog key of the text (``problems.note_<key>``).
    args : tuple of (name, value) pairs
        Values filled into the text; ``file`` is shown with :func:`file_label`.
    """

    key: str
    args: tuple[tuple[str, str], ...] = ()

    def text(self, lang: str = "en") -> str:
        """Return the notice in ``lang``."""
        values = dict(self.args)
        if "file" in values:
            values["file"] = file_label(values["file"], lang=lang)
        return problem_text(f"note_{self.key}", lang, **values)

    def __str__(self) -> str:
        """Return the notice in English."""
        return self.text()


@dataclass
class ValidationReport:
    """Every problem found in a source, plus what was read.

    Attributes
    ----------
    source : Path or str
        The folder or workbook validated, or a database URL with its password masked.
    problems : list of Problem
        In the order found; ``fatal`` and ``row_problems`` split them.
    files : dict
        Table name -> description of the file read (name, encoding, rows).
    notes : list of Notice
        Things worth knowing that are not problems (e.g. a file read as cp1252);
        ``notices`` gives them as English text.
    unreadable : bool
        True when the source itself could not be read (missing path, not a dataset).
    """

    source: Path | str
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[Notice] = field(default_factory=list)
    unreadable: bool = False

    @property
    def notices(self) -> list[str]:
        """The notes as English text."""
        return [note.text() for note in self.notes]

    @property
    def ok(self) -> bool:
        """True when there is no problem at all."""
        return not self.problems and not self.unreadable

    @property
    def fatal(self) -> list[Problem]:
        """Problems that make the dataset unusable."""
        return [p for p in self.problems if p.fatal]

    @property
    def row_problems(self) -> list[Problem]:
        """Problems confined to rows, which ``on_bad_rows='reject'`` can set aside."""
        return [p for p in self.problems if not p.fatal]

    def to_frame(self, *, lang: str = "en") -> pd.DataFrame:
        """Return the problems as a DataFrame (one row per problem).

        Parameters
        ----------
        lang : {"en", "es"}, default "en"
            Language of the ``file``, ``rule``, ``message`` and ``hint`` columns.
        """
        cols = ["table", "file", "row", "column", "value", "rule", "message", "hint", "fatal"]
        if lang == "en":
            rows = [[getattr(p, c) for c in cols] for p in self.problems]
        else:
            i18n.locale_of(lang)  # an unknown language is a ParameterError, also without problems
            rows = [[p.table, p.file_text(lang), p.row, p.column, p.value, p.rule_text(lang), p.text(lang),
                     p.hint_text(lang), p.fatal] for p in self.problems]
        frame = pd.DataFrame(rows, columns=cols)
        if not any(isinstance(p.row, str) for p in self.problems):  # a database names rows by their key
            frame["row"] = frame["row"].astype("Int64")
        return frame

    def to_text(self, *, max_problems: int = 50, lang: str = "en") -> str:
        """Return a human-readable report, as ``salesnb validate`` prints it (in English unless ``lang`` says)."""

        def tr(key: str, **values: object) -> str:
            return problem_text(f"text_{key}", lang, **values)

        lines = [tr("dataset", source=self.source)]
        for name, info in self.files.items():
            rows = i18n.fmt_number(info["rows"], lang=lang)
            lines.append("  " + tr("file_line", table=f"{name:<12}", rows=f"{rows:>9}",
                                   file=file_label(info["file"], lang=lang), encoding=info["encoding"]))
        for note in self.notes:
            lines.append("  " + tr("note", notice=note.text(lang)))
        if self.ok:
            lines.append(tr("ok"))
            return "\n".join(lines)
        n_fatal, n_row = len(self.fatal), len(self.row_problems)
        lines.append(tr("problems", fatal=n_fatal, rows=n_row))
        for kind, group in (("fatal", self.fatal), ("rows", self.row_problems)):
            if not group:
                continue
            lines.append(tr(f"group_{kind}"))
            for p in group[:max_problems]:
                lines.append(f"  - {p.to_text(lang=lang)}")
            if len(group) > max_problems:
                lines.append("  " + tr(f"more_{kind}", n=len(group) - max_problems))
        if n_row and not n_fatal:
            lines.append(tr("rows_advice"))
        return "\n".join(lines)

    def __str__(self) -> str:
        """Return the report in English, as ``salesnb validate`` prints it."""
        return self.to_text()


def load_error_message(report: ValidationReport, *, lang: str = "en", max_problems: int = 20) -> str:
    """Return the message of the :class:`~salesnb.errors.DataValidationError` that :func:`load` raises for ``report``.

    Parameters
    ----------
    report : ValidationReport
        A report with fatal problems, or with row problems that stop a load.
    lang : {"en", "es"}, default "en"
        Language of the message; :func:`salesnb.notebook.open_dataset` re-raises in the report language.
    max_problems : int, default 20
        Problems listed per group (fatal, rows).

    Returns
    -------
    str
        A first line saying why the dataset cannot be loaded, then :meth:`ValidationReport.to_text`.
    """
    if report.fatal:
        head = problem_text("error_fatal", lang, source=report.source, n=len(report.fatal))
    else:
        head = problem_text("error_rows", lang, source=report.source, n=len(report.row_problems))
    return f"{head}\n" + report.to_text(max_problems=max_problems, lang=lang)


def add_notice(report: ValidationReport, /, *, key: str, **args: object) -> None:
    """Add the notice ``problems.note_<key>`` (filled with ``args``) to ``report``."""
    report.notes.append(Notice(key, tuple((name, str(value)) for name, value in args.items())))
