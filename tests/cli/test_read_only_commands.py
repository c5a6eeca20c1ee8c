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
