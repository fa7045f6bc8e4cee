"""Build a valid dataset whose free text is hostile: HTML, script, markdown, format fields, formulas.

Ids and keys are untouched, so the dataset still validates; every name and free-text
column is overwritten, row by row, with one of :data:`HOSTILE`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from salesnb.sample import generate

HOSTILE = [
    '<script>alert("xss")</script>',
    '<img src=x onerror=alert(1)>',
    '**bold** [click](javascript:alert(1)) <b>b</b>',
    "{0.__class__.__mro__} {name} %s",
    '=HYPERLINK("http://evil.example","x")',
    "+SUM(1,2)",
    "-2+3",
    "@cmd",
    "\tTab start",
    "\rCR start",
    "Peña & Región 'quoted' \"double\"",
]

#: Columns overwritten per table (names and free text, never keys, categories or numbers).
TEXT_COLUMNS = {
    "regions": ["name"],
    "reps": ["name"],
    "customers": ["name"],
    "products": ["name", "category"],
    "leads": ["company", "contact_name", "source", "lost_reason", "email"],
    "activities": ["outcome"],
    "complaints": ["category"],
}

#: Literal fragments that must never appear in HTML built from this data.
FORBIDDEN_IN_HTML = ['<script>alert("xss")', "<img src=x onerror", 'href="javascript:', "<b>b</b>"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def hostile_dataset(path: Path, *, scale: float = 0.2) -> Path:
    """Write the sample company at ``scale`` into ``path`` with hostile text everywhere."""
    generate(path, scale=scale, seed=1)
    for table, columns in TEXT_COLUMNS.items():
        file = path / f"{table}.csv"
        frame = pd.read_csv(file, dtype=str, keep_default_na=False)
        for column in columns:
            if column not in frame:
                continue
            values = [HOSTILE[i % len(HOSTILE)] + f" #{i}" for i in range(len(frame))]
            # keep empties empty so nullability and rules are unchanged
            frame[column] = [v if old != "" else "" for v, old in zip(values, frame[column], strict=True)]
        frame.to_csv(file, index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    return path
