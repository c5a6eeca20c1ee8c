"""``autost train``: top-K of a study trained on Ray, accuracy stored; fast, exact errors."""

import json
import re
import socket
import time

from click.testing import CliRunner
from dataset_errors import cifar_not_found, fashion_mnist_missing

from autost.cli import main

DURATION = r"(\d+ s|\d+ min \d\d s|\d+ h \d\d min)"  # as format_duration writes them


def _run(*args):
    return CliRunner().invoke(main, ["train", *args])


def test_help():
    assert _run("--help").exit_code == 0


def _smallest(info, k: int) -> list[int]:
    """The ``k`` feasible trials of fewest parameters, fewest first."""
    return sorted(info["feasible"], key=lambda n: info["values"][n]["params"])[:k]


def test_trains_the_top_candidates_and_writes_accuracy_back(scored_study, local_ray):
    storage, info = scored_study
    smallest = _smallest(info, 2)
    result = _run("--study", "demo", "--storage", storage.url, "--top", "2", "--by",
                  "params:min", "--epochs", "1", "--max-batches", "2", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["objective"], out["dataset"], out["epochs"]) == ("params:min", "digits", 1)
    rows = out["trainings"]
    assert [r["trial"] for r in rows] == smallest
    assert all(r["status"] == "ok" and 0 <= r["accuracy"] <= 100 for r in rows)
    assert all(r["trained_energy_mj"] > 0 and r["epochs"] == 1 for r in rows)
    stored = storage.trainings(study_name="demo")
    assert sorted(t.trial_number for t in stored) == sorted(smallest)
    assert all(t.rates["sop_rates"] and t.status == "ok" for t in stored)
    trials = {t.number: t for t in
              __import__("optuna").load_study(study_name="demo",
                                              storage=storage.optuna_storage()).trials}
    assert [trials[n].user_attrs["accuracy"] for n in smallest] == [r["accuracy"] for r in rows]
    cheapest = min(smallest, key=lambda n: info["values"][n]["macs_total"])
    timed = storage.get_candidate(info["arch_ids"][cheapest]).summary()
    lines = result.stderr.splitlines()
    assert lines[0] == "timing one training step on this machine (64 images)..."
    assert re.fullmatch(
        rf"estimate: 2 trainings x 1 epoch on digits, 2 at a time: about {DURATION}, less where "
        rf"ASHA stops weak ones \(a step of {re.escape(timed)} took \d+\.\d\d s; the "
        r"others scaled by their MACs\)", lines[1]), lines[1]
    for trial, row in zip(smallest, rows, strict=True):
        epoch = next(line for line in lines if line.startswith(f"trial {trial}: epoch"))
        assert re.fullmatch(rf"trial {trial}: epoch 1/1, accuracy {row['accuracy']:.1f} %, "
                            rf"{DURATION} per epoch; about 0 s more for this trial, "
                            rf"{DURATION} in all",
                            epoch), epoch
        assert f"trial {trial}: {row['accuracy']:.1f} % after 1 epoch" in lines


def test_a_surrogate_training_is_the_candidates_and_its_accuracy_reaches_the_trial(
        scored_study, local_ray):
    from autost.surrogate import get_surrogate
    from autost.train.loop import TrainSettings

    storage, info = scored_study
    (smallest,) = _smallest(info, 1)
    result = _run("--study", "demo", "--storage", storage.url, "--top", "1", "--by",
                  "params:min", "--epochs", "1", "--max-batches", "2", "--shrink", "--json")
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["trainings"][0]
    full = storage.get_candidate(info["arch_ids"][smallest])
    assert (row["arch_id"], row["summary"]) == (full.arch_id, full.summary())
    (training,) = storage.trainings(arch_id=full.arch_id)
    assert training.surrogate == "keep16" and training.trial_number == smallest
    assert training.settings_key == TrainSettings(
        dataset="digits", epochs=1, batch_size=32, lr=1e-2, max_batches=2,
        surrogate="keep16").key()
    trial = __import__("optuna").load_study(study_name="demo",
                                            storage=storage.optuna_storage()).trials[smallest]
    assert trial.user_attrs["accuracy"] == row["accuracy"]
    small = get_surrogate("keep16").apply(full, 10)
    assert f"a step of {small.summary()}" in result.stderr.splitlines()[1]
    assert "(32 images)" in result.stderr.splitlines()[0]
    clash = _run("--study", "demo", "--storage", storage.url, "--shrink", "--surrogate",
                 "keep8")
    assert clash.exit_code == 2
    assert clash.stderr == ("Error: --shrink means --surrogate keep16; leave out one of "
                            "--shrink and --surrogate keep8\n")


def test_missing_data_dir_is_one_error_line(scored_study, tmp_path):
    storage, _ = scored_study
    result = _run("--study", "demo", "--storage", storage.url, "--dataset", "cifar10",
                  "--data-dir", str(tmp_path))
    assert result.exit_code == 1
    assert result.output == cifar_not_found("cifar10", tmp_path)


def test_missing_fashion_mnist_names_the_package_and_the_option(scored_study, tmp_path):
    storage, _ = scored_study
    result = _run("--study", "demo", "--storage", storage.url, "--dataset", "fashion-mnist",
                  "--data-dir", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert result.output == fashion_mnist_missing(tmp_path / "none")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "train-images-idx3-ubyte.gz").write_bytes(b"oops")
    (tmp_path / "broken" / "train-labels-idx1-ubyte.gz").write_bytes(b"oops")
    result = _run("--study", "demo", "--storage", storage.url, "--dataset", "fashion-mnist",
                  "--data-dir", str(tmp_path / "broken"))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: Fashion-MNIST file {tmp_path / 'broken' / 'train-images-idx3-ubyte.gz'} is "
        "corrupt: not a readable gzip file (BadGzipFile: Not a gzipped file (b'oo')); "
        "reinstall the package dataset-fashion-mnist or replace the file\n"
    )


def test_unreachable_ray_address_fails_fast(scored_study):
    storage, _ = scored_study
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    result = _run("--study", "demo", "--storage", storage.url, "--ray-address",
                  f"127.0.0.1:{port}")
    assert time.perf_counter() - start < 10
    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot reach a Ray cluster at 127.0.0.1:{port} (Connection refused); start "
        "one with `ray start --head` or leave out --ray-address to use local Ray\n"
    )


def test_unknown_study_and_dataset(scored_study):
    storage, _ = scored_study
    result = _run("--study", "nope", "--storage", storage.url)
    assert result.exit_code == 1 and result.output.startswith("Error: no study 'nope'")
    result = _run("--study", "demo", "--storage", storage.url, "--dataset", "digit")
    assert result.output == "Error: unknown dataset 'digit'; did you mean 'digits'?\n"


def test_spread_trains_the_front_the_search_listed(scored_study, front_of, local_ray):
    storage, info = scored_study
    front = sorted(front_of(info, ["flops:max", "energy:min"]),
                   key=lambda n: -info["values"][n]["energy"])
    assert len(front) > 2
    result = _run("--study", "demo", "--storage", storage.url, "--spread", "2", "--epochs", "1",
                  "--max-batches", "2", "--surrogate", "keep8", "--no-asha", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["trainings"]
    assert [r["trial"] for r in rows] == [front[0], front[-1]]  # dearest and cheapest
    assert [r["arch_id"] for r in rows] == [info["arch_ids"][front[0]],
                                            info["arch_ids"][front[-1]]]
    assert all(r["status"] == "ok" for r in rows)
    keys = {t.settings_key for t in storage.trainings(study_name="demo")}
    assert len(keys) == 1 and "surrogate=keep8" in keys.pop()


def test_spread_leaves_no_room_for_a_ranking(scored_study):
    storage, _ = scored_study
    for extra in (["--top", "3"], ["--by", "params:min"]):
        result = _run("--study", "demo", "--storage", storage.url, "--spread", "2", *extra)
        assert result.exit_code == 2
        assert result.output.endswith(
            f"Error: --spread K trains the front's architectures, {extra[0]} ranks by one "
            f"score; leave out one of --spread and {extra[0]}\n")
    result = _run("--study", "demo", "--storage", storage.url, "--spread", "0")
    assert result.exit_code == 2 and "--spread" in result.output
