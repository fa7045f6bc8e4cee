"""The pack in a real browser: headless Chromium with the network blocked.

Loads index.html and one report of each kind, and asserts that no request fails
(nothing is fetched from outside the pack), the console stays free of errors and
the key headings render.

Where no usable browser is found (no Chromium on PATH, playwright not installed, or
Chromium failing to start) the test FAILS in CI (the ``CI`` environment variable is
set, as ``.ci/run`` and CI services set it) with how to install what is missing, so a
CI run can never pass by skipping it; elsewhere it is skipped and says so.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync"]
pytestmark = pytest.mark.slow  # a whole report pack, then Chromium

HOW_TO_INSTALL = {
    "chromium": "install it with `apt-get install -y chromium` (as root; `bash .ci/run` does it on a clean "
                "Debian/Ubuntu machine) or put a `chromium` executable on PATH",
    "playwright": "install the test extra: `pip install -e '.[test]'` (or `make setup`), which brings playwright; "
                  "it drives the system Chromium, so no `playwright install` download is needed",
    "start": "check that `chromium --headless --no-sandbox --dump-dom about:blank` runs here; reinstall it with "
             "`apt-get install -y --reinstall chromium` if it does not",
}


def in_ci() -> bool:
    """Whether this is a CI run: the ``CI`` environment variable is set to anything but ``""``/``0``/``false``."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str, fix: str) -> None:
    """Fail in CI, skip elsewhere; either way say what is missing and how to install it."""
    if in_ci():
        pytest.fail(f"Browser test cannot run in CI: {reason}. To fix: {HOW_TO_INSTALL[fix]}.", pytrace=False)
    pytest.skip(f"{reason}; skipped outside CI (with CI set this fails). To run it: {HOW_TO_INSTALL[fix]}.")


@pytest.fixture(scope="session", autouse=True)
def usable_chromium() -> str:
    """The Chromium executable, once proved to start; checked before the pack is built."""
    if CHROMIUM is None:
        unavailable("Chromium is not on PATH (looked for `chromium` and `chromium-browser`)", "chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable(f"playwright cannot be imported ({exc})", "playwright")
    with sync_playwright() as pw:
        try:
            pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS).close()
        except Exception as exc:  # any launch failure means the same thing here
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            unavailable(f"Chromium at {CHROMIUM} does not start ({first})", "start")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(usable_chromium: str):
    """A headless Chromium for the tests of this module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=usable_chromium, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def _open(browser, path: Path) -> tuple[object, list[str], list[str], list[str]]:
    page = browser.new_page()
    errors: list[str] = []
    failed: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda r: failed.append(r.url))

    def block(route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", block)
    page.goto(path.as_uri(), wait_until="load")
    return page, errors, failed, outside


def test_index_and_one_report_of_each_kind(browser, english_pack) -> None:
    pages = [Path(english_pack.index_path)]
    seen: set[str] = set()
    for result in english_pack.results:
        kind = result.name.split("__")[0] + ("/rep" if result.rep_id else "")
        if kind not in seen:
            seen.add(kind)
            pages.append(Path(result.html_path))
    assert len(pages) >= 6
    for path in pages:
        page, errors, failed, outside = _open(browser, path)
        assert not outside, f"{path.name} tried to reach {outside[:3]}"
        assert not failed, f"{path.name}: failed requests {failed[:3]}"
        assert not errors, f"{path.name}: console errors {errors[:3]}"
        heading = page.locator("h1").first.inner_text().strip()
        assert heading, f"{path.name} has no visible h1"
        page.close()


def test_index_links_resolve_and_tables_sort(browser, english_pack) -> None:
    page, errors, failed, outside = _open(browser, Path(english_pack.index_path))
    assert not (errors or failed or outside)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    run_dir = Path(english_pack.index_path).parent
    for href in hrefs:
        if href and not href.startswith(("#", "http")):
            assert (run_dir / href).exists(), href
    page.close()
    data_check = next(r for r in english_pack.results if r.name == "00_data_check")
    page, errors, *_ = _open(browser, Path(data_check.html_path))
    table = page.locator("table.snb").first
    first_before = table.locator("tbody tr td").first.inner_text()
    table.locator("th").first.click()
    table.locator("th").first.click()
    first_after = table.locator("tbody tr td").first.inner_text()
    assert first_before != first_after or table.locator("tbody tr").count() < 2
    assert not errors
    page.close()
