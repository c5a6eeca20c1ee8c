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


def test_running_trials_are_modelled_as_they_are_now():
    """With the constant liar, another worker's running trial that gains parameters between
    two of this trial's counts with them, as in Optuna's."""

    def run(sampler_class) -> list[float]:
        options = {"seed": 2, "n_startup_trials": 4, "constant_liar": True}
        storage = optuna.storages.InMemoryStorage()
        workers = [optuna.create_study(storage=storage, study_name="two-workers",
                                       directions=["minimize", "maximize"],
                                       sampler=sampler_class(**options), load_if_exists=True)
                   for _ in range(2)]
        suggested = []
        for _ in range(10):
            mine, theirs = (study.ask() for study in workers)
            for i in range(0, 4, 2):  # mine draws one, theirs two, mine the second
                suggested.append(mine.suggest_float(f"x{i}", 0, 1))
                suggested += [theirs.suggest_float(f"x{j}", 0, 1) for j in (i, i + 1)]
                suggested.append(mine.suggest_float(f"x{i + 1}", 0, 1))
            for study, trial in zip(workers, (mine, theirs), strict=True):
                x = [trial.params[f"x{i}"] for i in range(4)]
                study.tell(trial, [sum(x), x[0] - x[1]])
        return suggested

    assert run(SplitOnceTPESampler) == run(optuna.samplers.TPESampler)


def test_one_sampler_on_two_studies_suggests_what_optunas_suggests():
    """Two in-memory studies share a study id and, here, their number of trials."""

    def run(sampler) -> list[dict]:
        studies = [optuna.create_study(directions=["minimize", "maximize"], sampler=sampler)
                   for _ in range(2)]
        suggested = []
        for _ in range(15):
            for sign, study in zip((1, -1), studies, strict=True):
                trial = study.ask()
                cfg = SPACE.suggest(trial)
                suggested.append(trial.params)
                study.tell(trial, [sign * v for v in _values(cfg, 2)])
        return suggested

    assert run(SplitOnceTPESampler(seed=1, n_startup_trials=5)) == run(
        optuna.samplers.TPESampler(seed=1, n_startup_trials=5, constant_liar=False))


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
