"""Print a report page to PDF with headless Chromium, the browser the browser test already drives.

:func:`write_pdf` opens an HTML page of a pack in Chromium (through playwright, with
the system's ``chromium``), blocks every request that would leave the machine, and
prints it with the page's own print stylesheet: A4, its ``@page`` header and footer
(the work plan's company, year and page number) and its page breaks.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from salesnb.errors import ReportError

__all__ = ["chromium_path", "write_pdf"]

#: Environment variable naming the Chromium executable (else ``chromium`` or ``chromium-browser`` on PATH).
CHROMIUM_ENV = "SALESNB_CHROMIUM"
_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync"]


def chromium_path() -> str | None:
    """Return the Chromium executable to print with, or None when there is none."""
    given = os.environ.get(CHROMIUM_ENV, "").strip()
    if given:
        return given
    return shutil.which("chromium") or shutil.which("chromium-browser")


def write_pdf(html: str | os.PathLike[str], pdf: str | os.PathLike[str] | None = None, *,
              timeout: float = 120.0, lang: str | None = None) -> Path:
    """Print an HTML page to a PDF next to it (or to ``pdf``); return the PDF's path.

    Parameters
    ----------
    html : path
        The page (a report of a pack; nothing outside the machine is fetched).
    pdf : path, optional
        Where to write; default: the page's path with ``.pdf``.
    timeout : float, default 120
        Seconds the page may take to load and print.
    lang : {"en", "es"}, optional
        Language of the error messages.

    Returns
    -------
    Path

    Raises
    ------
    ReportError
        When Chromium or playwright is missing, or printing fails.
    """
    source = Path(html).resolve()
    target = Path(pdf).resolve() if pdf is not None else source.with_suffix(".pdf")
    browser = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise ReportError.from_catalog("plan.error_pdf_tool", lang=lang, tool="playwright") from exc
    if browser is None:
        raise ReportError.from_catalog("plan.error_pdf_tool", lang=lang, tool="chromium")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=browser, args=_ARGS, timeout=timeout * 1000)
            try:
                page = chromium.new_page()
                page.route("**/*", _local_only)
                page.goto(source.as_uri(), wait_until="load", timeout=timeout * 1000)
                page.pdf(path=str(tmp), prefer_css_page_size=True, print_background=True)
            finally:
                chromium.close()
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        raise ReportError.from_catalog("plan.error_pdf", lang=lang, page=str(source), error=str(exc)) from exc
    os.replace(tmp, target)
    return target


def _local_only(route: object) -> None:
    """Let file, data and blob requests through; abort anything that would leave the machine."""
    url = route.request.url  # type: ignore[attr-defined]
    if url.startswith(("file:", "data:", "blob:", "about:")):
        route.continue_()  # type: ignore[attr-defined]
    else:
        route.abort()  # type: ignore[attr-defined]
