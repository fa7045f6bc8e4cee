"""The loader's fast paths give what the straightforward ones give (issue #15, part 3)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import pytest

from salesnb import data
from salesnb.data import checks, coerce, loader, reading
from salesnb.schema import Column

#: CSV texts whose reading by Arrow must equal pandas' reading, or fall back to pandas.
CSV_TEXTS = [
    'a,b,c\n1,2,3\n',
    'a,b,c\n1,"x,y",3\n',
    'a,b,c\n1,"he said ""hi""",3\n',
    'a,b,c\n1,5" screen,3\n',
    'a,b,c\n1,"ab"c,3\n',
    'a,b,c\n1, "ab",3\n',
    'a,b,c\n1,"multi\nline",3\n4,5,6',
    'a,b,c\r\n1,2,3\r\n4,,\r\n',
    'a,b,c\n,,\n1,2,3',
    'a,b,c\n1,2,3\n\n4,5,6\n',
    'a,b,c\n1,2\n',
    'a,b,c\n1,2,3,4\n',
    'a,b,c\n1,"2,3\n',
    'a,b,c\n  ,\t,3\n',
    'a,b,c\n1,2,3\n\n',
    'a,b,c\n',
    'a,b,c',
    'a;b;c\n1;"2;x";3\n',
    'a,b,c\r1,2,3\r4,5,6\r',
    'a,b,c\n1,2,3\r\n4,5,6\n',
    'a,b,c\n"",x,""\n',
    'a,,c\n1,2,3\n',
    'a,a,c\n1,2,3\n',
    'a,b,c\n1,\x1c,\u00a0\n',
    'a,b,c\n1,"a""",3\n',
    'a,b,c\n1,"a"",3\n',
    'a,b,c\n1,2,"3" \n',
    'a,b,c\n"1\r\n2",2,3\n',
    '"a",b,c\n1,2,3\n',
    'a\n1\n\n2\n',
]


@pytest.mark.parametrize("text", CSV_TEXTS)
def test_arrow_reader_reads_what_pandas_reads(text: str) -> None:
    sep = ";" if ";" in text else ","
    width = len(text.split("\n")[0].split(sep))
    fast = reading._read_csv_arrow(text.encode(), text, sep, width)
    if fast is None:
        return  # pandas reads it (and reports what it cannot read)
    slow = pd.read_csv(io.StringIO(text), sep=sep, dtype="string[pyarrow]", keep_default_na=False, na_values=[],
                       skip_blank_lines=False)
    fast.columns = slow.columns
    pd.testing.assert_frame_equal(fast, slow)


def test_blank_rows_are_found_as_before() -> None:
    cells = ["x", "", "  ", "\u00a0", None, "\x1c", " y ", "\t"]
    frame = pd.DataFrame({"a": pd.array(cells, dtype="string[pyarrow]"), "b": pd.array(cells[::-1], dtype=object)})
    kept, rows = reading._drop_blank_rows(frame, 2)
    blank = [all(reading.is_blank(v) for v in row) for row in zip(cells, cells[::-1], strict=True)]
    assert rows.tolist() == [i + 2 for i, b in enumerate(blank) if not b]
    assert len(kept) == len(rows)


CELLS = ["2024-01-31", "2024-02-30", "31/12/2024", "2024-01-05 00:00:00", " 2024-01-06 ", "", "  ", "abc",
         "1.234,5", "12,5", "-3", "7", "7.0", "1.5", "inf", "nan", "1e3", "0x10", "yes", "No", "sí", "maybe",
         "STORE", " mall ", "xyz", "2024-01-31", "7", "yes", None]

COLUMNS = [Column("d", "date"), Column("n", "float", min=0), Column("i", "int", nullable=False, min=1),
           Column("b", "bool"), Column("s", "str", allowed=("store", "mall")), Column("t", "str")]


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string", object])
@pytest.mark.parametrize("col", COLUMNS, ids=lambda c: c.name)
def test_typing_distinct_values_is_typing_each_cell(col: Column, dtype: object) -> None:
    cells = [c for c in CELLS if c is not None or dtype is not object] * 3
    raw = pd.Series(pd.array(cells, dtype=dtype), name=col.name)
    whole = coerce.type_column(raw, col)
    alone = [coerce.type_column(raw.iloc[[i]].reset_index(drop=True), col) for i in range(len(raw))]
    values = pd.concat([a.values for a in alone], ignore_index=True)
    pd.testing.assert_series_equal(whole.values, values.astype(whole.values.dtype), check_names=False)
    assert whole.bad.tolist() == [bool(a.bad.iloc[0]) for a in alone]
    found = sorted((p.idx, p.key, p.value, str(p.args)) for p in whole.problems)
    one_by_one = sorted((i, p.key, p.value, str(p.args)) for i, a in enumerate(alone) for p in a.problems)
    assert found == one_by_one


def test_typed_text_shares_one_string_per_value() -> None:
    raw = pd.Series(pd.array(["R001", "R002"] * 1000, dtype="string[pyarrow]"))
    values = coerce.type_column(raw, Column("rep_id", "str")).values
    assert values.dtype == "string" and values.iloc[0] is values.iloc[2]


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"a": pd.array(["x", "x", None, None, "y"], dtype="string"),
                  "b": pd.array([1, 1, None, None, 2], dtype="Int64")}),
    pd.DataFrame({"a": pd.array(["x", "x", None, None, "y"], dtype="string")}),
    pd.DataFrame({"a": pd.array(["x\x1fy", "x", "z", None, "y"], dtype="string"),
                  "b": pd.array(["z", "y\x1fz", "w", None, "q"], dtype="string")}),
    pd.DataFrame({"a": pd.to_datetime(["2024-01-01", "2024-01-01", None, None]),
                  "b": pd.array(["r"] * 4, dtype="string")}),
    pd.DataFrame({"a": [0.0, -0.0, 1.0], "b": pd.array(["r"] * 3, dtype="string")}),
])
def test_repeated_keys_are_the_repeated_key_strings(frame: pd.DataFrame) -> None:
    columns = list(frame.columns)
    key = checks._key_strings(frame, columns)
    expected = (key.duplicated(keep=False) & (key != "")).to_numpy()
    assert checks._repeated_keys(frame, columns).tolist() == expected.tolist()


RAW_KEYS = ["A1", " A1", "A1 ", "", None, "  ", "B2", "b2", "A1", "C3", "B2 ", "\x1f"]


@pytest.mark.parametrize("allowed", [None, ("a1", "b2")])
@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string"])
def test_keys_compared_by_codes_as_by_values(dtype: str, allowed: tuple[str, ...] | None) -> None:
    raw = pd.Series(pd.array(RAW_KEYS, dtype=dtype))
    typed = coerce.type_column(raw, Column("k", "str", allowed=allowed))
    assert typed.coding is not None
    pd.testing.assert_series_equal(pd.Series(pd.array(typed.coding.distinct[typed.coding.codes], dtype="string")),
                                   typed.values, check_names=False)
    frame = pd.DataFrame({"k": typed.values, "n": [1, 2] * 6})
    coded = {"k": typed.coding}
    for columns in (["k"], ["k", "n"]):
        assert (checks._repeated_keys(frame, columns, coded).tolist()
                == checks._repeated_keys(frame, columns).tolist())
    keys = pd.Series(pd.array(["A1", "C3"], dtype="string"))
    assert (checks._dangling(pd.Series(pd.array(typed.coding.distinct, dtype="string")), keys)[typed.coding.codes]
            .tolist() == checks._dangling(typed.values, keys).tolist())


def test_content_hash_follows_the_files(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text("a,b\n1,2\n")
    first = data.content_hash(tmp_path)
    assert data.content_hash(tmp_path) == first
    (tmp_path / "orders.csv").write_text("a,b\n1,3\n")  # same size, other bytes
    assert data.content_hash(tmp_path) != first
    (tmp_path / "orders.csv").write_text("a,b\n1,2\n")
    assert data.content_hash(tmp_path) == first


def test_validate_caches_both_modes_in_one_file(tiny_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SALESNB_CACHE", str(tmp_path / "cache"))
    assert data.validate(tiny_dir).ok
    entries = sorted((tmp_path / "cache").glob("dataset-*.pkl"))
    assert len(entries) == 2 and len({os.stat(e).st_ino for e in entries}) == 1  # a hard link, not a copy
    for mode in ("raise", "reject"):
        pd.testing.assert_frame_equal(data.load(tiny_dir, on_bad_rows=mode).orders,
                                      data.load(tiny_dir, on_bad_rows=mode, cache=False).orders)


def test_load_after_validate_takes_the_checked_dataset_once(tiny_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SALESNB_CACHE", str(tmp_path / "cache"))
    data.validate(tiny_dir)
    assert loader._HANDOVER  # validate left its dataset for the next load
    first = data.load(tiny_dir, on_bad_rows="reject")  # the dataset validate built, handed over
    assert not loader._HANDOVER
    second = data.load(tiny_dir, on_bad_rows="reject")  # read from the cache entry
    plain = data.load(tiny_dir, on_bad_rows="reject", cache=False)
    assert first is not second
    for ds in (first, second):
        assert ds.source == plain.source and ds.content_hash == plain.content_hash
        for name, frame in plain.tables.items():
            pd.testing.assert_frame_equal(ds.tables[name], frame)
