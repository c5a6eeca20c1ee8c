"""Storage URLs: parse, mask the password, build an engine and check it can connect.

Only SQLite and PostgreSQL are supported: idempotent inserts use their
``INSERT ... ON CONFLICT DO NOTHING``. ``postgresql://`` (and ``postgres://``) select the
psycopg 3 driver. A connection is tried once with a short timeout so a wrong URL fails in
seconds, never after a hung search.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

from autost.exceptions import MissingDatabaseError, StorageError

DEFAULT_URL = "sqlite:///autost.db"
EXAMPLES = "expected e.g. sqlite:///autost.db or postgresql://user:pass@host/db"
PG_CONNECT_TIMEOUT_S = 5
SQLITE_BUSY_TIMEOUT_S = 30


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (works on unparseable strings too).

    The user info runs from after "//" (else from the last '/') to the last '@'; the
    password is what follows its first ':'.
    """
    at = url.rfind("@")
    slashes = url.find("//")
    start = slashes + 2 if 0 <= slashes < at else url.rfind("/", 0, at) + 1
    user, sep, _ = url[start:at].partition(":")
    if at < 0 or not sep:
        return url
    return f"{url[:start]}{user}:***{url[at:]}"


def parse_url(url: str | None):
    """Return the sqlalchemy URL to use for ``url`` (None means the SQLite default).

    SQLite paths are made absolute so a later ``chdir`` or a worker process started
    elsewhere opens the same file.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = DEFAULT_URL if url is None else url
    try:
        parsed = make_url(text)
    except ArgumentError as e:
        raise StorageError(
            f"cannot parse storage URL {mask_url(text)!r}: {e}; {EXAMPLES}"
        ) from e
    backend = parsed.get_backend_name()
    if backend == "postgres" or parsed.drivername == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "postgresql":
        return parsed
    if backend != "sqlite":
        raise StorageError(
            f"unsupported storage URL scheme {parsed.drivername!r} in {mask_url(text)!r}: "
            f"autost stores results in SQLite or PostgreSQL; {EXAMPLES}"
        )
    if parsed.database in (None, "", ":memory:"):
        raise StorageError(
            f"storage URL {text!r} is an in-memory SQLite database, which Optuna and autost "
            "cannot share; give a file, e.g. sqlite:///autost.db"
        )
    if parsed.database.startswith("file:"):
        return parsed
    return parsed.set(database=str(Path(parsed.database).expanduser().resolve()))


def render(parsed, hide_password: bool) -> str:
    """The URL as text; the masked form shows the scheme without the driver, as users type it."""
    if hide_password:  # mask_url also catches an unencoded '@' in the password
        return mask_url(parsed.set(drivername=parsed.get_backend_name()).render_as_string())
    return parsed.render_as_string(hide_password=False)


def engine_kwargs(parsed) -> dict:
    """Keyword arguments for ``create_engine`` (also given to Optuna's RDBStorage)."""
    if parsed.get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S}}
    return {"connect_args": {"connect_timeout": PG_CONNECT_TIMEOUT_S}, "pool_pre_ping": True}


def dialect_insert(engine):
    """The ``insert`` of the engine's dialect, the one with ``on_conflict_do_nothing``."""
    return _insert_of(engine.dialect.name)


def _insert_of(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def upsert(engine, table, keys: tuple[str, ...], updated: tuple[str, ...], **values):
    """``INSERT ... ON CONFLICT (keys) DO UPDATE`` of the columns ``updated`` into ``table``,
    with SQL ``values`` for some columns (the others come with the rows it is executed with,
    one or a list). Built once per dialect, table, columns and values (pass the same SQL
    expression objects: they compare by identity): building it took longer than SQLite
    takes to run it, and a search writes a trial's values, attrs and heartbeat so."""
    return _upsert(engine.dialect.name, table, keys, updated, tuple(sorted(values.items())))


@functools.lru_cache(maxsize=64)
def _upsert(dialect: str, table, keys: tuple, updated: tuple, values: tuple):
    insert = _insert_of(dialect)(table)
    if values:
        insert = insert.values(**dict(values))
    return insert.on_conflict_do_update(index_elements=list(keys),
                                        set_={c: insert.excluded[c] for c in updated})


def create_engine(parsed):
    """Build the engine autost uses for its own tables and check that it connects."""
    import sqlalchemy

    masked = render(parsed, hide_password=True)
    if parsed.get_backend_name() == "sqlite" and not parsed.database.startswith("file:"):
        _check_sqlite_path(Path(parsed.database), masked)
    try:
        engine = sqlalchemy.create_engine(parsed, **engine_kwargs(parsed))
    except ImportError as e:
        raise StorageError(
            f"the database driver for {masked} is not installed ({e}); "
            "use postgresql://... (psycopg 3) or sqlite:///FILE"
        ) from e
    if parsed.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    _probe(engine, parsed, masked)
    return engine


def require_existing(parsed) -> None:
    """StorageError when ``parsed`` names an SQLite file that does not exist yet."""
    if parsed.get_backend_name() != "sqlite" or parsed.database.startswith("file:"):
        return
    if not Path(parsed.database).exists():
        raise MissingDatabaseError(
            f"no results database at {parsed.database}; run `autost search` here first, "
            "or give --storage with the URL the search used"
        )


def _check_sqlite_path(path: Path, masked: str) -> None:
    if not path.parent.is_dir():
        raise StorageError(
            f"cannot open storage {masked}: directory '{path.parent}' does not exist; "
            "create it or choose another path"
        )
    if path.is_dir():
        raise StorageError(f"cannot open storage {masked}: '{path}' is a directory, not a file")


def _configure_sqlite(engine) -> None:
    """:func:`sqlite_pragmas` on every connection of autost's engine.

    The driver's own transaction handling is switched off and SQLAlchemy emits BEGIN, so
    DDL is transactional and a connection with execution option ``autost_write_lock``
    takes the write lock up front (``BEGIN IMMEDIATE``) before reading what it will change.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None
        sqlite_pragmas(dbapi_connection, record)

    @event.listens_for(engine, "begin")
    def _begin(connection):
        immediate = connection.get_execution_options().get("autost_write_lock", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def sqlite_pragmas(dbapi_connection, _record=None) -> None:
    """Busy timeout and WAL, so a coordinator and its workers wait instead of failing, and
    ``synchronous = NORMAL``: no fsync per commit, yet in WAL mode a killed process loses no
    committed row (only a power cut can drop the last commits).

    A "connect" listener of autost's engine and of Optuna's (autost.storage.optuna_tables).
    """
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
    _enable_wal(cursor)
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _enable_wal(cursor) -> None:
    """Switch the file to WAL, retrying while another process holds the lock.

    Changing the journal mode needs an exclusive lock, and SQLite reports "database is
    locked" at once, without its busy handler, when another connection is opening or
    writing the same fresh file, so processes that open a new database together
    would fail. The mode is stored in the file: once it reads "wal" nothing is changed.
    """
    import sqlite3

    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _probe(engine, parsed, masked: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as e:
        engine.dispose()
        reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
        if parsed.password:
            reason = reason.replace(str(parsed.password), "***")
        remedy = (
            "check the file is an SQLite database and writable"
            if parsed.get_backend_name() == "sqlite"
            else "check that the server is running and that host, port, user, password and "
            "database in the URL are right"
        )
        raise StorageError(f"cannot reach storage {masked}: {reason}; {remedy}") from e
