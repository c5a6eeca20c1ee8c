"""The fixed top level installs as one package, ``autost``, with every subpackage listed."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPED = {"autost.cli": "cli", "autost.search_spaces": "search_spaces"}


def _packages_on_disk() -> set[str]:
    found = set()
    for top, prefix in [("autost", "autost"), *((d, p) for p, d in MAPPED.items())]:
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top)
            found.add(".".join([prefix, *rel.parts]))
    return found


def test_packages_list_matches_folders_on_disk():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    assert listed == _packages_on_disk()
    assert config["tool"]["setuptools"]["package-dir"] == MAPPED


def _fresh_modules(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, check=True, env={**os.environ, "COLUMNS": "120"},
    ).stdout
    return set(out.split())


def test_help_and_version_import_neither_torch_nor_ray():
    for argv in (["--help"], ["--version"]):
        code = (
            "import sys; from autost.cli import main\n"
            f"sys.argv = ['autost', *{argv!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass"
        )
        loaded = _fresh_modules(code)
        assert "torch" not in loaded and "ray" not in loaded, argv
        assert "optuna" not in loaded and "sqlalchemy" not in loaded, argv


def test_help_of_the_commands_with_rate_options_imports_no_torch():
    # Their --rates choices come from autost.cost, whose constants import without torch.
    for command in ("search", "score", "calibrate"):
        code = (
            "import sys; from autost.cli import main\n"
            f"sys.argv = ['autost', {command!r}, '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass"
        )
        loaded = _fresh_modules(code)
        assert "autost.cost.constants" in loaded and "torch" not in loaded, command


def test_python_dash_m_autost_prints_version():
    out = subprocess.run([sys.executable, "-m", "autost", "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "autost, version 0.1.0"


def test_cli_package_refuses_a_wrong_import_name():
    result = subprocess.run([sys.executable, "-c", "import cli"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "import this package as autost.cli" in result.stderr


def test_what_a_search_writes_beside_its_database_is_ignored_by_git():
    import fnmatch

    patterns = [line.strip() for line in (ROOT / ".gitignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    written = ["autost.db", "autost.db-wal", "autost.db-shm", "autost.db-journal",
               "autost.db-autost.lock"]
    assert [f for f in written if not any(fnmatch.fnmatch(f, p) for p in patterns)] == []
