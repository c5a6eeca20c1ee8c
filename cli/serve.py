"""``autost serve``: the HTTP API, web pages and job queue over the results database."""

import click

from autost.cli.options import storage_option
from autost.wording import counted


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; anything but loopback needs AUTOST_TOKEN set.")
@click.option("--port", default=8642, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 takes a free one (the one taken is printed).")
@storage_option()
@click.option("--jobs", "slots", default=1, show_default=True, type=click.IntRange(min=1),
              help="Searches and trainings that run at the same time, each in its own "
                   "process.")
@click.option("--private/--public", default=None,
              help="Whether reads need the token too (pages ask for it once per browser). "
                   "Default: private unless --host is loopback.")
@click.option("--new", "create", is_flag=True,
              help="Start an empty database when the SQLite file does not exist yet "
                   "(otherwise that is an error).")
def serve(host, port, storage_url, slots, private, create):
    """Serve the results database: JSON API under /api/, pages, and a job queue.

    Submitting or cancelling a job needs the bearer token from AUTOST_TOKEN, or the one
    generated and printed at start; on a private server reads need it too. SIGTERM stops
    the jobs (searches resume at the next start) and exits 0; Ctrl-C exits 130.
    """
    from autost.service.auth import TOKEN_ENV, is_loopback, server_token

    token, generated = server_token()
    if generated and not is_loopback(host):
        raise click.UsageError(f"--host {host} opens the server beyond this machine; set "
                               f"{TOKEN_ENV} to a secret token first (writes need it)")
    private = not is_loopback(host) if private is None else private
    from autost.exceptions import MissingDatabaseError
    from autost.service import create_app, server
    from autost.storage import open_storage

    try:
        storage = open_storage(storage_url, create=create)
    except MissingDatabaseError as e:
        raise MissingDatabaseError(f"{e}; or pass --new to serve a new, empty one") from e
    sock = server.bind(host, port)
    app = create_app(storage, token, slots, private=private)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"autost serve: http://{shown}:{sock.getsockname()[1]}/ (storage "
               f"{storage.masked_url}, {counted(slots, 'job')} at a time, reads "
               f"{'need the token' if private else 'open'})")
    if generated:
        click.echo(f"token for writes (printed once; set {TOKEN_ENV} to choose it): {token}")
    raise SystemExit(server.run(app, sock))
