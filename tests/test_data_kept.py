"""A report kernel keeps its dataset between pages (salesnb.data.kept): same frames, read-only, dropped when changed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from salesnb import config
from salesnb.data import kept, load
from salesnb.report import run_pack

NOTEBOOKS = Path(__file__).parent / "notebooks"


@pytest.fixture
def kernel_env(monkeypatch):
    """This process behaves as a report kernel; nothing kept leaks into other tests."""
    monkeypatch.setenv(config.KEEP_DATA_ENV, "1")
    kept.forget()
    yield
    kept.forget()


def _every_type() -> pd.DataFrame:
    return pd.DataFrame({
        "float": [1.0, 2.0], "int": [1, 2], "text": pd.array(["a", "b"], dtype="string"),
        "date": pd.to_datetime(["2026-01-01", "2026-02-01"]), "flag": pd.array([True, None], dtype="boolean"),
        "count": pd.array([1, None], dtype="Int64"), "kind": pd.Categorical(["u", "v"]),
    })


@pytest.mark.parametrize("column", ["float", "int", "text", "date", "flag", "count", "kind"])
def test_a_frozen_frame_refuses_writes_into_every_column_type(column):
    frame = _every_type()
    before = frame.copy()
    kept.freeze(frame)
    new = {"float": 9.0, "int": 9, "text": "z", "date": pd.Timestamp("2027-01-01"), "flag": False, "count": 9,
           "kind": "v"}[column]
    with pytest.raises((ValueError, AssertionError)):  # pandas raises AssertionError for datetimes
        frame.loc[0, column] = new
    with pytest.raises((ValueError, AssertionError)):
        frame[column].iloc[0] = new  # through the column's Series
    if column in ("float", "int"):
        with pytest.raises(ValueError, match="read-only"):
            frame[column].to_numpy()[0] = 0  # through the array the column shares
    pd.testing.assert_frame_equal(frame, before)


def test_a_frozen_frame_still_works_for_reading_and_copies():
    frame = _every_type()
    kept.freeze(frame)
    assert frame.groupby("text")["float"].sum().tolist() == [1.0, 2.0]
    assert frame.sort_values("float", ascending=False)["int"].tolist() == [2, 1]
    copy = frame.copy()
    copy.loc[0, "float"] = 5.0
    assert copy["float"].tolist() == [5.0, 2.0] and frame["float"].tolist() == [1.0, 2.0]
    assert frame.merge(frame, on="int").shape == (2, 13)


def test_outside_a_report_kernel_every_load_gives_its_own_writable_frames(monkeypatch):
    monkeypatch.delenv(config.KEEP_DATA_ENV, raising=False)
    first, second = load("sample"), load("sample")
    assert first.orders is not second.orders
    first.orders.loc[first.orders.index[0], "quantity"] = -1.0  # an analyst's frame takes writes
    assert second.orders["quantity"].iloc[0] != -1.0


def test_a_report_kernel_hands_the_next_load_the_same_read_only_frames(kernel_env):
    first = load("sample")
    second = load("sample")
    assert second is not first and second.tables is not first.tables
    assert all(second.tables[name] is frame for name, frame in first.tables.items())
    with pytest.raises(ValueError, match="read-only"):
        second.orders.loc[second.orders.index[0], "quantity"] = -1.0
    second.tables["orders"] = second.orders.head(1)  # a page's own dict: the next load is not affected
    assert len(load("sample").orders) == len(first.orders)


def test_a_kept_frame_changed_in_shape_is_read_again(kernel_env):
    first = load("sample")
    columns = list(first.orders.columns)
    first.orders.drop(columns=["promo_code"], inplace=True)
    again = load("sample")
    assert again.orders is not first.orders and list(again.orders.columns) == columns


def test_another_source_replaces_the_kept_dataset(kernel_env, tmp_path):
    sample = load("sample")
    copy = tmp_path / "copy"
    copy.mkdir()
    for file in Path(sample.source).iterdir():
        (copy / file.name).write_bytes(file.read_bytes())
    (copy / "products.csv").write_text((copy / "products.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    other = load(copy)
    assert other.orders is not sample.orders
    assert load("sample").orders is not sample.orders  # one dataset is kept: the sample was read again


def test_pages_of_one_kernel_share_the_dataset_and_a_changed_one_is_reloaded(tmp_path):
    pack = run_pack([NOTEBOOKS / "kept_data.ipynb"], data="sample", out=tmp_path / "pack", period_end="2026-10",
                    per_rep=["R001", "R003", "R004"], jobs=1, timeout=120, progress=False)
    assert pack.ok and [r.rep_id for r in pack.results] == [None, "R001", "R003", "R004"]
    said = []
    for result in pack.results:
        cells = json.loads(result.ipynb_path.read_text(encoding="utf-8"))["cells"]
        text = "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c["outputs"])
        frame, columns = re.search(r"orders frame (\d+) columns (\d+)", text).groups()
        assert "refused: assignment destination is read-only" in text, result.name
        said.append((frame, columns))
    team, r001, r003, r004 = said
    assert r001 == team and r003 == team  # the kernel's second and third pages got the team page's frames
    assert r004[1] == team[1]  # R003 dropped a column of the kept orders in place: R004 read the data again
