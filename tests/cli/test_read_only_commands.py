"""Commands that only read results refuse a database that does not exist and create none, and
name what they cannot find in one that does."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from autost.cli import main

READERS = [
    ["results", "top", "--study", "demo"],
    ["results", "show", "0123abcd"],
    ["pareto", "--study", "demo"],
    ["report", "--study", "demo", "--out", "report"],
    ["train", "--study", "demo", "--top", "1", "--epochs", "1"],
    ["worker", "--study", "demo"],
]


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:2]))
@pytest.mark.parametrize("storage", [None, "sqlite:///elsewhere.db"])
def test_missing_sqlite_file_is_one_error_line_and_stays_missing(args, storage, tmp_path,
                                                                 monkeypatch):
    monkeypatch.chdir(tmp_path)
    extra = [] if storage is None else ["--storage", storage]
    result = CliRunner().invoke(main, args + extra)
    path = tmp_path / ("autost.db" if storage is None else "elsewhere.db")
    assert result.exit_code == 1
    assert result.output == (f"Error: no results database at {path}; run `autost search` "
                             "here first, or give --storage with the URL the search used\n")
    assert list(tmp_path.iterdir()) == []


UNKNOWN_STUDY = "no study 'dmeo' in {url}; studies there: demo (or give the right --storage)"


@pytest.mark.parametrize(("args", "message"), [
    (["pareto", "--study", "dmeo"], UNKNOWN_STUDY),
    (["results", "top", "--study", "dmeo"], UNKNOWN_STUDY),
    (["results", "show", "zz"], "no candidate with arch_id 'zz' in {url}; copy an id from "
                                "`autost results top --study NAME`"),
], ids=lambda a: " ".join(a[:2]) if isinstance(a, list) else "")
def test_an_unknown_name_in_the_database_is_one_error_line(scored_study, args, message):
    storage, _ = scored_study
    result = CliRunner().invoke(main, [*args, "--storage", storage.url])
    assert result.exit_code == 1
    assert result.output == f"Error: {message.format(url=storage.masked_url)}\n"


STUDY_READERS = [r for r in READERS if r[0] in ("results", "pareto", "report")
                 and "--study" in r]


@pytest.mark.parametrize("args", STUDY_READERS, ids=lambda a: " ".join(a[:2]))
def test_a_search_writing_does_not_block_a_reader_nor_change_its_output(scored_study, args,
                                                                        tmp_path,
                                                                        monkeypatch):
    """A search holds SQLite's write lock while it writes a trial; readers of the
    write-ahead log go on and read what was committed, and write nothing."""
    import sqlite3
    from contextlib import closing

    storage, _ = scored_study
    monkeypatch.chdir(tmp_path)
    before = CliRunner().invoke(main, [*args, "--storage", storage.url])
    path = storage.engine.url.database
    with closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE trials SET state = 'FAIL'")  # not committed: never seen
        during = CliRunner().invoke(main, [*args, "--storage", storage.url])
        writer.execute("ROLLBACK")
    assert (during.exit_code, during.output) == (before.exit_code, before.output) == (
        0, before.output)


@pytest.mark.parametrize("args", STUDY_READERS, ids=lambda a: " ".join(a[:2]))
def test_an_unreachable_postgresql_server_is_one_error_line(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = "postgresql://postgres@127.0.0.1:1/autost"
    result = CliRunner().invoke(main, [*args, "--storage", url])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot reach storage {url}: ")
    assert result.output.count("\n") == 1 and list(tmp_path.iterdir()) == []
UNKNOWN_STUDY_READERS = [
    ["pareto", "--study", "nope"],
    ["results", "top", "--study", "nope"],
    ["report", "--study", "nope", "--out", "report"],
    ["train", "--study", "nope", "--top", "1", "--epochs", "1"],
    ["worker", "--study", "nope", "--wait", "0"],
]


def test_readers_of_an_unknown_study_leave_no_lock_file(tmp_path, monkeypatch):
    """The database's lock file is deleted by whoever held the lock: after the search, and
    after every reader that refused an unknown study."""
    monkeypatch.chdir(tmp_path)
    tiny = str(Path(__file__).parents[1] / "search" / "tiny.toml")
    made = CliRunner().invoke(main, ["search", "--space", tiny, "--budget", "1", "--objective",
                                     "flops:max", "--no-progress"])
    assert made.exit_code == 0, made.output
    assert _names(tmp_path) == {"autost.db"}
    for args in UNKNOWN_STUDY_READERS:
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith("Error: no study 'nope'"), (args, result.output)
        assert _names(tmp_path) == {"autost.db"}, args


def _names(folder) -> set[str]:
    """Files in ``folder``, less SQLite's write-ahead log pair (open while this process,
    which ran the commands, still holds connections)."""
    return {p.name for p in folder.iterdir()} - {"autost.db-wal", "autost.db-shm"}
