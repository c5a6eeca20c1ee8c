"""autost's TPE suggests exactly what Optuna's TPESampler suggests, splitting once per trial."""

import optuna
import pytest

from autost.search import tpe
from autost.search.tpe import SplitOnceTPESampler
from autost.space import load_space

SPACE = load_space("stmixer")
TRIALS = 40


def _values(cfg, objectives: int) -> list[float]:
    first = float(cfg.embed_dim * cfg.depth % 97)
    return [first, float(cfg.depth * cfg.timesteps)][:objectives]


def _run(sampler, objectives: int, *, parallel: bool = False) -> list[dict]:
    """The parameters suggested over TRIALS trials, finishing them in varied ways: every
    fifth pruned (with an intermediate value), every seventh failed, every third infeasible;
    with ``parallel`` three trials run at once and finish out of order."""
    study = optuna.create_study(directions=["minimize", "maximize"][:objectives],
                                sampler=sampler)
    suggested, running = [], []
    for number in range(TRIALS):
        trial = study.ask()
        cfg = SPACE.suggest(trial)
        suggested.append(trial.params)
        trial.set_constraint("ceiling", 1.0 if number % 3 == 0 else -1.0)
        running.append((trial, cfg))
        if parallel and len(running) < 3 and number < TRIALS - 1:
            continue
        while running:
            trial, cfg = running.pop(1 if len(running) > 1 else 0)
            if trial.number % 5 == 4 and objectives == 1:
                trial.report(_values(cfg, 1)[0], step=1)
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            elif trial.number % 7 == 6:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
            else:
                study.tell(trial, _values(cfg, objectives))
    return suggested


@pytest.mark.parametrize("objectives", [1, 2])
@pytest.mark.parametrize("parallel", [False, True])
def test_suggests_what_optunas_tpe_suggests(objectives, parallel):
    options = {"seed": 5, "constant_liar": parallel, "n_startup_trials": 8}
    ours = _run(SplitOnceTPESampler(**options), objectives, parallel=parallel)
    assert ours == _run(optuna.samplers.TPESampler(**options), objectives, parallel=parallel)
    assert len({tuple(sorted(p.items())) for p in ours}) > TRIALS // 2  # it did explore


def test_splits_the_trials_once_per_trial(monkeypatch):
    splits = []
    original = tpe._split_trials

    def counted(study, trials, n_below):
        splits.append(len(trials))
        return original(study, trials, n_below)

    monkeypatch.setattr(tpe, "_split_trials", counted)
    sampler = SplitOnceTPESampler(seed=0, n_startup_trials=8)
    study = optuna.create_study(directions=["minimize", "maximize"], sampler=sampler)
    sampled = 0
    for _ in range(20):
        trial = study.ask()
        cfg = SPACE.suggest(trial)
        finished = len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)))
        sampled += finished >= 8
        study.tell(trial, _values(cfg, 2))
    assert splits == list(range(8, 8 + sampled))
    assert sampled == 12
