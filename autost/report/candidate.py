"""Everything stored about one architecture: config, every score set, trainings."""

from __future__ import annotations

from autost.exceptions import CandidateNotFoundError


def resolve_arch_id(storage, prefix: str) -> str:
    """The one stored arch_id starting with ``prefix``, or CandidateNotFoundError."""
    found = storage.find_arch_ids(prefix, limit=4)
    if len(found) == 1:
        return found[0]
    if not found:
        raise CandidateNotFoundError(
            f"no candidate with arch_id {prefix!r} in {storage.masked_url}; copy an id "
            "from `autost results top --study NAME`"
        )
    shown = ", ".join(a[:16] for a in found[:3])
    raise CandidateNotFoundError(
        f"arch_id prefix {prefix!r} matches several candidates ({shown}, ...); "
        "give more characters"
    )


def describe_candidate(storage, arch_id: str) -> dict:
    """A JSON-able description: ``arch_id``, ``summary``, ``arch`` (ArchConfig fields),
    ``scores`` (one entry per settings key, with per-layer ``layers`` and ``flags``) and
    ``trainings``. ``arch_id`` may be a unique prefix."""
    arch_id = resolve_arch_id(storage, arch_id)
    cfg = storage.get_candidate(arch_id)
    return {
        "arch_id": arch_id,
        "summary": cfg.summary(),
        "arch": cfg.to_dict(),
        "scores": [
            {"settings_key": s.settings_key, "rate_source": s.rate_source,
             "values": s.values, "flags": s.flags, "layers": s.layers,
             "created_at": s.created_at.isoformat()}
            for s in storage.all_scores(arch_id)
        ],
        "trainings": [
            {"id": t.id, "study_name": t.study_name, "trial_number": t.trial_number,
             "dataset": t.dataset, "epochs": t.epochs, "epochs_run": t.epochs_run,
             "stop_reason": t.stop_reason, "seed": t.seed, "status": t.status,
             "accuracy": t.accuracy, "energy_mj": t.energy_mj, "error": t.error,
             "history": t.history, "rates": t.rates, "created_at": t.created_at.isoformat()}
            for t in storage.trainings(arch_id=arch_id)
        ],
    }
