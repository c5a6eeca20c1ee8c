"""Search quality: do the architectures a search hands over train better than random ones?

Rows are the handed-over architectures, one per (space, method, search seed, architecture),
with their full-size energy (mJ per image, prior rates) and trained accuracy (%, None when
the training failed). Per space and method the table gives, each with a bootstrap 95 %
interval over seeds and architectures (:func:`autost.report.bootstrap.nested_bootstrap`),
the mean over seeds of

- ``hypervolume``: the area the trained (accuracy up, energy down) set dominates
  (:mod:`autost.report.hypervolume`) against the space's reference point (chance accuracy,
  the largest energy any method handed over), as a share of the box from chance to 100 %
  and from zero to that energy (1 would be 100 % at no energy);
- ``best_at_median``: the best accuracy at or below the space's median handed-over energy
  (chance where a set has none there: nothing useful at that energy);
- ``mean_accuracy``: what an average handed-over architecture reaches;

and the paired difference in hypervolume against each baseline method (same seeds drawn;
architectures drawn per method), the judgement NAS papers make against random search at
an equal budget (Li and Talwalkar, "Random search and reproducibility for neural
architecture search", UAI 2019).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autost.report.bootstrap import Estimate, nested_bootstrap
from autost.report.hypervolume import hypervolume

FULL_ACCURACY = 100.0
BASELINES = ("random", "flops")
COLUMNS = (
    "space", "method", "seeds", "handed_over", "trained",
    "hypervolume", "hypervolume_low", "hypervolume_high",
    "best_at_median", "best_at_median_low", "best_at_median_high",
    "mean_accuracy", "mean_accuracy_low", "mean_accuracy_high",
    *(f"hv_minus_{b}{end}" for b in BASELINES for end in ("", "_low", "_high")),
    "ref_accuracy", "ref_energy_mj", "median_energy_mj", "search_s", "train_s",
)


@dataclass(frozen=True)
class Reference:
    """One space's yardsticks, shared by every method: chance accuracy, the largest and the
    median energy handed over by any method (mJ)."""

    accuracy: float
    energy: float
    median_energy: float

    def hypervolume(self, points: np.ndarray) -> float:
        """The share of the box [accuracy, 100] x [0, energy] that ``points`` [n, 2] of
        (accuracy, energy) dominate."""
        box = (FULL_ACCURACY - self.accuracy) * self.energy
        return hypervolume(points[:, 0], points[:, 1], self.accuracy, self.energy) / box

    def best_at_median(self, points: np.ndarray) -> float:
        cheap = points[points[:, 1] <= self.median_energy, 0]
        return float(cheap.max()) if len(cheap) else self.accuracy


def _mean_accuracy(points: np.ndarray) -> float:
    return float(points[:, 0].mean()) if len(points) else math.nan


def references(rows: Sequence[dict], chance: Mapping[str, float]) -> dict[str, Reference]:
    """Per space, its Reference from every handed-over architecture of every method."""
    energies = defaultdict(list)
    for row in rows:
        energies[row["space"]].append(row["energy_mj"])
    return {space: Reference(chance[space], float(max(e)), float(np.median(e)))
            for space, e in energies.items()}


def _trained_points(rows: Sequence[dict]) -> dict[tuple[str, str], dict[int, np.ndarray]]:
    """(space, method) -> seed -> [n, 2] (accuracy, energy) of its trained architectures."""
    points: dict = defaultdict(lambda: defaultdict(list))
    for row in rows:
        bucket = points[(row["space"], row["method"])][row["seed"]]
        if row["accuracy"] is not None:
            bucket.append((row["accuracy"], row["energy_mj"]))
    return {key: {seed: np.array(p, dtype=float).reshape(len(p), 2)
                  for seed, p in by_seed.items()}
            for key, by_seed in points.items()}


def _columns(name: str, estimate: Estimate) -> dict:
    return {name: estimate.value, f"{name}_low": estimate.low, f"{name}_high": estimate.high}


def quality_table(rows: Sequence[dict], chance: Mapping[str, float],
                  search_seconds: Mapping[tuple[str, str], float], *, seed: int = 0
                  ) -> list[dict]:
    """One row per (space, method) in the order the rows first name them (see COLUMNS).

    ``search_seconds[(space, method)]``: the wall time of its searches; ``train_s`` adds the
    stored training seconds of its architectures (rows' ``train_s``).
    """
    refs = references(rows, chance)
    points = _trained_points(rows)
    table = []
    for space, method in dict.fromkeys((r["space"], r["method"]) for r in rows):
        ref, mine = refs[space], points[(space, method)]
        seeds = sorted(mine)
        groups = [(mine[s],) for s in seeds]
        own = [r for r in rows if r["space"] == space and r["method"] == method]
        row = {"space": space, "method": method, "seeds": len(seeds),
               "handed_over": len(own), "trained": sum(r["accuracy"] is not None for r in own)}
        row |= _columns("hypervolume", nested_bootstrap(ref.hypervolume, groups, seed=seed))
        row |= _columns("best_at_median", nested_bootstrap(ref.best_at_median, groups,
                                                           seed=seed))
        row |= _columns("mean_accuracy", nested_bootstrap(_mean_accuracy, groups, seed=seed))
        for baseline in BASELINES:
            row |= _columns(f"hv_minus_{baseline}",
                            _paired(ref, mine, points.get((space, baseline)), method, baseline,
                                    seed))
        row |= {"ref_accuracy": ref.accuracy, "ref_energy_mj": ref.energy,
                "median_energy_mj": ref.median_energy,
                "search_s": search_seconds.get((space, method), 0.0),
                "train_s": sum(r["train_s"] or 0.0 for r in own)}
        table.append(row)
    return table


def _paired(ref: Reference, mine: dict, theirs: dict | None, method: str, baseline: str,
            seed: int) -> Estimate:
    """Hypervolume of ``mine`` minus ``theirs`` over the seeds both have (NaN against
    itself or a baseline that was not run)."""
    if theirs is None or method == baseline:
        return Estimate(math.nan, math.nan, math.nan)
    groups = [(mine[s], theirs[s]) for s in sorted(mine) if s in theirs]
    return nested_bootstrap(lambda a, b: ref.hypervolume(a) - ref.hypervolume(b), groups,
                            seed=seed)


def targets(table: Sequence[dict], judged: str) -> list[str]:
    """The issue's targets for method ``judged``, met or not: it beats random on every space
    and flops on at least two of three, in hypervolume, with paired intervals above zero."""
    mine = [r for r in table if r["method"] == judged]
    lines = []
    for baseline, need in (("random", len(mine)), ("flops", min(2, len(mine)))):
        column = f"hv_minus_{baseline}"
        beaten = [r["space"] for r in mine if r[f"{column}_low"] > 0]
        verdict = "met" if len(beaten) >= need and mine else "NOT met"
        lines.append(f"{judged} beats {baseline} in hypervolume (paired interval above zero) "
                     f"on >= {need} of {len(mine)} spaces: {verdict} "
                     f"({', '.join(beaten) or 'none'})")
    return lines


def plot_quality(rows: Sequence[dict], refs: Mapping[str, Reference], methods: Sequence[str],
                 path: Path, title: str) -> None:
    """Trained accuracy against full-size energy, one colour per method, one panel per space;
    chance accuracy dashed and the median energy dotted."""
    from matplotlib import colormaps

    from autost.report.export import save_figure, subplots

    spaces = list(dict.fromkeys(r["space"] for r in rows))
    fig, axes = subplots(nrows=1, ncols=len(spaces), figsize=(4.6 * len(spaces), 4.0),
                         dpi=110, squeeze=False)
    colours = dict(zip(methods, colormaps["tab10"].colors, strict=False))
    for ax, space in zip(axes[0], spaces, strict=True):
        for method in methods:
            mine = [r for r in rows if r["space"] == space and r["method"] == method
                    and r["accuracy"] is not None]
            ax.scatter([r["energy_mj"] for r in mine], [r["accuracy"] for r in mine], s=28,
                       alpha=0.8, color=colours[method], edgecolors="black", linewidths=0.4,
                       label=method)
        ax.axhline(refs[space].accuracy, color="grey", ls="--", lw=0.8, label="chance")
        ax.axvline(refs[space].median_energy, color="grey", ls=":", lw=0.8,
                   label="median energy")
        ax.set_title(space)
        ax.set_xlabel("energy, full size (mJ per image, prior rates)")
        ax.set_ylabel("trained accuracy (%)")
        ax.grid(True, alpha=0.3)
    axes[0][0].legend(fontsize=7, loc="lower right")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)
