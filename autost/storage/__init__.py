"""The results database: autost's ``autost_*`` tables beside Optuna's, on one URL.

``open_storage(url)`` gives a :class:`Storage`; ``Storage.optuna_storage()`` is the
RDBStorage the search hands to Optuna, on the same database.
"""

from autost.storage.schema import SCHEMA_VERSION
from autost.storage.storage import (
    RunRow,
    Storage,
    StoredScores,
    TrainingRow,
    open_storage,
    package_versions,
)
from autost.storage.study_reader import (
    CandidateRow,
    StoredArchs,
    load_study,
    objective_specs,
    study_fingerprint,
    study_record,
    trial_rows,
)

__all__ = [
    "SCHEMA_VERSION",
    "CandidateRow",
    "RunRow",
    "Storage",
    "StoredArchs",
    "StoredScores",
    "TrainingRow",
    "load_study",
    "objective_specs",
    "open_storage",
    "package_versions",
    "study_fingerprint",
    "study_record",
    "trial_rows",
]
