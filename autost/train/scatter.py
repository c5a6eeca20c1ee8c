"""Run STMixer's accuracy-versus-FLOPs experiment for any space: sample, score, train.

N architectures are drawn uniformly at random from a space (distinct, seeded), scored by every
proxy and trained briefly on Ray, through the preset's surrogate (every trial for the same number
of epochs: no ASHA, so accuracies are comparable). The comparison (Kendall tau, Spearman rho and
precision at the top 25 % of each proxy against trained accuracy) and the files are the report's:
:func:`autost.report.scatter_outputs.write_scatter_report`.

Presets:

- ``quick`` (a 2-core CPU): every sampled candidate is scored and trained through its
  ``keep16`` surrogate (:mod:`autost.surrogate`: input 16x16 with patch size 4, a quarter
  of the width, every block and time step kept). A sample whose surrogate cannot be built
  is skipped and another is drawn. The candidate is stored as sampled; its scores and
  trainings carry the surrogate's name.
- ``paper`` (CIFAR-10 on a GPU): candidates as sampled.

Rerunning reuses the database: scores by (arch_id, score settings key), trainings by
(arch_id, training recipe key); both keys name the surrogate.
"""

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from autost.arch import ArchConfig
from autost.data.catalog import ensure_dataset
from autost.exceptions import ArchValidationError, AutostError, BuildError, unknown_name
from autost.storage.score_sets import complete_scores
from autost.surrogate import FULL, get_surrogate
from autost.train.loop import TrainSettings
from autost.train.records import cached_trainings, store_outcome
from autost.train.tuning import TrainJob, run_trials
from autost.wording import counted

PROXIES = ("params", "flops", "sops", "energy", "sahd", "naswot")
SAMPLE_TRIES = 50  # draws per wanted architecture before giving up on distinct ones
Log = Callable[[str], None]


@dataclass(frozen=True)
class ScatterPreset:
    """Defaults of a scatter run; dataset, samples and epochs can be overridden.

    ``surrogate`` names what is scored and trained in each sampled candidate's place
    (:mod:`autost.surrogate`; ``full``: the candidate itself); ``max_batches`` caps the
    training batches per epoch (a seeded random subset of the training images each epoch).
    """

    name: str
    dataset: str
    samples: int
    epochs: int
    batch_size: int
    lr: float
    surrogate: str
    max_batches: int | None = None


PRESETS = {
    "quick": ScatterPreset("quick", "digits", samples=20, epochs=4, batch_size=32, lr=1e-2,
                           surrogate="keep16"),
    "paper": ScatterPreset("paper", "cifar10", samples=40, epochs=30, batch_size=128,
                           lr=1e-3, surrogate=FULL),
}


def mixer_family(cfg: ArchConfig) -> str:
    """The token mixer of a strict majority of the blocks, else ``mixed``."""
    mixer, count = Counter(b.token_mixer for b in cfg.blocks).most_common(1)[0]
    return mixer if 2 * count > cfg.depth else "mixed"


def sample_architectures(space, n: int, seed: int, preset: ScatterPreset) -> list[ArchConfig]:
    """``n`` distinct candidates drawn with ``random.Random(seed)`` whose surrogate under
    ``preset`` can be built (one that cannot is skipped and another drawn)."""
    rng = random.Random(seed)
    surrogate = get_surrogate(preset.surrogate)
    found: dict[str, ArchConfig] = {}
    for _ in range(SAMPLE_TRIES * n):
        if len(found) == n:
            break
        cfg = space.sample(rng)
        try:
            surrogate.apply(cfg)
        except ArchValidationError:
            continue
        found.setdefault(cfg.arch_id, cfg)
    if len(found) < n:
        raise AutostError(f"space {space.name!r} gave only "
                          f"{counted(len(found), 'distinct architecture')} for the "
                          f"{preset.name} preset in {SAMPLE_TRIES * n} draws; ask for at most "
                          f"{counted(len(found), 'sample')}")
    return list(found.values())


@dataclass(frozen=True)
class ScatterRun:
    """One row per architecture (every proxy, accuracy, how training went) and a title."""

    rows: list[dict]
    proxies: tuple[str, ...]
    title: str


def score_all(storage, cfgs: list[ArchConfig], space: str, settings, log: Log,
              proxies: Sequence[str] = PROXIES) -> dict:
    """arch_id -> proxy values, computing only the proxies the database lacks for ``settings``
    (see :mod:`autost.storage.score_sets`). An architecture that cannot be built or scored
    is logged and left out.
    """
    values = {}
    for i, cfg in enumerate(cfgs, 1):
        storage.add_candidate(cfg, space)
        try:
            values[cfg.arch_id], scored = complete_scores(storage, cfg, proxies, settings)
        except (ArchValidationError, BuildError) as e:
            log(f"skipped {i}/{len(cfgs)}: {cfg.summary()}: {e}")
            continue
        if scored:
            log(f"scored {i}/{len(cfgs)} by {', '.join(scored)}: {cfg.summary()}")
    return values


def calibration_settings(dataset: str, data_dir: str | None, surrogate: str = FULL):
    """ScoreSettings whose calibration batches come from ``dataset`` in ``data_dir``: the
    data-dependent proxies calibrate on the images the architectures are trained on, and
    score the surrogate that is trained."""
    from autost.proxies import ScoreSettings

    return ScoreSettings(dataset=dataset, data_dir=data_dir, surrogate=surrogate)


def train_all(storage, cfgs: list[ArchConfig], settings: TrainSettings, *,
              address: str | None, log: Log) -> dict:
    """arch_id -> (status, accuracy %, trained energy mJ, error), training what is missing."""
    done = {a: ("ok", r.accuracy, r.energy_mj, None)
            for a, r in cached_trainings(storage, [c.arch_id for c in cfgs], settings).items()}
    missing = [c for c in cfgs if c.arch_id not in done]
    log(f"{len(done)} of {len(cfgs)} already trained; training {len(missing)} "
        f"for {counted(settings.epochs, 'epoch')} on {settings.dataset}")

    def record(outcome) -> None:
        store_outcome(storage, outcome, settings)
        acc = "failed: " + outcome.error if outcome.error else f"{outcome.accuracy:.1f} %"
        log(f"trained {outcome.job.arch.summary()}: {acc}")

    for outcome in run_trials([TrainJob(c) for c in missing], settings, address=address,
                              asha=False, on_outcome=record):
        done[outcome.job.arch.arch_id] = (outcome.status, outcome.accuracy,
                                          outcome.energy_mj, outcome.error)
    return done


def scatter_rows(cfgs: list[ArchConfig], scores: dict, trained: dict,
                 proxies: Sequence[str] = PROXIES) -> list[dict]:
    """One row per architecture: family, every proxy, accuracy (%) and how training went."""
    rows = []
    for cfg in cfgs:
        values = scores[cfg.arch_id]
        status, accuracy, energy, error = trained[cfg.arch_id]
        rows.append({
            "arch_id": cfg.arch_id, "family": mixer_family(cfg), "summary": cfg.summary(),
            **{p: values.get(p, math.nan) for p in proxies},
            "macs_per_step": values.get("macs_per_step"), "accuracy": accuracy,
            "trained_energy_mj": energy, "status": status, "error": error,
        })
    return rows


def run_scatter(storage, space_name: str, *, preset: str = "quick",
                samples: int | None = None, epochs: int | None = None,
                dataset: str | None = None, seed: int = 0, data_dir: str | None = None,
                download: bool = False, address: str | None = None,
                log: Log = lambda _: None) -> ScatterRun:
    """Sample, score and train; the rows for the scatter and its correlations.

    ``download`` fetches a missing CIFAR into ``data_dir`` here, once, before any trial.
    """
    from autost.space import load_space

    if preset not in PRESETS:
        raise unknown_name("scatter preset", preset, PRESETS)
    chosen = PRESETS[preset]
    dataset = dataset or chosen.dataset
    ensure_dataset(dataset, data_dir, download)
    space = load_space(space_name)
    cfgs = sample_architectures(space, samples or chosen.samples, seed, chosen)
    settings = TrainSettings(dataset=dataset, epochs=epochs or chosen.epochs,
                             batch_size=chosen.batch_size, lr=chosen.lr, seed=seed,
                             max_batches=chosen.max_batches, surrogate=chosen.surrogate,
                             data_dir=data_dir)
    score_settings = calibration_settings(dataset, data_dir, chosen.surrogate)
    storage.record_run(f"scatter/{space.name}", space.name,
                       {"preset": preset, "samples": len(cfgs), "epochs": settings.epochs,
                        "dataset": dataset, "score_settings": score_settings.key()}, seed)
    scores = score_all(storage, cfgs, space.name, score_settings, log)
    cfgs = [c for c in cfgs if c.arch_id in scores]
    trained = train_all(storage, cfgs, settings, address=address, log=log)
    rows = scatter_rows(cfgs, scores, trained)
    ok = sum(r["status"] == "ok" for r in rows)
    title = (f"{space.name}: {counted(ok, 'random architecture')}, "
             f"{counted(settings.epochs, 'epoch')} on {dataset} ({preset})")
    return ScatterRun(rows, PROXIES, title)
