"""Redraw the README's pictures of the browser workspace (docs/serve.png, docs/serve-phone.png).

Starts `slabuilder serve` on the example, drives headless Chromium (as `scripts/setup --test`
installs it) to part 3, types a new revenue target and saves what the screen shows at desktop
and at phone size. Run it after a change to the workspace's look:

    .venv/bin/python scripts/make_screenshots.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = {"serve.png": (1280, 900), "serve-phone.png": (390, 844)}


def main() -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_workspace import example_in_chromium  # the workspace as its benchmark runs it

    for name, size in SHOTS.items():
        with example_in_chromium(size) as (driver, url):
            driver.get(url + "#q-revenue_target")
            field = driver.find_element(By.ID, "f-revenue_target")
            field.send_keys(Keys.CONTROL, "a")
            field.send_keys("1.2M")
            deadline = time.monotonic() + 15
            while "640" not in driver.find_element(By.ID, "figures").text:
                assert time.monotonic() < deadline, "the figures did not follow"
                time.sleep(0.1)
            if size[0] > 900:  # beside the figures: the steps and the part's heading too
                driver.execute_script("window.scrollTo(0, 0)")
            time.sleep(1)  # the preview's own redraw
            driver.save_screenshot(str(ROOT / "docs" / name))
            print(f"wrote docs/{name} ({size[0]}x{size[1]})")


if __name__ == "__main__":
    main()
