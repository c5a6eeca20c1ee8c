"""Errors autost raises for bad input.

Every message says what was wrong and what to do next. The CLI prints one
``Error: <message>`` line for any :class:`AutostError` and exits 2 for an
:class:`UnknownNameError` (a name of something autost ships: a space, preset, proxy,
objective, sampler, dataset; misuse, as click's unknown option or choice is) and 1 for any
other (bad input, including a name of something the database should hold and does not:
:class:`NotStoredError`).
"""


class AutostError(Exception):
    """Root of every error caused by user input or environment."""


class UnknownNameError(AutostError, KeyError):
    """A registry lookup (preset, mixer, proxy, space, sampler, dataset) found no such name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ArchValidationError(AutostError, ValueError):
    """An ArchConfig breaks a rule (divisibility, ranges, unknown choice)."""


class BuildError(AutostError):
    """A valid-looking ArchConfig could not be built into a model."""


class CostModelError(AutostError):
    """A built model holds a computing module the cost pass has no counting rule for."""


class UnknownSpaceError(UnknownNameError):
    """No named space and no file with that name."""


class InvalidSpaceError(AutostError, ValueError):
    """A space file is malformed: wrong key, type or allowed value."""


class StorageError(AutostError):
    """The storage URL is malformed or the database cannot be reached."""


class MissingDatabaseError(StorageError):
    """A command that needs an existing database was given a SQLite file that is not there."""


class NotStoredError(AutostError):
    """The database holds nothing under a name the user gave (a study, a candidate)."""


class StudyNotFoundError(NotStoredError):
    """No study of that name exists in the storage."""


class CandidateNotFoundError(NotStoredError):
    """No stored candidate has that arch_id, or a prefix matches several."""


class SearchConfigError(AutostError, ValueError):
    """A search option is malformed, or conflicts with what the existing study recorded."""


class UnknownSettingError(UnknownNameError, SearchConfigError):
    """A search option names no known objective proxy, sampler or constraint."""


class SearchError(AutostError):
    """A search cannot go on (for example every candidate fails to build or score)."""


class ReportError(AutostError):
    """A study has nothing to report (no feasible complete trial, no objectives)."""


class DatasetError(AutostError):
    """A dataset is missing, malformed or has the wrong shape."""


class UnknownDatasetError(UnknownNameError, DatasetError):
    """No registered dataset has that name."""


class CalibrationError(DatasetError):
    """A calibration batch has the wrong shape for the model."""


class PredictorError(AutostError):
    """A predictor cannot be fitted (too few trainings, nothing varies) or stored (its
    name is taken)."""


class RayConnectionError(AutostError):
    """A Ray cluster address cannot be reached."""


def unknown_name(kind: str, name: str, known, error=UnknownNameError) -> AutostError:
    """Build an error for an unknown registry name that suggests the closest known names."""
    import difflib

    from autost.wording import plural

    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else (
        f"known {plural(kind)}: {', '.join(known)}"
    )
    return error(f"unknown {kind} {name!r}; {hint}")


class ServeError(AutostError):
    """``autost serve`` cannot listen where it was asked to (address in use, not ours)."""
