"""Combined objectives in a real search: rank aggregates against the reference sample, the
calibrated predictor, and the objectives' one-line errors."""

import json
import math

import optuna
import pytest
from click.testing import CliRunner

from autost.cli import main
from autost.exceptions import SearchConfigError
from autost.proxies import ScoreSettings, get_proxy
from autost.search import parse_search_objective, search
from autost.search.derived import REFERENCE_SIZE, reference_sample
from autost.storage import open_storage, study_record, trial_rows


def _complete(url, name):
    study = optuna.load_study(study_name=name, storage=url)
    return study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))


def test_rank_aggregate_objective_ranks_against_the_reference_sample(tiny_space, sqlite_url,
                                                                      capsys):
    result = search(tiny_space, budget=4, objectives=["flops+params"], sampler="grid",
                    seed=0, storage=sqlite_url, progress=False)
    assert result.complete == 4
    # the tiny space holds four architectures: the reference sample is all of them
    from autost.space import load_space

    reference = reference_sample(load_space(tiny_space))
    assert len(reference) == 4 < REFERENCE_SIZE
    assert result.notes == ["rank aggregates rank each candidate against 4 reference "
                            "architectures of tiny (seed 0; scored once, then read from "
                            "the database)"]
    assert result.notes[0] in capsys.readouterr().err
    storage = open_storage(sqlite_url)
    key = _complete(sqlite_url, "tiny")[0].user_attrs["settings_key"]
    ref = [storage.get_scores(c.arch_id, key).values for c in reference]
    for trial in _complete(sqlite_url, "tiny"):
        own = storage.get_scores(trial.user_attrs["arch_id"], key).values
        # flops is maximized, params minimized; each candidate also ties itself in the
        # reference: rank = 1 + (beaten) + (tied) / 2 out of 5
        expected = 0.0
        for proxy, better in (("flops", lambda r, x: r < x), ("params", lambda r, x: r > x)):
            beaten = sum(better(r[proxy], own[proxy]) for r in ref)
            tied = sum(r[proxy] == own[proxy] for r in ref)
            expected += math.log((1 + beaten + tied / 2) / 5)
        assert trial.values == [pytest.approx(expected, abs=1e-12)]
    assert get_proxy("params").direction == "min"


@pytest.mark.parametrize("spec, message", [
    ("zico+zico", "objective 'zico+zico' is malformed; join two or more distinct proxies"),
    ("zico+", "objective 'zico+' is malformed"),
    ("zico+flopz", "unknown proxy 'flopz'; did you mean 'flops', 'synflow'?"),
    ("predictd", "unknown objective proxy 'predictd'; did you mean 'predicted'?"),
])
def test_malformed_combined_objectives(spec, message):
    with pytest.raises(SearchConfigError) as error:
        parse_search_objective(spec)
    assert str(error.value).startswith(message)
    assert parse_search_objective("zico+flops").spec == "zico+flops:max"
    assert parse_search_objective("predicted").spec == "predicted:max"


@pytest.fixture
def calibrated(tmp_path):
    """A database holding a real cost-only search of stmixer, trainings for its 12
    architectures (accuracy linear in log10 FLOPs) and the predictor 'fit' on flops."""
    from autost.report.calibrate import calibrate

    url = f"sqlite:///{tmp_path / 'db.db'}"
    search("stmixer", budget=12, objectives=["flops:max"], sampler="random", seed=3,
           storage=url, progress=False, study_name="source")
    storage = open_storage(url)
    for row in trial_rows(storage, study_record(storage, "source")):
        storage.add_training(row.arch_id, dataset="synthetic", epochs=2, seed=0, status="ok",
                             accuracy=10 * math.log10(row.scores["flops"]) - 40)
    predictor = calibrate(storage, dataset="synthetic", name="fit", proxies=["flops"])
    return url, storage, predictor


def test_predicted_objective_tells_the_predictors_value(calibrated):
    url, storage, predictor = calibrated
    result = CliRunner().invoke(main, [
        "search", "--space", "stmixer", "--budget", "6", "--objective", "predicted:max",
        "--objective", "params:min", "--predictor", "fit", "--sampler", "random", "--seed",
        "1", "--study", "guided", "--storage", url, "--no-progress"])
    assert result.exit_code == 0, result.output
    line = (f"objective predicted: predictor 'fit' on flops, cross-validated Kendall tau "
            f"{predictor.cv_kendall_tau:+.3f}")
    assert line in result.stdout
    assert f"objective predicted: {predictor.describe()}" in result.stderr
    trials = _complete(url, "guided")
    assert len(trials) == 6
    key = trials[0].user_attrs["settings_key"]
    assert key == "cost3/prior/digits/b16/s0/mac4.6/ac0.9"  # the search's own, full size
    inputs_key = ScoreSettings(**predictor.score_settings).key()
    assert inputs_key.startswith("cost3/prior/synthetic/")  # as the predictor was fitted
    for trial in trials:
        arch_id = trial.user_attrs["arch_id"]
        inputs = storage.get_scores(arch_id, inputs_key).values
        values = storage.get_scores(arch_id, key).values
        assert "flops" not in values  # the predictor's input is not scored at full size
        assert trial.values == [predictor.predict(inputs), values["params"]]
    attrs = optuna.load_study(study_name="guided", storage=url).user_attrs
    assert attrs["predictor"]["name"] == "fit"
    assert attrs["predictor"]["cv_kendall_tau"] == predictor.cv_kendall_tau


def test_unknown_predictor_is_one_error_line_and_writes_nothing(calibrated):
    url, storage, _ = calibrated
    before = optuna.get_all_study_names(url)
    result = CliRunner().invoke(main, [
        "search", "--space", "stmixer", "--budget", "2", "--objective", "predicted:max",
        "--predictor", "fti", "--storage", url, "--no-progress"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip() == "Error: unknown predictor 'fti'; did you mean 'fit'?"
    assert optuna.get_all_study_names(url) == before
    assert len(storage.runs("stmixer")) == 0


def test_a_predictor_beside_objectives_that_do_not_read_it_is_one_error_line(calibrated):
    url, _, _ = calibrated
    result = CliRunner().invoke(main, ["search", "--space", "stmixer", "--budget", "2",
                                       "--objective", "naswot:max", "--predictor", "fit",
                                       "--storage", url, "--no-progress"])
    assert result.exit_code == 1 and result.stderr.strip() == (
        "Error: --predictor is read by the objective predicted only; add --objective "
        "predicted:max")


@pytest.mark.parametrize("args, objectives, predictor", [
    ([], ["predicted:max", "energy:min"], "builtin"),  # the defaults
    (["--objective", "predicted:max"], ["predicted:max"], "builtin"),
    (["--predictor", "fit"], ["predicted:max", "energy:min"], "fit"),
])
def test_the_objective_predicted_defaults_to_the_builtin_predictor(calibrated, args,
                                                                  objectives, predictor):
    url, _, _ = calibrated
    result = CliRunner().invoke(main, ["search", "--space", "stmixer", "--budget", "2",
                                       "--study", f"d{len(args)}", *args, "--storage", url,
                                       "--no-progress", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["objectives"] == objectives
    assert document["predictor"]["name"] == predictor


def test_predictor_needs_an_existing_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.db'}"
    result = CliRunner().invoke(main, ["search", "--space", "stmixer", "--budget", "2",
                                       "--objective", "predicted:max", "--predictor", "fit",
                                       "--storage", url, "--no-progress"])
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")
    assert not (tmp_path / "none.db").exists()


def test_a_space_the_builtin_predictor_cannot_score_searches_the_fallback(tmp_path):
    space = tmp_path / "wide.toml"
    space.write_text('[space]\nname = "wide"\n[fixed]\npatch_splitter = "sps"\n'
                     'timesteps = 1\n[global]\ndepth = {low = 1, high = 2}\n'
                     'embed_dim = [200]\n[block]\ntoken_mixer = "conv"\n')
    result = CliRunner().invoke(main, ["search", "--space", str(space), "--budget", "2",
                                       "--storage", f"sqlite:///{tmp_path / 'w.db'}",
                                       "--no-progress", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["objectives"] == ["naswot:max", "energy:min"]
    assert ("choose another surrogate; searching the other default objectives, naswot:max "
            "and energy:min") in result.stderr.splitlines()[0]
