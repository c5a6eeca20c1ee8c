"""A database URL on SQLite and on PostgreSQL, and Optuna studies as an older autost's search
left them."""

import optuna
import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """The same test on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'a.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def write_study():
    """``write(storage, name, trial_attrs)``: an Optuna study with one COMPLETE trial (value
    1.0) per dict of user attrs, written through Optuna's own API."""

    def write(storage, name: str, trial_attrs) -> None:
        study = optuna.create_study(study_name=name, storage=storage.optuna_storage())
        for attrs in trial_attrs:
            trial = study.ask()
            for key, value in attrs.items():
                trial.set_user_attr(key, value)
            study.tell(trial, 1.0)

    return write
