"""A database URL on SQLite and on PostgreSQL, Optuna studies as an older autost's search left
them, and databases of an older schema upgraded by today's autost."""

import optuna
import pytest

from autost.storage import open_storage, schema


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


@pytest.fixture
def upgraded(url, monkeypatch):
    """``upgraded(version, fill)``: a database at schema ``version`` (made by an autost of that
    version) that ``fill(storage)`` writes rows into, then opened by today's autost, which
    upgrades it to SCHEMA_VERSION (checked); the upgraded Storage."""
    opened = []

    def upgrade(version: int, fill):
        with monkeypatch.context() as patch:
            patch.setattr(schema, "SCHEMA_VERSION", version)
            old = open_storage(url)
            fill(old)
            old.close()
        storage = open_storage(url)
        opened.append(storage)
        with storage.engine.connect() as connection:
            assert schema.read_version(connection) == schema.SCHEMA_VERSION
        return storage

    yield upgrade
    for storage in opened:
        storage.close()
