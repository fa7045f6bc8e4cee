"""The data contract: every table salesnb reads, declared as data.

Each :class:`Table` lists its columns (with a logical dtype, whether nulls are
allowed, bounds and allowed values), its primary key, its foreign keys and its
cross-column rules. The loader in :mod:`salesnb.data` enforces exactly what is
declared here and nothing else, so this module is the single place to read or
change the contract.

Logical dtypes and the pandas dtype each becomes after loading:

========  ===========================  ===========================================
dtype     pandas dtype                 accepted input
========  ===========================  ===========================================
``str``   ``string``                   any text
``int``   ``int64`` (``Int64`` if      whole numbers (``12``, ``12.0``)
          nullable)
``float`` ``float64``                  numbers with a dot as decimal separator
``date``  ``datetime64[ns]``           ISO dates ``YYYY-MM-DD`` (or real dates in
                                       Excel/Parquet)
``bool``  ``boolean``                  true/false, yes/no, 1/0 (any case)
========  ===========================  ===========================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DType = Literal["str", "int", "float", "date", "bool"]

CHANNELS = ("distributor", "store", "mall", "franchise", "other")
LEAD_STATUSES = ("open", "won", "lost")
ACTIVITY_KINDS = ("call", "visit", "meeting", "email")
SEVERITIES = ("low", "medium", "high")
REGION_LEVELS = ("region", "province", "county")
#: Lines of selling expense (``expenses.line``); a budget line is ``revenue`` or one of these.
EXPENSE_LINES = ("salaries", "travel", "vehicles", "samples_displays", "advertising", "promotions",
                 "trade_fairs", "training", "entertainment", "other")
BUDGET_LINES = ("revenue", *EXPENSE_LINES)
#: What a commission rate is applied to.
COMMISSION_BASES = ("net_sales", "margin")
PRICE_POSITIONS = ("budget", "similar", "premium")


@dataclass(frozen=True)
class Column:
    """One column of a table contract.

    Attributes
    ----------
    name : str
        Column header as it appears in the file.
    dtype : {"str", "int", "float", "date", "bool"}
        Logical type; see the module docstring.
    nullable : bool
        Whether an empty cell is allowed.
    required : bool
        Whether the column must be present. Optional columns are typed when present.
    min, max : float, optional
        Inclusive bounds for numbers.
    allowed : tuple of str, optional
        Allowed values (compared after stripping spaces and lower-casing).
    description : str
        What the column means, shown in docs and hints.
    """

    name: str
    dtype: DType = "str"
    nullable: bool = False
    required: bool = True
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    description: str = ""


@dataclass(frozen=True)
class ForeignKey:
    """``column`` must match ``ref_table.ref_column`` (empty cells are not checked)."""

    column: str
    ref_table: str
    ref_column: str


@dataclass(frozen=True)
class Rule:
    """A cross-column rule: ``left <op> right`` for every row where both are present."""

    left: str
    op: Literal[">=", "<=", ">", "<"]
    right: str
    hint: str = ""

    @property
    def name(self) -> str:
        """The rule as written: ``leave_date >= hire_date``."""
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class Table:
    """The contract of one table."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    rules: tuple[Rule, ...] = ()
    required: bool = True
    description: str = ""
    #: Which analyses need this table (shown by the data-check notebook).
    used_by: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        """Return the declared column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        """Every declared column, in contract order."""
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """The columns a source must have, in contract order."""
        return tuple(c.name for c in self.columns if c.required)


def _money(name: str, *, nullable: bool = False, signed: bool = False, desc: str = "") -> Column:
    return Column(name, "float", nullable=nullable, min=None if signed else 0.0, description=desc)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "regions",
            (
                Column("region_id", description="Region, province or county code"),
                Column("name"),
                Column("parent_id", nullable=True, description="Parent region (province -> region)"),
                Column("level", nullable=True, required=False, allowed=REGION_LEVELS),
                Column("population", "int", min=0),
                Column("gdp_per_capita", "float", min=0),
                Column("households", "int", min=0),
                Column("retail_sales", "float", nullable=True, required=False, min=0),
                Column("rank", "int", nullable=True, required=False, min=1),
            ),
            primary_key=("region_id",),
            foreign_keys=(ForeignKey("parent_id", "regions", "region_id"),),
            description="Regions and their provinces/counties with population and economic statistics.",
            used_by=("market", "leads", "targets"),
        ),
        Table(
            "reps",
            (
                Column("rep_id"),
                Column("name"),
                Column("region_id", description="Territory"),
                Column("hire_date", "date"),
                Column("leave_date", "date", nullable=True),
                Column("weekly_capacity", "int", min=0, description="New-lead calls per week"),
                Column("plan_id", nullable=True, required=False,
                       description="Commission plan (`commission_plans.plan_id`); the `default` plan when empty"),
            ),
            primary_key=("rep_id",),
            foreign_keys=(ForeignKey("region_id", "regions", "region_id"),),
            rules=(Rule("leave_date", ">=", "hire_date", "A rep cannot leave before being hired."),),
            description="Sales representatives, their territory and weekly call capacity.",
            used_by=("leads", "targets", "review"),
        ),
        Table(
            "customers",
            (
                Column("customer_id"),
                Column("name"),
                Column("channel", allowed=CHANNELS),
                Column("region_id"),
                Column("rep_id", nullable=True),
                Column("created_date", "date"),
                Column("lost_date", "date", nullable=True, required=False,
                       description="When the account was lost (a lost-customer record)"),
                Column("lost_to", nullable=True, required=False,
                       description="Competitor that took the account (a `competitors.name`)"),
            ),
            primary_key=("customer_id",),
            foreign_keys=(
                ForeignKey("region_id", "regions", "region_id"),
                ForeignKey("rep_id", "reps", "rep_id"),
            ),
            description="Accounts that have bought or are set up to buy.",
            used_by=("market", "leads", "review"),
        ),
        Table(
            "products",
            (
                Column("product_id"),
                Column("name"),
                Column("category"),
                Column("unit_price", "float", min=0),
                Column("unit_cost", "float", min=0),
                Column("launch_date", "date"),
            ),
            primary_key=("product_id",),
            description="The catalogue with list price, cost and launch date.",
            used_by=("market", "targets"),
        ),
        Table(
            "orders",
            (
                Column("order_id"),
                Column("line_no", "int", min=1),
                Column("order_date", "date"),
                Column("customer_id"),
                Column("rep_id"),
                Column("product_id"),
                Column("quantity", "float", description="Negative for returns"),
                Column("unit_price", "float", min=0),
                Column("discount", "float", min=0, max=1, description="Fraction 0-1"),
                _money("net_amount", signed=True, desc="quantity x unit_price x (1 - discount)"),
                Column("unit_cost", "float", nullable=True, required=False, min=0,
                       description="Cost of one unit on this line; the product's `unit_cost` when absent"),
                Column("promo_code", nullable=True, required=False, description="Promotion the line was sold under"),
            ),
            primary_key=("order_id", "line_no"),
            foreign_keys=(
                ForeignKey("customer_id", "customers", "customer_id"),
                ForeignKey("rep_id", "reps", "rep_id"),
                ForeignKey("product_id", "products", "product_id"),
            ),
            description="One row per order line; returns have a negative quantity.",
            used_by=("market", "targets", "review"),
        ),
        Table(
            "leads",
            (
                Column("lead_id"),
                Column("company"),
                Column("contact_name", nullable=True),
                Column("phone", nullable=True),
                Column("email", nullable=True),
                Column("channel", allowed=CHANNELS),
                Column("region_id"),
                Column("source", nullable=True),
                Column("created_date", "date"),
                Column("status", allowed=LEAD_STATUSES),
                Column("closed_date", "date", nullable=True),
                Column("lost_reason", nullable=True),
                Column("rep_id", nullable=True),
                Column("lost_to", nullable=True, required=False,
                       description="Competitor that won a lost lead (a `competitors.name`)"),
            ),
            primary_key=("lead_id",),
            foreign_keys=(
                ForeignKey("region_id", "regions", "region_id"),
                ForeignKey("rep_id", "reps", "rep_id"),
            ),
            rules=(Rule("closed_date", ">=", "created_date", "A lead closes after it is created."),),
            required=False,
            description=(
                "Prospects (open) and the history of won and lost leads; "
                "extra attribute columns are kept."
            ),
            used_by=("leads", "review"),
        ),
        Table(
            "activities",
            (
                Column("activity_id"),
                Column("activity_date", "date"),
                Column("rep_id"),
                Column("customer_id", nullable=True),
                Column("lead_id", nullable=True),
                Column("kind", allowed=ACTIVITY_KINDS),
                Column("outcome", nullable=True),
            ),
            primary_key=("activity_id",),
            foreign_keys=(
                ForeignKey("rep_id", "reps", "rep_id"),
                ForeignKey("customer_id", "customers", "customer_id"),
                ForeignKey("lead_id", "leads", "lead_id"),
            ),
            required=False,
            description="Calls, visits, meetings and emails by reps.",
            used_by=("review",),
        ),
        Table(
            "invoices",
            (
                Column("invoice_id"),
                Column("customer_id"),
                Column("issue_date", "date"),
                Column("due_date", "date"),
                _money("amount"),
                Column("paid_date", "date", nullable=True),
                _money("paid_amount", nullable=True),
            ),
            primary_key=("invoice_id",),
            foreign_keys=(ForeignKey("customer_id", "customers", "customer_id"),),
            rules=(
                Rule("due_date", ">=", "issue_date", "An invoice falls due on or after its issue date."),
                Rule("paid_date", ">=", "issue_date", "A payment cannot come before the invoice."),
            ),
            required=False,
            description="Receivables: what was billed, when it is due and what was paid.",
            used_by=("review",),
        ),
        Table(
            "complaints",
            (
                Column("complaint_id"),
                Column("customer_id"),
                Column("product_id", nullable=True),
                Column("opened_date", "date"),
                Column("first_response_date", "date", nullable=True),
                Column("resolved_date", "date", nullable=True),
                Column("category"),
                Column("severity", allowed=SEVERITIES),
            ),
            primary_key=("complaint_id",),
            foreign_keys=(
                ForeignKey("customer_id", "customers", "customer_id"),
                ForeignKey("product_id", "products", "product_id"),
            ),
            rules=(
                Rule("first_response_date", ">=", "opened_date", "A response comes after the complaint."),
                Rule("resolved_date", ">=", "opened_date", "A complaint is resolved after it is opened."),
            ),
            required=False,
            description="After-sales complaints with response and resolution dates.",
            used_by=("review",),
        ),
        Table(
            "rep_reports",
            (
                Column("rep_id"),
                Column("period_start", "date"),
                Column("due_date", "date"),
                Column("submitted_date", "date", nullable=True),
            ),
            primary_key=("rep_id", "period_start"),
            foreign_keys=(ForeignKey("rep_id", "reps", "rep_id"),),
            required=False,
            description="Plans and reports reps owe, when they were due and when they came in.",
            used_by=("review",),
        ),
        Table(
            "evaluations",
            (
                Column("rep_id"),
                Column("period_start", "date"),
                Column("discipline", "float", min=0, max=100, description="Manager score 0-100"),
            ),
            primary_key=("rep_id", "period_start"),
            foreign_keys=(ForeignKey("rep_id", "reps", "rep_id"),),
            required=False,
            description="Optional manager-scored KPIs per rep and period (0-100).",
            used_by=("review",),
        ),
        Table(
            "competitors",
            (
                Column("name", description="Competitor, as written in `lost_to`"),
                Column("price_position", nullable=True, required=False, allowed=PRICE_POSITIONS,
                       description="Their prices against ours"),
                Column("channels", nullable=True, required=False, description="Channels they sell through"),
                Column("regions", nullable=True, required=False, description="Regions where they are strong"),
                Column("notes", nullable=True, required=False),
            ),
            primary_key=("name",),
            required=False,
            description="Competitors named in `lost_to` of leads and customers, with their price position.",
            used_by=("money",),
        ),
        Table(
            "expenses",
            (
                Column("expense_id"),
                Column("date", "date"),
                Column("line", allowed=EXPENSE_LINES, description="Line of selling expense"),
                _money("amount", desc="Amount spent"),
                Column("rep_id", nullable=True, required=False, description="The rep it is charged to"),
                Column("region_id", nullable=True, required=False, description="The region it is charged to"),
            ),
            primary_key=("expense_id",),
            foreign_keys=(
                ForeignKey("rep_id", "reps", "rep_id"),
                ForeignKey("region_id", "regions", "region_id"),
            ),
            required=False,
            description="Selling expenses by line; a row may name the rep or region it is charged to.",
            used_by=("money",),
        ),
        Table(
            "budget",
            (
                Column("year", "int", min=1990, max=2100),
                Column("month", "int", min=1, max=12),
                Column("line", allowed=BUDGET_LINES, description="`revenue` or a line of selling expense"),
                _money("amount", desc="Budgeted amount, not negative"),
                Column("region_id", nullable=True, required=False, description="Region; the company when empty"),
            ),
            primary_key=("year", "month", "line", "region_id"),
            foreign_keys=(ForeignKey("region_id", "regions", "region_id"),),
            required=False,
            description="The sales budget: revenue and each expense line by month (and region).",
            used_by=("money",),
        ),
        Table(
            "commission_plans",
            (
                Column("plan_id", description="Plan name; reps name it in `reps.plan_id`"),
                Column("tier_from", "float", min=0, description="Attainment where the tier starts (1 = 100 %)"),
                Column("tier_to", "float", nullable=True, min=0,
                       description="Attainment where the next tier starts; empty for the last tier"),
                Column("rate", "float", min=0, max=1, description="Commission rate of the tier (0.03 = 3 %)"),
                Column("base", allowed=COMMISSION_BASES, description="What the rate is applied to"),
                Column("bonus_new_customer", "float", nullable=True, required=False, min=0.0,
                       description="Bonus per new customer (on any tier row of the plan)"),
                Column("bonus_collected", "float", nullable=True, required=False, min=0.0,
                       description="Bonus per overdue invoice collected (on any tier row of the plan)"),
            ),
            primary_key=("plan_id", "tier_from"),
            rules=(Rule("tier_to", ">", "tier_from", "A tier ends above where it starts."),),
            required=False,
            description=(
                "Commission tiers: a rep whose attainment of target falls in a tier earns its rate "
                "on all their net sales (or margin) of the period, plus the plan's bonuses. Tiers of "
                "one plan must not overlap. Without this table every rep has a flat 3 % of net sales."
            ),
            used_by=("money",),
        ),
    )
}

#: Load order: every table comes after the tables its foreign keys point to.
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)

REQUIRED_TABLES: tuple[str, ...] = tuple(n for n, t in TABLES.items() if t.required)


def table(name: str) -> Table:
    """Return the contract of table ``name``."""
    try:
        return TABLES[name]
    except KeyError:
        from salesnb.errors import ParameterError

        raise ParameterError.from_catalog("problems.error_unknown_table", table=repr(name),
                                          tables=", ".join(TABLES)) from None


def to_markdown() -> str:
    """Return the contract as Markdown (``docs/DATA.md`` is this text; a test keeps them equal)."""
    lines = [
        "# The data contract",
        "",
        "Generated from `salesnb/schema.py` by `salesnb.schema.to_markdown()`; do not edit by hand.",
        "",
        "A dataset is a folder with one file per table (`orders.csv` or `orders.parquet`) and an",
        "optional `dataset.toml` (`name`, `currency`, `country`), or one `.xlsx` workbook with a",
        "sheet per table (and an optional `dataset` sheet of `key`/`value` rows). CSV files may be",
        "UTF-8 (with or without BOM) or Windows-1252/Latin-1, separated by `,` `;` or tabs. Dates",
        "are ISO `YYYY-MM-DD`; numbers use a dot for decimals and no thousands separator. Columns",
        "beyond these are kept and typed (number, true/false, date or text). The header is row 1.",
        "",
        "**Fatal** problems stop a load: a missing required table or column, an unreadable file,",
        "a duplicate primary key, a foreign key pointing at nothing. **Row** problems (a bad date,",
        "a negative price, an unknown category, a broken rule) stop it too unless the caller passes",
        "`on_bad_rows=\"reject\"`, which sets those rows aside and keeps them on the dataset.",
        "",
    ]
    for tbl in TABLES.values():
        lines += _table_markdown(tbl)
    return "\n".join(lines)


def _table_markdown(tbl: Table) -> list[str]:
    """Return the Markdown lines of one table's contract: heading, column table, rules."""
    need = "required" if tbl.required else "optional"
    lines = [f"## `{tbl.name}` ({need})", "", tbl.description, "",
             f"Primary key: `{', '.join(tbl.primary_key)}`. Used by: {', '.join(tbl.used_by)}.", ""]
    lines += ["| column | type | empty allowed | rule | meaning |", "|---|---|---|---|---|"]
    fks = {fk.column: f"→ `{fk.ref_table}.{fk.ref_column}`" for fk in tbl.foreign_keys}
    for col in tbl.columns:
        rules = []
        if col.allowed:
            rules.append("one of " + ", ".join(f"`{v}`" for v in col.allowed))
        if col.min is not None:
            rules.append(f"≥ {col.min:g}")
        if col.max is not None:
            rules.append(f"≤ {col.max:g}")
        if col.name in fks:
            rules.append(fks[col.name])
        name = f"`{col.name}`" + ("" if col.required else " (optional)")
        empty = "yes" if col.nullable else "no"
        lines.append(f"| {name} | {col.dtype} | {empty} | {'; '.join(rules)} | {col.description} |")
    for rule in tbl.rules:
        lines.append("")
        lines.append(f"Rule: `{rule.name}` when both are given. {rule.hint}")
    lines.append("")
    return lines
