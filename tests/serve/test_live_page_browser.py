"""The live run page in a real browser (Debian's chromium, driven by Selenium through chromedriver),
following a real failover on the emulator from the alert to the report.

What a person sees change, in order: the run waits for approval; once approved, the web scale set's
branch is running (its creation waits for the test to move the emulator's clock) and the readiness
results are there; then the branch has succeeded and the phase is DNS; at the end the page says
SUCCEEDED, stops refreshing and links the report, which opens. The page is never reloaded by the
test: it refreshes itself. The browser is installed by the test set-up where it can be
(tests/support/browser.py), else the test skips and says why.

`REGIONSHIFT_SCREENSHOT=docs/live-page.png pytest tests/serve/test_live_page_browser.py` also keeps
a screenshot of the page during the DNS phase there (the README's).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import FLAGS, ensure_chromium
from live_stack import LiveStack

pytestmark = pytest.mark.chromium
WAIT_SECONDS = 90  # a bound on waiting for the page to show a state, not a speed target


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    chromium, driver, why = ensure_chromium()
    if chromium is None or driver is None:
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,1100"]:
        options.add_argument(flag)
    session = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    try:
        yield session
    finally:
        session.quit()


def _until(browser: Any, what: str, check: Callable[[Any], Any]) -> Any:
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (NoSuchElementException, StaleElementReferenceException)
    try:
        return WebDriverWait(browser, WAIT_SECONDS, 0.2, ignored_exceptions=ignored).until(check)
    except Exception as exc:
        body = browser.find_element("tag name", "body").text[:3000]
        raise AssertionError(f"the page never showed {what}; it shows:\n{body}") from exc


def _text(browser: Any, element_id: str) -> str:
    return str(browser.find_element("id", element_id).text)


def _row_status(browser: Any, resource: str) -> str:
    row = browser.find_element("css selector", f'#branches tr[data-resource="{resource}"] .pill')
    return str(row.text)


def test_a_person_follows_a_failover_on_the_live_page(live: LiveStack, browser: Any) -> None:
    live.start_by_alert()
    deadline = time.monotonic() + WAIT_SECONDS
    while not live.approval_links():
        assert time.monotonic() < deadline, "the approval request never reached the webhook"
        time.sleep(0.1)
    browser.get(live.page_url())
    assert "SUCCEEDED" not in _text(browser, "live")
    _until(browser, "the approval wait", lambda b: _text(b, "phase") == "waiting for approval")
    assert "waiting" in _text(browser, "approval")

    live.approve("ana")
    _until(browser, "the web scale set running", lambda b: _row_status(b, "web") in ("running", "waiting"))
    _until(browser, "who approved", lambda b: "ana" in _text(b, "approval") and "approved" in _text(b, "approval"))
    assert "passed" in _text(browser, "readiness")
    assert _text(browser, "phase") == "failing data and compute over"

    live.finish_compute()
    _until(browser, "the web scale set succeeded", lambda b: _row_status(b, "web") == "succeeded")
    _until(browser, "the DNS phase", lambda b: _text(b, "phase") == "switching DNS")
    shot = os.environ.get("REGIONSHIFT_SCREENSHOT")
    if shot:
        browser.save_screenshot(shot)

    _until(browser, "the finished run", lambda b: b.find_element("id", "live").get_attribute("data-final") == "yes")
    page = _text(browser, "live")
    assert "SUCCEEDED" in page and "What to do next" in page
    assert "regionshift failback plans/contoso-web.yaml" in page
    browser.find_element("id", "report-link").click()
    _until(browser, "the report", lambda b: b.title == "Failover contoso-web: succeeded")
