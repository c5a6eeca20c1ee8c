"""Optuna's TPE sampler with its split of the trials done once per trial, not once per parameter.

TPE (Bergstra et al., NeurIPS 2011) divides the finished trials into a "below" (good) and an
"above" group and draws each parameter where the below group's density outweighs the above
one's. With several objectives the division ranks the trials by non-domination and breaks
the tie by hypervolume subset selection (Ozaki et al., GECCO 2020 / JAIR 2022). Optuna's
``TPESampler`` samples each parameter of an independent search on its own and redoes that
division for every parameter, although it only depends on the trials: for stmixer trials
(about nine sampled parameters each) doing it once halves the sampler's time with 500 to
1,000 finished trials and cuts it by 60 % with 20,000 (``benchmarks/search_overhead.py``).

:class:`SplitOnceTPESampler` keeps the last division and reuses it while the trials it was
made from are unchanged (as many finished trials; with the constant liar, the same trials in
the same states), so it suggests exactly what ``TPESampler`` with the same options suggests
(``tests/search/test_tpe.py`` checks it for one and two objectives, pruned, failed and
infeasible trials, the constant liar's running trials, two workers on one study and one
sampler on two studies). It reuses Optuna's own division, Parzen estimators and
acquisition, which are private to Optuna; that test is what notices if a new Optuna changes
them.
"""

from __future__ import annotations

from typing import Any

import optuna
from optuna.samplers._tpe.sampler import (
    _split_trials,
    default_gamma,
    default_gamma_multiobjective,
)
from optuna.trial import TrialState


class SplitOnceTPESampler(optuna.samplers.TPESampler):
    """``optuna.samplers.TPESampler``, the same options and suggestions, faster per trial."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._last_split: tuple[tuple, list, list] | None = None

    def _sample(self, study, trial, search_space) -> dict[str, Any]:
        below, above = self._split(study, trial)
        below_density = self._build_parzen_estimator(study, search_space, below,
                                                     handle_below=True)
        above_density = self._build_parzen_estimator(study, search_space, above,
                                                     handle_below=False)
        candidates = below_density.sample(self._rng.rng, self._n_ei_candidates)
        scores = self._compute_acquisition_func(candidates, below_density, above_density)
        best = self._compare(candidates, scores)
        return {name: distribution.to_external_repr(best[name])
                for name, distribution in search_space.items()}

    def _split(self, study, trial) -> tuple[list, list]:
        """The (below, above) trials TPE models now, each in trial-number order: the finished
        trials, and with the constant liar the other running ones (which always go above)."""
        states = (TrialState.COMPLETE, TrialState.PRUNED)
        if self._constant_liar:
            states += (TrialState.RUNNING,)
        trials = study._get_trials(deepcopy=False, states=states,  # noqa: SLF001
                                   use_cache=not self._constant_liar)
        if self._constant_liar:
            trials = [t for t in trials if t.number != trial.number]
            # A running trial may finish between two parameters of this one: key by state.
            key = (*_study_key(study), tuple((t.number, t.state) for t in trials))
        else:
            # Finished trials never change and are never removed: their count names them.
            key = (*_study_key(study), len(trials))
        if self._gamma is None:
            self._gamma = (default_gamma if len(study.directions) <= 1
                           else default_gamma_multiobjective)
        if self._last_split is None or self._last_split[0] != key:
            finished = sum(t.state != TrialState.RUNNING for t in trials)
            self._last_split = (key, *_split_trials(study, trials, self._gamma(finished)))
        _, below, above = self._last_split
        if self._constant_liar:  # running trials as they are now, with their new parameters
            now = {t.number: t for t in trials}
            return [now[t.number] for t in below], [now[t.number] for t in above]
        return below, above


def _study_key(study) -> tuple:
    """The study, by its storage object and id: two in-memory studies may share an id."""
    return study._storage, study._study_id  # noqa: SLF001
