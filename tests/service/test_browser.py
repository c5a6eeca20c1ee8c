"""The pages in a real browser: Debian's chromium, driven by Selenium through chromedriver.

Open the study page, wait for the Pareto front, click a point, land on that candidate's
page with its per-layer chart, then submit a small search through the form and watch the
job finish; open a link that injects markup and check that no script of it runs. Skipped
where chromium is not installed, except under CI=true (a failure).
"""

import os
import shutil
import signal
import urllib.parse

import pytest
from service_helpers import STUDY, TOKEN, Server

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture
def browser():
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        reason = (f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium "
                  "chromium-driver)")
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; CI=true requires them")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1200,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def server(db_url):
    running = Server(db_url)
    yield running
    running.process.send_signal(signal.SIGTERM)
    running.process.wait(timeout=60)


@pytest.mark.slow
def test_study_page_click_a_point_then_submit_a_search(browser, server):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(browser, 60)
    browser.get(f"{server.base}/studies/{STUDY}")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#front[data-ready='1']")))
    front = server.get(f"/api/studies/{STUDY}/pareto")["rows"]
    points = browser.find_elements(By.CSS_SELECTOR, "#front .scatterlayer .trace:last-child "
                                                    ".point")
    assert len(points) == len(front)
    assert "complete" in browser.find_element(By.ID, "progress").text

    ActionChains(browser).move_to_element(points[0]).pause(0.3).click().perform()
    wait.until(ec.url_contains("/candidates/"))
    arch_id = browser.current_url.rsplit("/", 1)[1]
    assert arch_id in {row["arch_id"] for row in front}
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#layers-0 .main-svg")))
    summary = server.get(f"/api/candidates/{arch_id}")["summary"]
    assert browser.find_element(By.ID, "summary").text == summary

    browser.get(f"{server.base}/submit")
    Select(browser.find_element(By.ID, "space")).select_by_value("autost-tiny")
    budget = browser.find_element(By.ID, "budget")
    budget.clear()
    budget.send_keys("3")
    browser.find_element(By.ID, "study").send_keys("from-browser")
    browser.find_element(By.ID, "submitter").send_keys("selenium")
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.ID, "submit-button").click()
    wait.until(ec.url_contains("/jobs/"))
    WebDriverWait(browser, 180).until(
        ec.text_to_be_present_in_element((By.ID, "job-status"), "done"))
    assert "study from-browser: 3/3 complete" in browser.find_element(By.ID, "job-log").text
    study = server.get("/api/studies/from-browser")
    assert study["progress"]["complete"] == 3
    assert server.get("/api/jobs")["jobs"][0]["submitted_by"] == "selenium@127.0.0.1"


def policy_violations(browser) -> list[str]:
    """Console messages of the Content-Security-Policy since the last call."""
    return [e["message"] for e in browser.get_log("browser")
            if "Content Security Policy" in e["message"]]


@pytest.mark.slow
def test_an_injected_link_runs_no_script_and_finds_no_token(browser, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60)
    browser.get(f"{server.base}/submit")  # a submission keeps nothing for a later script
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.ID, "submit-button").click()  # no space chosen: refused
    wait.until(ec.text_to_be_present_in_element((By.ID, "submit-error"), "give exactly one"))
    injected = "<img src=x onerror=window.injected=1>:max"
    query = urllib.parse.urlencode({"objective": [injected, "energy:min"]}, doseq=True)
    browser.get(f"{server.base}/studies/{STUDY}?{query}")
    wait.until(ec.text_to_be_present_in_element((By.ID, "front"), "unknown score"))
    front = browser.find_element(By.ID, "front")
    assert "'<img src=x onerror=window.injected=1>'" in front.text  # shown as text
    assert front.find_elements(By.TAG_NAME, "img") == []
    assert browser.execute_script("return window.injected") is None
    assert browser.execute_script("return [localStorage.length, sessionStorage.length, "
                                  "document.cookie]") == [0, 0, ""]
    assert policy_violations(browser) == []  # the page's own scripts all ran under the CSP
    # markup that slipped in all the same would have its handler refused by the CSP
    browser.execute_script("document.getElementById('front').insertAdjacentHTML('beforeend', "
                           "'<img src=/nowhere onerror=window.injected=2>')")
    wait.until(lambda b: policy_violations(b))
    assert browser.execute_script("return window.injected") is None


@pytest.mark.slow
def test_the_analyses_a_researcher_expects(browser, server, db_url):
    """History, importance, parallel coordinates, accuracy against a proxy, sortable and
    range-filtered table with its CSV, training curves: each drawn from the API's numbers."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from autost.report import load_entries
    from autost.storage import open_storage

    storage = open_storage(db_url)
    trained = load_entries(storage, STUDY).entries[:2]
    for entry, curve in zip(trained, ([40.0, 55.5], [38.0, 61.0, 66.5]), strict=True):
        storage.add_training(entry.arch_id, dataset="digits", epochs=len(curve), seed=0,
                             status="ok", accuracy=curve[-1], study_name=STUDY,
                             history=[{"epoch": i + 1, "val_accuracy": a}
                                      for i, a in enumerate(curve)])
    wait = WebDriverWait(browser, 90)
    browser.get(f"{server.base}/studies/{STUDY}")
    for plot in ("history", "importance", "parallel", "accuracy"):
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, f"#{plot}[data-ready='1']")))
    history = server.get(f"/api/studies/{STUDY}/history")
    points = browser.find_elements(By.CSS_SELECTOR, "#history .scatterlayer .trace .point")
    assert len(points) == len(history["trials"]) * len(history["series"])
    bars = browser.find_elements(By.CSS_SELECTOR, "#importance .bars .point")
    assert len(bars) == len(server.get(f"/api/studies/{STUDY}/importance")["importance"])
    axes = browser.find_element(By.ID, "parallel").text
    for label in ("depth", "width", "time steps", "mixers", "flops:max", "energy:min"):
        assert label in axes
    assert len(browser.find_elements(By.CSS_SELECTOR, "#accuracy .scatterlayer .point")) == 2

    browser.find_element(By.XPATH, "//table[@id='top']//a[contains(., 'energy')]").click()
    wait.until(ec.url_contains("sort=energy%3Amax"))
    expected = server.get(f"/api/studies/{STUDY}/trials?sort=energy:max&feasible_first=true"
                          "&limit=25")
    shown = browser.find_elements(By.CSS_SELECTOR, "#top tr td:first-child")
    assert [int(td.text) for td in shown] == [r["trial"] for r in expected["rows"]]
    energies = sorted(r["scores"]["energy"] for r in expected["rows"])
    Select(browser.find_element(By.ID, "range-score")).select_by_value("energy")
    browser.find_element(By.ID, "range-low").send_keys(repr(energies[2]))
    browser.find_element(By.ID, "range-high").send_keys(repr(energies[6]))
    browser.find_element(By.ID, "filter-button").click()
    wait.until(ec.url_contains("score=energy"))
    ranged = server.get(f"/api/studies/{STUDY}/trials?score=energy&low={energies[2]!r}"
                        f"&high={energies[6]!r}")
    within = sum(energies[2] <= e <= energies[6] for e in energies)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#top tr td:first-child")) == \
        ranged["total"] == within >= 5
    csv = browser.execute_async_script(
        "fetch(document.getElementById('table-csv').href).then(r => r.text())"
        ".then(arguments[arguments.length - 1])")
    lines = csv.strip().splitlines()
    assert len(lines) == 1 + ranged["total"] and lines[0].startswith("trial,state,arch_id")

    browser.get(f"{server.base}/candidates/{trained[1].arch_id}")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#curves[data-ready='1']")))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#curves .scatterlayer .point")) == 3
    assert policy_violations(browser) == []


@pytest.mark.slow
def test_every_table_exports_what_it_shows_as_csv(browser, server, db_url):
    """The studies and jobs tables and the candidate's tables each get a CSV link whose
    text is the table as shown, one line per row, cells quoted where they hold a comma."""
    from selenium.webdriver.common.by import By

    from autost.report import load_entries
    from autost.storage import open_storage

    arch_id = load_entries(open_storage(db_url), STUDY).entries[0].arch_id
    for path in ("/", f"/candidates/{arch_id}"):
        browser.get(f"{server.base}{path}")
        tables = browser.find_elements(By.TAG_NAME, "table")
        assert tables, path
        for table in tables:
            link = table.find_element(By.XPATH, "preceding-sibling::a[@class='csv'][1]")
            assert link.text == "CSV" and link.get_attribute("download").endswith(".csv")
            text = browser.execute_script("return autost.tableCsv(arguments[0])", table)
            rows = table.find_elements(By.TAG_NAME, "tr")
            lines = text.splitlines()
            assert len(lines) == len(rows), path
            header = [c.text.strip() for c in rows[0].find_elements(By.XPATH, "./th|./td")]
            assert lines[0] == ",".join(f'"{h}"' if "," in h else h for h in header)
    assert policy_violations(browser) == []
