"""A space that is not a named one (uploaded to the service, or a file on one machine) is
stored with its study, so `autost worker` joins from anywhere without the file."""

import json
from pathlib import Path

import optuna
from click.testing import CliRunner

import autost
from autost.cli import main
from autost.space import load_space, parse_space
from autost.storage import open_storage
from autost.storage.optuna_tables import BUDGET_ATTR, SPACE_TEXT_ATTR, write_study_attrs

TEXT = (Path(__file__).with_name("tiny.toml")).read_text()
COST = ["flops:max", "energy:min"]


def test_worker_joins_a_study_of_an_uploaded_space(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'autost.db'}"
    uploaded = parse_space(TEXT, label="uploaded space", source="uploaded space",
                           default_name="uploaded")
    autost.search(uploaded, budget=2, seed=1, study_name="up", storage=url, objectives=COST,
                  progress=False)
    storage = open_storage(url)
    study = optuna.load_study(study_name="up", storage=storage.optuna_storage())
    assert study.user_attrs[SPACE_TEXT_ATTR] == TEXT
    write_study_attrs(storage.optuna_storage(), "up", {BUDGET_ATTR: 4})  # more to do
    monkeypatch.chdir(tmp_path)  # no space file anywhere near
    result = CliRunner().invoke(main, ["worker", "--study", "up", "--storage", url, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["complete"] == 4
    assert json.loads(result.stdout)["run"]["complete"] == 2


def test_a_named_space_is_not_copied_into_its_study(tmp_path):
    url = f"sqlite:///{tmp_path / 'autost.db'}"
    autost.search(load_space("autost-tiny"), budget=1, seed=1, study_name="named",
                  storage=url, objectives=COST, progress=False)
    study = optuna.load_study(study_name="named", storage=open_storage(url).optuna_storage())
    assert SPACE_TEXT_ATTR not in study.user_attrs
