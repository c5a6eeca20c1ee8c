"""The fidelity study: how well every proxy ranks trained accuracy, measured credibly.

N architectures are drawn uniformly from a space (the scatter's seeded sampling), scored by
every registered proxy and trained with one fixed recipe, both through the preset's
surrogate (stored under the candidate's own arch_id, as a search stores it). Every
proxy gets Kendall tau, Spearman rho and precision at the top 25 % against validation
accuracy and its partial tau given FLOPs, each with a bootstrap 95 % interval (computed by
:mod:`autost.report.fidelity` from the rows this module gives). Two more sets of trainings
calibrate what those numbers can reach:

- the noise ceiling: the first ``ceiling`` architectures trained again with the next seed;
  tau between the two seeds' accuracies is what training itself agrees with;
- the horizon check: the first ``longer`` architectures trained for twice the epochs; tau
  between the two accuracies says whether the preset's ranking reflects capacity (high) or
  how fast a model learns in a few epochs (low).

Presets:

- ``cpu``: Fashion-MNIST on a 2-core CPU (24 architectures, 4 trained again, 4 trained
  twice as long: 32 trainings of 5-60 CPU-seconds, by depth and time steps). Each
  candidate trains through its ``keep8`` surrogate (:mod:`autost.surrogate`: 8x8 inputs
  downsampled from 28x28, patch size 4, 4 tokens, a quarter of the width, every block and
  time step kept, so depth and T are judged as the search chooses them; ``keep16``, with
  16 tokens at three to four times the cost, ranked no better); one epoch of 160
  batches of 64 images (a seeded random 10,240 of the 50,000 training images), validated
  once on the fixed 10,000 validation images (validating costs about a fifth of a
  training, so it runs once). The previous surrogate kept at most 4 blocks and 2 time
  steps, which hid depth and T from every accuracy it measured.
- ``test``: the synthetic set, the ``keep8`` surrogate and two batches, seconds; for the
  tests.
- ``paper``: CIFAR-10 on a GPU, configs as sampled.

Every score and training lands in the database, keyed by architecture and recipe, so a
rerun trains and scores only what is missing.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from autost.data.catalog import ensure_dataset
from autost.exceptions import AutostError, unknown_name
from autost.surrogate import get_surrogate
from autost.train.loop import TrainSettings
from autost.train.scatter import (
    ScatterPreset,
    calibration_settings,
    sample_architectures,
    scatter_rows,
    score_all,
    train_all,
)
from autost.wording import counted

Log = Callable[[str], None]


@dataclass(frozen=True)
class FidelityPreset:
    """A scatter preset plus the sizes of the noise-ceiling and horizon subsets."""

    base: ScatterPreset
    ceiling: int
    longer: int

    def settings(self, seed: int, data_dir: str | None) -> TrainSettings:
        """The one recipe every architecture of the study trains with."""
        b = self.base
        return TrainSettings(dataset=b.dataset, epochs=b.epochs, batch_size=b.batch_size,
                             lr=b.lr, seed=seed, max_batches=b.max_batches,
                             surrogate=b.surrogate, data_dir=data_dir)


PRESETS = {
    "cpu": FidelityPreset(
        ScatterPreset("cpu", "fashion-mnist", samples=24, epochs=1, batch_size=64, lr=1e-2,
                      surrogate="keep8", max_batches=160),
        ceiling=4, longer=4),
    "test": FidelityPreset(
        ScatterPreset("test", "synthetic", samples=4, epochs=1, batch_size=32, lr=1e-2,
                      surrogate="keep8", max_batches=2),
        ceiling=2, longer=2),
    "paper": FidelityPreset(
        ScatterPreset("paper", "cifar10", samples=40, epochs=30, batch_size=128, lr=1e-3,
                      surrogate="full"),
        ceiling=10, longer=10),
}


@dataclass(frozen=True)
class FidelityRun:
    """One row per architecture and what the report needs to read them.

    Each row holds every proxy, ``accuracy`` (the preset's recipe), ``accuracy_seed2`` (the
    next seed; None outside the ceiling subset) and ``accuracy_longer`` (twice the epochs;
    None outside the horizon subset), in percent. ``checks`` name the two agreements the
    report measures: (label, first column, second column).
    """

    rows: list[dict]
    proxies: tuple[str, ...]
    checks: tuple[tuple[str, str, str], ...]
    seed: int
    title: str


def _accuracies(trained: dict) -> dict:
    return {a: acc for a, (status, acc, _, _) in trained.items() if status == "ok"}


def run_fidelity(storage, space_name: str, *, preset: str = "cpu", samples: int | None = None,
                 seed: int = 0, data_dir: str | None = None, address: str | None = None,
                 surrogate: str | None = None, log: Log = lambda _: None) -> FidelityRun:
    """Sample, score by every proxy and train (twice over for the checks); the rows.

    ``surrogate`` (None: the preset's) replaces the shrink every architecture is scored and
    trained through, so two surrogates can be compared on the same sampled architectures.
    The dataset must be readable (checked here first). Tables and files come from
    :mod:`autost.report.fidelity` and :mod:`autost.report.fidelity_files`.
    """
    from autost.proxies import list_proxies
    from autost.space import load_space
    from autost.train.tuning import ray_session

    if preset not in PRESETS:
        raise unknown_name("fidelity preset", preset, PRESETS)
    chosen = PRESETS[preset]
    if surrogate is not None:
        shrink = get_surrogate(surrogate).name
        chosen = replace(chosen, base=replace(chosen.base, surrogate=shrink))
    dataset = chosen.base.dataset
    ensure_dataset(dataset, data_dir)
    space = load_space(space_name)
    n = samples or chosen.base.samples
    if n < 3:
        raise AutostError(f"a fidelity study needs at least 3 architectures, got {n}; pass "
                          "--samples 3 or more")
    cfgs = sample_architectures(space, n, seed, chosen.base)
    proxies = tuple(list_proxies())
    main = chosen.settings(seed, data_dir)
    second, longer = replace(main, seed=seed + 1), replace(main, epochs=2 * main.epochs)
    score_settings = calibration_settings(dataset, data_dir, chosen.base.surrogate)
    storage.record_run(f"fidelity/{space.name}", space.name,
                       {"preset": preset, "samples": n, "training": main.key(),
                        "score_settings": score_settings.key(), "proxies": list(proxies)},
                       seed)
    scores = score_all(storage, cfgs, space.name, score_settings, log, proxies)
    cfgs = [c for c in cfgs if c.arch_id in scores]
    with ray_session(address):
        trained = train_all(storage, cfgs, main, address=address, log=log)
        ok = [c for c in cfgs if trained[c.arch_id][0] == "ok"]
        again = _accuracies(train_all(storage, ok[:chosen.ceiling], second, address=address,
                                      log=log))
        later = _accuracies(train_all(storage, ok[:chosen.longer], longer, address=address,
                                      log=log))
    rows = scatter_rows(cfgs, scores, trained, proxies)
    for row in rows:
        row["accuracy_seed2"] = again.get(row["arch_id"])
        row["accuracy_longer"] = later.get(row["arch_id"])
    good = sum(r["status"] == "ok" for r in rows)
    title = (f"{space.name}: {counted(good, 'random architecture')}, "
             f"{counted(main.epochs, 'epoch')} on {dataset} ({preset}, surrogate "
             f"{main.surrogate})")
    checks = (("noise ceiling (seed vs seed + 1)", "accuracy", "accuracy_seed2"),
              (f"{main.epochs} vs {longer.epochs} epochs", "accuracy", "accuracy_longer"))
    return FidelityRun(rows, proxies, checks, seed, title)
