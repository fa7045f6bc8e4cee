"""The ``salesnb`` command. Thin: it parses arguments and calls the modules.

Exit codes: 0 success, 1 problems found (validation problems, a failed notebook),
2 could not run (unreadable data, bad arguments or parameters).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from salesnb import __version__
from salesnb.catalog import text
from salesnb.errors import DataSourceError, ParameterError, SalesnbError


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="salesnb",
        description="salesnb: sales-director notebooks run into HTML report packs.",
    )
    parser.add_argument("--version", action="version", version=f"salesnb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p_val = sub.add_parser("validate", help="check a dataset against the data contract")
    p_val.add_argument("path", help="folder of CSV/Parquet files, or an .xlsx workbook")
    p_val.add_argument("--max-problems", type=int, default=50, help="problems to print (default 50)")

    p_sample = sub.add_parser("sample", help="write the deterministic sample company")
    p_sample.add_argument("path", nargs="?", default=None,
                          help="folder to write (created if missing; optional with --to)")
    p_sample.add_argument("--to", default=None, metavar="URL",
                          help="also write it into a database: duckdb:///path/file.duckdb or postgresql://user@host/db")
    p_sample.add_argument("--scale", type=float, default=1.0, help="size multiplier (default 1)")
    p_sample.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    _add_run_parser(sub.add_parser("run", help="run notebooks into an HTML report pack"))
    _add_lab_parser(sub.add_parser("lab", help="open working copies of the notebooks in JupyterLab"))
    _add_plan_parser(sub.add_parser("plan", help="write the year's work plan as HTML and PDF"))
    return parser


def _add_lab_parser(p_lab: argparse.ArgumentParser) -> None:
    """Declare the options of ``salesnb lab``."""
    p_lab.add_argument("--lang", default="en", choices=["en", "es"], help="language of the copies (default en)")
    p_lab.add_argument("--data", default="sample", help="dataset path, or 'sample' (default)")
    p_lab.add_argument("--folder", default=None, help="where the copies go (default: work/<lang>/, git-ignored)")
    p_lab.add_argument("--fresh", action="store_true", help="overwrite existing copies with the templates")
    p_lab.add_argument("--port", type=int, default=None, help="JupyterLab's port")
    p_lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p_lab.add_argument("--copies-only", action="store_true", help="write the copies, print the command, do not start")



def _add_plan_parser(p_plan: argparse.ArgumentParser) -> None:
    """Declare the options of ``salesnb plan``."""
    p_plan.add_argument("--year", type=int, required=True, help="the year the plan covers")
    p_plan.add_argument("--data", default="sample", help="dataset path, or 'sample' (default)")
    p_plan.add_argument("--out", default=None, help="folder for packs (default: reports/)")
    p_plan.add_argument("--lang", default="en", choices=["en", "es"], help="report language")
    p_plan.add_argument("--period-end", dest="period_end", default=None, metavar="DATE",
                        help="last day of data the plan stands on (default: the last complete month)")
    p_plan.add_argument("--assumptions", default=None, metavar="FILE",
                        help="TOML file of the director's choices (default: plan.toml next to the data)")
    p_plan.add_argument("--timeout", type=int, default=1800,
                        help="seconds the notebook may run (default 1800: a large company's plan takes minutes)")
    p_plan.add_argument("--no-progress", action="store_true", help="do not print progress")


def _add_run_parser(p_run: argparse.ArgumentParser) -> None:
    """Declare the options of ``salesnb run``."""
    p_run.add_argument("notebooks", nargs="*", help="notebooks to run (default: all in notebooks/)")
    p_run.add_argument("--data", default="sample", help="dataset path, or 'sample' (default)")
    p_run.add_argument("--out", default=None, help="folder for packs (default: reports/)")
    p_run.add_argument("--period-end", dest="period_end", default=None, metavar="DATE",
                       help="the last day of the period, YYYY-MM (that month's last day) or YYYY-MM-DD")
    p_run.add_argument("--period", dest="period", default=None, metavar="DATE",
                       help="deprecated name of --period-end")
    p_run.add_argument("--lang", default="en", choices=["en", "es"], help="report language")
    p_run.add_argument("--per-rep", action="store_true", help="add one review page per active rep")
    p_run.add_argument("--reps", default=None, metavar="IDS",
                       help="comma-separated rep ids: rep pages for these reps only (implies --per-rep)")
    p_run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="notebook parameter; VALUE is read as JSON when it parses, else as text",
    )
    p_run.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    p_run.add_argument("--timeout", type=int, default=None, help="seconds per notebook")
    p_run.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="run each report as a task on a Dask cluster: a scheduler address "
                            "(tcp://HOST:8786) or local:N for N local worker processes (see docs/CLUSTER.md)")
    p_run.add_argument("--no-progress", action="store_true", help="do not print progress")


def _cmd_validate(args: argparse.Namespace) -> int:
    from salesnb.data import validate

    report = validate(args.path)
    print(report.to_text(max_problems=args.max_problems))
    if report.unreadable:
        return 2
    return 0 if report.ok else 1


def _cmd_sample(args: argparse.Namespace) -> int:
    import tempfile

    from salesnb.sample import generate
    from salesnb.sample.write import write_database

    if args.path is None and args.to is None:
        print(text("problems.error_sample_where"), file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="salesnb-sample-") as tmp:
        path = generate(args.path or tmp, scale=args.scale, seed=args.seed)
        if args.path is not None:
            print(f"Wrote the sample company (scale {args.scale:g}, seed {args.seed}) to {path}")
        if args.to is not None:
            shown = write_database(path, args.to)
            print(f"Wrote the sample company (scale {args.scale:g}, seed {args.seed}) to {shown}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from salesnb.params import parse_cli_value
    from salesnb.report import run_pack

    period_end = args.period_end
    if args.period is not None:
        if period_end is not None:
            raise ParameterError.from_catalog("report.error_period_twice", lang=args.lang, period=repr(args.period),
                                              period_end=repr(period_end))
        print(text("report.cli_period_deprecated", lang=args.lang, value=args.period), file=sys.stderr)
        period_end = args.period
    params = {name: parse_cli_value(value) for name, value in args.parameter}
    result = run_pack(
        args.notebooks or None,
        data=args.data,
        out=args.out,
        period_end=period_end,
        lang=args.lang,
        per_rep=[r.strip() for r in args.reps.split(",") if r.strip()] if args.reps else args.per_rep,
        params=params,
        jobs=args.jobs,
        timeout=args.timeout,
        progress=not args.no_progress,
        scheduler=args.scheduler,
    )
    print(text("report.cli_pack", lang=args.lang, path=result.index_path))
    return 0 if result.ok else 1


def _cmd_lab(args: argparse.Namespace) -> int:
    import subprocess

    from salesnb.lab import lab_command, lab_folder, working_copies

    folder = args.folder or lab_folder(args.lang)
    copies = working_copies(lang=args.lang, data=args.data, folder=folder, fresh=args.fresh)
    cmd = lab_command(folder, port=args.port, open_browser=not args.no_browser)
    print(text("report.cli_lab", lang=args.lang, n=len(copies), path=folder))
    if args.copies_only:
        print(" ".join(cmd))
        return 0
    return subprocess.call(cmd)


def _cmd_plan(args: argparse.Namespace) -> int:
    from salesnb.report import run_pack
    from salesnb.report.pdf import write_pdf

    params: dict[str, object] = {"year": args.year}
    if args.assumptions:
        params["assumptions"] = args.assumptions
    result = run_pack(["05_work_plan"], data=args.data, out=args.out, period_end=args.period_end, lang=args.lang,
                      params=params, jobs=1, timeout=args.timeout, progress=not args.no_progress)
    page = result.results[0]
    if not page.ok:
        print(text("plan.cli_plan_failed", lang=args.lang, index=result.index_path), file=sys.stderr)
        return 1
    pdf = write_pdf(page.html_path, lang=args.lang)
    print(text("plan.cli_plan", lang=args.lang, html=page.html_path, pdf=pdf))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``salesnb`` console script; return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 success, 1 problems found, 2 could not run, 130 interrupted.
    """
    args = _build_parser().parse_args(argv)
    handler = {"validate": _cmd_validate, "sample": _cmd_sample, "run": _cmd_run, "lab": _cmd_lab,
               "plan": _cmd_plan}[args.command]
    lang = getattr(args, "lang", None)
    try:
        return handler(args)
    except DataSourceError as exc:
        print(text("report.cli_bad_data", lang=lang, command=args.command, error=exc), file=sys.stderr)
        return 2
    except SalesnbError as exc:
        print(text("report.cli_error", lang=lang, command=args.command, error=exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(text("report.cli_interrupted", lang=lang, command=args.command), file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
