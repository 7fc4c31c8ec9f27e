"""`slabuilder serve` end to end: the real command, driven in a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import EXAMPLE, pdf_text

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _browser_or_skip() -> None:
    if Path(CHROMIUM).exists() and Path(DRIVER).exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        pytest.fail("chromium and chromium-driver are missing; `bash scripts/setup` installs "
                    "them")
    pytest.skip("no chromium and chromium-driver, and no root to install them: "
                "`sudo apt-get install chromium chromium-driver`")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str], Path, float]]:
    out = tmp_path / "out"
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "slabuilder", "serve", str(EXAMPLE), "-o", str(out),
         "--port", "0", "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert found, line + process.stderr.read() if process.stderr else line
    try:
        yield found.group(0), process, out, started
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


@pytest.fixture(scope="module")
def _chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One headless Chromium for the module's tests (each gets it on a blank page)."""
    _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--window-size=1400,1000",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium') / 'profile'}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(_chromium):  # type: ignore[no-untyped-def]
    """The module's Chromium, at desktop size, with one tab on a blank page."""
    driver = _chromium
    yield driver
    for handle in driver.window_handles[1:]:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(driver.window_handles[0])
    driver.set_window_size(1400, 1000)
    driver.get("about:blank")


def _wait(condition, what: str, seconds: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"waited {seconds} s for {what}")


def _preview_text(driver) -> str:  # type: ignore[no-untyped-def]
    return str(driver.execute_script(
        "const d = document.getElementById('preview').contentDocument;"
        "return d && d.body ? d.body.innerText : '';"))


def test_the_whole_interview_in_a_real_browser(served, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url, process, out, started = served
    driver = browser
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    driver.get(url)
    _wait(lambda: "534" in _preview_text(driver), "the preview of the example")
    first_page = time.monotonic() - started
    assert first_page < 15, f"{first_page:.1f} s from start to the first preview"
    assert re.search(r"\b534\b", _preview_text(driver))

    def visible_part() -> str:
        return str(driver.execute_script(
            "return [...document.querySelectorAll('section.part')]"
            ".find(p => !p.hidden).querySelector('h2').textContent"))

    steps = driver.find_elements(By.CSS_SELECTOR, ".steps a")
    # Each step says, to a screen reader too, whether its part is done: the example's are.
    assert [step.get_attribute("data-state") for step in steps] == ["done"] * 8
    assert all(step.get_attribute("textContent").endswith(", done") for step in steps)
    titles = [step.get_attribute("textContent").removesuffix(", done") for step in steps]
    assert len(titles) == 8
    for index, title in enumerate(titles):
        assert visible_part() == title
        if title == "The revenue goal":
            field = driver.find_element(By.ID, "f-revenue_target")
            field.send_keys(Keys.CONTROL, "a")
            field.send_keys("1.2M")
            _wait(lambda: re.search(r"\b640\b", _preview_text(driver)),
                  "the preview to show 640 MQLs", 5)
            assert not re.search(r"\b534\b", _preview_text(driver))
            assert field.get_attribute("value") == "1.2M"  # what was typed stays
            cell = driver.find_element(By.CSS_SELECTOR, 'td[data-stage="MQLs"]')
            assert cell.text == "640"
        if title == "The funnel":
            sal = driver.find_element(By.ID, "q-mql_to_sal")
            assert not sal.is_displayed()
            driver.find_element(By.CSS_SELECTOR, "#f-has_sal option[value=yes]").click()
            _wait(sal.is_displayed, "the SAL question to appear", 5)
            driver.find_element(By.CSS_SELECTOR, "#f-has_sal option[value=no]").click()
            _wait(lambda sal=sal: not sal.is_displayed(), "the SAL question to go", 5)
        if index < len(titles) - 1:
            driver.find_element(By.CSS_SELECTOR, "section.part:not([hidden]) button.next").click()
    driver.find_element(By.CSS_SELECTOR, "section.part:not([hidden]) a.next-page").click()

    _wait(lambda: "Check your answers" in driver.page_source, "the review page")
    assert "1.2M" in driver.find_element(By.TAG_NAME, "main").text
    driver.find_element(By.ID, "save").click()
    status = driver.find_element(By.ID, "status")
    _wait(lambda: "Saved the answers" in status.text, "the answers to be saved")
    saved = out / "acme-analytics.yaml"
    assert "revenue_target: 1200000" in saved.read_text(encoding="utf-8")

    driver.find_element(By.CSS_SELECTOR, 'a[href^="/download/agreement.pdf?token="]').click()
    pdf = downloads / "acme-analytics-agreement.pdf"
    _wait(pdf.exists, "the agreement to download", 60)
    _wait(lambda: pdf.stat().st_size > 0 and not list(downloads.glob("*.crdownload")),
          "the download to finish")
    text = pdf_text(pdf)
    assert re.search(r"\b640\b", text)
    assert sorted(p.name for p in out.iterdir()) == ["acme-analytics.yaml"]

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 130  # stopped, as Ctrl-C stops any command
    assert "Stopped." in (process.stdout.read() if process.stdout else "")


def _serve(out: Path, port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "slabuilder", "serve", str(EXAMPLE), "-o", str(out),
         "--port", str(port), "--no-browser"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines = []
    while "workspace is at" not in (line := process.stdout.readline()):
        assert line, "".join(lines) + (process.stderr.read() if process.stderr else "")
        lines.append(line)
    return process


def test_a_stopped_workspace_is_shown_and_no_edit_is_lost(served, browser):
    """The server stops: a banner says so within 3 seconds; what is typed meanwhile stays
    in the page and reaches the draft once the workspace is started again on the folder."""
    import json

    from selenium.webdriver.common.by import By

    url, process, out, _ = served
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    driver = browser
    driver.get(url)
    banner = driver.find_element(By.ID, "offline")
    assert not banner.is_displayed()
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 130
    stopped = time.monotonic()
    _wait(banner.is_displayed, "the banner saying slabuilder is not answering", 5)
    assert time.monotonic() - stopped <= 3.5
    field = driver.find_element(By.ID, "f-company_name")
    field.clear()
    field.send_keys("Acme Analytics Europe")
    time.sleep(0.6)  # the edit is tried, fails, and waits in the page
    again = _serve(out, port)
    try:
        _wait(lambda: not banner.is_displayed(), "the banner to go", 8)
        draft = out / ".slabuilder-draft.json"
        _wait(lambda: draft.exists() and json.loads(draft.read_text("utf-8"))["typed"].get(
            "company_name") == "Acme Analytics Europe", "the edit to reach the draft", 8)
    finally:
        again.send_signal(signal.SIGINT)
        again.communicate(timeout=10)


def test_a_second_tab_is_told_to_reload_and_overwrites_nothing(served, browser):
    import json

    from selenium.webdriver.common.by import By

    url, _, out, _ = served
    driver = browser
    driver.get(url)
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(url)
    second = driver.current_window_handle
    driver.switch_to.window(first)
    field = driver.find_element(By.ID, "f-company_name")
    field.clear()
    field.send_keys("Acme Analytics Europe")
    draft = out / ".slabuilder-draft.json"
    _wait(lambda: draft.exists() and json.loads(draft.read_text("utf-8"))["typed"].get(
        "company_name") == "Acme Analytics Europe", "the first tab's edit to be kept", 8)
    driver.switch_to.window(second)
    status = driver.find_element(By.ID, "status")
    _wait(lambda: "reload this page" in status.text, "the second tab to be told", 5)
    field = driver.find_element(By.ID, "f-company_name")
    field.clear()
    field.send_keys("Something else")
    time.sleep(1)
    assert json.loads(draft.read_text("utf-8"))["typed"]["company_name"] == (
        "Acme Analytics Europe")
    # Back in the first tab: answering "yes" to the SAL stage reveals the MQL-to-SAL rate,
    # and Tab pressed at once goes to it, not past it (a file was saved without it).
    driver.switch_to.window(second)
    driver.close()
    driver.switch_to.window(first)
    _reveal_comes_next_on_tab(driver, url)


def _reveal_comes_next_on_tab(driver, url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(url + "#q-has_sal")
    select = driver.find_element(By.ID, "f-has_sal")
    _wait(select.is_displayed, "the SAL question")
    driver.execute_script("arguments[0].focus()", select)
    assert not driver.find_element(By.ID, "q-mql_to_sal").is_displayed()
    select.send_keys("y")  # choose Yes by keyboard, then Tab at once
    select.send_keys(Keys.TAB)
    _wait(lambda: driver.switch_to.active_element.get_attribute("id") == "f-mql_to_sal",
          "the revealed question to take the focus", 5)


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
"""axe-core 4.10.2 from the npm registry (MPL-2.0, its LICENSE beside it), pinned here so the
check runs the same without a network."""


def _axe_findings(driver) -> list[str]:  # type: ignore[no-untyped-def]
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script(
        "const done = arguments[0];"
        "axe.run(document, {resultTypes: ['violations']}).then("
        "  (r) => done(r.violations.map((v) => [v.impact, v.id, v.help,"
        "              v.nodes.map((n) => n.target.join(' ')).join('; ')])));")
    return [" ".join(item) for item in found if item[0] in ("serious", "critical")]


def test_the_workspace_passes_axe_and_works_by_keyboard(served, browser):
    """No serious or critical axe-core finding on the form (a part with an error shown, too)
    or the review page, at desktop and phone sizes; the current step is announced as the
    step; Next takes the focus to the new part's heading; the browser's Back returns to the
    part before; an error is tied to its field."""

    url, _, _, _ = served
    driver = browser
    for size in ((1400, 1000), (390, 844)):  # desktop, then phone
        _keyboard_and_axe(driver, url, size)


def _keyboard_and_axe(driver, url: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    driver.set_window_size(*size)
    driver.get(url)
    _wait(lambda: "MQLs" in driver.find_element(By.ID, "figures").text, "the figures")
    assert _axe_findings(driver) == []
    steps = driver.find_elements(By.CSS_SELECTOR, ".steps a")
    assert steps[0].get_attribute("aria-current") == "step"
    driver.find_element(By.CSS_SELECTOR, "section.part:not([hidden]) button.next").click()
    heading = driver.find_element(By.CSS_SELECTOR, "section.part:not([hidden]) h2")
    assert driver.switch_to.active_element == heading
    assert steps[1].get_attribute("aria-current") == "step"
    assert steps[0].get_attribute("aria-current") is None
    driver.back()
    _wait(lambda: steps[0].get_attribute("aria-current") == "step", "Back to the first part")
    field = driver.find_element(By.ID, "f-company_name")
    field.clear()
    field.send_keys("x" * 300)
    box = driver.find_element(By.ID, "q-company_name")
    _wait(lambda: box.find_element(By.CSS_SELECTOR, ".err").text, "the error under the field")
    assert field.get_attribute("aria-invalid") == "true"
    assert "e-company_name" in (field.get_attribute("aria-describedby") or "")
    assert _axe_findings(driver) == []
    # A typed number is shown back as read.
    driver.get(url + "#q-revenue_target")
    revenue = driver.find_element(By.ID, "f-revenue_target")
    _wait(revenue.is_displayed, "the revenue question")
    revenue.clear()
    revenue.send_keys("1.2M")
    understood = driver.find_element(By.ID, "u-revenue_target")
    _wait(lambda: understood.text == "= $1,200,000", "the number shown back as read", 5)
    driver.get(url + "review")
    assert _axe_findings(driver) == []
