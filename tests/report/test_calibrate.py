"""``autost calibrate``: a ridge predictor fitted on the database's trainings, its
cross-validated tau, and the refusals (too few trainings, unknown proxy, name taken)."""

import json
import math
import shutil

import pytest
from click.testing import CliRunner

from autost.cli import main
from autost.report.calibrate import MIN_TRAININGS
from autost.storage import open_storage, study_record, trial_rows


def accuracy_of(flops: float) -> float:
    """The accuracy the test trainings get: linear in log10 FLOPs, so a ridge on flops
    ranks every held-out architecture right."""
    return 10.0 * math.log10(flops) - 40.0


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    """A real cost-only search of 14 stmixer candidates; trainings added for all of them."""
    from autost.search import search

    path = tmp_path_factory.mktemp("calibrate") / "template.db"
    url = f"sqlite:///{path}"
    search("stmixer", budget=14, objectives=["flops:max", "params:min"], sampler="random",
           seed=3, storage=url, progress=False)
    storage = open_storage(url)
    study_rows = trial_rows(storage, study_record(storage, "stmixer"))
    rows = [r for r in study_rows if r.state == "COMPLETE"]
    arch_ids = list(dict.fromkeys(r.arch_id for r in rows))
    flops = {r.arch_id: r.scores["flops"] for r in rows}
    with storage.engine.connect() as connection:  # the search's rows into the file itself
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    storage.close()
    return path, arch_ids, flops


@pytest.fixture
def trained(_template, tmp_path):
    """(url, storage, arch_ids): a copy of the template with ``n`` trainings on synthetic."""
    template, arch_ids, flops = _template
    path = tmp_path / "db.db"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    storage = open_storage(url)

    def train(n: int):
        for arch_id in arch_ids[:n]:
            storage.add_training(arch_id, dataset="synthetic", epochs=3, seed=0, status="ok",
                                 accuracy=accuracy_of(flops[arch_id]))
        return arch_ids[:n]

    yield url, storage, train
    storage.close()


def _score_rows(storage) -> int:
    import sqlalchemy as sa

    with storage.engine.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM autost_scores")).scalar_one()


def test_calibrate_fits_stores_and_prints_the_cross_validated_tau(trained):
    url, storage, train = trained
    ids = train(12)
    storage.add_training(ids[0], dataset="synthetic", epochs=3, seed=1, status="failed",
                         error="boom")
    result = CliRunner().invoke(main, ["calibrate", "--dataset", "synthetic", "--name", "fit",
                                       "--proxies", "flops", "--storage", url])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["proxy", "transform", "standardized", "coefficient"]
    assert lines[2].split()[:2] == ["flops", "log10"] and float(lines[2].split()[2]) > 0
    assert lines[-1] == ("predictor 'fit': ridge on flops, fitted on 12 trainings on "
                         "synthetic (3 epochs); cross-validated Kendall tau +1.000 (5 folds)")
    assert "12 architectures trained on synthetic for 3 epochs" in result.stderr
    predictor = open_storage(url).get_predictor("fit")
    assert predictor.cv_kendall_tau == pytest.approx(1.0) and predictor.n_trainings == 12
    assert predictor.score_settings["dataset"] == "synthetic"
    flops = 10 ** ((predictor.lower[0] + predictor.upper[0]) / 2)
    assert predictor.predict({"flops": flops}) == pytest.approx(accuracy_of(flops), abs=0.05)


def test_json_output_and_replace(trained):
    url, storage, train = trained
    train(12)
    args = ["calibrate", "--dataset", "synthetic", "--name", "fit", "--proxies",
            "flops,params", "--storage", url, "--json"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data["proxies"] == ["flops", "params"] and data["log"] == [True, True]
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1 and again.stdout == ""
    assert again.stderr.strip() == (
        f"Error: predictor 'fit' already exists in {storage.masked_url}; give another "
        "--name, or --replace to refit it")
    assert CliRunner().invoke(main, [*args, "--replace"]).exit_code == 0


def test_too_few_trainings_is_one_error_line_and_writes_nothing(trained):
    url, storage, train = trained
    train(MIN_TRAININGS - 1)
    before = _score_rows(storage)
    result = CliRunner().invoke(main, ["calibrate", "--dataset", "synthetic", "--name", "fit",
                                       "--storage", url])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip() == (
        "Error: the database holds 9 architectures trained on synthetic for 3 epochs; a "
        "predictor needs at least 10: train more (autost train, or autost reproduce "
        "scatter) and calibrate again")
    assert storage.predictor_names() == [] and _score_rows(storage) == before


def test_unknown_proxy_is_one_error_line_and_writes_nothing(trained):
    url, storage, train = trained
    train(12)
    before = _score_rows(storage)
    result = CliRunner().invoke(main, ["calibrate", "--dataset", "synthetic", "--name", "fit",
                                       "--proxies", "flops,zicoo", "--storage", url])
    assert result.exit_code == 2 and result.stdout == ""  # an unknown name is misuse
    assert result.stderr.strip() == ("Error: Invalid value for '--proxies': unknown proxy "
                                     "'zicoo'; did you mean 'zico'?")
    assert storage.predictor_names() == [] and _score_rows(storage) == before


def test_data_dir_is_checked_first_and_recorded_with_the_predictor(trained, tmp_path):
    url, storage, train = trained
    train(12)
    args = ["calibrate", "--name", "fit", "--proxies", "flops", "--storage", url]
    result = CliRunner().invoke(main, [*args, "--dataset", "fashion-mnist", "--data-dir",
                                       str(tmp_path / "none")])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Error: Fashion-MNIST folder {tmp_path / 'none'} does "
                                    "not exist;")
    assert storage.predictor_names() == []
    result = CliRunner().invoke(main, [*args, "--dataset", "synthetic", "--data-dir",
                                       str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert storage.get_predictor("fit").score_settings["data_dir"] == str(tmp_path.resolve())


def test_trainings_asha_stopped_early_are_left_out(trained, _template):
    """12 trained for 3 epochs, 2 more stopped by ASHA after 1: 12 count, not 14 (they were
    counted as 3-epoch trainings before the epochs run were stored)."""
    url, storage, train = trained
    _, arch_ids, flops = _template
    train(12)
    for arch_id in arch_ids[12:14]:
        storage.add_training(arch_id, dataset="synthetic", epochs=3, seed=0, status="ok",
                             accuracy=accuracy_of(flops[arch_id]) - 30, epochs_run=1)
    result = CliRunner().invoke(main, ["calibrate", "--dataset", "synthetic", "--name", "fit",
                                       "--proxies", "flops", "--storage", url])
    assert result.exit_code == 0, result.output
    assert "12 architectures trained on synthetic for 3 epochs" in result.stderr
    assert storage.get_predictor("fit").n_trainings == 12


def test_only_the_named_epoch_budget_counts(trained):
    url, storage, train = trained
    train(12)
    result = CliRunner().invoke(main, ["calibrate", "--dataset", "synthetic", "--name", "fit",
                                       "--epochs", "5", "--storage", url])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith(
        "Error: the database holds 0 architectures trained on synthetic for 5 epochs;")
