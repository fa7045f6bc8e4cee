"""The pack in a real browser: headless Chromium with the network blocked.

Loads index.html and one report of each kind, and asserts that no request fails
(nothing is fetched from outside the pack), the console stays free of errors and
the key headings render. Skipped, saying why, only where Chromium cannot run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed here (.ci/run installs it with apt-get)")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync"])
        except Exception as exc:  # pragma: no cover - depends on the machine
            pytest.skip(f"Chromium cannot start here: {exc}")
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
