"""The ask/tell loop: one process owns the Optuna study and every database write.

Per candidate: ask a trial, let the space suggest an architecture, look its scores up (this
run's memo, then the database by arch_id and settings key), claim it in the database and
score the proxies its stored score set lacks, if any (in a forked process, inline or in the
pool), add them to the set (autost.storage.score_sets), and tell the objective values,
writing the trial's user attrs (``arch_id``, ``settings_key``, ``space``, ``fail_reason``)
and constraints in the same transaction. Its parameters are held while the space suggests
them and written in one transaction while the candidate is scored (before, when it is
scored inline), or in the tell's when its scores were stored already
(autost.storage.batched_writes). An architecture that another process has
claimed is not scored here: its trials wait for the stored scores (autost.storage.claims),
so each architecture is scored once however many processes search. This process keeps at
most ``workers`` trials running (``2 x workers`` with a pool, so no pool process waits); see
autost.search.budget for how the budget stays exact.
"""

from __future__ import annotations

import sys
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field

from tqdm import tqdm

from autost.exceptions import AutostError, SearchError
from autost.search.budget import budget_lock
from autost.search.derived import (
    REFERENCE_SEED,
    PredictorInputs,
    objective_functions,
    plan_predictor,
    reference_sample,
)
from autost.search.heartbeat import Heartbeat, fail_stale_trials
from autost.search.interrupts import DeferredInterrupt
from autost.search.progress import Progress
from autost.search.redundancy import RedundancyCheck
from autost.search.scorer import Outcome, Scorer, unusable
from autost.storage.claims import Claims
from autost.storage.optuna_tables import (
    ARCH_ID_ATTR,
    FAIL_REASON_ATTR,
    OVER_BUDGET_ATTR,
    SETTINGS_KEY_ATTR,
    SPACE_ATTR,
    count_complete,
    fail_stale_without_retry,
    trial_id,
)
from autost.storage.score_sets import lacking

MAX_FAILURES_IN_A_ROW = 50
POLL_S = 0.1  # how often trials waiting for another process's scores look for them


@dataclass
class RunStats:
    """What this process did, in two partitions of the trials it told.

    By outcome: ``complete + over_budget + failed`` = trials told (over budget: told PRUNED
    because other processes had filled the budget). By where the scores of the ``complete +
    over_budget`` trials came from: ``scored`` (computed here, one trial per architecture
    scored) + ``cached`` (stored already, or a repeat of an architecture scored here) +
    ``waited`` (computed by another process while this one waited for them).
    """

    complete: int = 0
    failed: int = 0
    over_budget: int = 0
    scored: int = 0
    cached: int = 0
    waited: int = 0
    last_failure: str | None = None
    failures_in_a_row: int = field(default=0, repr=False)


class Coordinator:
    """Runs one process's share of a study until the study has ``plan.budget`` COMPLETE trials."""

    def __init__(self, study, space, plan, storage, rdb, *, workers: int = 1,
                 progress: bool = True, scoring=None) -> None:
        self.study, self.space, self.plan, self.storage = study, space, plan, storage
        self.stats = RunStats()
        self._optuna = rdb
        self._key = plan.settings_key()
        self._scorer = Scorer(plan.settings(), workers, scoring)  # scoring: one worker's
        self._max_running = 1 if workers <= 1 else 2 * workers
        self._lock = budget_lock(storage.engine, study.study_name)
        self._study_id = rdb.get_study_id_from_name(study.study_name)
        self._memo: dict[str, Outcome] = {}
        self._running: dict[str, tuple] = {}  # arch_id -> (future, [trials]) being scored
        self._awaited: dict[str, tuple] = {}  # arch_id -> (cfg, [trials]), scored elsewhere
        self._claims = Claims(storage.engine, self._key)
        self._mine: dict[int, object] = {}  # trial number -> trial, from ask until told
        self._interrupts = DeferredInterrupt()
        self._arch_of: dict[int, str] = {}  # trial number -> arch_id, while running
        self._heartbeat = None
        self._stale_check = 0.0
        self._show_progress = progress
        self._values = None  # (proxy values, arch_id) -> objective values, set by run()
        self._inputs: PredictorInputs | None = None  # the objective predicted's inputs
        self._configs: dict[str, object] = {}  # arch_id -> ArchConfig, of asked candidates
        self.notes: list[str] = []  # what the search said on stderr (predictor, warnings)
        # The study's COMPLETE trials as counted (under the budget lock) when this process
        # last told one, plus that tell; the loop's next count, so a trial costs one COUNT.
        self._counted_at_tell: int | None = None
        self._inherited: set[int] = set()  # trial ids RUNNING when this run started
        self._started = 0.0  # time.monotonic() when run() began

    def run(self) -> RunStats:
        import optuna

        interval = self._optuna.get_heartbeat_interval()
        if interval:
            self._heartbeat = Heartbeat(self._optuna, interval)
        complete = self._count()
        done = self.study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
        self._started = time.monotonic()
        self._inherited = self._running_ids()
        self._progress = Progress(self.plan.objectives, self.plan.budget, done,
                                  self._show_progress)
        self._redundancy = RedundancyCheck(self.plan.objectives)
        for trial in done:
            self._redundancy.add(trial.number, trial.values)
        try:
            with warnings.catch_warnings(), self._interrupts:
                warnings.filterwarnings("ignore", message="Heartbeat of storage")
                self._values = self._objective_values()
                self._warn_redundant()
                self._loop(complete)
                self._fail_inherited()
        finally:
            self._shutdown()
        return self.stats

    def _loop(self, complete: int) -> None:
        budget = self.plan.budget
        while True:
            self._interrupts.check()
            self._progress.update(complete)
            exhausted = self._exhausted()
            if not self._mine and (complete >= budget or exhausted):
                return
            if (not exhausted and len(self._mine) < self._max_running
                    and complete + len(self._mine) < budget):
                self._ask()
            else:
                self._wait()
            complete = self._counted_at_tell if self._counted_at_tell is not None else \
                self._count()
            self._counted_at_tell = None

    def _objective_values(self):
        """(proxy values, arch_id) -> the objective values told (autost.search.derived)."""
        predictor = plan_predictor(self.storage, self.plan)
        predicted = None
        if predictor is not None:
            self.note(f"objective predicted: {predictor.describe()}")
            self._inputs = PredictorInputs(self.storage, predictor, self._config)
            predicted = self._inputs.predict
        functions = objective_functions(self.plan.objectives, predicted, self._reference)
        return lambda values, arch_id: [f(values, arch_id) for f in functions]

    def _config(self, arch_id: str):
        """The ArchConfig of a candidate asked here (or stored by another process)."""
        if arch_id not in self._configs:
            self._configs[arch_id] = self.storage.get_candidates([arch_id])[arch_id]
        return self._configs[arch_id]

    def _reference(self) -> dict[str, list[float]]:
        """Proxy values of the reference sample that rank aggregates rank against."""
        cfgs = reference_sample(self.space)
        self.note(f"rank aggregates rank each candidate against {len(cfgs)} reference "
                   f"architectures of {self.plan.space} (seed {REFERENCE_SEED}; scored once, "
                   "then read from the database)")
        pending = {}
        for cfg in cfgs:
            if cfg.arch_id in self._memo:
                continue
            stored = self.storage.get_scores(cfg.arch_id, self._key)
            if self._usable(cfg.arch_id, stored) is None:
                self.storage.add_candidate(cfg, self.plan.space)
                pending[cfg.arch_id] = self._submit(cfg, stored)
                if self._max_running == 1:  # one at a time (the forked process answers so)
                    self._store_reference(cfg.arch_id, pending.pop(cfg.arch_id))
        for arch_id, future in pending.items():
            self._store_reference(arch_id, future)
        scored = [self._memo[c.arch_id] for c in cfgs if c.arch_id in self._memo]
        if not scored:
            raise SearchError(f"no reference architecture of {self.plan.space} could be "
                              "scored; check the space and the proxies (autost score)")
        return {p: [o.values[p] for o in scored] for p in self.plan.proxies}

    def _store_reference(self, arch_id: str, future) -> None:
        with self._interrupts.allowed():
            outcome = self._scorer.outcome(future)
        if outcome.error is None:
            self._store(arch_id, outcome)

    def note(self, message: str) -> None:
        """Say ``message`` on stderr above the progress bar and keep it in ``notes``."""
        self.notes.append(message)
        tqdm.write(message, file=sys.stderr)  # above the progress bar, not through it

    def _warn_range(self) -> None:
        """Say once that the predictor extrapolates on this space (see PredictorInputs)."""
        message = self._inputs.new_warning() if self._inputs is not None else None
        if message is not None:
            self.note(message)

    def _warn_redundant(self) -> None:
        for message in self._redundancy.warnings():
            self.note(message)

    def _count(self) -> int:
        return count_complete(self.storage.engine, self._study_id)

    def _exhausted(self) -> bool:
        is_exhausted = getattr(self.study.sampler, "is_exhausted", None)
        return bool(is_exhausted and is_exhausted(self.study))

    # -- one candidate -------------------------------------------------------------------

    def _ask(self) -> None:
        self._check_stale()
        trial = self.study.ask()
        self._mine[trial.number] = trial
        if self._heartbeat:  # its first beat goes with its parameters
            self._heartbeat.add(trial_id(trial))
        # One transaction, not one each: as scoring starts, or with the trial's state
        self._optuna.hold_params(trial_id(trial))
        try:
            cfg = self.space.suggest(trial)
        except AutostError as e:
            self._fail(trial, f"{type(e).__name__}: {e}")
            return
        arch_id = cfg.arch_id
        self._arch_of[trial.number] = arch_id
        self._configs[arch_id] = cfg
        known = self._memo.get(arch_id) or self._stored(arch_id)
        if known is not None:
            self._finish(trial, known, "cached")
            return
        if arch_id in self._running:
            self._running[arch_id][1].append(trial)
        elif arch_id in self._awaited:
            self._awaited[arch_id][1].append(trial)
        elif not self._claim_and_score(cfg, [trial], "cached"):
            self._awaited[arch_id] = (cfg, [trial])
        self._optuna.write_held_params(trial_id(trial))  # it waits for scores: written now

    def _claim_and_score(self, cfg, trials: list, source: str) -> bool:
        """Score ``cfg`` here if this process gets its claim; False if another one holds it.

        Scores stored between the lookup and the claim finish the trials as ``source``.
        """
        arch_id = cfg.arch_id
        if not self._claims.claim(arch_id):
            return False
        stored = self.storage.get_scores(arch_id, self._key)
        usable = self._usable(arch_id, stored)
        if usable is not None:
            self._claims.release(arch_id)
            for trial in trials:
                self._finish(trial, usable, source)
            return True
        future = self._submit(cfg, stored)
        # Written while a forked process or the pool scores it, or before it is scored here
        for trial in trials:
            self._optuna.write_held_params(trial_id(trial))
        self.storage.add_candidate(cfg, self.plan.space)
        self._running[arch_id] = (future, trials)
        if self._max_running == 1 or future.done():  # one worker waits for it now
            self._collect(arch_id)
        return True

    def _stored(self, arch_id: str) -> Outcome | None:
        """The stored score set of ``arch_id`` if it holds every proxy of the plan."""
        return self._usable(arch_id, self.storage.get_scores(arch_id, self._key))

    def _usable(self, arch_id: str, stored) -> Outcome | None:
        """The Outcome of ``arch_id``'s stored score set (kept in the memo) if the set holds
        every proxy of the plan, else None."""
        if stored is None or lacking(stored, self.plan.proxies):
            return None
        outcome = Outcome(stored.values, stored.rate_source)
        self._memo[arch_id] = outcome
        return outcome

    def _submit(self, cfg, stored):
        """Start scoring the proxies of the plan that ``stored``, the score set of ``cfg``
        (None: none stored), lacks."""
        return self._scorer.submit(cfg.to_json(), tuple(lacking(stored, self.plan.proxies)))

    def _store(self, arch_id: str, outcome: Outcome) -> Outcome:
        """Add a scoring's values to the stored score set; the set's values."""
        stored = self.storage.put_scores(arch_id, self._key, outcome)
        self._memo[arch_id] = Outcome(stored.values, stored.rate_source)
        return self._memo[arch_id]

    def _wait(self) -> None:
        """Wait for a scoring here to end; with trials waiting for scores from another
        process, look for those every POLL_S seconds."""
        futures = {future: arch_id for arch_id, (future, _) in self._running.items()}
        timeout = POLL_S if self._awaited else None
        with self._interrupts.allowed():
            if futures:
                finished, _ = wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)
            else:
                finished = ()
                time.sleep(POLL_S)
        for future in finished:
            self._collect(futures[future])
        for arch_id in list(self._awaited):
            self._look_for(arch_id)

    def _look_for(self, arch_id: str) -> None:
        """Finish the trials waiting for ``arch_id`` once another process stored its scores;
        score it here if that process gave up its claim or stopped refreshing it."""
        stored = self._stored(arch_id)
        cfg, trials = self._awaited[arch_id]
        if stored is not None:
            del self._awaited[arch_id]
            for trial in trials:
                self._finish(trial, stored, "waited")
        elif self._claims.claimable(arch_id):
            del self._awaited[arch_id]
            if not self._claim_and_score(cfg, trials, "waited"):
                self._awaited[arch_id] = (cfg, trials)  # another waiter was faster

    def _collect(self, arch_id: str) -> None:
        future, trials = self._running.pop(arch_id)
        with self._interrupts.allowed():  # scoring it (one worker) takes the time
            outcome = self._scorer.outcome(future)
        if outcome.error is None:
            outcome = self._store(arch_id, outcome)
        self._claims.release(arch_id)
        for i, trial in enumerate(trials):
            self._finish(trial, outcome, "cached" if i else "scored")

    def _finish(self, trial, outcome: Outcome, source: str) -> None:
        """Tell the trial COMPLETE (or PRUNED over budget) with ``outcome``, whose scores
        came from ``source`` (a RunStats field: scored, cached or waited)."""
        import optuna

        reason = outcome.error or unusable(outcome.values, self.plan.proxies)
        if reason is not None:
            self._fail(trial, reason)
            return
        violations = {c.name: c.violation(outcome.values) for c in self.plan.constraints}
        feasible = all(v <= 0 for v in violations.values())
        try:
            with self._interrupts.allowed():  # a predictor may score the surrogate here
                values = self._values(outcome.values, self._arch_of[trial.number])
        except AutostError as e:
            self._fail(trial, f"{type(e).__name__}: {e}")
            return
        self._warn_range()
        with self._lock.held():
            complete = self._count()
            if complete >= self.plan.budget:
                self._hold_attrs(trial, violations, {OVER_BUDGET_ATTR: True})
                if not self._tell(trial, state=optuna.trial.TrialState.PRUNED):
                    return
                self.stats.over_budget += 1
                self._counted_at_tell = complete
            else:
                self._hold_attrs(trial, violations)
                if not self._tell(trial, values):
                    return
                self.stats.complete += 1
                self._counted_at_tell = complete + 1
                self._progress.saw(values, feasible)
                self._redundancy.add(trial.number, values)
                self._warn_redundant()
        setattr(self.stats, source, getattr(self.stats, source) + 1)
        if source in self._progress.counts:
            self._progress.counts[source] += 1
        self.stats.failures_in_a_row = 0
        self._release(trial)

    def _fail(self, trial, reason: str) -> None:
        import optuna

        self._hold_attrs(trial, {}, {FAIL_REASON_ATTR: reason[:2000]})
        if not self._tell(trial, state=optuna.trial.TrialState.FAIL):
            return
        self._release(trial)
        self.stats.failed += 1
        self._progress.counts["failed"] += 1
        self.stats.last_failure = reason
        self.stats.failures_in_a_row += 1
        if self.stats.failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
            raise SearchError(
                f"{MAX_FAILURES_IN_A_ROW} candidates in a row could not be built or scored; "
                f"the last: {reason}. Check the space and the proxies (autost score)"
            )

    def _tell(self, trial, values=None, state=None) -> bool:
        """Tell the trial; False, and the trial dropped, when the database holds it finished
        already: another process found this one's heartbeat stale (a stall longer than the
        grace period), failed it and queued its retry, which some process will run."""
        import optuna

        try:
            self.study.tell(trial, values, state=state)
        except (optuna.exceptions.UpdateFinishedTrialError, ValueError):
            # refused by the database, or by Optuna's check of a trial it read ("Cannot tell
            # a FAIL trial"); any other refusal is a bug to show
            if not self._optuna.get_trial(trial_id(trial)).state.is_finished():
                raise
            self._optuna.drop_held(trial_id(trial))
            self._release(trial)
            self.note(f"trial {trial.number} was failed by another process meanwhile (its "
                      "heartbeat went stale); its retry takes its place")
            return False
        return True

    def _hold_attrs(self, trial, violations: dict, extra: dict | None = None) -> None:
        user = {SETTINGS_KEY_ATTR: self._key, SPACE_ATTR: self.plan.space, **(extra or {})}
        arch_id = self._arch_of.get(trial.number)
        if arch_id is not None:
            user[ARCH_ID_ATTR] = arch_id
        self._optuna.hold_attrs(trial_id(trial), user, violations)  # written by the tell

    def _release(self, trial) -> None:
        self._mine.pop(trial.number, None)
        self._arch_of.pop(trial.number, None)
        if self._heartbeat:
            self._heartbeat.remove(trial_id(trial))

    def _running_ids(self) -> set[int]:
        import optuna

        return {trial_id(t) for t in self.study.get_trials(
            deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))}

    def _fail_inherited(self) -> None:
        """Fail the trials that were RUNNING when this run started and still are once they
        can be stale: left by a process that died (a killed search or server), they would
        otherwise stay RUNNING when a resumed search fills its budget before the grace
        period has passed. Waits at most that long after this run started; a trial whose
        process still beats is left alone, and no retry is queued (the budget is full)."""
        interval = self._optuna.get_heartbeat_interval()
        if not interval or not self._inherited:
            return
        grace = self._optuna.grace_period or 2 * interval
        deadline = self._started + grace + 1
        while self._inherited & self._running_ids():
            if time.monotonic() >= deadline:
                fail_stale_without_retry(self._optuna, self._study_id, self._inherited)
                return
            with self._interrupts.allowed():
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))

    def _check_stale(self) -> None:
        """Every heartbeat interval, fail (and requeue) trials of processes that died."""
        interval = self._optuna.get_heartbeat_interval()
        if interval and time.monotonic() - self._stale_check >= interval:
            self._stale_check = time.monotonic()
            fail_stale_trials(self.study)

    def _shutdown(self) -> None:
        """Fail the trials still running here (interrupt or error), then stop the helpers."""
        import optuna

        for trial in list(self._mine.values()):
            try:
                self._hold_attrs(trial, {}, {FAIL_REASON_ATTR: "search interrupted"})
                self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
            except Exception:  # noqa: BLE001 - best effort; heartbeats catch the rest
                pass
        self._mine.clear()
        self._running.clear()
        self._awaited.clear()
        self._scorer.close()
        self._claims.close()
        if self._heartbeat:
            self._heartbeat.stop()
        self._lock.close()
        self._progress.close()
