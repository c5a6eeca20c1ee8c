"""Ray Tune trials: outcomes in job order, a failing trial recorded, ASHA, fast address probe."""

import socket
import time

import pytest

from autost.arch import ArchConfig, BlockConfig
from autost.exceptions import RayConnectionError
from autost.storage import open_storage
from autost.train.loop import TrainSettings
from autost.train.records import store_outcome
from autost.train.tuning import TrainJob, probe_address, ray_session, run_trials


def _job(embed_dim: int, trial_number: int) -> TrainJob:
    cfg = ArchConfig(blocks=(BlockConfig(heads=1),), embed_dim=embed_dim)
    return TrainJob(cfg, study_name="s", trial_number=trial_number)


def test_a_failing_trial_is_recorded_while_the_others_finish(local_ray):
    from fake_training import fake_train

    jobs = [_job(40, 0), _job(8, 1), _job(80, 2)]
    seen = []
    outcomes = run_trials(jobs, TrainSettings(epochs=2), asha=False, train_fn=fake_train,
                          on_outcome=seen.append)
    assert [o.job for o in outcomes] == jobs
    assert [o.status for o in outcomes] == ["ok", "failed", "ok"]
    assert outcomes[0].accuracy == pytest.approx(40.0)
    assert outcomes[2].accuracy == pytest.approx(80.0)
    assert [h["epoch"] for h in outcomes[2].history] == [1, 2]
    assert outcomes[2].energy_mj == pytest.approx(0.08)
    assert outcomes[2].rates == {"first": 0.5}
    assert "RuntimeError: boom: embed_dim 8 cannot train" in outcomes[1].error
    assert sorted(o.job.trial_number for o in seen) == [0, 1, 2]


def test_asha_stops_the_weak_trials_early(local_ray, tmp_path):
    from fake_training import fake_train

    jobs = [_job(d, i) for i, d in enumerate((88, 32, 24, 16))]  # the best reaches rungs first
    outcomes = run_trials(jobs, TrainSettings(epochs=4), asha=True, grace_period=1,
                          train_fn=fake_train)
    assert all(o.status == "ok" for o in outcomes)
    best = outcomes[0]
    assert len(best.history) == 4 and not best.stopped_early
    assert any(o.stopped_early and len(o.history) < 4 for o in outcomes[1:])
    storage = open_storage(f"sqlite:///{tmp_path / 'db.sqlite'}")
    for outcome in outcomes:
        store_outcome(storage, outcome, TrainSettings(epochs=4))
    assert [(r.epochs, r.epochs_run, r.stop_reason) for r in storage.trainings()] == [
        (4, len(o.history), "asha" if o.stopped_early else "completed") for o in outcomes]
    storage.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_address_fails_fast():
    port = _closed_port()
    start = time.perf_counter()
    with pytest.raises(RayConnectionError) as e:
        with ray_session(f"127.0.0.1:{port}"):
            pass
    assert time.perf_counter() - start < 10
    assert str(e.value) == (
        f"cannot reach a Ray cluster at 127.0.0.1:{port} (Connection refused); start one "
        "with `ray start --head` or leave out --ray-address to use local Ray"
    )


def test_probe_rejects_a_malformed_address():
    with pytest.raises(RayConnectionError, match="malformed Ray address"):
        probe_address("ray://:1234")
