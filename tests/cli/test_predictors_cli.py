"""``autost predictors`` list, show and build; built-in predictor files; score --predictor.

The build reads trainings of two spaces' candidates (two real cost-only searches), each with
an accuracy that follows its keep8 surrogate's FLOPs, so the predictor it fits is known."""

import json
import math

import pytest
from click.testing import CliRunner

from autost.cli import main
from autost.proxies import ScoreSettings, builtin, score_architecture
from autost.search import search
from autost.storage import open_storage, study_record, trial_rows
from autost.train.loop import TrainSettings

SETTINGS = ScoreSettings(rates="prior", dataset="digits", surrogate="keep8")


def _run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def two_spaces(tmp_path):
    """(url, out folder) of a database with 12 trained candidates of stmixer and spikformer."""
    url = f"sqlite:///{tmp_path / 'fid.db'}"
    storage = open_storage(url)
    key = TrainSettings(dataset="synthetic", epochs=1, surrogate="keep8").key()
    for space, seed in (("stmixer", 1), ("spikformer", 2)):
        search(space, budget=12, objectives=["params:min"], sampler="random", seed=seed,
               storage=url, progress=False, study_name=space)
        for row in trial_rows(storage, study_record(storage, space)):
            cfg = storage.get_candidate(row.arch_id)
            values = score_architecture(cfg, ["flops"], SETTINGS).values
            storage.add_training(row.arch_id, dataset="synthetic", epochs=1, seed=0,
                                 status="ok", settings_key=key,
                                 accuracy=5 * math.log10(values["flops"]) + seed)
    return url, tmp_path / "built"


def test_build_fits_across_spaces_and_reports_each_held_out(two_spaces):
    url, out = two_spaces
    result = _run("predictors", "build", "--name", "twospace", "--dataset", "synthetic",
                  "--spaces", "stmixer,spikformer", "--proxies", "flops,params",
                  "--storage", url, "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    written = json.loads((out / "twospace.json").read_text())
    assert written == {"predictor": document["predictor"],
                       "provenance": document["provenance"]}
    provenance = document["provenance"]
    assert provenance["surrogate"] == "keep8" and provenance["dataset"] == "synthetic"
    assert provenance["spaces"] == {"stmixer": 12, "spikformer": 12}
    held = {f["space"]: f for f in provenance["held_out"]}
    # accuracy is a function of the surrogate's FLOPs within each space: flops ranks it
    # perfectly; the predictor fitted on the other space alone is flops, clipped to that
    # space's range as a search clips it, so it ties some and ranks the rest right
    for space in ("stmixer", "spikformer"):
        assert held[space]["proxies"] == ["flops"]
        assert held[space]["flops_tau"]["value"] == pytest.approx(1.0)
        assert 0.5 < held[space]["tau"]["value"] <= 1.0
    # fitted on both spaces, each space's accuracies are its FLOPs' order: ties aside, flops
    fitted = {f["space"]: f for f in provenance["fitted"]}
    assert set(fitted) == {"stmixer", "spikformer"}
    for space in ("stmixer", "spikformer"):
        assert fitted[space]["flops_tau"] == pytest.approx(1.0)
        assert held[space]["tau"]["value"] <= fitted[space]["tau"] <= 1.0
    assert document["predictor"]["score_settings"] == SETTINGS.to_dict()


def test_a_fixed_rule_uses_its_set_on_every_held_out_space(two_spaces):
    url, out = two_spaces
    result = _run("predictors", "build", "--name", "every", "--dataset", "synthetic",
                  "--spaces", "stmixer,spikformer", "--proxies", "flops,params",
                  "--rule", "all", "--storage", url, "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # "choose" picks flops alone here (previous test); "all" is fixed in advance
    assert [f["proxies"] for f in document["provenance"]["held_out"]] == [
        ["flops", "params"], ["flops", "params"]]
    assert document["predictor"]["proxies"] == ["flops", "params"]
    assert document["provenance"]["rule"] == "all"


def test_an_unknown_rule_is_one_error_line_and_writes_nothing(two_spaces):
    url, out = two_spaces
    result = _run("predictors", "build", "--spaces", "stmixer,spikformer", "--rule", "al",
                  "--storage", url, "--out", str(out))
    assert result.exit_code == 2  # a name autost ships, as an unknown --preset is
    assert result.stderr == "Error: unknown proxy rule 'al'; did you mean 'all'?\n"
    assert not out.exists()


def test_build_fits_the_surrogate_it_is_told(two_spaces):
    """--surrogate picks the trainings: keep8's are the ones there, keep16 has none."""
    url, out = two_spaces
    args = ["predictors", "build", "--dataset", "synthetic", "--spaces", "stmixer,spikformer",
            "--proxies", "flops", "--storage", url, "--out", str(out)]
    result = _run(*args, "--surrogate", "keep8", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["provenance"]["surrogate"] == "keep8"
    refused = _run(*args, "--name", "k16", "--surrogate", "keep16")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: the database holds 0 architectures trained on synthetic through surrogate "
        "keep16; a predictor needs at least 10: train more (autost train, or autost "
        "reproduce scatter) and calibrate again\n")
    assert not (out / "k16.json").exists()


def test_list_and_show_name_built_in_and_calibrated_ones(two_spaces, monkeypatch):
    url, out = two_spaces
    _run("predictors", "build", "--name", "twospace", "--dataset", "synthetic", "--spaces",
         "stmixer,spikformer", "--proxies", "flops", "--storage", url, "--out", str(out))
    monkeypatch.setattr(builtin, "FOLDER", out)
    storage = open_storage(url)
    from autost.report.calibrate import calibrate

    calibrate(storage, dataset="synthetic", name="mine", proxies=["flops"])
    listed = json.loads(_run("predictors", "list", "--storage", url, "--json").stdout)
    assert [(r["name"], r["kind"], r["surrogate"]) for r in listed] == [
        ("twospace", "built-in", "keep8"), ("mine", "calibrated", "keep8")]
    shown = _run("predictors", "show", "twospace")
    assert shown.exit_code == 0, shown.output
    assert "each space held out (chosen and fitted on the others):" in shown.stdout
    assert "inputs scored on the surrogate keep8 with rates prior, dataset digits" in shown.stdout
    unknown = _run("predictors", "show", "twospac", "--storage", url)
    assert unknown.exit_code == 1
    assert unknown.stderr == "Error: unknown predictor 'twospac'; did you mean 'twospace'?\n"
    taken = _run("calibrate", "--dataset", "synthetic", "--name", "twospace", "--storage", url)
    assert taken.stderr == "Error: predictor 'twospace' is built in; give another --name\n"


def test_score_prints_the_predicted_accuracy(two_spaces, monkeypatch):
    url, out = two_spaces
    _run("predictors", "build", "--name", "twospace", "--dataset", "synthetic", "--spaces",
         "stmixer,spikformer", "--proxies", "flops", "--storage", url, "--out", str(out))
    monkeypatch.setattr(builtin, "FOLDER", out)
    predictor = builtin.load_builtin("twospace")
    result = _run("score", "--preset", "spikformer-4-384", "--rates", "prior", "--proxies",
                  "flops", "--predictor", "twospace", "--json")
    assert result.exit_code == 0, result.output
    predicted = json.loads(result.stdout)["predicted"]
    from autost.models import get_preset

    expected = predictor.predict(score_architecture(get_preset("spikformer-4-384"), ["flops"],
                                                    SETTINGS).values)
    assert predicted == {"name": "twospace", "surrogate": "keep8",
                         "accuracy": pytest.approx(expected)}
    table = _run("score", "--preset", "spikformer-4-384", "--rates", "prior", "--proxies",
                 "flops", "--predictor", "twospace")
    assert (f"predicted              {expected:.2f} %  (predictor 'twospace', from its keep8 "
            "surrogate's flops)") in table.stdout


def test_a_corrupt_or_missing_built_in_file_stops_the_search_before_any_write(
        tmp_path, monkeypatch):
    folder = tmp_path / "predictors"
    folder.mkdir()
    (folder / "broken.json").write_text('{"predictor": {"name": "broken"')
    monkeypatch.setattr(builtin, "FOLDER", folder)
    url = f"sqlite:///{tmp_path / 'none.db'}"
    result = _run("search", "--space", "stmixer", "--budget", "2", "--objective",
                  "predicted:max", "--predictor", "broken", "--storage", url, "--no-progress")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: built-in predictor file {folder / 'broken.json'} "
                                    "is corrupt (JSONDecodeError: ")
    assert result.stderr.endswith("; reinstall autost or rebuild it with autost predictors "
                                  "build\n")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "none.db").exists()
    with pytest.raises(Exception) as err:
        builtin.load_builtin("absent")
    assert str(err.value) == (f"built-in predictor file {folder / 'absent.json'} is missing; "
                              "reinstall autost (pip install -e .) or rebuild it with autost "
                              "predictors build")
