"""`slabuilder serve` end to end: the real command, driven in a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


SIZES = {"desktop": (1400, 1000), "phone": (390, 844)}
"""Every test here runs at both: a VP answers on a laptop, or on a phone between meetings."""

ATTACKER = "attacker.example"
"""A name the browser resolves to this machine, as a hostile site can arrange (DNS
rebinding): what it serves is another site to the browser."""


def _start(answers: Path | None, out: Path, port: int = 0) -> tuple[str, subprocess.Popen[str]]:
    """`slabuilder serve` as a user starts it; its address, once it prints it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "slabuilder", "serve", *([str(answers)] if answers else []),
         "-o", str(out), "--port", str(port), "--no-browser"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines = []
    while not (found := re.search(r"http://127\.0\.0\.1:\d+/",
                                  line := process.stdout.readline())):
        assert line, "".join(lines) + (process.stderr.read() if process.stderr else "")
        lines.append(line)
    return found.group(0), process


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., tuple[str, subprocess.Popen[str]]]]:
    """Starts `slabuilder serve` (again, if need be); every one started is stopped after."""
    started: list[subprocess.Popen[str]] = []

    def start(answers: Path | None, out: Path, port: int = 0) -> tuple[str, subprocess.Popen[str]]:
        url, process = _start(answers, out, port)
        started.append(process)
        return url, process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


@pytest.fixture
def served(serve, tmp_path: Path) -> tuple[str, subprocess.Popen[str], Path, float]:  # type: ignore[no-untyped-def]
    """The workspace on the example, and when it was started."""
    started = time.monotonic()
    url, process = serve(EXAMPLE, tmp_path / "out")
    return url, process, tmp_path / "out", started


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
                     f"--host-resolver-rules=MAP {ATTACKER} 127.0.0.1",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium') / 'profile'}"):
        options.add_argument(argument)
    # What the server answered to each request, as the browser saw it (the security test).
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(params=list(SIZES))
def browser(request, _chromium):  # type: ignore[no-untyped-def]
    """The module's Chromium at desktop, then at phone size, with one tab on a blank page."""
    driver = _chromium
    driver.set_window_size(*SIZES[request.param])
    driver.get_log("performance")  # what earlier tests left
    yield driver
    for handle in driver.window_handles[1:]:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(driver.window_handles[0])
    driver.get("about:blank")


def _wait(condition, what: str, seconds: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"waited {seconds} s for {what}")


def _press(driver, element) -> None:  # type: ignore[no-untyped-def]
    """Scroll a button into the middle of the screen and press it, as a person on a phone
    does (the bar with the MQL target covers the bottom of a phone's screen)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


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
            # Answers that no longer give a plan leave the preview dimmed and saying so.
            field.send_keys(Keys.CONTROL, "a")
            field.send_keys("lots")
            preview = driver.find_element(By.ID, "preview")
            _wait(lambda preview=preview: "outdated" in (preview.get_attribute("class") or ""),
                  "the preview marked out of date", 5)
            assert driver.find_element(By.ID, "preview-state").text.startswith("out of date")
            field.send_keys(Keys.CONTROL, "a")
            field.send_keys("1.2M")
            _wait(lambda preview=preview: "outdated" not in (preview.get_attribute("class")
                                                           or ""),
                  "the preview up to date again", 5)
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
            _press(driver, driver.find_element(By.CSS_SELECTOR,
                                               "section.part:not([hidden]) button.next"))
    _press(driver, driver.find_element(By.CSS_SELECTOR,
                                       "section.part:not([hidden]) a.next-page"))

    _wait(lambda: "Check your answers" in driver.page_source, "the review page")
    main = driver.find_element(By.TAG_NAME, "main")
    # The review shows the answers as read, the figures they give and the way to signatures.
    assert "$1,200,000" in main.text
    assert driver.find_element(By.CSS_SELECTOR, '.review-figures td[data-stage="MQLs"]'
                               ).text == "640"
    steps_next = driver.find_element(By.ID, "next-steps").text
    for person in ("Dana Reyes", "Sam Okafor"):
        assert f'slabuilder sign acme-analytics-agreement.pdf --signer "{person}"' in steps_next
    # "Change" goes back to the question with the focus in its field.
    driver.find_element(By.CSS_SELECTOR, 'dd.change a[href="/#q-revenue_target"]').click()
    _wait(lambda: driver.switch_to.active_element.get_attribute("id") == "f-revenue_target",
          "the focus in the revenue target")
    assert driver.find_element(By.ID, "f-revenue_target").get_attribute("value") == "1.2M"
    # ... with the cursor after the answer, so that typing goes on from it.
    assert driver.execute_script("return document.activeElement.selectionStart") == 4
    driver.find_element(By.CSS_SELECTOR, 'nav.actions a[href="/review"]').click()
    _wait(lambda: "Check your answers" in driver.page_source, "the review page again")
    driver.find_element(By.ID, "save").click()
    saved_here = driver.find_element(By.ID, "save-state")  # beside the button
    _wait(lambda: "Saved the answers" in saved_here.text, "the answers to be saved")
    assert "Saved the answers" in driver.find_element(By.ID, "status").text
    saved = out / "acme-analytics.yaml"
    assert "revenue_target: 1200000" in saved.read_text(encoding="utf-8")

    # A download says it is being made (a cold PDF takes seconds), then that it is done.
    driver.find_element(By.CSS_SELECTOR, 'a[href^="/download/agreement.pdf?token="]').click()
    state = driver.find_element(By.ID, "download-state")
    assert state.text.startswith("Making agreement.pdf")
    pdf = downloads / "acme-analytics-agreement.pdf"
    _wait(pdf.exists, "the agreement to download", 60)
    _wait(lambda: pdf.stat().st_size > 0 and not list(downloads.glob("*.crdownload")),
          "the download to finish")
    _wait(lambda: state.text == "Downloaded acme-analytics-agreement.pdf.", "the word done")
    text = pdf_text(pdf)
    assert re.search(r"\b640\b", text)
    assert sorted(p.name for p in out.iterdir()) == ["acme-analytics.yaml"]

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 130  # stopped, as Ctrl-C stops any command
    assert "Stopped." in (process.stdout.read() if process.stdout else "")


def test_a_stopped_workspace_is_shown_and_no_edit_is_lost(serve, served, browser):
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
    serve(EXAMPLE, out, port)
    _wait(lambda: not banner.is_displayed(), "the banner to go", 8)
    draft = out / ".slabuilder-draft.json"
    _wait(lambda: draft.exists() and json.loads(draft.read_text("utf-8"))["typed"].get(
        "company_name") == "Acme Analytics Europe", "the edit to reach the draft", 8)


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
    # The second tab says so at the top, where it is seen however far it is scrolled, and
    # takes no typing it could not keep.
    banner = driver.find_element(By.ID, "stale")
    _wait(banner.is_displayed, "the second tab to be told", 5)
    assert "changed in another tab or window" in banner.text
    assert banner.location_once_scrolled_into_view["y"] <= 5
    field = driver.find_element(By.ID, "f-company_name")
    assert field.get_attribute("readonly") == "true"
    assert driver.find_element(By.ID, "f-crm").get_attribute("disabled") == "true"
    assert driver.find_element(By.ID, "preview-state").text == "not updated: reload this page"
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


def _nothing_focused_hides_under_the_target_bar(driver) -> None:  # type: ignore[no-untyped-def]
    """Tab through a part on a phone: each field, list and button it reaches is above the
    bar that keeps the MQL target in sight (WCAG 2.4.11, focus not obscured)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    reached = set()
    for _ in range(30):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        name, bottom, bar = driver.execute_script(
            "const a = document.activeElement, bar = document.getElementById('target-bar');"
            "return [a.id || a.textContent.trim().slice(0, 30),"
            "        a.getBoundingClientRect().bottom, bar.getBoundingClientRect().top];")
        if driver.execute_script("return !!document.activeElement.closest('form')"):
            reached.add(name)
            assert bottom <= bar + 1, f"{name} is under the target bar"
    assert len(reached) > 10


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

    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url, _, _, _ = served
    driver = browser
    driver.get(url)
    _wait(lambda: "MQLs" in driver.find_element(By.ID, "figures").text, "the figures")
    assert _axe_findings(driver) == []
    steps = driver.find_elements(By.CSS_SELECTOR, ".steps a")
    assert steps[0].get_attribute("aria-current") == "step"
    _press(driver, driver.find_element(By.CSS_SELECTOR,
                                       "section.part:not([hidden]) button.next"))
    heading = driver.find_element(By.CSS_SELECTOR, "section.part:not([hidden]) h2")
    assert driver.switch_to.active_element == heading
    assert steps[1].get_attribute("aria-current") == "step"
    assert steps[0].get_attribute("aria-current") is None
    if driver.get_window_size()["width"] < 900:
        _nothing_focused_hides_under_the_target_bar(driver)
    # The skip link goes to the questions and leaves the part where it is.
    skip = driver.find_element(By.CSS_SELECTOR, "a.skip")
    driver.execute_script("arguments[0].focus()", skip)
    skip.send_keys(Keys.ENTER)
    _wait(lambda: driver.current_url.endswith("#main"), "the skip link")
    assert steps[1].get_attribute("aria-current") == "step"
    driver.back()
    _wait(lambda: driver.current_url.endswith("#part-icp"), "Back to before the skip")
    driver.back()
    _wait(lambda: steps[0].get_attribute("aria-current") == "step", "Back to the first part")
    # A new problem waits while the user types ("2027-0" is not yet a date), and shows when
    # they leave the field; once shown, it follows each keystroke, so a correction is seen.
    field = driver.find_element(By.ID, "f-effective_date")
    box = driver.find_element(By.ID, "q-effective_date")
    error = box.find_element(By.CSS_SELECTOR, ".err")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("next year")
    time.sleep(0.8)  # three times the pause that sends it
    assert not error.text
    field.send_keys(Keys.TAB)
    _wait(lambda: error.text, "the error under the field")
    assert error.text.startswith("'next year' is not a date")
    assert field.get_attribute("aria-invalid") == "true"
    assert "e-effective_date" in (field.get_attribute("aria-describedby") or "")
    assert _axe_findings(driver) == []
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("2027-01-01")
    _wait(lambda: not error.text, "the error to go as it is corrected", 5)
    assert field.get_attribute("aria-invalid") is None
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


def _alert(driver):  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import NoAlertPresentException

    try:
        return driver.switch_to.alert
    except NoAlertPresentException:
        return None


def _mql_target(driver) -> str:  # type: ignore[no-untyped-def]
    """The MQL target the panel shows now ("" while there is none), read in one step: the
    panel is replaced as the answers change."""
    return str(driver.execute_script(
        "const c = document.querySelector('#figures td[data-stage=\"MQLs\"]');"
        "return c ? c.textContent.trim() : '';"))


def _state_of(driver, part: str) -> str:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.CSS_SELECTOR, f'.steps a[data-part="{part}"]')
               .get_attribute("data-state"))


def _type(driver, question: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Go to a question as its link does and type over its answer, as a user would."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.execute_script("window.location.hash = arguments[0]", f"#q-{question}")
    field = driver.find_element(By.ID, f"f-{question}")
    _wait(field.is_displayed, f"the question {question}", 5)
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(text)


def test_from_a_blank_start_the_figures_come_early_and_nothing_typed_is_lost(serve, browser,
                                                                             tmp_path):
    """Started on nothing: the panel names what is still needed, by title, each a link into
    its question; the targets appear with the revenue goal and the deal size (the rates have
    their defaults) and show how they follow; a decimal comma is refused with both readings;
    every change is on disk within a second, incomplete as it is, and a restarted workspace
    takes it up; once the required answers are in, the documents can be downloaded, marked
    DRAFT while the ideal customer profile is missing."""
    import json
    import math
    from decimal import Decimal

    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    out = tmp_path / "out"
    url, process = serve(None, out)
    driver = browser
    driver.get(url)
    figures = driver.find_element(By.ID, "figures")
    _wait(lambda: "Still needed" in figures.text, "the list of answers still needed")
    assert "The targets appear once the revenue goal, the average deal size and the " \
        "conversion rates are in." in figures.text
    assert "company.name" not in figures.text
    assert "economics." not in figures.text
    assert _state_of(driver, "company") == "attention"
    needed = [link.text for link in figures.find_elements(By.CSS_SELECTOR, "ul.needed a")]
    assert needed[:2] == ["Company name", "Owner of the agreement"]
    assert "Revenue target" in needed
    figures.find_element(By.LINK_TEXT, "Revenue target").click()
    _wait(lambda: driver.switch_to.active_element.get_attribute("id") == "f-revenue_target",
          "the link to land in the revenue target")
    assert _state_of(driver, "economics") == "attention"

    # The revenue goal and the deal size are enough for the targets: worked out here from
    # the rates the page shows (their defaults), each step rounded up.
    driver.switch_to.active_element.send_keys("900k")
    _type(driver, "average_deal_size", "30k")
    typed = time.monotonic()
    draft = out / ".slabuilder-draft.json"
    _wait(lambda: draft.exists() and json.loads(draft.read_text("utf-8"))["typed"].get(
        "average_deal_size") == "30k", "the change to reach the draft", 5)
    kept = time.monotonic() - typed
    assert kept <= 1.0, f"the draft followed the last keystroke after {kept:.2f} s"

    def rate(question: str) -> Decimal:
        text = driver.find_element(By.ID, f"f-{question}").get_attribute("value")
        return Decimal(text.removesuffix("%")) / 100

    deals = math.ceil(Decimal(900_000) / Decimal(30_000))
    opportunities = math.ceil(deals / rate("opportunity_to_won"))
    sqls = math.ceil(opportunities / rate("sql_to_opportunity"))
    mqls = math.ceil(sqls / rate("mql_to_sql"))
    _wait(lambda: _mql_target(driver), "the targets")
    assert _mql_target(driver) == f"{mqls:,}"
    assert "What the target asks for, so far" in figures.text
    chain = figures.find_element(By.CSS_SELECTOR, "details.chain")
    _press(driver, chain.find_element(By.TAG_NAME, "summary"))
    assert f"$900,000 / $30,000 a deal = {deals} deals" in chain.text
    assert f"= {mqls:,} MQLs" in chain.text
    assert driver.find_element(By.ID, "announce").text == f"MQL target: {mqls:,}."
    # On a phone the panel is below the questions: a bar keeps the target in sight and
    # takes one there.
    bar = driver.find_element(By.ID, "target-bar")
    if driver.get_window_size()["width"] < 900:
        period = figures.find_element(By.CSS_SELECTOR, ".targets thead th:nth-child(2)").text
        assert bar.text == f"MQL target: {mqls:,} {period} · see the figures"
        bar.click()
        assert driver.switch_to.active_element.get_attribute("id") == "figures"
        _wait(lambda: driver.execute_script(
            "return Math.abs(document.getElementById('figures').getBoundingClientRect().top)"
            " < 5"), "the figures in view")
        assert _state_of(driver, "economics") == "done"  # still on the same part
    else:
        assert not bar.is_displayed()  # the panel is beside the questions
    # The explanation opened stays open while the figures follow the answers.
    _type(driver, "revenue_target", "1.2M")
    _wait(lambda: _mql_target(driver) not in ("", f"{mqls:,}"), "the new targets")
    _type(driver, "revenue_target", "0.9M")
    _wait(lambda: _mql_target(driver) == f"{mqls:,}", "the targets again")
    assert driver.find_element(By.CSS_SELECTOR, "#figures details.chain").get_attribute("open")
    assert _state_of(driver, "economics") == "done"
    assert driver.find_element(By.ID, "preview-state").text == (
        "waiting for the answers still needed")

    # Numbers as people write them: "2,5" could be 2.5 or 25, and is not guessed.
    _type(driver, "pipeline_coverage", "2,5")
    driver.switch_to.active_element.send_keys(Keys.TAB)  # a new problem shows on leaving
    error = driver.find_element(By.ID, "e-pipeline_coverage")
    _wait(lambda: error.text, "the refusal of 2,5")
    assert error.text.startswith("'2,5' could be 2.5 (a decimal comma) or 25 (the comma "
                                 "ignored)")
    field = driver.find_element(By.ID, "f-pipeline_coverage")
    assert field.get_attribute("aria-invalid") == "true"
    _type(driver, "pipeline_coverage", "2.5")
    read = driver.find_element(By.ID, "u-pipeline_coverage")
    _wait(lambda: read.text == "= 2.5x", "2.5 shown back as read")
    assert not error.text

    # The workspace stops; started again on the folder, it takes up the draft.
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 130
    url, process = serve(None, out)
    driver.get(url)
    _wait(lambda: _mql_target(driver), "the targets, from the draft")
    assert _mql_target(driver) == f"{mqls:,}"
    assert driver.find_element(By.ID, "f-revenue_target").get_attribute("value") == "0.9M"
    assert driver.find_element(By.ID, "status").text.startswith(
        "Resumed the answers not yet saved (last changed ")
    # A number is shown back as read where it is typed, not under every resumed answer.
    assert driver.find_element(By.ID, "u-revenue_target").text == ""

    # The rest of what is required; the documents are then drafts until the profile is in.
    for question, text in (("company_name", "Pebble Labs"), ("owner_name", "Ana Ruiz"),
                           ("marketing_signatory_name", "Lee Park"),
                           ("sales_signatory_name", "Kim Osei"),
                           ("effective_date", "2027-02-01"), ("sdrs", "2"), ("aes", "3")):
        _type(driver, question, text)
    _wait(lambda: not driver.find_elements(By.CSS_SELECTOR, "#figures ul.needed"),
          "nothing left to answer")
    driver.find_element(By.CSS_SELECTOR, 'nav.actions a[href="/review"]').click()
    main = _wait(lambda: driver.find_element(By.ID, "main"), "the review page")
    assert "marked DRAFT until the ideal customer profile is complete" in main.text
    link = driver.find_element(By.CSS_SELECTOR, 'a[data-download="agreement.pdf"]')
    assert link.text == "agreement (PDF, DRAFT)"
    assert driver.find_element(By.ID, "save").is_enabled()


def test_another_site_can_neither_change_the_answers_nor_make_documents(served, browser,
                                                                        tmp_path):
    """A page on another site sends the workspace what a hostile page can without its token:
    an image that would make all three PDFs, and a JSON edit posted as plain text. The
    browser shows the workspace refusing both (nothing is rendered: a render would take
    seconds); and the workspace reached under another name (DNS rebinding) serves no page."""
    import functools
    import http.server
    import json
    import threading

    from selenium.webdriver.common.by import By

    url, _, out, _ = served
    driver = browser
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(f"""<!doctype html><title>prizes</title>
<img src="{url}download/all.zip" alt="">
<script>
fetch("{url}api/form", {{method: "POST", mode: "no-cors",
  headers: {{"Content-Type": "text/plain"}},
  body: JSON.stringify({{values: {{company_name: "Taken"}}}})}})
  .then(() => {{ document.title = "sent"; }}, () => {{ document.title = "failed"; }});
</script>""", encoding="utf-8")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    attacker = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    seen: list[dict[str, Any]] = []

    def answers() -> dict[str, int]:
        seen.extend(json.loads(entry["message"])["message"]
                    for entry in driver.get_log("performance"))
        return _statuses(seen, url)

    try:
        started = time.monotonic()
        driver.get(f"http://{ATTACKER}:{attacker.server_address[1]}/")
        _wait(lambda: driver.title == "sent", "the hostile page's request")
        _wait(lambda: len(answers()) == 2, "the workspace's two answers")
        assert answers() == {f"{url}download/all.zip": 403, f"{url}api/form": 421}
        assert time.monotonic() - started < 5
    finally:
        attacker.shutdown()
        attacker.server_close()
    assert not (out / ".slabuilder-draft.json").exists()  # nothing was changed
    port = url.rstrip("/").rsplit(":", 1)[1]
    driver.get(f"http://{ATTACKER}:{port}/")
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "open it at the address `slabuilder serve` printed" in body
    assert not driver.find_elements(By.ID, "answers")


def _statuses(messages: list[dict[str, Any]], url: str) -> dict[str, int]:
    """The status of each response from the workspace at ``url``, from the browser's network
    log (a response the browser then blocked from the page included: its status was seen)."""
    addresses = {m["params"]["requestId"]: m["params"]["request"]["url"] for m in messages
                 if m["method"] == "Network.requestWillBeSent"}
    return {addresses[m["params"]["requestId"]]: m["params"]["statusCode"] for m in messages
            if m["method"] == "Network.responseReceivedExtraInfo"
            and addresses.get(m["params"]["requestId"], "").startswith(url)}


def test_an_answers_file_opened_in_the_page_is_marked_where_it_is_wrong(served, browser,
                                                                         tmp_path):
    """*Open answers file…* opens a file as `serve FILE` does: one bad answer in it is marked
    beside its question (with both readings of a number), the rest is taken as it is."""
    from selenium.webdriver.common.by import By

    url, _, _, _ = served
    driver = browser
    mine = tmp_path / "pebble.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "  sdrs: 4\n" in text
    mine.write_text(text.replace("Acme Analytics", "Pebble Labs").replace(
        "  sdrs: 4\n", "  sdrs: 1.000\n"), encoding="utf-8")
    driver.get(url)
    _wait(lambda: _mql_target(driver), "the figures")
    driver.find_element(By.ID, "load").send_keys(str(mine))
    # The page asks first: the file's answers replace the ones it holds.
    alert = _wait(lambda: _alert(driver), "the question before opening")
    assert alert.text.startswith("Open pebble.yaml? Its answers replace the ones on this page")
    alert.accept()
    _wait(lambda: driver.execute_script(
        "const f = document.getElementById('f-company_name'); return f ? f.value : '';")
        == "Pebble Labs", "the file to be opened")
    driver.get(url + "#q-sdrs")
    error = driver.find_element(By.ID, "e-sdrs")
    _wait(error.is_displayed, "the bad answer marked")
    assert error.text == ("'1.000' could be 1 (a decimal point) or 1,000 (a dot between "
                          "thousands); type 1 or 1000")
    assert driver.find_element(By.ID, "f-sdrs").get_attribute("aria-invalid") == "true"
    assert _state_of(driver, "team") == "attention"
