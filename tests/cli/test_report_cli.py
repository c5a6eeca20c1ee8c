"""``autost report``: writes the folder and lists the files; one Error: line on bad input."""

from click.testing import CliRunner

from autost.cli import main


def test_help():
    assert CliRunner().invoke(main, ["report", "--help"]).exit_code == 0


def test_report_writes_folder(scored_study, tmp_path):
    storage, _ = scored_study
    out = tmp_path / "rep"
    result = CliRunner().invoke(main, ["report", "--study", "demo", "--storage", storage.url,
                                       "--out", str(out), "-k", "5"])
    assert result.exit_code == 0, result.output
    names = {line.rsplit("/", 1)[-1] for line in result.stdout.splitlines()}
    assert {"pareto.csv", "pareto.png", "top.csv", "summary.md"} <= names
    assert all((out / n).is_file() for n in names)
    assert len((out / "top.csv").read_text().splitlines()) == 1 + 5


def test_report_unknown_study(scored_study, tmp_path):
    storage, _ = scored_study
    result = CliRunner().invoke(main, ["report", "--study", "x", "--storage", storage.url,
                                       "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (f"Error: no study 'x' in {storage.masked_url}; studies there: "
                             "demo (or give the right --storage)\n")


def test_report_into_a_file_path_is_one_error_line(scored_study, tmp_path):
    storage, _ = scored_study
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = CliRunner().invoke(main, ["report", "--study", "demo", "--storage", storage.url,
                                       "--out", str(blocker / "rep")])
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot create report folder '{blocker / 'rep'}': "
                             "Not a directory\n")
