"""Latency of the browser workspace: from the last keystroke to the figures on the page.

    .venv/bin/python benchmarks/bench_workspace.py            # 20 edits
    .venv/bin/python benchmarks/bench_workspace.py --edits 50

Starts `slabuilder serve` on the example, drives headless Chromium (chromium and
chromium-driver, as the real-browser tests use), types a new revenue target again and again
and times, in the page itself, from the keystroke to the moment the MQL target shown changes.
Prints the median, the 90th percentile and the slowest.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def example_in_chromium(size: tuple[int, int] = (1400, 1000)) -> Iterator[tuple[Any, str]]:
    """`slabuilder serve` on the example and a headless Chromium at ``size``: the driver and
    the workspace's address, both stopped on leaving (`scripts/make_screenshots.py` uses it
    too)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory() as scratch:
        server = subprocess.Popen(
            [sys.executable, "-m", "slabuilder", "serve", str(ROOT / "examples" / "acme.yaml"),
             "-o", scratch, "--port", "0", "--no-browser"], stdout=subprocess.PIPE, text=True)
        assert server.stdout is not None
        url = re.search(r"http://\S+/", server.stdout.readline())
        assert url, "serve did not start"
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                         f"--window-size={size[0]},{size[1]}"):
            options.add_argument(argument)
        driver = webdriver.Chrome(options=options,
                                  service=Service(executable_path="/usr/bin/chromedriver"))
        try:
            driver.set_window_size(*size)
            yield driver, url.group(0)
        finally:
            driver.quit()
            server.send_signal(signal.SIGINT)
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    with example_in_chromium() as (driver, url):
        driver.set_script_timeout(30)
        driver.get(url + "#q-revenue_target")
        time.sleep(2)
        timings = []
        for edit in range(args.edits):
            # 1.2M and 1M in turn: the MQL target moves each time (640, 534).
            target = "1.2M" if edit % 2 == 0 else "1M"
            ms = driver.execute_async_script("""
                const value = arguments[0];
                const done = arguments[arguments.length - 1];
                const field = document.getElementById('f-revenue_target');
                const cell = () => document.querySelector('td[data-stage="MQLs"]');
                const before = cell() ? cell().textContent : '';
                field.value = value;
                const start = performance.now();
                field.dispatchEvent(new InputEvent('input', {bubbles: true}));
                const watch = () => {
                  if (cell() && cell().textContent !== before) {
                    done(performance.now() - start);
                  } else { setTimeout(watch, 2); }
                };
                watch();""", target)
            timings.append(float(ms))
    timings.sort()
    p90 = timings[int(0.9 * (len(timings) - 1))]
    print(f"keystroke to figures over {len(timings)} edits: "
          f"median {statistics.median(timings):.0f} ms, 90th percentile {p90:.0f} ms, "
          f"slowest {timings[-1]:.0f} ms")


if __name__ == "__main__":
    main()
