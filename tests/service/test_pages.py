"""The server-rendered pages: what each shows, plotly from the installed package."""

from pathlib import Path

import plotly
from service_helpers import AUTH, BUDGET, STUDY


def test_index_lists_studies_and_jobs(client):
    client.post("/api/searches", headers=AUTH,
                json={"space": "autost-tiny", "budget": 3, "submitter": "ada"})
    html = client.get("/").text
    assert f'<a href="/studies/{STUDY}">{STUDY}</a>' in html
    assert f"{BUDGET} / {BUDGET}" in html
    assert '<a href="/jobs/1">1</a>' in html and "ada@testclient" in html


def test_study_page_has_progress_plot_and_a_paged_table(client):
    html = client.get(f"/studies/{STUDY}").text
    assert f"{BUDGET} / {BUDGET} complete" in html and "ceilings max_params 12M" in html
    assert '<div id="front" class="plot">' in html
    assert html.count('<a href="/candidates/') == BUDGET  # 12 trials fit on one page
    assert f"{BUDGET} trials, feasible first, best first by flops:max;\npage 1 of 1" in html
    table = client.get(f"/studies/{STUDY}/table", params={"state": "INFEASIBLE"}).text
    infeasible = client.get(f"/api/studies/{STUDY}/trials",
                            params={"state": "INFEASIBLE"}).json()["total"]
    assert f"{infeasible} trials, feasible first, best first by flops:max" in table


def test_candidate_page_shows_arch_scores_and_layer_chart(client):
    top = client.get(f"/api/studies/{STUDY}/top", params={"k": 1}).json()["rows"][0]
    html = client.get(f"/candidates/{top['arch_id']}").text
    assert top["summary"] in html and top["arch_id"] in html
    assert '<div id="layers-0" class="plot tall"></div>' in html
    assert "mJ per image" in html and "Not trained yet." in html


def test_compare_submit_and_job_pages(client):
    assert 'value="tiny" checked' in client.get("/compare", params={"study": STUDY}).text
    missing = client.get("/compare", params={"study": "nope"})
    assert missing.status_code == 404 and "no study &#39;nope&#39;" in missing.text
    submit = client.get("/submit").text
    assert '<option value="autost-tiny">autost-tiny</option>' in submit
    job = client.post("/api/searches", headers=AUTH,
                      json={"space": "autost-tiny", "budget": 3}).json()
    page = client.get(f"/jobs/{job['id']}").text
    assert '<b id="job-status" class="status-queued">queued</b>' in page
    assert client.get("/jobs/99").status_code == 404


def test_unknown_study_page_is_an_error_page(client):
    r = client.get("/studies/nope")
    assert r.status_code == 404 and '<p class="error" id="error">no study &#39;nope&#39;' in r.text


def test_plotly_comes_from_the_installed_package(client):
    served = client.get("/plotly.min.js")
    assert served.headers["content-type"].startswith("text/javascript")
    assert served.content == (Path(plotly.__file__).parent / "package_data" /
                              "plotly.min.js").read_bytes()
    assert '<script src="/plotly.min.js" defer></script>' in client.get("/").text
    assert "cdn" not in client.get("/").text.lower()


def test_study_table_ranks_as_results_top_then_the_infeasible(client, db_url):
    """The page's table starts with `autost results top`'s candidates in its order; every
    infeasible trial comes after every feasible one (it came first by flops before)."""
    import json
    import re

    from click.testing import CliRunner

    from autost.cli import main

    html = client.get(f"/studies/{STUDY}").text
    rows = re.findall(r'<td class="state-(\w+)">.*?(?:href="/candidates/(\w+)"|</tr>)', html,
                      re.S)
    states = [state for state, _ in rows]
    assert len(rows) == BUDGET and "INFEASIBLE" in states
    assert states == sorted(states, key=lambda s: s != "COMPLETE")
    cli = CliRunner().invoke(main, ["results", "top", "--study", STUDY, "--storage", db_url,
                                    "-k", str(BUDGET), "--json"])
    top = [r["arch_id"] for r in json.loads(cli.stdout)["rows"]]
    shown = list(dict.fromkeys(a for s, a in rows if s == "COMPLETE"))
    assert shown == top
