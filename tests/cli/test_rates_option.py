"""One vocabulary of rate sources: every ``--rates`` option, the score settings and the
search plan accept the same names; only the energy estimate of a trained model adds one."""

import pytest
from click.testing import CliRunner

from autost.cli import main
from autost.cost.constants import RATE_SOURCES, SCORING_RATE_SOURCES
from autost.exceptions import SearchConfigError, UnknownNameError
from autost.proxies import ScoreSettings
from autost.search.plan import make_plan
from autost.space import load_space

COMMANDS = {"search": ["--space", "stmixer"], "score": ["--preset", "spikformer-8-384"],
            "calibrate": ["--dataset", "digits", "--name", "fit"]}


def test_scoring_takes_the_rate_sources_of_an_untrained_model():
    assert SCORING_RATE_SOURCES == ("init", "prior")
    assert RATE_SOURCES == (*SCORING_RATE_SOURCES, "trained")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_rates_option_offers_the_scoring_rate_sources(command):
    help_text = CliRunner().invoke(main, [command, "--help"]).output
    assert "--rates [init|prior]" in help_text
    result = CliRunner().invoke(main, [command, *COMMANDS[command], "--rates", "trained"])
    assert result.exit_code == 2
    assert "Invalid value for '--rates': 'trained' is not one of 'init', 'prior'." \
        in result.output


@pytest.mark.parametrize("rates", SCORING_RATE_SOURCES)
def test_settings_and_plan_accept_what_the_options_offer(rates):
    assert ScoreSettings(rates=rates).rates == rates
    assert make_plan(load_space("stmixer"), budget=1, rates=rates).settings().rates == rates


def test_settings_and_plan_refuse_the_trained_rates():
    with pytest.raises(UnknownNameError, match="unknown rate source 'trained'"):
        ScoreSettings(rates="trained")
    with pytest.raises(SearchConfigError,
                       match="^rates 'trained' must be one of init, prior$"):
        make_plan(load_space("stmixer"), budget=1, rates="trained")
