"""The JSON API on a real study: the CLI's numbers, paging, sorting, filters, errors."""

import json

import pytest
from click.testing import CliRunner
from service_helpers import AUTH, BUDGET, STUDY, make_client, run_tiny_search

from autost.cli import main


def cli_json(*args) -> dict:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_study_plan_and_progress_are_the_search_settings(client):
    doc = client.get(f"/api/studies/{STUDY}").json()
    assert doc["plan"] == {"space": "autost-tiny", "objectives": ["flops:max", "energy:min"],
                           "constraints": {"max_params": 12e6}, "sampler": "tpe", "seed": 3,
                           "budget": BUDGET, "rates": "prior"}
    p = doc["progress"]
    assert p["complete"] == BUDGET == p["feasible"] + p["infeasible"] == p["trials"]
    assert p["running"] == p["failed"] == p["pruned"] == 0
    listing = client.get("/api/studies").json()
    assert [s["name"] for s in listing["studies"]] == [STUDY]
    assert listing["studies"][0] == doc


def test_top_pareto_and_candidate_are_what_the_cli_prints(client, db_url):
    top = client.get(f"/api/studies/{STUDY}/top", params={"k": 5, "by": "energy"}).json()
    cli = cli_json("results", "top", "--study", STUDY, "--storage", db_url, "-k", "5",
                   "--by", "energy", "--json")
    progress = client.get(f"/api/studies/{STUDY}").json()["progress"]
    assert top.pop("feasible") == progress["candidates"]  # one entry per architecture
    assert top == cli and len(top["rows"]) == 5
    front = client.get(f"/api/studies/{STUDY}/pareto").json()
    cli = cli_json("pareto", "--study", STUDY, "--storage", db_url, "--json")
    assert front.pop("cloud") == [] and front.pop("candidates") >= len(front["rows"])
    assert front.pop("feasible") == progress["candidates"] and front.pop("lacking") == {}
    assert front == cli
    arch_id = top["rows"][0]["arch_id"]
    shown = client.get(f"/api/candidates/{arch_id[:10]}").json()
    units = shown.pop("units")
    assert shown == cli_json("results", "show", arch_id, "--storage", db_url, "--json")
    assert units["energy"] == "mJ per image" and units["flops"] == "MACs per image, total over T"


def test_stored_scores_are_what_autost_score_computes(client, tmp_path):
    """The search's prior-rate flops and energy equal a fresh `autost score` of the arch."""
    row = client.get(f"/api/studies/{STUDY}/trials",
                     params={"sort": "params:min", "limit": 1}).json()["rows"][0]
    info = client.get(f"/api/candidates/{row['arch_id']}").json()
    arch = tmp_path / "arch.json"
    arch.write_text(json.dumps(info["arch"]))
    scored = cli_json("score", "--arch", str(arch), "--rates", "prior", "--json")
    (stored,) = info["scores"]
    for name in ("flops", "energy", "params", "macs_total"):
        assert stored["values"][name] == scored["values"][name], name
    assert [r["macs_per_step"] for r in stored["layers"]] == [
        r["macs_per_step"] for r in scored["layers"]]


def test_trials_page_sort_and_filter(client):
    url = f"/api/studies/{STUDY}/trials"
    everything = client.get(url, params={"limit": 500}).json()
    assert everything["total"] == BUDGET
    assert [r["trial"] for r in everything["rows"]] == list(range(BUDGET))
    energies = sorted(r["scores"]["energy"] for r in everything["rows"])
    page = client.get(url, params={"sort": "energy:min", "offset": 3, "limit": 4}).json()
    assert [r["scores"]["energy"] for r in page["rows"]] == energies[3:7]
    assert page["total"] == BUDGET and page["units"]["energy"] == "mJ per image"
    infeasible = client.get(url, params={"state": "infeasible"}).json()
    expected = [r["trial"] for r in everything["rows"] if r["scores"]["params"] > 12e6]
    assert [r["trial"] for r in infeasible["rows"]] == expected
    assert all(r["violations"]["max_params"] > 0 for r in infeasible["rows"])
    assert client.get(url, params={"mixer": "ssa"}).json()["total"] == BUDGET
    assert client.get(url, params={"mixer": "stm"}).json()["total"] == 0
    low, high = energies[2], energies[5]
    ranged = client.get(url, params={"score": "energy", "low": low, "high": high}).json()
    assert sorted(r["scores"]["energy"] for r in ranged["rows"]) == energies[2:6]


def test_pareto_of_any_stored_scores_with_a_cloud(client):
    url = f"/api/studies/{STUDY}/pareto"
    doc = client.get(url, params={"objective": ["params:min", "energy:min"],
                                  "cloud": 2}).json()
    front = {r["trial"] for r in doc["rows"]}
    assert doc["candidates"] - len(front) >= 2
    assert len(doc["cloud"]) == 2 and not front & {r["trial"] for r in doc["cloud"]}
    assert set(doc["cloud"][0]["scores"]) == {"params", "energy"}
    every = client.get(url, params={"objective": ["params:min", "energy:min"],
                                    "cloud": 100}).json()
    assert len(every["cloud"]) == every["candidates"] - len(every["rows"])
    three = ["params:min", "flops:max", "energy:min"]
    doc = client.get(url, params={"objective": three}).json()
    assert doc["objectives"] == three and {"params", "flops", "energy"} <= set(
        doc["rows"][0]["scores"])
    four = client.get(url, params={"objective": [*three, "macs_total:min"]})
    assert four.status_code == 422 and four.json()["error"].startswith("a front over 4")


@pytest.mark.parametrize("url, status, message", [
    ("/api/studies/nope", 404, "no study 'nope' in sqlite:///"),
    ("/api/studies/nope/pareto", 404, "no study 'nope'"),
    ("/api/candidates/abc123", 404,
     "no candidate with arch_id 'abc123' in sqlite:///"),
    ("/api/candidates/not-hex", 404, "no candidate with arch_id 'not-hex'; an arch_id is "
                                     "hexadecimal"),
    ("/api/jobs/99", 404, "no job 99; GET /api/jobs lists them"),
    ("/api/spaces/nope", 404, "no named space 'nope'"),
    (f"/api/studies/{STUDY}/pareto?objective=flops:up", 422,
     "objective 'flops:up' is malformed; write NAME:max or NAME:min, e.g. flops:max"),
    (f"/api/studies/{STUDY}/pareto?objective=flops", 422,
     "a Pareto front needs two or more objectives, got 1 (flops:max)"),
    (f"/api/studies/{STUDY}/top?k=0", 422, "-k must be at least 1, got 0"),
    (f"/api/studies/{STUDY}/trials?limit=0", 422, "limit 0 must be between 1 and 500"),
    (f"/api/studies/{STUDY}/trials?state=odd", 422, "state 'odd' is not one of COMPLETE"),
    (f"/api/studies/{STUDY}/trials?limit=x", 422, "limit: Input should be a valid integer"),
    ("/api/jobs/x", 422, "job_id: Input should be a valid integer"),
])
def test_errors_are_one_json_line(client, url, status, message):
    r = client.get(url)
    assert r.status_code == status
    assert set(r.json()) == {"error"} and r.json()["error"].startswith(message)


def test_writes_need_the_token_and_change_nothing_without_it(client):
    body = {"space": "autost-tiny", "budget": 3}
    for headers, message in [({}, "this request changes data and needs the server's token"),
                             ({"Authorization": "Bearer wrong"}, "wrong token"),
                             ({"Authorization": "Basic " + "x" * 8}, "this request changes"),
                             ({"Authorization": "Bearer"}, "this request changes")]:
        for method, url, kw in [("post", "/api/searches", {"json": body}),
                                ("post", "/api/trainings", {"json": {"study": STUDY}}),
                                ("delete", "/api/jobs/1", {})]:
            r = client.request(method, url, headers=headers, **kw)
            assert r.status_code == 401, (method, url, headers)
            assert r.headers["www-authenticate"] == "Bearer"
            assert r.json()["error"].startswith(message)
    assert client.get("/api/jobs").json() == {"jobs": []}
    r = client.post("/api/searches", json=body, headers=AUTH)
    assert r.status_code == 202 and r.headers["location"] == f"/api/jobs/{r.json()['id']}"


@pytest.mark.parametrize("body, message", [
    ({"space": "autost-tiny", "budget": 0}, "budget 0 must be a positive number of trials"),
    ({"space": "autost-tiny", "budget": 5, "objectives": ["flops:up"]},
     "objective 'flops:up' is malformed; write NAME:max or NAME:min, e.g. flops:max"),
    ({"space": "autost-tiny", "budget": 5, "sampler": "annealing"}, "unknown sampler"),
    ({"space": "autost-tiny", "budget": 5, "constraints": {"max_params": "lots"}},
     "max-params"),
    ({"space": "../etc/passwd.toml", "budget": 5}, "unknown space '../etc/passwd.toml'"),
    ({"budget": 5}, "give exactly one of space (a named space) or space_toml"),
    ({"space": "autost-tiny"}, "budget: Field required"),
    ({"space_toml": "[space\nname = 1", "budget": 5}, "uploaded space: not valid TOML: "),
    ({"space_toml": "[space]\nname = 'x'\n[global]\ndepth = 'deep'", "budget": 5},
     "uploaded space: "),
    ({"space_toml": "#" * 70_000, "budget": 5}, "uploaded space: larger than 64 KiB"),
    ({"space": "autost-tiny", "budget": 5, "study": "../../etc/passwd"},
     "study name '../../etc/passwd' is not allowed: use letters, digits and -_."),
    ({"space": "autost-tiny", "budget": 5, "study": "tiny\n"}, "study name 'tiny\\n' is not"),
    ({"space": "autost-tiny", "budget": 5, "study": STUDY, "objectives": ["params:min"]},
     "the existing study was made with other settings (objectives: study has"),
])
def test_bad_searches_get_422_with_the_cli_message(client, body, message):
    r = client.post("/api/searches", json=body, headers=AUTH)
    assert r.status_code == 422, r.text
    assert r.json()["error"].startswith(message) or message in r.json()["error"]
    assert client.get("/api/jobs").json() == {"jobs": []}


def test_oversized_body_is_refused_before_it_is_read(client):
    r = client.post("/api/searches", headers=AUTH,
                    json={"space_toml": "#" * 300_000, "budget": 5})
    assert r.status_code == 413
    assert r.json() == {"error": "request body over 256 KiB; a search with its own space "
                                 "file needs far less"}


def test_invalid_space_toml_message_is_the_validators(client, tmp_path):
    text = "[space]\nname = 'x'\n[global]\ndepth = 'deep'\n"
    path = tmp_path / "bad.toml"
    path.write_text(text)
    cli = CliRunner().invoke(main, ["spaces", "validate", str(path)])
    assert cli.exit_code == 1
    api = client.post("/api/searches", json={"space_toml": text, "budget": 5}, headers=AUTH)
    assert "Error: " + api.json()["error"].replace("uploaded space", str(path)) == \
        cli.output.strip()


@pytest.mark.parametrize("body, status, message", [
    ({"study": "nope"}, 404, "no study 'nope'"),
    ({"study": STUDY, "dataset": "mnist-9"}, 422, "unknown dataset 'mnist-9'"),
    ({"study": STUDY, "top": 0}, 422, "top 0 must be at least 1"),
    ({"study": STUDY, "by": "flops:up"}, 422, "objective 'flops:up' is malformed"),
])
def test_bad_trainings(client, body, status, message):
    r = client.post("/api/trainings", json=body, headers=AUTH)
    assert r.status_code == status and r.json()["error"].startswith(message)


def test_spaces_presets_and_openapi(client):
    spaces = client.get("/api/spaces").json()
    assert spaces == cli_json("spaces", "list", "--json")
    tiny = client.get("/api/spaces/autost-tiny").json()
    assert tiny["name"] == "autost-tiny" and tiny["constraints"] == {"max_params": 12e6}
    presets = client.get("/api/presets").json()
    assert presets == cli_json("models", "list", "--json")
    schema = client.get("/api/openapi.json").json()
    assert {"/api/studies/{name}/pareto", "/api/searches", "/api/jobs/{job_id}",
            "/api/candidates/{arch_id}"} <= set(schema["paths"])
    assert client.get("/docs").status_code == 404  # its scripts would come from a CDN


def test_unexpected_error_is_500_without_traceback(db_url, monkeypatch):
    from fastapi.testclient import TestClient

    from autost.service import create_app, studies
    from autost.storage import open_storage

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(studies, "list_trials", broken)
    app = create_app(open_storage(db_url), "t", run_jobs=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get(f"/api/studies/{STUDY}/trials")
    assert r.status_code == 500
    assert r.json() == {"error": "internal error (RuntimeError); the server's log has the "
                                 "details"}


@pytest.mark.postgres
def test_api_on_postgresql_hides_the_password(postgres_url):
    url = postgres_url.replace("postgres@", "postgres:sekret-pw@")  # trust auth ignores it
    run_tiny_search(url, budget=6)
    with make_client(url) as client:
        top = client.get(f"/api/studies/{STUDY}/top").json()
        assert top == {**cli_json("results", "top", "--study", STUDY, "--storage", url,
                                  "--json"), "feasible": top["feasible"]}
        assert client.get(f"/api/studies/{STUDY}").json()["progress"]["complete"] == 6
        client.post("/api/searches", json={"space": "autost-tiny", "budget": 7,
                                           "study": STUDY}, headers=AUTH)
        bodies = [client.get(u).text for u in (
            "/api/studies", f"/api/studies/{STUDY}", "/api/studies/nope", "/api/jobs", "/",
            f"/studies/{STUDY}", "/studies/nope", "/api/jobs/1")]
    assert all("sekret-pw" not in b for b in bodies)
    assert "postgresql://postgres:***@127.0.0.1:5432/" in bodies[0]


def test_pareto_counts_the_candidates_that_lack_a_chosen_score(client, db_url):
    """Two trained candidates have accuracy; the front over it says how many it leaves out
    (the compare page prints it instead of dropping them silently)."""
    from autost.report import load_entries
    from autost.storage import open_storage

    storage = open_storage(db_url)  # before the server reads the study (it keeps a reading)
    trained = load_entries(storage, STUDY).entries[:2]
    for entry, accuracy in zip(trained, (61.0, 74.5), strict=True):
        storage.add_training(entry.arch_id, dataset="digits", epochs=1, seed=0, status="ok",
                             accuracy=accuracy, study_name=STUDY)
    front = client.get(f"/api/studies/{STUDY}/pareto",
                       params={"objective": ["accuracy:max", "energy:min"]}).json()
    feasible = client.get(f"/api/studies/{STUDY}").json()["progress"]["candidates"]
    assert front["candidates"] == 2 and front["feasible"] == feasible
    assert front["lacking"] == {"accuracy": feasible - 2}


def test_presets_are_built_once_per_server(db_url, monkeypatch):
    """GET /api/presets built every preset (13.8 s); the listing is computed once, at the
    server's start, and every request answers from it."""
    from autost.models import summary
    from autost.service import api

    calls = []
    real = summary.preset_rows
    monkeypatch.setattr(summary, "preset_rows", lambda: calls.append(1) or real())
    api._preset_rows.cache_clear()
    api.warm()
    with make_client(db_url) as client:
        first, second = (client.get("/api/presets").json() for _ in range(2))
    assert first == second and len(first) > 20 and calls == [1]
    api._preset_rows.cache_clear()
