"""The study page's analyses from the API, checked against the trials by brute force."""

import csv
import io

import optuna
from service_helpers import BUDGET, STUDY

from autost.storage import open_storage


def feasible_rows(client) -> list[dict]:
    rows = client.get(f"/api/studies/{STUDY}/trials", params={"limit": 500}).json()["rows"]
    return [r for r in rows if r["state"] == "COMPLETE"]


def test_history_is_each_value_and_the_best_so_far(client):
    doc = client.get(f"/api/studies/{STUDY}/history").json()
    rows = feasible_rows(client)
    assert doc["trials"] == [r["trial"] for r in rows]
    flops = [r["scores"]["flops"] for r in rows]
    assert doc["series"]["flops:max"] == {
        "values": flops, "best": [max(flops[:i + 1]) for i in range(len(flops))]}
    energy = [r["scores"]["energy"] for r in rows]
    assert doc["series"]["energy:min"]["best"] == [min(energy[:i + 1])
                                                   for i in range(len(energy))]


def test_parallel_coordinates_are_the_architectures(client):
    doc = client.get(f"/api/studies/{STUDY}/parallel").json()
    rows = feasible_rows(client)
    assert doc["trials"] == [r["trial"] for r in rows]
    assert doc["mixers"] == ["+".join(r["mixers"]) for r in rows]
    for key, prefix in (("depth", "L"), ("width", "D"), ("timesteps", "T")):
        assert [f"{prefix}{v}" for v in doc[key]] == [
            next(p for p in r["summary"].split() if p.startswith(prefix)) for r in rows]


def test_importance_ranks_the_searched_parameters(client, db_url):
    doc = client.get(f"/api/studies/{STUDY}/importance", params={"objective": "energy"}).json()
    study = optuna.load_study(study_name=STUDY, storage=open_storage(db_url).optuna_storage())
    params = {p for t in study.trials for p in t.params}
    assert doc["objective"] == "energy:min" and doc["trials"] == len(feasible_rows(client))
    assert {r["param"] for r in doc["importance"]} <= params
    assert abs(sum(r["importance"] for r in doc["importance"]) - 1) < 1e-9


def test_csv_is_every_matching_trial_in_the_tables_order(client):
    r = client.get(f"/api/studies/{STUDY}/trials.csv",
                   params={"sort": "energy:min", "feasible_first": "true"})
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == f'attachment; filename="{STUDY}-trials.csv"'
    rows = list(csv.DictReader(io.StringIO(r.text)))
    listed = client.get(f"/api/studies/{STUDY}/trials", params={
        "sort": "energy:min", "feasible_first": "true", "limit": 500}).json()["rows"]
    assert len(rows) == BUDGET and [int(x["trial"]) for x in rows] == [
        x["trial"] for x in listed]
    assert [float(x["energy"]) for x in rows] == [x["scores"]["energy"] for x in listed]


def test_table_range_and_sort_from_the_query(client):
    rows = feasible_rows(client)
    energies = sorted(r["scores"]["energy"] for r in rows)
    html = client.get(f"/studies/{STUDY}", params={
        "score": "energy", "low": repr(energies[1]), "high": repr(energies[4]),
        "sort": "energy:min"}).text
    assert "4 trials, feasible first, best first by energy:min" in html
    bad = client.get(f"/studies/{STUDY}", params={"score": "energy", "low": "lots"})
    assert bad.status_code == 422 and "low &#39;lots&#39; is not a number" in bad.text
