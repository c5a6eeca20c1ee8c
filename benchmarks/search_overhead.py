"""What autost adds to a bare Optuna study, measured in one run.

(a) a bare Optuna study in memory: the same sampler, seed and directions, the space's own
    ``suggest`` (so exactly the same parameters), constant objective values;
(b) the same bare study on the SQLite file that (c) uses;
(c) ``autost search --space SPACE --budget N`` with cost-only objectives (params, flops) on
    that file, timed as a command (Python start-up and imports included);
(d) ``autost search`` with the default objectives and ``--rates init`` for a few candidates:
    the time per candidate when every candidate needs the rate pass.

Targets: c <= 1.2 x b and c <= 5 x a. Usage:
    python benchmarks/search_overhead.py [--space stmixer] [--budget 500] [--init-budget 10]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

COST_OBJECTIVES = ["params:min", "flops:max"]


def bare_study(space_name: str, budget: int, sampler: str, seed: int, storage: str | None):
    """Seconds for ``budget`` ask / suggest / tell rounds with constant values."""
    import optuna

    from autost.search import create_sampler, parse_search_objective
    from autost.space import load_space

    space = load_space(space_name)
    directions = [parse_search_objective(s).study_direction for s in COST_OBJECTIVES]
    study = optuna.create_study(storage=storage, study_name="bare" if storage else None,
                                directions=directions,
                                sampler=create_sampler(sampler, seed=seed, space=space))
    started = time.perf_counter()
    for _ in range(budget):
        trial = study.ask()
        space.suggest(trial)
        study.tell(trial, [1.0] * len(directions))
    return time.perf_counter() - started


def autost_search(args: list[str], cwd: Path) -> tuple[float, dict]:
    """Wall seconds of the command and its --json result."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "autost", "search", *args, "--no-progress",
                          "--json"], capture_output=True, text=True, cwd=cwd, check=False)
    wall = time.perf_counter() - started
    if out.returncode != 0:
        sys.exit(f"autost search failed:\n{out.stderr}")
    return wall, json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space", default="stmixer")
    parser.add_argument("--budget", type=int, default=500)
    parser.add_argument("--sampler", default="tpe")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init-budget", type=int, default=10,
                        help="candidates for the --rates init timing (0 skips it)")
    opts = parser.parse_args()

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        url = f"sqlite:///{tmp / 'bench.db'}"
        common = ["--space", opts.space, "--sampler", opts.sampler, "--seed", str(opts.seed),
                  "--storage", url]
        a = bare_study(opts.space, opts.budget, opts.sampler, opts.seed, None)
        b = bare_study(opts.space, opts.budget, opts.sampler, opts.seed, url)
        objectives = [x for spec in COST_OBJECTIVES for x in ("--objective", spec)]
        c, result = autost_search([*common, "--budget", str(opts.budget), *objectives], tmp)
        rows = [("a  bare Optuna, in memory", a), ("b  bare Optuna, SQLite", b),
                ("c  autost search, cost only", c)]
        if opts.init_budget:
            d, init = autost_search([*common, "--budget", str(opts.init_budget), "--rates",
                                     "init", "--study", "rates-init"], tmp)
    n = opts.budget
    print(f"space {opts.space}, sampler {opts.sampler}, {n} trials, seed {opts.seed}")
    print(f"{'':32} {'total s':>9} {'ms/trial':>9}")
    for label, seconds in rows:
        print(f"{label:32} {seconds:9.1f} {1000 * seconds / n:9.1f}")
    run = result["run"]
    print(f"c: {run['scored']} scored, {run['cached']} from cache, "
          f"in-process {result['wall_s']} s")
    print(f"c / b = {c / b:.2f} (target <= 1.2)   c / a = {c / a:.2f} (target <= 5)")
    if opts.init_budget:
        print(f"d  --rates init, default objectives: {d:.1f} s for {opts.init_budget} candidates"
              f" = {d / opts.init_budget:.2f} s per candidate "
              f"({init['wall_s'] / opts.init_budget:.2f} s in-process)")


if __name__ == "__main__":
    main()
