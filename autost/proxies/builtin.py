"""Built-in predictors: fitted once on fidelity trainings, shipped inside the package.

Each file ``predictors/NAME.json`` holds ``{"predictor": Predictor.to_dict(), "provenance":
{...}}``: the closed form a search evaluates, and where it came from (spaces, architectures
per space, training recipe, surrogate, dataset, and per space the leave-one-space-out
Kendall tau and partial tau given flops with their bootstrap intervals). ``autost
predictors build`` writes it from a fidelity database (:mod:`autost.report.builtin_fit`).
A missing or corrupt file is a PredictorError naming it, before any search starts.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from autost.exceptions import PredictorError
from autost.proxies.predictor import Predictor
from autost.tables import to_json

FOLDER = Path(__file__).with_name("predictors")


def builtin_names() -> list[str]:
    """Names of the predictors shipped with the package, sorted."""
    return sorted(p.stem for p in FOLDER.glob("*.json"))


def builtin_path(name: str) -> Path:
    return FOLDER / f"{name}.json"


@cache
def _document(name: str) -> dict:
    path = builtin_path(name)
    try:
        document = json.loads(path.read_text())
        predictor = Predictor.from_dict(document["predictor"])
    except FileNotFoundError as e:
        raise PredictorError(f"built-in predictor file {path} is missing; reinstall autost "
                             "(pip install -e .) or rebuild it with autost predictors "
                             "build") from e
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise PredictorError(f"built-in predictor file {path} is corrupt ({type(e).__name__}: "
                             f"{e}); reinstall autost or rebuild it with autost predictors "
                             "build") from e
    if predictor.name != name:
        raise PredictorError(f"built-in predictor file {path} holds predictor "
                             f"{predictor.name!r}, not {name!r}; rebuild it with autost "
                             "predictors build")
    return {"predictor": predictor, "provenance": document.get("provenance", {})}


def load_builtin(name: str) -> Predictor:
    """The built-in predictor ``name`` (PredictorError if its file is missing or corrupt)."""
    return _document(name)["predictor"]


def builtin_provenance(name: str) -> dict:
    """Where the built-in predictor ``name`` came from (see the module docstring)."""
    return _document(name)["provenance"]


def write_builtin(predictor: Predictor, provenance: dict, folder: Path = FOLDER) -> Path:
    """Write ``predictor`` and its provenance as ``folder/NAME.json``; the path."""
    path = Path(folder) / f"{predictor.name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"predictor": predictor.to_dict(), "provenance": provenance}
    path.write_text(to_json(document, indent=1) + "\n")
    _document.cache_clear()
    return path
