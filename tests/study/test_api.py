"""The public API: ``autost.search(...)`` and ``autost.run_worker(...)`` from the root."""

import subprocess
import sys

import autost


def test_the_root_exports_search_and_run_worker_lazily():
    code = ("import sys, autost; assert 'autost.search' not in sys.modules; "
            "assert 'optuna' not in sys.modules and 'torch' not in sys.modules; "
            "autost.run_worker; assert 'autost.search' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_autost_search_is_callable_before_and_after_the_package_import(sqlite_url):
    first = autost.search
    import autost.search as package

    assert callable(first) and callable(autost.search) and autost.search is package
    result = autost.search("stmixer", budget=2, storage=sqlite_url, objectives=["params:min"],
                           seed=0, progress=False)
    assert isinstance(result, autost.SearchResult) and result.complete == 2
    again = autost.run_worker("stmixer", storage=sqlite_url, progress=False)
    assert again.complete == 2 and again.run["complete"] == 0
