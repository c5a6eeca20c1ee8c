"""Train several architectures at once as Ray Tune trials.

Local Ray by default, sized to this machine and kept quiet (no dashboard, no usage stats, no
worker logs on the terminal); ``address`` joins an existing cluster, whose workers need
autost installed. The address is probed with a plain socket first, because ``ray.init`` on
an unreachable address retries for minutes before it gives up.

Each architecture is one trial of a grid over job indices. ASHA (asynchronous successive
halving) on validation accuracy stops the weak trials early when asked. A trial that raises
is reported as failed with its error while the others go on. Outcomes are handed to
``on_outcome`` in the driver as each trial ends, so nothing a finished trial produced is lost
if the run is interrupted later. Ctrl-C or SIGTERM in the driver raises KeyboardInterrupt out
of :func:`run_trials` after Ray is shut down (Tune's own handler, which would stop the
trials, print a resume hint and return normally, is switched off).
"""

import logging
import os
import socket
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from autost.arch import ArchConfig
from autost.exceptions import RayConnectionError
from autost.search.interrupts import signals_interrupt
from autost.train.brief import ArchTraining, train_architecture
from autost.train.loop import EpochCallback, TrainSettings

PROBE_TIMEOUT_S = 3.0
METRIC = "val_accuracy"
TrainFn = Callable[[ArchConfig, TrainSettings, EpochCallback], ArchTraining]


@dataclass(frozen=True)
class TrainJob:
    """One architecture to train, with the study trial it came from (if any)."""

    arch: ArchConfig
    study_name: str | None = None
    trial_number: int | None = None


@dataclass
class TrainOutcome:
    """How one trial ended: ``ok`` (finished or stopped early by ASHA) or ``failed``.

    ``accuracy`` is the last validation accuracy in percent; ``history`` one metrics dict per
    epoch reported; energy (mJ per image) and rates come from the trained model (rate source
    ``trained``) and are missing when the trial was stopped early or failed.
    """

    job: TrainJob
    status: str
    accuracy: float | None = None
    history: list[dict] = field(default_factory=list)
    energy_mj: float | None = None
    rates: dict | None = None
    error: str | None = None

    @property
    def stopped_early(self) -> bool:
        return self.status == "ok" and self.energy_mj is None


def probe_address(address: str, timeout: float = PROBE_TIMEOUT_S) -> None:
    """Raise RayConnectionError unless something listens at the cluster address.

    Accepts ``host:port`` (the GCS, default port 6379) and ``ray://host:port`` (Ray Client,
    default port 10001); ``auto`` (a cluster started on this machine) is left to Ray.
    """
    if address == "auto":
        return
    parts = urlsplit(address if "://" in address else f"gcs://{address}")
    default_port = 10001 if parts.scheme == "ray" else 6379
    try:
        host, port = parts.hostname, parts.port or default_port
    except ValueError as e:
        raise RayConnectionError(f"malformed Ray address {address!r} ({e}); give host:port, "
                                 "e.g. 10.0.0.5:6379") from e
    if not host:
        raise RayConnectionError(f"malformed Ray address {address!r}; give host:port, "
                                 "e.g. 10.0.0.5:6379")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as e:
        raise RayConnectionError(
            f"cannot reach a Ray cluster at {address} ({e.strerror or e}); start one with "
            "`ray start --head` or leave out --ray-address to use local Ray"
        ) from e


def _ray_options() -> dict:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    os.environ.setdefault("TUNE_DISABLE_SIGINT_HANDLER", "1")
    return dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR,
                configure_logging=True)


def start_local_ray(num_cpus: int | None = None) -> None:
    """Start Ray in this process with every CPU (and GPU) of this machine, quietly."""
    import ray

    ray.init(num_cpus=num_cpus or os.cpu_count(), **_ray_options())


@contextmanager
def ray_session(address: str | None = None) -> Iterator[None]:
    """Use the Ray already initialised in this process, else start (and later stop) one.

    Without an address Ray starts locally, sized to this machine.
    """
    if address is not None:
        probe_address(address)
    import ray

    if ray.is_initialized():
        yield
        return
    if address is None:
        start_local_ray()
    else:
        try:
            ray.init(address=address, **_ray_options())
        except (ConnectionError, RuntimeError) as e:
            raise RayConnectionError(f"cannot join the Ray cluster at {address}: {e}") from e
    try:
        yield
    finally:
        ray.shutdown()


def _train_trial(config: dict, *, arch_jsons: list[str], settings: dict, train_fn: TrainFn
                 ) -> None:
    """Ray Tune function trainable: train one architecture, report every epoch.

    The last epoch is reported once the trained rates are measured, so the final report
    carries energy and rates and the iteration count stays equal to the epoch count.
    """
    import torch
    from ray import tune

    torch.set_num_threads(max(1, int(config["cpus"])))
    train_settings = TrainSettings(**settings)
    last: dict = {}

    def report(metrics: dict) -> None:
        if metrics["epoch"] < train_settings.epochs:
            tune.report(metrics)
        else:
            last.update(metrics)

    outcome = train_fn(ArchConfig.from_json(arch_jsons[config["job"]]), train_settings, report)
    tune.report({**last, "energy_mj": outcome.energy_mj, "rates": outcome.rates})


def _trial_error(trial) -> str:
    """"Type: message" of the exception a trial raised, read from Ray's pickled copy."""
    import ray.cloudpickle

    try:
        with open(trial.pickled_error_file, "rb") as f:
            error = ray.cloudpickle.load(f)
    except (TypeError, OSError, EOFError, AttributeError, ImportError) as e:
        return f"trial failed; its error could not be read back ({type(e).__name__})"
    cause = getattr(error, "cause", None) or error
    return f"{type(cause).__name__}: {cause}"


def _outcome(job: TrainJob, trial, history: list[dict], error: str | None) -> TrainOutcome:
    if error is not None:
        return TrainOutcome(job, "failed", history=history, error=error)
    last = trial.last_result or {}
    accuracy = last.get(METRIC)
    return TrainOutcome(job, "ok", accuracy=None if accuracy is None else 100.0 * accuracy,
                        history=history, energy_mj=last.get("energy_mj"),
                        rates=last.get("rates"))


def _recorder(jobs: Sequence[TrainJob], outcomes: dict, on_outcome, on_epoch):
    """A Tune callback, in the driver, that turns finished trials into TrainOutcomes."""
    from ray.tune import Callback

    class Recorder(Callback):
        """Collect per-epoch metrics and hand each finished trial to ``on_outcome``.

        The driver-side state lives on the instance, not in a closure: Tune pickles its
        callbacks with the experiment state, and the storage behind ``on_outcome`` cannot be
        pickled (it is never restored from there, so it is left out).
        """

        def __init__(self, jobs, outcomes, on_outcome, on_epoch):
            self.jobs, self.outcomes, self.on_outcome = jobs, outcomes, on_outcome
            self.on_epoch = on_epoch
            self.history: dict[str, list[dict]] = {}

        def __getstate__(self):
            return {"history": {}}

        def on_trial_result(self, iteration, trials, trial, result, **info):
            metrics = {"epoch": result["epoch"], METRIC: result[METRIC],
                       "train_loss": result["train_loss"], "seconds": result["seconds"]}
            self.history.setdefault(trial.trial_id, []).append(metrics)
            if self.on_epoch is not None:
                self.on_epoch(trial.config["job"], metrics)

        def _finish(self, trial, error):
            index = trial.config["job"]
            outcome = _outcome(self.jobs[index], trial, self.history.get(trial.trial_id, []),
                               error)
            self.outcomes[index] = outcome
            if self.on_outcome is not None:
                self.on_outcome(outcome)

        def on_trial_complete(self, iteration, trials, trial, **info):
            self._finish(trial, None)

        def on_trial_error(self, iteration, trials, trial, **info):
            self._finish(trial, _trial_error(trial))

    return Recorder(jobs, outcomes, on_outcome, on_epoch)


def run_trials(jobs: Sequence[TrainJob], settings: TrainSettings, *,
               address: str | None = None, cpus_per_trial: float = 1,
               gpus_per_trial: float | None = None, asha: bool = True, grace_period: int = 1,
               on_outcome: Callable[[TrainOutcome], None] | None = None,
               on_epoch: Callable[[int, dict], None] | None = None,
               on_ready: Callable[[int], None] | None = None,
               train_fn: TrainFn = train_architecture) -> list[TrainOutcome]:
    """Train every job as one Ray Tune trial; return the outcomes in job order.

    ``on_epoch(job index, metrics)`` runs in the driver after every epoch of every trial
    (metrics as :func:`autost.train.loop.train_model` reports them); ``on_outcome`` as each
    trial ends; ``on_ready(slots)`` once Ray is up, with how many trials fit at once. Ctrl-C
    or SIGTERM raises KeyboardInterrupt once Ray is shut down.

    ``asha`` stops trials whose validation accuracy trails at a rung (first rung after
    ``grace_period`` epochs, halving thereafter); without it every trial runs all epochs,
    which is what a fair proxy-versus-accuracy comparison needs. ``gpus_per_trial`` None
    gives each trial one GPU when the cluster has any, else none.
    """
    if not jobs:
        return []
    with ray_session(address):
        import ray
        from ray import tune
        from ray.tune.schedulers import ASHAScheduler, FIFOScheduler

        resources = ray.cluster_resources()
        if gpus_per_trial is None:
            gpus_per_trial = 1 if resources.get("GPU", 0) >= 1 else 0
        if on_ready is not None:
            slots = resources.get("CPU", 1) // cpus_per_trial
            if gpus_per_trial:
                slots = min(slots, resources.get("GPU", 0) // gpus_per_trial)
            on_ready(max(1, int(slots)))
        scheduler = (ASHAScheduler(max_t=settings.epochs,
                                   grace_period=min(grace_period, settings.epochs),
                                   reduction_factor=2)
                     if asha else FIFOScheduler())
        trainable = tune.with_resources(
            tune.with_parameters(_train_trial, arch_jsons=[j.arch.to_json() for j in jobs],
                                 settings=asdict(settings), train_fn=train_fn),
            {"cpu": cpus_per_trial, "gpu": gpus_per_trial})
        outcomes: dict[int, TrainOutcome] = {}
        with tempfile.TemporaryDirectory(prefix="autost-tune-") as tmp:
            tuner = tune.Tuner(
                trainable,
                param_space={"job": tune.grid_search(list(range(len(jobs)))),
                             "cpus": cpus_per_trial},
                tune_config=tune.TuneConfig(metric=METRIC, mode="max", scheduler=scheduler,
                                           reuse_actors=True),
                run_config=tune.RunConfig(
                    name="autost-train", storage_path=tmp, verbose=0,
                    failure_config=tune.FailureConfig(max_failures=0),
                    callbacks=[_recorder(jobs, outcomes, on_outcome, on_epoch)]),
            )
            with signals_interrupt():
                tuner.fit()
    return [outcomes.get(i, TrainOutcome(job, "failed", error="trial did not run"))
            for i, job in enumerate(jobs)]
