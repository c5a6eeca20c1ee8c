"""``autost search`` and ``autost worker``: thin click layers over autost.search."""

import click

from autost.cli.options import Checked, echo_json, json_option, storage_option
from autost.cost.constants import SCORING_RATE_SOURCES
from autost.cost.hardware import check_energy_model
from autost.wording import counted

SHOWN_BEST = 10


def _quantity(text: str, option: str) -> float:
    """A positive number with an optional SI suffix: 12M, 1.5G, 250k, 1.5."""
    from autost.exceptions import SearchConfigError
    from autost.quantity import parse_quantity

    return parse_quantity(text, option, SearchConfigError)


def _sampler(name: str, option: str) -> str:
    from autost.search.samplers import check_sampler

    return check_sampler(name)


QUANTITY = Checked(_quantity, "NUMBER")


def _common(f):
    for option in reversed([
        storage_option(),
        click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
                     help="Local processes that score candidates in parallel."),
        json_option("the result as JSON"),
        click.option("--progress/--no-progress", default=True, show_default=True,
                     help="Progress bar on stderr."),
    ]):
        f = option(f)
    return f


@click.command()
@click.option("--space", required=True, metavar="NAME|FILE",
              help="A named space (autost spaces list) or a .toml file.")
@click.option("--budget", required=True, type=click.IntRange(min=1),
              help="COMPLETE trials the study should hold; a rerun adds only what is missing.")
@click.option("--objective", "objectives", multiple=True, metavar="NAME[:max|min]",
              help="Objective, repeatable: a proxy, a rank aggregate of proxies joined by + "
                   "(zico+flops), or predicted (with --predictor). Default: predicted:max with "
                   "the built-in predictor, and energy:min (a forward and backward pass of "
                   "each candidate's small surrogate; see the README's built-in predictor); "
                   "a rerun keeps the study's.")
@click.option("--predictor", default=None, metavar="NAME",
              help="Predictor for the objective predicted: built in (autost predictors list) "
                   "or fitted by autost calibrate. Default: builtin.")
@click.option("--max-params", type=QUANTITY, default=None,
              help="Ceiling on parameters, e.g. 12M.")
@click.option("--max-macs", type=QUANTITY, default=None,
              help="Ceiling on MACs per image over all time steps, e.g. 2G.")
@click.option("--max-energy", type=QUANTITY, default=None,
              help="Ceiling on energy, mJ per image.")
@click.option("--sampler", type=Checked(_sampler, "NAME"), default=None,
              help="tpe (default), nsga2, nsga3, random, qmc, gp or grid (finite spaces only).")
@click.option("--study", "study_name", default=None, help="Study name (default: the space's).")
@click.option("--rates", type=click.Choice(SCORING_RATE_SOURCES), default=None,
              help="Firing rates behind SOPs and energy: literature priors (default, no "
                   "forward pass) or measured at init on a calibration batch (seconds per "
                   "candidate; use --workers).")
@click.option("--dataset", default=None,
              help="Calibration images of the data-dependent proxies (default: digits; with "
                   "--predictor, its dataset).")
@click.option("--data-dir", default=None, type=click.Path(file_okay=False),
              help="Folder of --dataset (default: the dataset's usual place).")
@click.option("--seed", type=int, default=None,
              help="Sampler seed (default: drawn at random and recorded in the study).")
@click.option("--energy-model", type=Checked(check_energy_model, "NAME"),
              default=None,
              help="What energy counts: compute (default; arithmetic only) or memory (plus "
                   "data movement, 45 nm memories; see the README).")
@_common
def search(space, budget, objectives, predictor, max_params, max_macs, max_energy, sampler,
           study_name, rates, dataset, data_dir, storage_url, workers, seed, as_json,
           progress, energy_model):
    """Search a space: sample, score and store candidates until the study has BUDGET complete
    trials. Rerunning the same command resumes the study."""
    from autost.search.scoring_process import forked_scoring

    with forked_scoring(workers) as scoring:  # first: torch loads while Optuna does here
        from autost.search import search as run_search

        _quiet_optuna()
        constraints = {"max_params": max_params, "max_macs": max_macs,
                       "max_energy_mj": max_energy}
        result = _resumable(lambda: run_search(
            space, budget=budget, objectives=list(objectives) or None,
            constraints={k: v for k, v in constraints.items() if v is not None} or None,
            sampler=sampler, seed=seed, study_name=study_name, storage=storage_url,
            workers=workers, rates=rates, progress=progress, dataset=dataset,
            data_dir=data_dir, predictor=predictor, energy_model=energy_model,
            scoring=scoring,
        ))
    _echo(result, as_json)


@click.command()
@click.option("--study", "study_name", required=True, help="Name of the study to join.")
@click.option("--seed", type=int, default=None,
              help="Mixed with the study's seed (default random), so workers differ.")
@click.option("--wait", "wait_s", type=click.FloatRange(min=0), default=60, show_default=True,
              metavar="SECONDS",
              help="How long to wait for the study to appear (the search that creates it may "
                   "start at the same time); 0 fails at once.")
@_common
def worker(study_name, storage_url, workers, seed, wait_s, as_json, progress):
    """Join a study started by `autost search` (its space, objectives and budget come from the
    study) and score candidates until its budget is met. Run one per machine."""
    from autost.search.scoring_process import forked_scoring

    with forked_scoring(workers) as scoring:  # as in search
        from autost.search import run_worker

        _quiet_optuna()
        result = _resumable(lambda: run_worker(
            study_name, storage=storage_url, workers=workers, seed=seed, progress=progress,
            wait_s=wait_s, scoring=scoring))
    _echo(result, as_json)


def _resumable(run):
    """``run()``; Ctrl-C or SIGTERM ends with a line that says how to resume, exit 130."""
    from autost.search.interrupts import SearchInterrupted

    try:
        return run()
    except SearchInterrupted as e:
        click.echo(f"{e}.", err=True)
        raise click.exceptions.Exit(130) from None


def _quiet_optuna() -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)


def _echo(result, as_json: bool) -> None:
    from autost.search.front import spread
    from autost.search.progress import format_number
    from autost.tables import aligned

    if as_json:
        echo_json(result.to_dict())
        return
    click.echo(f"study {result.study_name} ({result.storage}): {result.complete}/"
               f"{result.budget} complete; this run took {result.wall_s:.1f} s")
    click.echo(_run_summary(result.run))
    if result.predictor:
        p = result.predictor
        click.echo(f"objective predicted: predictor {p['name']!r} on {', '.join(p['proxies'])}, "
                   f"cross-validated Kendall tau {p['cv_kendall_tau']:+.3f}")
    if not result.best:
        click.echo("no feasible complete trial yet")
        return
    names = list(result.best[0].values)
    extra = [] if "params" in names else ["params"]
    headers = ["trial", *names, *extra, "arch_id", "architecture"]
    rows = [[b.number, *(format_number(v) for v in b.values.values()),
             *(format_number(b.params) if b.params is not None else "" for _ in extra),
             b.arch_id[:12], b.summary]
            for b in spread(result.best, SHOWN_BEST)]
    shown = (f"{SHOWN_BEST} shown, evenly spaced along it"
             if len(result.best) > SHOWN_BEST else "all shown")
    click.echo(f"Pareto front of {', '.join(result.objectives)}: "
               f"{counted(len(result.best), 'architecture')}, {shown}")
    click.echo(aligned(headers, rows), nl=False)


def _run_summary(run: dict) -> str:
    """Two sums over the trials this process told: by outcome, and by where the scores of
    those not failed came from (every part named, so the parts add up to the total)."""
    with_scores = run["complete"] + run["over_budget"]
    return (f"this run told {counted(run['told'], 'trial')}: {run['complete']} complete + "
            f"{run['over_budget']} over budget + {run['failed']} failed; scores of the "
            f"{with_scores} not failed: {run['scored']} computed here + {run['cached']} from "
            f"cache + {run['waited']} computed by another process")

