#!/usr/bin/env python3
"""End-to-end check of `gpugap serve` in headless Chromium (Selenium + chromedriver).

    tests/e2e/serve_browser.py GPUGAP_BINARY OUT_DIR

Starts `gpugap serve --port 0` (any free port; the URL is its first line), opens the page,
moves a slider one step and checks that the figure it feeds shows what
`gpugap eval --set PATH=V METRIC` gives for the same override; that the page's link reproduces
the overrides; that the report download carries them; and that a bad value shows the CLI's
exit-2 message. The server is stopped with SIGTERM (then SIGKILL) whatever happens.

Exit codes: 0 pass, 1 fail, 77 skipped (no Selenium or chromedriver; `make test` installs
them and sets GPUGAP_REQUIRE_BROWSER=1, which turns a skip into a fail).
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

SLIDER = "market.cloud_capex_usd_bn.2030"
FIGURE = "market.tam_usd_bn.2030"
BAD_PATH = "supply.nodes.smic-n2.yield.2030"
BAD_VALUE = "1.5"
WAIT_S = 60


def fail(msg):
    print(f"serve_browser: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def skip(msg):
    if os.environ.get("GPUGAP_REQUIRE_BROWSER") == "1":
        fail(f"{msg} (make test-deps installs python3-selenium and chromium-driver)")
    print(f"serve_browser: SKIP: {msg}", file=sys.stderr)
    sys.exit(77)


def cli(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=120)


def start_server(binary, log_path):
    log = open(log_path, "w")
    proc = subprocess.Popen([binary, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()  # "gpugap serve: http://127.0.0.1:PORT/  (Ctrl-C stops)"
    if "http://127.0.0.1:" not in line:
        proc.kill()
        fail(f"gpugap serve printed no URL (got {line!r}; see {log_path})")
    return proc, line.split()[2]


def stop_server(proc):
    if proc.poll() is not None:
        return proc.returncode
    proc.terminate()
    try:
        return proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        fail("gpugap serve did not stop within 20 s of SIGTERM")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    binary, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys
        from selenium.webdriver.support.ui import WebDriverWait
    except ImportError:
        skip("no python3 selenium")
    driver_bin = shutil.which("chromedriver")
    browser_bin = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if not driver_bin or not browser_bin:
        skip("no chromedriver or chromium")

    proc, url = start_server(binary, os.path.join(out, "serve.log"))
    profile = tempfile.mkdtemp(prefix="gpugap-serve-chromium-")
    driver = None
    try:
        opts = webdriver.ChromeOptions()
        opts.binary_location = browser_bin
        for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                  "--disable-background-networking", "--window-size=1400,1800", f"--user-data-dir={profile}"):
            opts.add_argument(a)
        driver = webdriver.Chrome(service=Service(driver_bin), options=opts)
        driver.set_page_load_timeout(WAIT_S)
        wait = WebDriverWait(driver, WAIT_S)

        def settled():
            """Waits for the page's latest evaluation; returns its state ('ok' or 'error')."""
            def done(d):
                st = d.find_element(By.ID, "status")
                return st.get_attribute("data-state") in ("ok", "error") and st.get_attribute("data-seq") != "0"
            wait.until(done)
            return driver.find_element(By.ID, "status").get_attribute("data-state")

        def figure(metric):
            v = driver.find_element(By.CSS_SELECTOR, f'.card[data-metric="{metric}"] .value').get_attribute("data-value")
            return float(v)

        driver.get(url)
        if settled() != "ok":
            fail("the page's first evaluation failed: " + driver.find_element(By.ID, "error").text)
        base = figure(FIGURE)
        base_cli = json.loads(cli(binary, "eval", "-q", "--format", "json", FIGURE).stdout)["metrics"][FIGURE]
        if not math.isclose(base, base_cli, rel_tol=1e-12):
            fail(f"{FIGURE} on the page {base} != gpugap eval {base_cli}")

        # Move the slider one step with the keyboard, as a user would.
        slider = driver.find_element(By.CSS_SELECTOR, f'input[type=range][data-path="{SLIDER}"]')
        slider.send_keys(Keys.ARROW_RIGHT)
        value = slider.get_attribute("value")
        override = f"{SLIDER}={value}"
        wait.until(lambda d: override in (d.find_element(By.ID, "status").get_attribute("data-overrides") or ""))
        if settled() != "ok":
            fail("evaluation after moving the slider failed: " + driver.find_element(By.ID, "error").text)
        moved = figure(FIGURE)
        r = cli(binary, "eval", FIGURE, "-q", "--format", "json", "--set", override)
        if r.returncode != 0:
            fail(f"gpugap eval --set {override} exited {r.returncode}: {r.stderr}")
        expected = json.loads(r.stdout)["metrics"][FIGURE]
        if moved == base:
            fail(f"moving {SLIDER} to {value} left {FIGURE} at {base}")
        if not math.isclose(moved, expected, rel_tol=1e-12):
            fail(f"{FIGURE} after {override}: page {moved}, gpugap eval {expected}")
        print(f"serve_browser: {override}: {FIGURE} {base} -> {moved} (gpugap eval: {expected})")

        # The link reproduces the overrides; the report download carries them.
        link = driver.find_element(By.ID, "permalink").get_attribute("href")
        sets = urllib.parse.parse_qs(urllib.parse.urlparse(link).query).get("set", [])
        if sets != [override]:
            fail(f"the link {link} encodes {sets}, expected [{override!r}]")
        driver.get(link)
        if settled() != "ok" or not math.isclose(figure(FIGURE), expected, rel_tol=1e-12):
            fail(f"opening the link {link} did not give {FIGURE} = {expected}")
        if driver.find_element(By.CSS_SELECTOR, f'input[type=range][data-path="{SLIDER}"]').get_attribute("value") != value:
            fail("opening the link did not put the slider where it was")
        report_url = driver.find_element(By.ID, "download").get_attribute("href")
        with urllib.request.urlopen(report_url, timeout=300) as resp:
            disposition = resp.headers.get("Content-Disposition", "")
            html = resp.read().decode("utf-8")
        if "attachment" not in disposition or not html.startswith("<!DOCTYPE html>"):
            fail(f"the report download is not an HTML attachment ({disposition!r})")
        if override not in html:
            fail(f"the downloaded report does not list the override {override}")

        # A bad value: the CLI's exit-2 message, on the page.
        box = driver.find_element(By.CSS_SELECTOR, f'input[type=text][data-path="{BAD_PATH}"]')
        box.clear()
        box.send_keys(BAD_VALUE, Keys.ENTER)
        bad = f"{BAD_PATH}={BAD_VALUE}"
        wait.until(lambda d: bad in (d.find_element(By.ID, "status").get_attribute("data-overrides") or ""))
        if settled() != "error":
            fail(f"--set {bad} was accepted by the page")
        shown = driver.find_element(By.ID, "error").text.strip()
        r = cli(binary, "eval", FIGURE, "-q", "--set", override, "--set", bad)
        if r.returncode != 2:
            fail(f"gpugap eval --set {bad} exited {r.returncode}, expected 2")
        if shown != r.stderr.strip():
            fail(f"the page shows {shown!r}; the CLI says {r.stderr.strip()!r}")
        print(f"serve_browser: bad value shown as the CLI's message: {shown}")
        driver.save_screenshot(os.path.join(out, "serve.png"))
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        rc = stop_server(proc)
    if rc != 0:
        fail(f"gpugap serve exited {rc} on SIGTERM (expected a clean 0)")
    print("serve_browser: ok")


if __name__ == "__main__":
    main()
