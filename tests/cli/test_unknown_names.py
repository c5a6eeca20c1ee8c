"""The one rule for unknown names (README, "A tour"): a name of something autost ships that
it does not know is misuse and exits 2, whether click or the library resolves it; a name of
something the database should hold and does not is bad input and exits 1. Either way one
``Error:`` line, and nothing is written."""

import pytest
from click.testing import CliRunner

from autost.cli import main

SHIPPED = [
    (["nosuch"], "unknown command 'nosuch'"),
    (["search", "--space", "nosuch", "--budget", "1"], "unknown space 'nosuch'"),
    (["search", "--space", "stmixer", "--budget", "1", "--objective", "nosuch:max"],
     "unknown objective proxy 'nosuch'"),
    (["search", "--space", "stmixer", "--budget", "1", "--objective", "flops+nosuch"],
     "unknown proxy 'nosuch'"),
    (["search", "--space", "stmixer", "--budget", "1", "--sampler", "nosuch"],
     "unknown sampler 'nosuch'"),
    (["search", "--space", "stmixer", "--budget", "1", "--dataset", "nosuch"],
     "unknown dataset 'nosuch'"),
    (["calibrate", "--dataset", "digits", "--name", "fm", "--proxies", "flops,nosuch"],
     "Invalid value for '--proxies': unknown proxy 'nosuch'"),
    (["calibrate", "--dataset", "nosuch", "--name", "fm"], "unknown dataset 'nosuch'"),
    (["score", "--preset", "nosuch"], "unknown preset 'nosuch'"),
    (["score", "--preset", "spikformer-4-384", "--proxies", "nosuch"],
     "Invalid value for '--proxies': unknown proxy 'nosuch'"),
    (["models", "show", "nosuch"], "unknown preset 'nosuch'"),
    (["spaces", "show", "nosuch"], "unknown space 'nosuch'"),
    (["fidelity", "--space", "nosuch", "--preset", "test"], "unknown space 'nosuch'"),
    (["reproduce", "scatter", "--space", "nosuch", "--out", "out"], "unknown space 'nosuch'"),
    (["fidelity", "--space", "stmixer", "--preset", "nosuch"],
     "Invalid value for '--preset': 'nosuch' is not one of 'cpu', 'test', 'paper'."),
]


def _run_in(folder, monkeypatch, args):
    monkeypatch.chdir(folder)
    return CliRunner().invoke(main, args)


@pytest.mark.parametrize("args, message", SHIPPED, ids=lambda a: " ".join(a)
                         if isinstance(a, list) else "")
def test_an_unknown_name_of_something_autost_ships_exits_2(args, message, tmp_path,
                                                            monkeypatch):
    result = _run_in(tmp_path, monkeypatch, args)
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {message}"), result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, message", [
    (["pareto", "--study", "nosuch"], "no study 'nosuch' in {url}"),
    (["results", "show", "nosuch"], "no candidate with arch_id 'nosuch' in {url}"),
    (["search", "--space", "stmixer", "--budget", "1", "--objective", "predicted:max",
      "--predictor", "nosuch"], "unknown predictor 'nosuch'; known predictors: builtin"),
], ids=lambda a: " ".join(a[:2]) if isinstance(a, list) else "")
def test_an_unknown_name_of_something_stored_exits_1(scored_study, args, message):
    storage, _ = scored_study
    result = CliRunner().invoke(main, [*args, "--storage", storage.url])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {message.format(url=storage.masked_url)}")
