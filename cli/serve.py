"""``autost serve``: the HTTP API, web pages and job queue over the results database."""

import click

from autost.cli.options import storage_option
from autost.wording import counted


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; anything but loopback needs AUTOST_TOKEN set.")
@click.option("--port", default=8642, show_default=True, type=click.IntRange(0, 65535))
@storage_option()
@click.option("--jobs", "slots", default=1, show_default=True, type=click.IntRange(min=1),
              help="Searches and trainings that run at the same time, each in its own "
                   "process.")
def serve(host, port, storage_url, slots):
    """Serve the results database: JSON API under /api/, pages, and a job queue.

    Reads are open; submitting or cancelling a job needs the bearer token from AUTOST_TOKEN,
    or the one generated and printed at start.
    """
    from autost.service.auth import TOKEN_ENV, is_loopback, server_token

    token, generated = server_token()
    if generated and not is_loopback(host):
        raise click.UsageError(f"--host {host} opens the server beyond this machine; set "
                               f"{TOKEN_ENV} to a secret token first (writes need it)")
    import uvicorn

    from autost.service import create_app
    from autost.storage import open_storage

    storage = open_storage(storage_url)
    app = create_app(storage, token, slots)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"autost serve: http://{shown}:{port}/ (storage {storage.masked_url}, "
               f"{counted(slots, 'job')} at a time)")
    if generated:
        click.echo(f"token for writes (printed once; set {TOKEN_ENV} to choose it): {token}")
    uvicorn.run(app, host=host, port=port, log_level="warning")
