"""The public API: ``autost.search(...)`` and ``autost.run_worker(...)`` from the root."""

import subprocess
import sys


def test_the_root_exports_search_and_run_worker_lazily():
    code = ("import sys, autost; assert 'autost.search' not in sys.modules; "
            "assert 'optuna' not in sys.modules and 'torch' not in sys.modules; "
            "autost.run_worker; assert 'autost.search' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_autost_search_stays_callable_after_the_package_import(sqlite_url):
    import autost.search.coordinator  # noqa: F401  (binds the package to autost.search)

    assert callable(autost.search) and autost.search.search is autost.search.api.search
    result = autost.search("stmixer", budget=2, storage=sqlite_url, objectives=["params:min"],
                           seed=0, progress=False)
    assert isinstance(result, autost.SearchResult) and result.complete == 2
    again = autost.run_worker("stmixer", storage=sqlite_url, progress=False)
    assert again.complete == 2 and again.run["complete"] == 0
