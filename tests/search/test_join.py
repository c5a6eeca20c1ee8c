"""A worker joining a study waits for it and for its settings, which arrive in one write."""

import threading
import time

import optuna
import pytest

from autost.exceptions import SearchConfigError
from autost.search.join import wait_for_plan
from autost.search.plan import SearchPlan
from autost.storage import open_storage
from autost.storage.optuna_tables import write_study_attrs

SETTINGS = {"space": "stmixer", "space_source": "stmixer", "objectives": ["flops:max"],
            "constraints": {}, "sampler": "random", "seed": 3, "rates": "prior", "budget": 7,
            "score_settings": {"rates": "prior"}}


@pytest.fixture
def rdb(sqlite_url):
    storage = open_storage(sqlite_url)
    yield storage.optuna_storage()
    storage.close()


def test_settings_written_while_the_worker_waits_are_read_whole(rdb, capsys):
    optuna.create_study(study_name="s", storage=rdb)  # being created: no settings yet
    writer = threading.Timer(0.8, write_study_attrs, (rdb, "s", SETTINGS))
    writer.start()
    started = time.monotonic()
    plan = wait_for_plan(rdb, "s", "URL", wait_s=30)
    writer.join()
    assert 0.8 <= time.monotonic() - started < 10
    assert plan == SearchPlan.from_user_attrs(SETTINGS) and plan.budget == 7
    assert capsys.readouterr().err == (
        "waiting up to 30 s for study 's' to appear in URL (started by `autost search`)\n")


def test_a_study_that_never_gets_settings_is_the_settings_error(rdb, capsys):
    optuna.create_study(study_name="s", storage=rdb)
    with pytest.raises(SearchConfigError, match="^the study has no autost settings"):
        wait_for_plan(rdb, "s", "URL", wait_s=0.3)


def test_an_existing_study_is_read_at_once(rdb, capsys):
    study = optuna.create_study(study_name="s", storage=rdb)
    write_study_attrs(rdb, "s", SETTINGS)
    assert wait_for_plan(rdb, "s", "URL", wait_s=30).seed == 3
    assert study.user_attrs == SETTINGS  # Optuna reads what was written
    assert capsys.readouterr().err == ""
