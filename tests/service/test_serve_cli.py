"""``autost serve`` on the command line: refusing to open up without a token, --help."""

import pytest
from click.testing import CliRunner

from autost.cli import main


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.7", "::"])
def test_public_host_without_a_token_refuses_to_start(host, monkeypatch):
    monkeypatch.delenv("AUTOST_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["serve", "--host", host])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: --host {host} opens the server beyond this machine; set AUTOST_TOKEN to a "
        "secret token first (writes need it)")


def test_serve_help_names_every_option():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--storage", "--jobs"):
        assert option in result.output
    assert "127.0.0.1" in result.output and "8642" in result.output
