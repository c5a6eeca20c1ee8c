"""``autost predictors``: list, describe and rebuild predictors (built-in and calibrated)."""

import click

from autost.cli.options import (
    echo_json,
    echo_rows,
    json_option,
    optional_storage,
    output_options,
    storage_option,
)

DEFAULT_SPACES = "mixed,spikformer,stmixer,autost-tiny,autost-small"


def _row(predictor, kind: str) -> dict:
    return {"name": predictor.name, "kind": kind, "dataset": predictor.dataset,
            "epochs": predictor.epochs, "surrogate": predictor.surrogate,
            "proxies": ",".join(predictor.proxies), "trainings": predictor.n_trainings,
            "cv_kendall_tau": predictor.cv_kendall_tau}


@click.group()
def predictors():
    """List, show and rebuild predictors of trained accuracy.

    Built-in predictors ship with autost (fitted on fidelity trainings of several spaces);
    calibrated ones are fitted by `autost calibrate` and live in a database.
    """


@predictors.command("list")
@storage_option("(calibrated predictors; default: ./autost.db where it exists)")
@output_options
def list_command(storage_url, fmt):
    """List the built-in predictors and those calibrated in the database."""
    from autost.proxies.builtin import builtin_names, load_builtin
    from autost.tables import aligned

    rows = [_row(load_builtin(n), "built-in") for n in builtin_names()]
    storage = optional_storage(storage_url)
    if storage is not None:
        rows += [_row(storage.get_predictor(n), "calibrated") for n in storage.predictor_names()]
    keys = ["name", "kind", "dataset", "epochs", "surrogate", "proxies", "trainings",
            "cv_kendall_tau"]
    echo_rows(fmt, rows, lambda: aligned(
        ["name", "kind", "dataset", "epochs", "surrogate", "proxies", "trainings",
         "tau (CV)"], [[r[k] for k in keys] for r in rows], {3, 6, 7}))


@predictors.command("show")
@click.argument("name")
@storage_option("(calibrated predictors; default: ./autost.db where it exists)")
@json_option("the predictor and its provenance as JSON")
def show_command(name, storage_url, as_json):
    """Describe one predictor: inputs, coefficients, surrogate and, for a built-in one, its
    provenance with the leave-one-space-out figures."""
    from autost.proxies.builtin import builtin_names, builtin_provenance
    from autost.search.derived import load_predictor
    from autost.tables import aligned

    builtin = name in builtin_names()
    predictor = load_predictor(None if builtin else optional_storage(storage_url), name)
    provenance = builtin_provenance(name) if builtin else {}
    if as_json:
        echo_json({"predictor": predictor.to_dict(), "provenance": provenance})
        return
    click.echo(predictor.describe())
    click.echo(f"inputs scored on the surrogate {predictor.surrogate} with "
               f"{_settings_line(predictor.score_settings)}")
    rows = [[p, "log10" if log else "", c]
            for p, log, c in zip(predictor.proxies, predictor.log, predictor.coef, strict=True)]
    click.echo(aligned(["proxy", "transform", "standardized coefficient"], rows, {2}),
               nl=False)
    if provenance:
        click.echo(f"fitted on: {provenance.get('recipe', '')}")
        figures = provenance.get("held_out", [])
        table = [[f["space"], f["n"], ",".join(f["proxies"]), _interval(f["tau"]),
                  _interval(f["partial_tau_given_flops"]), _interval(f["flops_tau"]),
                  _interval(f["naswot_tau"])] for f in figures]
        click.echo("each space held out (chosen and fitted on the others):")
        click.echo(aligned(["space", "n", "proxies", "tau", "partial tau | flops",
                            "flops tau", "naswot tau"], table, {1}), nl=False)
        fitted = provenance.get("fitted", [])
        if fitted:
            click.echo("each space as fitted (this predictor, fitted on every space):")
            click.echo(aligned(["space", "tau", "flops tau"],
                               [[f["space"], f"{f['tau']:+.2f}", f"{f['flops_tau']:+.2f}"]
                                for f in fitted], set()), nl=False)


def _settings_line(settings: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in settings.items()
                     if k in ("rates", "dataset", "batch_size", "seed"))


def _interval(estimate) -> str:
    """``+0.41 [+0.12, +0.66]``; ``-`` where undefined (NaN is stored as null)."""
    if estimate is None or estimate["value"] is None:
        return "-"
    if estimate["low"] is None:
        return f"{estimate['value']:+.2f}"
    return f"{estimate['value']:+.2f} [{estimate['low']:+.2f}, {estimate['high']:+.2f}]"


@predictors.command("build")
@click.option("--name", default="builtin", show_default=True, help="Predictor name.")
@click.option("--dataset", default="fashion-mnist", show_default=True,
              help="Fit on the trainings of this dataset.")
@click.option("--spaces", default=DEFAULT_SPACES, show_default=True, metavar="A,B,...",
              help="Spaces whose fidelity trainings it is fitted on (and held out in turn).")
@click.option("--proxies", default=None, metavar="A,B,...",
              help="Proxies it may combine with flops (default: every registered proxy).")
@click.option("--rule", default="choose", show_default=True,
              help="How the proxies are picked: choose (flops alone, flops and one other, "
                   "or every proxy, by leave-one-space-out tau), or fixed in advance: "
                   "flops-or-one, flops, all.")
@click.option("--surrogate", default=None, metavar="NAME",
              help="Fit on the trainings of this surrogate (default: the one most trained "
                   "architectures have).")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Folder for NAME.json (default: inside the installed package, where "
                   "searches find it).")
@storage_option("(a database holding autost fidelity trainings)")
@json_option("the predictor, its provenance and the figures as JSON")
def build_command(name, dataset, spaces, proxies, rule, surrogate, out_dir, storage_url,
                  as_json):
    """Rebuild a built-in predictor from the fidelity trainings of several spaces.

    Scores each trained architecture's surrogate on digits (prior rates, so a search needs
    no dataset), chooses the proxies to combine with flops by leave-one-space-out
    cross-validation (or takes the set --rule fixes), fits on every space, and prints per
    space the tau it reached when that space was held out, beside flops' and naswot's.
    """
    from pathlib import Path

    from autost.exceptions import unknown_name
    from autost.proxies import ScoreSettings, list_proxies
    from autost.proxies.builtin import FOLDER, write_builtin
    from autost.report.predictor_fit import (
        RULES,
        fit_across_spaces,
        fitted_taus,
        held_out_figures,
        spaces_from_trainings,
    )
    from autost.storage import open_storage
    from autost.surrogate import FULL, get_surrogate

    if rule not in RULES:
        raise unknown_name("proxy rule", rule, RULES)
    surrogate = get_surrogate(surrogate).name if surrogate is not None else FULL
    storage = open_storage(storage_url, create=False)
    chosen = [p.strip() for p in (proxies or ",".join(list_proxies())).split(",") if p.strip()]
    names = [s.strip() for s in spaces.split(",") if s.strip()]
    settings = ScoreSettings(rates="prior", dataset="digits", surrogate=surrogate)
    data, epochs, surrogate = spaces_from_trainings(
        storage, dataset=dataset, spaces=names, proxies=chosen, settings=settings,
        log=lambda line: click.echo(line, err=True))
    figures = held_out_figures(data, chosen, candidates=RULES[rule])
    fitted_settings = ScoreSettings(rates="prior", dataset="digits", surrogate=surrogate)
    predictor = fit_across_spaces(name, data, chosen, dataset=dataset, epochs=epochs,
                                  score_settings=fitted_settings.to_dict(),
                                  candidates=RULES[rule])
    arch_ids = [a for s in data for a in s.arch_ids]
    keys = sorted({r.settings_key for r in storage.trainings_of(arch_ids)
                   if r.dataset == dataset and r.epochs == epochs and r.status == "ok"
                   and r.surrogate == surrogate})
    provenance = {
        "spaces": {s.name: len(s.accuracy) for s in data},
        "recipe": f"{dataset}, {epochs} epoch(s), surrogate {surrogate}; accuracies of the "
                  "training seeds averaged",
        "training_keys": keys,
        "surrogate": surrogate, "dataset": dataset, "epochs": epochs,
        "candidate_proxies": chosen, "rule": rule,
        "held_out": [f.to_dict() for f in figures],
        "fitted": fitted_taus(predictor, data),
    }
    path = write_builtin(predictor, provenance, Path(out_dir) if out_dir else FOLDER)
    if as_json:
        echo_json({"predictor": predictor.to_dict(), "provenance": provenance,
                   "path": str(path)})
        return
    click.echo(f"wrote {path}")
    click.echo(predictor.describe())
    for f in figures:
        d = f.to_dict()
        click.echo(f"  {f.space} held out (n {f.n}, {'+'.join(f.proxies)}): tau "
                   f"{_interval(d['tau'])}, partial tau | flops "
                   f"{_interval(d['partial_tau_given_flops'])}, flops "
                   f"{_interval(d['flops_tau'])}, naswot {_interval(d['naswot_tau'])}")
    click.echo("fitted on every space: " + ", ".join(
        f"{f['space']} tau {f['tau']:+.2f} (flops {f['flops_tau']:+.2f})"
        for f in provenance["fitted"]))
