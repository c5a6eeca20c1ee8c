"""Search quality end to end: do the architectures a search hands over train better than random
ones at the same energy?

Per space and search seed, four methods get the same budget of scored candidates:

- ``random``: k architectures drawn uniformly from the space (what a user without autost
  would train; nothing scored);
- ``flops``: ``flops:max energy:min``, AutoST's proxy (Wang et al., ICML 2023);
- ``naswot``: ``naswot:max energy:min``;
- ``predicted``: ``predicted:max energy:min`` with the built-in predictor refitted without
  the benchmarked space's trainings (leave one space out: fitted by
  ``autost.report.predictor_fit`` on the fidelity trainings of the other spaces), so the
  search never sees its own answers.

Each search hands over the k architectures ``autost search`` lists: spread evenly along its
front (:func:`autost.search.front.handed_over`). Every handed-over architecture is trained
with the fidelity study's recipe on its surrogate (``autost.train.fidelity.PRESETS``);
trainings and scores are keyed by recipe and settings in ``--storage``, so a rerun trains
and scores nothing twice. The table (``autost.report.search_quality``) gives per space and
method the hypervolume of the trained (accuracy, full-size energy) set, the best accuracy at
or below the median energy and the mean accuracy, each with a bootstrap 95 % interval over
seeds and architectures, the paired hypervolume difference against random and flops, and
the wall time; then the targets: ``predicted`` beats random on every space and flops on at
least two of three, with paired intervals above zero.

About 90 minutes of two CPU cores for three spaces, two seeds and budget 300 from an empty
database. It needs a fidelity database holding trainings of the other spaces with the same
preset (``python benchmarks/fidelity.py`` or ``autost fidelity --space S --preset cpu``, or
the recorded ones: ``python benchmarks/trainings_file.py import
docs/fidelity_trainings.jsonl sqlite:///fidelity.db``), which must not be ``--storage``: the
benchmark's own trainings would enter the predictors it judges. Usage:
    python benchmarks/search_quality.py --fidelity-storage sqlite:///fidelity.db
        [--preset cpu|test] [--budget 300] [-k 6] [--seeds 0 1]
        [--spaces mixed spikformer stmixer] [--predictor-spaces A B ...]
        [--storage URL] [--ray-cpus N] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

SPACES = ("mixed", "spikformer", "stmixer")
PREDICTOR_SPACES = ("mixed", "spikformer", "stmixer", "autost-tiny", "autost-small")
METHODS = {
    "random": None,
    "flops": ("flops:max", "energy:min"),
    "naswot": ("naswot:max", "energy:min"),
    "predicted": ("predicted:max", "energy:min"),
}
JUDGED = "predicted"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def loso_predictor(fidelity, storage, space: str, spaces, dataset: str, surrogate: str):
    """The built-in predictor's fit (proxies chosen and fitted across spaces, inputs scored
    on each trained surrogate with prior rates on digits) on the trainings through
    ``surrogate`` of ``spaces`` other than ``space``; stored in ``storage`` as
    ``loso-SPACE``."""
    from autost.proxies import ScoreSettings, list_proxies
    from autost.report.predictor_fit import fit_across_spaces, spaces_from_trainings

    others = [s for s in spaces if s != space]
    proxies = list_proxies()
    data, epochs, surrogate = spaces_from_trainings(
        fidelity, dataset=dataset, spaces=others, proxies=proxies,
        settings=ScoreSettings(rates="prior", dataset="digits", surrogate=surrogate), log=log)
    predictor = fit_across_spaces(
        f"loso-{space}", data, proxies, dataset=dataset, epochs=epochs,
        score_settings=ScoreSettings(rates="prior", dataset="digits",
                                     surrogate=surrogate).to_dict())
    storage.put_predictor(predictor, replace=True)
    log(f"{space}: predictor fitted on {', '.join(others)}: {'+'.join(predictor.proxies)}, "
        f"leave-one-space-out tau {predictor.cv_kendall_tau:+.2f}")
    return predictor


def study_seconds(storage, name: str) -> float:
    """Wall time of a study's trials: first start to last completion (stable on reruns)."""
    from optuna.trial import TrialState

    from autost.storage import load_study

    trials = load_study(storage, name).get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not trials:
        return 0.0
    end = max(t.datetime_complete for t in trials)
    return (end - min(t.datetime_start for t in trials)).total_seconds()


def hand_over(storage, url: str, space, method: str, seed: int, args, predictor):
    """(architectures handed over, study name or None) of one method and seed."""
    import autost
    from autost.search.derived import predictor_attrs
    from autost.search.front import handed_over
    from autost.train.fidelity import PRESETS
    from autost.train.scatter import sample_architectures

    if METHODS[method] is None:
        cfgs = sample_architectures(space, args.k, seed, PRESETS[args.preset].base)
        for cfg in cfgs:
            storage.add_candidate(cfg, space.name)
        return cfgs, None
    tag = method if predictor is None else f"{method}-{predictor_attrs(predictor)['digest'][:8]}"
    name = f"quality-{space.name}-{tag}-b{args.budget}-s{seed}"
    result = autost.search(space.name, budget=args.budget, objectives=list(METHODS[method]),
                           seed=seed, study_name=name, storage=url, progress=False,
                           predictor=None if predictor is None else predictor.name)
    log(f"{space.name} {method} seed {seed}: {result.complete} trials, front of "
        f"{len(result.best)}, {result.wall_s:.0f} s this run")
    ids = handed_over(storage, name, args.k)
    found = storage.get_candidates(ids)
    return [found[i] for i in ids], name


def run_space(storage, fidelity, url: str, space_name: str, args) -> tuple[list[dict], dict]:
    """The handed-over rows of one space (every method and seed, trained) and the search
    seconds per method."""
    from autost.proxies import ScoreSettings
    from autost.space import load_space
    from autost.storage.score_sets import complete_scores
    from autost.train.fidelity import PRESETS
    from autost.train.records import cached_trainings
    from autost.train.scatter import train_all

    preset = PRESETS[args.preset]
    space = load_space(space_name)
    predictor = loso_predictor(fidelity, storage, space_name, args.predictor_spaces,
                               preset.base.dataset, preset.base.surrogate)
    handed, seconds = [], {}
    for method in METHODS:
        for seed in args.seeds:
            cfgs, study = hand_over(storage, url, space, method, seed, args,
                                    predictor if method == JUDGED else None)
            seconds[(space_name, method)] = (seconds.get((space_name, method), 0.0)
                                             + (study_seconds(storage, study) if study else 0))
            handed += [(method, seed, cfg) for cfg in cfgs]
    cost = ScoreSettings(rates="prior")
    energy = {cfg.arch_id: complete_scores(storage, cfg, ["energy"], cost)[0]["energy"]
              for _, _, cfg in handed}
    distinct = list({cfg.arch_id: cfg for _, _, cfg in handed}.values())
    settings = preset.settings(0, args.data_dir)
    trained = train_all(storage, distinct, settings, address=None, log=log)
    stored = cached_trainings(storage, [c.arch_id for c in distinct], settings)
    rows = []
    for method, seed, cfg in handed:
        status, accuracy, _, error = trained[cfg.arch_id]
        row = stored.get(cfg.arch_id)
        rows.append({
            "space": space_name, "dataset": preset.base.dataset, "method": method,
            "seed": seed, "arch_id": cfg.arch_id,
            "summary": cfg.summary(), "energy_mj": energy[cfg.arch_id],
            "accuracy": accuracy if status == "ok" else None, "status": status,
            "train_s": row.seconds if row else None,
            "error": error})
    return rows, seconds


def write_outputs(rows, seconds, out: Path, title: str, seed: int) -> list[dict]:
    """search_quality.csv, handed_over.csv and search_quality.png in ``out``; the table."""
    from autost.data.catalog import num_classes
    from autost.report.export import write_text
    from autost.report.search_quality import COLUMNS, plot_quality, quality_table, references
    from autost.tables import csv_text

    chance = {r["space"]: 100.0 / num_classes(r["dataset"]) for r in rows}
    table = quality_table(rows, chance, seconds, seed=seed)
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "search_quality.csv", csv_text(table, COLUMNS))
    write_text(out / "handed_over.csv", csv_text(rows))
    plot_quality(rows, references(rows, chance), list(METHODS), out / "search_quality.png",
                 title)
    return table


def table_text(table: list[dict]) -> str:
    from autost.report.fidelity_files import with_interval
    from autost.tables import aligned

    headers = ["space", "method", "trained", "hypervolume", "best at median energy (%)",
               "mean accuracy (%)", "hv - random", "hv - flops", "search s", "train s"]
    return aligned(headers, [
        [r["space"], r["method"], f"{r['trained']}/{r['handed_over']}",
         with_interval(r, "hypervolume", ".3f"), with_interval(r, "best_at_median", ".1f"),
         with_interval(r, "mean_accuracy", ".1f"), with_interval(r, "hv_minus_random", "+.3f"),
         with_interval(r, "hv_minus_flops", "+.3f"), f"{r['search_s']:.0f}", f"{r['train_s']:.0f}"]
        for r in table], right={2, 8, 9})


def main(argv=None) -> None:
    from autost.train.fidelity import PRESETS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(set(PRESETS) - {"paper"}), default="cpu")
    parser.add_argument("--budget", type=int, default=300,
                        help="Complete trials per search (scored candidates).")
    parser.add_argument("-k", type=int, default=6, help="Architectures each method hands over.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--spaces", nargs="+", default=list(SPACES))
    parser.add_argument("--predictor-spaces", nargs="+", default=list(PREDICTOR_SPACES),
                        help="Spaces whose fidelity trainings fit the predictor (the "
                             "benchmarked space is always left out).")
    parser.add_argument("--storage", default="sqlite:///search_quality.db")
    parser.add_argument("--fidelity-storage", default="sqlite:///fidelity.db",
                        help="The database holding the fidelity trainings of the "
                             "predictor's spaces.")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--ray-cpus", type=int, default=None,
                        help="CPUs of the local Ray that trains (default: all).")
    parser.add_argument("--out", default="search_quality")
    args = parser.parse_args(argv)
    try:
        run(args)
    except Exception as e:  # one Error line for what autost refuses, as its commands do
        from autost.exceptions import AutostError

        if not isinstance(e, AutostError):
            raise
        sys.exit(f"Error: {e}")


def run(args) -> None:
    from autost.data.catalog import ensure_dataset
    from autost.exceptions import AutostError
    from autost.storage import open_storage
    from autost.train.fidelity import PRESETS
    from autost.train.tuning import ray_session, start_local_ray

    if args.k < 1 or args.budget < 1:
        raise AutostError(f"-k {args.k} and --budget {args.budget} must both be 1 or more")
    if args.storage == args.fidelity_storage:
        raise AutostError("--storage and --fidelity-storage name one database; the "
                          "benchmark's trainings would enter the predictors it judges: give "
                          "two databases")
    preset = PRESETS[args.preset]
    ensure_dataset(preset.base.dataset, args.data_dir)
    fidelity = open_storage(args.fidelity_storage, create=False)
    storage = open_storage(args.storage)  # created only once every check has passed
    started = time.perf_counter()
    rows, seconds = [], {}
    if args.ray_cpus:
        start_local_ray(args.ray_cpus)
    with ray_session():
        for space in args.spaces:
            began = time.perf_counter()
            more, times = run_space(storage, fidelity, args.storage, space, args)
            rows += more
            seconds |= times
            log(f"{space} done in {time.perf_counter() - began:.0f} s")
            title = (f"{args.preset} preset, budget {args.budget}, k {args.k}, seeds "
                     f"{' '.join(map(str, args.seeds))}")
            table = write_outputs(rows, seconds, Path(args.out), title, seed=0)
    print(table_text(table), end="")
    from autost.report.search_quality import targets

    print("\n".join(targets(table, JUDGED)))
    print(f"wall time {time.perf_counter() - started:.0f} s for {', '.join(args.spaces)} "
          f"(this run; reused scores and trainings cost nothing)")


if __name__ == "__main__":
    main()
