"""The sample-company generator: determinism, the data contract, and the patterns it plants.

Checks are made with pandas against :mod:`salesnb.schema` directly (not through the
loader), so a bug in either one cannot hide a bug in the other.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesnb import catalog, sample
from salesnb.errors import ParameterError, SalesnbError
from salesnb.sample import generate
from salesnb.schema import TABLES

COMMITTED = Path(__file__).resolve().parents[1] / "data" / "sample"


# ----------------------------------------------------------------------------- helpers


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def _raw(folder: Path) -> dict[str, pd.DataFrame]:
    """Every table as strings, exactly as written (empty string for an empty cell)."""
    return {
        name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in TABLES
    }


def _typed(raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Parse each declared column with its logical dtype; raise on any bad value."""
    out = {}
    for name, frame in raw.items():
        typed = frame.copy()
        for col in TABLES[name].columns:
            if col.name not in frame:
                continue
            s = frame[col.name].replace("", None)
            if col.dtype in ("int", "float"):
                typed[col.name] = pd.to_numeric(s, errors="raise")
            elif col.dtype == "date":
                typed[col.name] = pd.to_datetime(s, format="%Y-%m-%d", errors="raise")
            elif col.dtype == "bool":
                assert set(s.dropna()) <= {"true", "false"}, (name, col.name)
                typed[col.name] = s.map({"true": True, "false": False})
            else:
                typed[col.name] = s
        for extra in set(frame.columns) - set(TABLES[name].column_names):
            s = frame[extra].replace("", None)
            if set(s.dropna()) <= {"true", "false"}:
                typed[extra] = s.map({"true": True, "false": False})
            else:
                try:
                    typed[extra] = pd.to_numeric(s, errors="raise")
                except (TypeError, ValueError):
                    typed[extra] = s
        out[name] = typed
    return out


def _meta(folder: Path) -> dict:
    return tomllib.loads((folder / "dataset.toml").read_text(encoding="utf-8"))


def _history(folder: Path) -> tuple[pd.Timestamp, pd.Timestamp]:
    end = pd.Period(_meta(folder)["end"], freq="M")
    return (end - 35).start_time, end.end_time.normalize()


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh generation with the defaults (what data/sample must equal)."""
    return generate(tmp_path_factory.mktemp("sample") / "default")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small company with another seed and another end month."""
    return generate(tmp_path_factory.mktemp("sample") / "small", scale=0.3, seed=5,
                    end="2025-02")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The smallest company the generator makes, in another century."""
    return generate(tmp_path_factory.mktemp("sample") / "tiny", scale=0.001, seed=9,
                    end="2000-01")


@pytest.fixture(scope="module", params=["fresh", "small", "tiny"])
def folder(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def tables(folder: Path) -> dict[str, pd.DataFrame]:
    return _typed(_raw(folder))


@pytest.fixture(scope="module")
def t1(fresh: Path) -> dict[str, pd.DataFrame]:
    return _typed(_raw(fresh))


# -------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": -1}, "The 'scale' parameter must be a positive number. Got -1 instead."),
        ({"scale": 0}, "The 'scale' parameter must be a positive number. Got 0 instead."),
        ({"scale": float("nan")}, "'scale' parameter must be a positive number"),
        ({"scale": float("inf")}, "'scale' parameter must be a positive number"),
        ({"scale": "1"}, "Got '1' instead"),
        ({"scale": True}, "'scale' parameter"),
        ({"seed": -1}, "The 'seed' parameter must be a non-negative integer. Got -1 instead."),
        ({"seed": 1.5}, "'seed' parameter"),
        ({"seed": "0"}, "'seed' parameter"),
        ({"end": "2026-13"}, "The 'end' parameter must be"),
        ({"end": "2026-10-31"}, "Got '2026-10-31' instead"),
        ({"end": "Oct 2026"}, "'end' parameter"),
        ({"end": 202610}, "'end' parameter"),
    ],
)
def test_bad_parameters_raise_parameter_error(tmp_path: Path, kwargs: dict, message: str) -> None:
    target = tmp_path / "out"
    with pytest.raises(ParameterError, match=re.escape(message)) as info:
        generate(target, **kwargs)
    assert isinstance(info.value, SalesnbError) and isinstance(info.value, ValueError)
    assert not target.exists(), "nothing is written when a parameter is bad"


def test_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "a_file.csv"
    target.write_text("x\n")
    with pytest.raises(ParameterError, match="'path' parameter"):
        generate(target, scale=0.1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": 0}, "El parámetro 'scale' debe ser un número positivo; se recibió 0."),
        ({"seed": -1}, "El parámetro 'seed' debe ser un entero no negativo; se recibió -1."),
        ({"end": "2026-13"}, "El parámetro 'end' debe ser el último mes del historial"),
    ],
)
def test_bad_parameters_speak_the_report_language(tmp_path: Path, kwargs: dict, message: str) -> None:
    catalog.set_language("es")
    try:
        with pytest.raises(ParameterError, match=re.escape(message)):
            generate(tmp_path / "out", **kwargs)
    finally:
        catalog.set_language("en")


def test_public_names_stay_where_they_were() -> None:
    assert sample.COMPANY == "Muebles Ejemplo S.A."
    assert sample.HISTORY_MONTHS == 36
    assert sample.generate is generate and callable(generate)


# ------------------------------------------------------------------------- determinism


@pytest.mark.slow
def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", scale=0.2, seed=3)
    b = generate(tmp_path / "b", scale=0.2, seed=3)
    assert _files(a) == _files(b)
    for name in _files(a):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_seed_changes_the_data(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", scale=0.1, seed=1)
    b = generate(tmp_path / "b", scale=0.1, seed=2)
    assert (a / "orders.csv").read_bytes() != (b / "orders.csv").read_bytes()


def test_committed_sample_is_the_default_generation(fresh: Path) -> None:
    assert COMMITTED.is_dir(), "data/sample is missing: run salesnb.sample.generate('data/sample')"
    assert _files(COMMITTED) == _files(fresh)
    for name in _files(fresh):
        assert (COMMITTED / name).read_bytes() == (fresh / name).read_bytes(), (
            f"data/sample/{name} differs from a fresh generation; regenerate it with "
            "salesnb.sample.generate('data/sample')"
        )


def test_committed_sample_stays_small() -> None:
    # a field team's week (>= 15 calls and 5 visits per rep) makes activities.csv about 4 MB
    total = sum(p.stat().st_size for p in COMMITTED.iterdir())
    assert total < 10 * 1024 * 1024


def test_scale_multiplies_the_company(t1: dict, small: Path) -> None:
    small_tables = _typed(_raw(small))  # scale 0.3
    for name in ("customers", "leads", "orders"):
        ratio = len(small_tables[name]) / len(t1[name])
        assert 0.2 < ratio < 0.4, (name, ratio)
    assert len(small_tables["regions"]) == len(t1["regions"])
    assert len(small_tables["products"]) == len(t1["products"])


# ------------------------------------------------------------------------- file format


def test_files_are_plain_utf8_csv_in_contract_order(folder: Path) -> None:
    expected = sorted([f"{n}.csv" for n in TABLES] + ["dataset.toml"])
    assert _files(folder) == expected
    for name, table in TABLES.items():
        data = (folder / f"{name}.csv").read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf"), f"{name}: BOM"
        assert b"\r" not in data, f"{name}: CR line endings"
        text = data.decode("utf-8")
        assert text.endswith("\n")
        header = text.split("\n", 1)[0].split(",")
        declared = [c for c in table.column_names if c in header]
        assert header[: len(declared)] == declared, f"{name}: contract columns come first"
        for bad in (",nan,", ",NaN,", ",NaT,", ",None,", ",<NA>,"):
            assert bad not in text, f"{name}: {bad!r}"


def test_dataset_toml(folder: Path) -> None:
    meta = _meta(folder)
    for key in ("name", "currency", "country", "description", "generator", "seed", "scale"):
        assert key in meta, key
    assert meta["currency"] == "EUR"
    assert meta["country"] == "ES"
    assert meta["generator"] == "salesnb.sample"
    assert isinstance(meta["seed"], int) and isinstance(meta["scale"], float)


def test_money_has_two_decimals(folder: Path) -> None:
    raw = _raw(folder)
    two = re.compile(r"^-?\d+\.\d{2}$")
    for name, col in [("orders", "net_amount"), ("orders", "unit_price"), ("invoices", "amount"),
                      ("products", "unit_price"), ("products", "unit_cost")]:
        values = raw[name][col]
        assert values[values != ""].str.match(two).all(), (name, col)


# ---------------------------------------------------------------------------- contract


def test_every_table_has_its_required_columns(tables: dict) -> None:
    for name, table in TABLES.items():
        missing = set(table.required_columns) - set(tables[name].columns)
        assert not missing, (name, missing)
        assert len(tables[name]) > 0, name


def test_values_respect_nullability_bounds_and_allowed_values(tables: dict) -> None:
    for name, table in TABLES.items():
        frame = tables[name]
        for col in table.columns:
            if col.name not in frame:
                continue
            s = frame[col.name]
            if not col.nullable:
                assert s.notna().all(), (name, col.name)
            present = s.dropna()
            if col.dtype == "int":
                assert (present == present.round()).all(), (name, col.name)
            if col.min is not None:
                assert (present >= col.min).all(), (name, col.name)
            if col.max is not None:
                assert (present <= col.max).all(), (name, col.name)
            if col.allowed is not None:
                assert set(present.str.strip().str.lower()) <= set(col.allowed), (name, col.name)


def test_primary_keys_are_unique(tables: dict) -> None:
    for name, table in TABLES.items():
        key = [c for c in table.primary_key if c in tables[name]]  # an optional key column may be left out
        assert not tables[name].duplicated(key).any(), name
        needed = [c for c in key if not table.column(c).nullable]
        assert tables[name][needed].notna().all().all(), name


def test_foreign_keys_resolve(tables: dict) -> None:
    for name, table in TABLES.items():
        for fk in table.foreign_keys:
            if fk.column not in tables[name]:  # an optional column the sample leaves out
                continue
            values = tables[name][fk.column].dropna()
            known = set(tables[fk.ref_table][fk.ref_column])
            orphans = set(values) - known
            assert not orphans, (name, fk.column, sorted(orphans)[:5])


def test_rules_hold(tables: dict) -> None:
    ops = {">=": np.greater_equal, "<=": np.less_equal, ">": np.greater, "<": np.less}
    for name, table in TABLES.items():
        frame = tables[name]
        for rule in table.rules:
            both = frame[rule.left].notna() & frame[rule.right].notna()
            ok = ops[rule.op](frame.loc[both, rule.left], frame.loc[both, rule.right])
            assert ok.all(), (name, rule.name)


def test_no_date_outside_the_history(folder: Path, tables: dict) -> None:
    start, end = _history(folder)
    checks = {
        "orders": ["order_date"], "activities": ["activity_date"],
        "invoices": ["issue_date", "paid_date"], "leads": ["created_date", "closed_date"],
        "complaints": ["opened_date", "first_response_date", "resolved_date"],
        "rep_reports": ["due_date", "submitted_date"], "customers": ["created_date"],
        "reps": ["hire_date", "leave_date"], "products": ["launch_date"],
    }
    for name, cols in checks.items():
        for col in cols:
            assert (tables[name][col].dropna() <= end).all(), (name, col)
    assert tables["orders"]["order_date"].min() >= start
    assert tables["orders"]["order_date"].dt.to_period("M").nunique() == 36


# ---------------------------------------------------------------------- consistency


def test_geography(tables: dict) -> None:
    reg = tables["regions"]
    top = reg[reg["level"] == "region"]
    prov = reg[reg["level"] == "province"]
    assert 6 <= len(top) <= 10
    assert 40 <= len(prov) <= 50
    assert top["parent_id"].isna().all() and top["rank"].isna().all()
    assert set(prov["parent_id"]) == set(top["region_id"])
    assert sorted(prov["rank"].astype(int)) == list(range(1, len(prov) + 1))
    sums = prov.groupby("parent_id")[["population", "households"]].sum()
    own = top.set_index("region_id")[["population", "households"]]
    pd.testing.assert_frame_equal(sums.sort_index(), own.sort_index(), check_names=False,
                                  check_dtype=False)
    names = set(reg["name"])
    assert {"Andalucía", "Cádiz", "Región de Murcia", "A Coruña"} <= names

    parent = prov.set_index("region_id")["parent_id"]
    assert set(tables["reps"]["region_id"]) <= set(top["region_id"])
    assert set(tables["customers"]["region_id"]) <= set(prov["region_id"])
    assert set(tables["leads"]["region_id"]) <= set(prov["region_id"])
    cust = tables["customers"].merge(tables["reps"][["rep_id", "region_id"]], on="rep_id",
                                     suffixes=("", "_rep"))
    assert (cust["region_id"].map(parent) == cust["region_id_rep"]).all(), (
        "every customer's rep works the region of the customer's province")


def _employed(frame: pd.DataFrame, reps: pd.DataFrame, date_col: str) -> pd.Series:
    r = frame[["rep_id", date_col]].merge(reps, on="rep_id", how="left")
    return (r["hire_date"] <= r[date_col]) & (
        r["leave_date"].isna() | (r[date_col] <= r["leave_date"]))


def test_orders_are_consistent(tables: dict) -> None:
    o = tables["orders"]
    net = (o["quantity"] * o["unit_price"] * (1 - o["discount"])).round(2)
    assert ((o["net_amount"] - net).abs() <= 0.0100001).all()
    assert (o["quantity"] != 0).all() and (o["quantity"] == o["quantity"].round()).all()

    heads = o.groupby("order_id")[["order_date", "customer_id", "rep_id"]].nunique()
    assert (heads == 1).all().all(), "an order has one date, customer and rep"
    line_no = o.groupby("order_id")["line_no"].agg(["min", "max", "count"])
    assert (line_no["min"] == 1).all() and (line_no["max"] == line_no["count"]).all()
    assert not o.duplicated(["order_id", "product_id"]).any()

    created = o["customer_id"].map(tables["customers"].set_index("customer_id")["created_date"])
    assert (o["order_date"] >= created).all(), "orders only once the customer exists"
    launch = o["product_id"].map(tables["products"].set_index("product_id")["launch_date"])
    assert (o["order_date"] >= launch).all(), "orders only for launched products"
    assert _employed(o, tables["reps"], "order_date").all(), "orders only by employed reps"

    returns = o["quantity"] < 0
    assert (o.loc[returns, "net_amount"] < 0).all()
    signs = np.sign(o["quantity"]).groupby(o["order_id"]).nunique()
    assert (signs == 1).all(), "an order is either a sale or a return"


def test_activities_are_consistent(tables: dict) -> None:
    a = tables["activities"]
    one = a["customer_id"].notna() ^ a["lead_id"].notna()
    assert one.all(), "each activity is with a customer or with a lead"
    assert a["outcome"].notna().all()
    assert _employed(a, tables["reps"], "activity_date").all()
    created = a["customer_id"].map(tables["customers"].set_index("customer_id")["created_date"])
    has = created.notna()
    assert (a.loc[has, "activity_date"] >= created[has]).all()
    leads = tables["leads"].set_index("lead_id")
    lead_created = a["lead_id"].map(leads["created_date"])
    has = lead_created.notna()
    assert (a.loc[has, "activity_date"] >= lead_created[has]).all()
    assert a["lead_id"].notna().any() and a["customer_id"].notna().any()


def test_invoices_follow_orders(tables: dict) -> None:
    inv, o = tables["invoices"], tables["orders"]
    assert (inv["amount"] >= 0).all()
    assert (inv["paid_amount"].dropna() <= inv.loc[inv["paid_amount"].notna(), "amount"]).all()
    assert (inv["paid_date"].isna() == inv["paid_amount"].isna()).all()
    sales = o[o["quantity"] > 0].groupby("order_id").agg(
        total=("net_amount", "sum"), date=("order_date", "first"), cust=("customer_id", "first"))
    assert set(inv["order_id"]) == set(sales.index), "one invoice per sales order"
    j = inv.join(sales, on="order_id")
    assert ((j["amount"] - j["total"]).abs() < 0.015).all()
    assert (j["issue_date"] == j["date"]).all() and (j["customer_id"] == j["cust"]).all()
    terms = (inv["due_date"] - inv["issue_date"]).dt.days
    assert set(terms) <= {30, 60}


def test_rep_reports_cover_months_employed(folder: Path, tables: dict) -> None:
    rr, reps = tables["rep_reports"], tables["reps"]
    assert (rr["period_start"].dt.day == 1).all()
    assert (rr["due_date"] == rr["period_start"] + pd.DateOffset(months=1, days=4)).all()
    r = rr.merge(reps, on="rep_id")
    month_end = r["period_start"] + pd.offsets.MonthEnd(0)
    assert (r["hire_date"] <= month_end).all()
    assert (r["leave_date"].isna() | (r["leave_date"] >= r["period_start"])).all()


# ------------------------------------------------------------- the story at scale 1


def test_sizes_at_scale_one(t1: dict) -> None:
    assert 20 <= len(t1["reps"]) <= 30
    assert 900 <= len(t1["customers"]) <= 1100
    assert 50 <= len(t1["products"]) <= 70
    assert 5 <= t1["products"]["category"].nunique() <= 8
    assert 40_000 <= len(t1["orders"]) <= 80_000
    assert len(t1["leads"]) == 2500
    assert 1900 <= (t1["leads"]["status"] == "open").sum() <= 2100
    assert 0.005 < (t1["orders"]["quantity"] < 0).mean() < 0.03, "returns are 1-2 % of lines"
    rr = t1["rep_reports"]
    assert rr["submitted_date"].isna().any(), "some reports are missing"
    assert (rr["submitted_date"] > rr["due_date"]).any(), "some reports are late"


def test_reps_story(fresh: Path, t1: dict) -> None:
    _, end = _history(fresh)
    reps = t1["reps"]
    new = reps["hire_date"] >= end - pd.Timedelta(days=190)
    assert 3 <= new.sum() <= 4
    leavers = reps["leave_date"].notna()
    assert leavers.sum() == 1
    assert (reps.loc[leavers, "leave_date"] >= end - pd.Timedelta(days=120)).all()
    assert reps["weekly_capacity"].between(20, 60).all()
    acts = t1["activities"].groupby("rep_id").size()
    tenured = reps.loc[~new & ~leavers, "rep_id"]
    assert acts[tenured].max() > 3 * acts[tenured].min(), "some reps are much less active"


def test_lead_duplicates_and_customers(t1: dict) -> None:
    leads, cust = t1["leads"], t1["customers"]

    def norm(s: pd.Series) -> pd.Series:
        s = s.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
        return s.str.lower().str.replace(r"[^a-z0-9]", "", regex=True)

    digits = leads["phone"].str.replace(r"\D", "", regex=True).str.replace(r"^0?034", "",
                                                                           regex=True)
    dup_name = norm(leads["company"]).duplicated(keep=False)
    dup_phone = digits.notna() & digits.duplicated(keep=False)
    exact_repeat = leads["company"].duplicated(keep=False)
    share = (dup_name | dup_phone).mean()
    assert 0.03 <= share <= 0.12, share
    assert (dup_name & ~exact_repeat).sum() > 20, "duplicates are spelled differently"
    formats = leads["phone"].dropna().str.replace(r"\d", "9", regex=True).nunique()
    assert formats >= 4
    known = set(norm(cust["name"])) | set(cust["phone"])
    is_customer = norm(leads["company"]).isin(known) | digits.isin(known)
    assert is_customer.sum() >= 20, "some leads are already customers"
    assert leads["foreign_investor"].sum() >= 700
    open_ = leads["status"] == "open"
    assert leads.loc[open_, "closed_date"].isna().all()
    assert leads.loc[~open_, "closed_date"].notna().all()
    lost = leads["status"] == "lost"
    assert leads.loc[lost, "lost_reason"].notna().all()
    assert leads.loc[~lost, "lost_reason"].isna().all()
    assert leads.loc[open_, "rep_id"].isna().mean() > 0.5
    assert leads.loc[~open_, "rep_id"].notna().all()


def test_win_probability_carries_signal(t1: dict) -> None:
    closed = t1["leads"][t1["leads"]["status"] != "open"].copy()
    closed["won"] = closed["status"] == "won"
    by_excl = closed.groupby("exclusive_interest")["won"].mean()
    assert by_excl[True] - by_excl[False] > 0.15
    big = closed["est_investment"] > closed["est_investment"].median()
    assert closed.loc[big, "won"].mean() > closed.loc[~big, "won"].mean() + 0.1
    rank = closed["region_id"].map(t1["regions"].set_index("region_id")["rank"])
    top = rank <= rank.median()
    assert closed.loc[top, "won"].mean() > closed.loc[~top, "won"].mean()


def test_seasons_trend_and_channel_mix(t1: dict) -> None:
    o = t1["orders"]
    monthly = o.groupby(o["order_date"].dt.to_period("M"))["net_amount"].sum()
    by_month = monthly.groupby(monthly.index.month).mean()
    assert by_month[8] < 0.6 * by_month[10], "August is low season"
    assert by_month[1] < by_month[4], "January is lower than spring"
    years = monthly.to_numpy().reshape(3, 12).sum(axis=1)
    growth = years[1:] / years[:-1] - 1
    assert (growth > 0).all() and (growth < 0.2).all(), growth
    channel = o["customer_id"].map(t1["customers"].set_index("customer_id")["channel"])
    first = o["order_date"] < o["order_date"].min() + pd.DateOffset(years=1)
    last = o["order_date"] >= o["order_date"].max() - pd.DateOffset(years=1)
    share_first = o[first].groupby(channel[first])["net_amount"].sum() / o[first][
        "net_amount"].sum()
    share_last = o[last].groupby(channel[last])["net_amount"].sum() / o[last]["net_amount"].sum()
    assert share_last["store"] < share_first["store"] - 0.02
    assert share_last["distributor"] > share_first["distributor"] + 0.02
    promo = o["promo_code"].notna()
    assert o.loc[promo, "discount"].mean() > o.loc[~promo, "discount"].mean() + 0.04


def test_lost_customers_and_new_products(t1: dict) -> None:
    o = t1["orders"]
    end = o["order_date"].max()
    last = o.groupby("customer_id")["order_date"].max()
    first_year = o[o["order_date"] < o["order_date"].min() + pd.DateOffset(years=1)]
    regulars = first_year.groupby("customer_id").size()
    regulars = regulars[regulars >= 4].index
    gone = last[regulars] < end - pd.DateOffset(months=6)
    assert gone.sum() >= 20, "some good customers stopped buying"
    launch = t1["products"]["launch_date"]
    assert (launch >= end - pd.DateOffset(months=7)).any(), "a recent launch"


def test_receivables_and_complaints(fresh: Path, t1: dict) -> None:
    _, end = _history(fresh)
    inv = t1["invoices"]
    late = inv["paid_date"] > inv["due_date"] + pd.Timedelta(days=15)
    assert late.mean() > 0.1
    unpaid = inv["paid_date"].isna()
    assert unpaid.any() and (inv["paid_amount"] < inv["amount"]).any()
    assert (inv.loc[unpaid, "issue_date"] >= end - pd.Timedelta(days=180)).mean() > 0.5
    c = t1["complaints"]
    assert {"configuration_mismatch", "defect", "delivery_delay", "installation",
            "billing"} <= set(c["category"])
    assert c["resolved_date"].isna().any() and c["resolved_date"].notna().mean() > 0.8


@pytest.mark.slow
def test_nothing_reads_the_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    class Frozen(dt.date):
        @classmethod
        def today(cls) -> dt.date:  # pragma: no cover - must not be called
            raise AssertionError("the generator read today's date")

    monkeypatch.setattr(dt, "date", Frozen)
    out = generate(tmp_path / "x", scale=0.05, end="2030-01")
    orders = pd.read_csv(out / "orders.csv", usecols=["order_date"])
    assert orders["order_date"].max() <= "2030-01-31"
    assert math.isclose(_meta(out)["scale"], 0.05)


# ------------------------------------------------------------------ money and effort (#13)


def test_field_team_activity_volumes(t1: dict) -> None:
    a, reps = t1["activities"], t1["reps"]
    week = a["activity_date"].dt.to_period("W-SUN")
    per_week = a.assign(week=week).groupby(["rep_id", "week", "kind"]).size().unstack(fill_value=0)
    assert per_week["call"].mean() >= 15, "at least 15 calls per rep and working week on average"
    assert (per_week["visit"] + per_week["meeting"]).mean() >= 5, "and 5 visits or meetings"
    by_rep = per_week.groupby("rep_id")["call"].mean()
    assert by_rep.max() > 1.5 * by_rep.min(), "volumes vary by rep"
    by_month = per_week.reset_index().groupby(per_week.reset_index()["week"].dt.start_time.dt.month)["call"].mean()
    assert by_month[8] < 0.75 * by_month[10], "August is quiet"
    assert set(reps["plan_id"]) == {"default", "senior"}


def test_expenses_land_near_the_budget(t1: dict) -> None:
    spent = t1["expenses"].groupby(t1["expenses"]["date"].dt.year)["amount"].sum()
    budget = t1["budget"].loc[t1["budget"]["line"] != "revenue"].groupby("year")["amount"].sum()
    assert ((spent / budget - 1).abs() < 0.05).all()
    assert set(t1["expenses"]["line"]) <= set(TABLES["expenses"].column("line").allowed)
    assert (t1["budget"]["line"] == "revenue").any()


def test_commission_plan_has_tiers(t1: dict) -> None:
    plans = t1["commission_plans"]
    assert plans.groupby("plan_id").size().max() >= 2
    assert set(plans["base"]) == {"net_sales", "margin"}


def test_competitors_on_part_of_the_losses(t1: dict) -> None:
    leads, customers = t1["leads"], t1["customers"]
    lost = leads.loc[leads["status"] == "lost"]
    named = lost["lost_to"].notna().mean()
    assert 0.2 < named < 0.8, "a competitor is named on part of the lost leads"
    assert set(lost["lost_to"].dropna()) <= set(t1["competitors"]["name"])
    gone = customers.loc[customers["lost_date"].notna()]
    assert 0.2 < gone["lost_to"].notna().mean() < 0.8
    assert leads.loc[leads["status"] != "lost", "lost_to"].isna().all()


def test_promotions_show_an_uplift(t1: dict) -> None:
    o = t1["orders"]
    coded = o.loc[o["promo_code"].notna() & (o["promo_code"] != "")]
    spring = coded.loc[coded["promo_code"].str.startswith("PRIMAVERA")]
    months = spring["order_date"].dt.to_period("M").unique()
    ratios = []
    for m in months:
        now = o.loc[o["order_date"].dt.to_period("M") == m, "net_amount"].sum()
        before = o.loc[o["order_date"].dt.to_period("M") == m - 12, "net_amount"].sum()
        if before > 0:
            ratios.append(now / before)
    assert ratios and max(ratios) > 1.15, "a spring campaign sells visibly more than the same month a year earlier"
