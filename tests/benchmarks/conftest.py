"""The scripts of benchmarks/ are not a package: tests load them by file name."""

import importlib.util
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def load_benchmark():
    """``load_benchmark("search_quality")``: the module benchmarks/search_quality.py."""
    def load(name: str):
        spec = importlib.util.spec_from_file_location(f"{name}_benchmark",
                                                      BENCHMARKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return load
