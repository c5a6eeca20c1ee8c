"""``autost calibrate``: fit a supervised proxy combination on the database's trainings."""

import click

from autost.cli.options import ProxyList, echo_json, json_option, storage_option
from autost.cost.constants import SCORING_RATE_SOURCES


@click.command()
@click.option("--dataset", required=True,
              help="Fit on the trainings of this dataset; its images calibrate the proxies.")
@click.option("--name", required=True, help="Name to store the predictor under.")
@click.option("--data-dir", default=None, type=click.Path(file_okay=False),
              help="Folder of --dataset, whose images calibrate the proxies (default: the "
                   "dataset's usual place).")
@click.option("--proxies", type=ProxyList(), default=None,
              help="Proxies to combine, comma-separated (default: every registered proxy). "
                   "A search with the predictor computes each of them per candidate.")
@click.option("--epochs", default=None, type=click.IntRange(min=1),
              help="Use the trainings of this many epochs (default: the epoch count most "
                   "architectures were trained for).")
@click.option("--rates", type=click.Choice(SCORING_RATE_SOURCES), default="prior",
              show_default=True, help="Firing rates behind sops and energy, as in the search "
                                      "that will use the predictor.")
@click.option("--replace", is_flag=True, help="Refit and overwrite an existing predictor.")
@storage_option()
@json_option("the predictor as JSON")
def calibrate(dataset, data_dir, name, proxies, epochs, rates, replace, storage_url, as_json):
    """Fit a ridge regression of trained accuracy on proxy values, cross-validated.

    Prints the cross-validated Kendall tau between predicted and trained accuracy; a search
    uses the predictor with --objective predicted:max --predictor NAME.
    """
    from autost.data import ensure_dataset
    from autost.proxies import ScoreSettings
    from autost.report.calibrate import calibrate as fit
    from autost.storage import open_storage
    from autost.tables import aligned

    ensure_dataset(dataset, data_dir)  # a bad name or folder fails before any scoring
    storage = open_storage(storage_url, create=False)
    settings = ScoreSettings(rates=rates, dataset=dataset, data_dir=data_dir)
    predictor = fit(storage, dataset=dataset, name=name, proxies=list(proxies or ()) or None,
                    epochs=epochs, settings=settings, replace=replace,
                    log=lambda line: click.echo(line, err=True))
    if as_json:
        echo_json(predictor.to_dict())
        return
    rows = [[p, "log10" if log else "", c]
            for p, log, c in zip(predictor.proxies, predictor.log, predictor.coef, strict=True)]
    click.echo(aligned(["proxy", "transform", "standardized coefficient"], rows, {2}),
               nl=False)
    click.echo(predictor.describe())
