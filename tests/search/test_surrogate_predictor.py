"""A predictor fitted on surrogates scores each full-size candidate through its surrogate.

The trainings here stand for a fidelity study's: a real cost-only search samples stmixer,
and each candidate gets a training of its keep8 surrogate (the recipe key names it) whose
accuracy follows the surrogate's FLOPs and parameters, so the fitted predictor is known to
rank by them.
"""

import math

import optuna
import pytest
from click.testing import CliRunner

from autost.cli import main
from autost.proxies import ScoreSettings, score_architecture
from autost.report.calibrate import calibrate
from autost.search import search
from autost.storage import open_storage, study_record, trial_rows
from autost.surrogate import get_surrogate
from autost.train.loop import TrainSettings

SURROGATE_SETTINGS = ScoreSettings(rates="prior", dataset="synthetic", surrogate="keep8")


def _accuracy(values: dict) -> float:
    return 8 * math.log10(values["flops"]) - 3 * math.log10(values["params"])


@pytest.fixture
def surrogate_trained(tmp_path):
    """(url, storage, predictor 's' fitted on the keep8 surrogates of 14 stmixer candidates)."""
    url = f"sqlite:///{tmp_path / 'db.db'}"
    search("stmixer", budget=14, objectives=["params:min"], sampler="random", seed=3,
           storage=url, progress=False, study_name="source")
    storage = open_storage(url)
    key = TrainSettings(dataset="synthetic", epochs=1, surrogate="keep8").key()
    configs = storage.get_candidates([r.arch_id for r in
                                      trial_rows(storage, study_record(storage, "source"))])
    for arch_id, cfg in configs.items():
        values = score_architecture(cfg, ["flops", "params"], SURROGATE_SETTINGS).values
        storage.add_training(arch_id, dataset="synthetic", epochs=1, seed=0, status="ok",
                             settings_key=key, accuracy=_accuracy(values))
    predictor = calibrate(storage, dataset="synthetic", name="s", proxies=["flops", "params"])
    return url, storage, predictor


def _values(url, study):
    trials = optuna.load_study(study_name=study, storage=url).get_trials(
        states=(optuna.trial.TrialState.COMPLETE,))
    return {t.user_attrs["arch_id"]: t.values for t in trials}


def test_calibrate_fits_on_the_surrogate_its_trainings_used(surrogate_trained):
    _, _, predictor = surrogate_trained
    assert predictor.surrogate == "keep8"
    assert predictor.score_settings == SURROGATE_SETTINGS.to_dict()
    assert "surrogate keep8" in predictor.describe()


def test_full_size_candidates_get_distinct_values_in_their_surrogates_order(surrogate_trained):
    url, storage, predictor = surrogate_trained
    result = CliRunner().invoke(main, [
        "search", "--space", "stmixer", "--budget", "12", "--objective", "predicted:max",
        "--objective", "energy:min", "--predictor", "s", "--sampler", "random", "--seed", "8",
        "--study", "guided", "--storage", url, "--no-progress"])
    assert result.exit_code == 0, result.output
    told = _values(url, "guided")
    configs = storage.get_candidates(list(told))
    keep8 = get_surrogate("keep8")
    by_surrogate = {}
    for arch_id, cfg in configs.items():
        small = keep8.apply(cfg)  # the surrogate itself, scored as an architecture
        values = score_architecture(small, predictor.proxies,
                                    ScoreSettings(rates="prior", dataset="synthetic")).values
        by_surrogate[arch_id] = predictor.predict(values)
        assert told[arch_id][0] == pytest.approx(by_surrogate[arch_id], rel=1e-12)
    assert len({round(v[0], 9) for v in told.values()}) == len(told) > 5  # no constant
    energy = ScoreSettings(rates="prior").key()
    for arch_id in told:  # energy stays on the full-size candidate
        full = storage.get_scores(arch_id, energy).values
        assert told[arch_id][1] == full["energy"]
    assert "outside the range" not in result.stderr


def test_a_predictor_fitted_on_shrunk_configs_warns_once_on_full_size_ones(tmp_path):
    """What calibrating a predictor on shrunk configs of their own (no surrogate recorded)
    did: full-size candidates fall outside its range, and the search says so once."""
    url = f"sqlite:///{tmp_path / 'db.db'}"
    search("stmixer", budget=12, objectives=["params:min"], sampler="random", seed=3,
           storage=url, progress=False, study_name="source")
    storage = open_storage(url)
    keep8 = get_surrogate("keep8")
    for row in trial_rows(storage, study_record(storage, "source")):
        small = keep8.apply(storage.get_candidate(row.arch_id))
        storage.add_candidate(small, "stmixer")
        values = score_architecture(small, ["flops", "params"],
                                    ScoreSettings(rates="prior")).values
        storage.add_training(small.arch_id, dataset="synthetic", epochs=1, seed=0,
                             status="ok", accuracy=_accuracy(values))
    calibrate(storage, dataset="synthetic", name="shrunk", proxies=["flops", "params"])
    result = CliRunner().invoke(main, [
        "search", "--space", "stmixer", "--budget", "8", "--objective", "predicted:max",
        "--predictor", "shrunk", "--sampler", "random", "--seed", "1", "--study", "full",
        "--storage", url, "--no-progress"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "outside the range" in line]
    assert warnings == [
        "predictor 'shrunk': 6 of the first 6 candidates have flops outside the range it was "
        "fitted on, where it predicts the edge value; fit it on trainings of this space "
        "(autost fidelity, then autost calibrate)"]


def test_a_space_the_surrogate_cannot_shrink_is_one_error_line(surrogate_trained, tmp_path):
    url, _, _ = surrogate_trained
    space = tmp_path / "wide.toml"
    space.write_text('[space]\nname = "wide"\n[fixed]\npatch_splitter = "sps"\n'
                     'timesteps = 1\n[global]\ndepth = {low = 1, high = 2}\n'
                     'embed_dim = [200]\n[block]\ntoken_mixer = "conv"\n')
    before = optuna.get_all_study_names(url)
    result = CliRunner().invoke(main, [
        "search", "--space", str(space), "--budget", "2", "--objective", "predicted:max",
        "--predictor", "s", "--storage", url, "--no-progress"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: predictor 's' cannot score space 'wide': surrogate 'keep8' cannot shrink "
        "L2 D200 T1 sps [conv/mlp conv/mlp]: embed_dim 50 is invalid: must be divisible by 8 "
        "(patch splitters use D/8); choose another surrogate"]
    assert optuna.get_all_study_names(url) == before
