"""How reading a study grows with its size: 1,000, 10,000 and 100,000 trials.

Builds study ``scale`` of each size on SQLite and on PostgreSQL (cached: a rerun reuses a
built database) and measures, each beside the raw SQL floor measured in the same run (one
SELECT of every trial's state, values and user attrs):

- ``autost results top``, ``autost pareto``, ``autost report``: wall seconds of the whole
  process (interpreter start and imports included) and its peak resident memory (its own
  plus its largest child's);
- the service's first read of the study page's data (summary and the first page of trials,
  what ``/studies/NAME`` and ``/studies/NAME/trials`` answer) and a cached read;
- a resuming ``autost search``: seconds from its start until it tells its first new trial
  (the trial's stored finish time less the moment the command was started; the whole
  command, its summary and exit included, beside it), and whether that trial's
  architecture had to be scored (a cost pass, which imports torch) or was one the study had
  scored before; and the same on a copy of the study without its scores, where the trial
  is always scored; and its peak resident memory, its scoring process included.

The trials are real Optuna trials: asked from an in-memory study whose space suggests the
parameters (the stmixer space, Optuna's random sampler), then written through Optuna's
``Study.add_trials`` with autost's user attrs and constraint, its study attrs, one score set
per architecture (synthetic values with the per-layer rows of a real cost pass) and a few
trainings. Targets at 10,000 trials: each command < 1.5 s, first service read < 1 s, resume
start < 2 s; at 100,000: each command < 10 s and < 1 GB. Usage:

    python benchmarks/study_scale.py [--sizes 1000,10000,100000] [--backends sqlite,postgres]
        [--cache DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

STUDY = "scale"
SPACE = "stmixer"
SETTINGS_KEY = "scale-bench"
OBJECTIVES = ["flops:max", "energy:min"]
CEILING = 2.0e7  # max_params: about a tenth of the candidates break it
FAIL_EVERY = 97  # one trial in 97 is a FAIL with a reason
TRAININGS = 25
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
BATCH = 2000


# -- building ------------------------------------------------------------------------------
def build(url: str, trials: int, seed: int = 0) -> None:
    """Write study ``scale`` of ``trials`` trials into ``url`` (see the module docstring)."""
    import optuna

    from autost.space import load_space
    from autost.storage import open_storage
    from autost.storage.optuna_tables import write_study_attrs

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = load_space(SPACE)
    storage = open_storage(url)
    rdb = storage.optuna_storage()
    study = optuna.create_study(study_name=STUDY, storage=rdb,
                                directions=["maximize", "minimize"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study.set_metric_names(["flops", "energy"])
    write_study_attrs(rdb, STUDY, {
        "space": SPACE, "space_source": SPACE, "objectives": OBJECTIVES,
        "constraints": {"max_params": CEILING}, "sampler": "random", "seed": seed,
        "rates": "prior", "budget": trials, "score_settings": {"rates": "prior"}})
    layers = _real_layers(space)
    rng = random.Random(seed)
    study_id = rdb.get_study_id_from_name(STUDY)
    scored: set[str] = set()
    checks = []
    for start in range(0, trials, BATCH):
        frozen, candidates, scores = [], [], []
        memory = optuna.create_study(  # a study per batch: asking costs O(trials) in memory
            directions=["maximize", "minimize"],
            sampler=optuna.samplers.RandomSampler(seed=seed + start))
        for number in range(start, min(trials, start + BATCH)):
            trial = memory.ask()
            cfg = space.suggest(trial)
            values = _synthetic_scores(cfg, rng)
            done = memory.tell(trial, [values["flops"], values["energy"]])
            done.number = number
            done.user_attrs.update({"arch_id": cfg.arch_id, "settings_key": SETTINGS_KEY,
                                    "space": SPACE})
            done.system_attrs["constraints:max_params"] = values["params"] - CEILING
            if number % FAIL_EVERY == FAIL_EVERY - 1:
                done.state, done.values = optuna.trial.TrialState.FAIL, None
                done.user_attrs["fail_reason"] = "BuildError: synthetic failure"
            frozen.append(done)
            if cfg.arch_id not in scored:
                scored.add(cfg.arch_id)
                candidates.append({"arch_id": cfg.arch_id, "arch_json": cfg.to_json(),
                                   "space": SPACE})
                scores.append({"arch_id": cfg.arch_id, "settings_key": SETTINGS_KEY,
                               "values": values, "rate_source": "prior", "layers": layers,
                               "flags": []})
        _write_trials(rdb.engine, study_id, frozen)
        _insert(storage, candidates, scores)
        checks += rng.sample(frozen, 2)
    _check_through_optuna(rdb, study_id, checks)
    for arch_id in sorted(scored)[:TRAININGS]:
        storage.add_training(arch_id, dataset="cifar100", epochs=1, seed=0, status="ok",
                             accuracy=round(rng.uniform(20, 60), 2), study_name=STUDY,
                             energy_mj=0.1)
    storage.close()


def _real_layers(space) -> list[dict]:
    """The per-layer rows of one real cost pass (so score sets weigh what real ones do)."""
    from autost.proxies import ScoreSettings, score_architecture

    cfg = space.sample(random.Random(0))
    return list(score_architecture(cfg, ["params", "flops", "energy"],
                                   ScoreSettings(rates="prior")).layers)


def _synthetic_scores(cfg, rng: random.Random) -> dict[str, float]:
    depth, width = len(cfg.blocks), cfg.embed_dim
    params = 12.0 * depth * width * width * rng.uniform(0.8, 1.2)
    flops = 64.0 * params * rng.uniform(0.9, 1.1)
    return {"params": params, "flops": flops, "energy": flops * 0.9e-9 * rng.uniform(0.1, 0.3),
            "macs_total": flops, "macs_per_step": flops}


def _write_trials(engine, study_id: int, frozen: list) -> None:
    """Insert finished trials into Optuna's tables in one transaction, as the rows its
    ``RDBStorage`` writes for them (Optuna writes a trial in a dozen statements of its own,
    about 20 ms each on SQLite; 100,000 trials would take most of an hour).
    :func:`_check_through_optuna` reads a sample back through Optuna's API."""
    import json

    import sqlalchemy as sa
    from optuna.distributions import distribution_to_json

    tables = sa.MetaData()
    tables.reflect(engine, only=["trials", "trial_params", "trial_values",
                                 "trial_user_attributes", "trial_system_attributes"])
    t = tables.tables
    with engine.begin() as connection:
        first = connection.execute(sa.select(sa.func.coalesce(sa.func.max(
            t["trials"].c.trial_id), 0))).scalar_one() + 1
        numbered = connection.execute(sa.select(sa.func.count()).select_from(
            t["trials"]).where(t["trials"].c.study_id == study_id)).scalar_one()
        rows = {name: [] for name in t}
        for offset, trial in enumerate(frozen):
            trial_id = first + offset
            rows["trials"].append({
                "trial_id": trial_id, "number": numbered + offset, "study_id": study_id,
                "state": trial.state.name, "datetime_start": trial.datetime_start,
                "datetime_complete": trial.datetime_complete})
            rows["trial_params"] += [
                {"trial_id": trial_id, "param_name": name,
                 "param_value": trial.distributions[name].to_internal_repr(value),
                 "distribution_json": distribution_to_json(trial.distributions[name])}
                for name, value in trial.params.items()]
            rows["trial_values"] += [
                {"trial_id": trial_id, "objective": i, "value": v, "value_type": "FINITE"}
                for i, v in enumerate(trial.values or [])]
            for table, attrs in (("trial_user_attributes", trial.user_attrs),
                                 ("trial_system_attributes", trial.system_attrs)):
                rows[table] += [{"trial_id": trial_id, "key": k, "value_json": json.dumps(v)}
                                for k, v in attrs.items()]
        for name in ("trials", "trial_params", "trial_values", "trial_user_attributes",
                     "trial_system_attributes"):
            if rows[name]:
                connection.execute(t[name].insert(), rows[name])
        if engine.dialect.name == "postgresql":  # ids were given: move the sequence past them
            connection.execute(sa.text("SELECT setval(pg_get_serial_sequence('trials', "
                                       "'trial_id'), (SELECT max(trial_id) FROM trials))"))


def _check_through_optuna(rdb, study_id: int, expected: list) -> None:
    """Exit unless Optuna reads the sampled trials back as they were made."""
    by_number = {t.number: t for t in rdb.get_all_trials(study_id, deepcopy=False)}
    for trial in expected:
        got = by_number.get(trial.number)
        same = got is not None and (got.state, got.values, got.params, got.user_attrs,
                                    got.constraints) == (trial.state, trial.values,
                                                         trial.params, trial.user_attrs,
                                                         trial.constraints)
        if not same:
            sys.exit(f"Optuna reads trial {trial.number} back otherwise: {got} != {trial}")


def _insert(storage, candidates: list[dict], scores: list[dict]) -> None:
    from autost.storage.models import Candidate, Score

    with storage.engine.begin() as connection:
        if candidates:
            connection.execute(Candidate.__table__.insert(), candidates)
            connection.execute(Score.__table__.insert(), scores)


def database(backend: str, trials: int, cache: Path) -> str:
    """The URL of the cached study of ``trials`` trials on ``backend``, built if missing."""
    name = f"autost_scale_{trials}"
    if backend == "sqlite":
        path = cache / f"{name}.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            partial = cache / f"{name}.partial.db"
            partial.unlink(missing_ok=True)
            _timed_build(f"sqlite:///{partial}", trials, backend)
            partial.rename(path)
        return url
    import psycopg

    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        built = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              (name,)).fetchone()
        if built is None:
            partial = name + "_partial"
            admin.execute(f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{partial}"')
            _timed_build(url.replace(name, partial), trials, backend)
            admin.execute(f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
    return url


def _timed_build(url: str, trials: int, backend: str) -> None:
    started = time.perf_counter()
    print(f"building {trials} trials on {backend} ...", file=sys.stderr, flush=True)
    build(url, trials)
    print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


# -- measuring -----------------------------------------------------------------------------
def raw_floor(url: str) -> float:
    """Seconds of one SELECT of every trial's state, values and user attrs (the floor)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    started = time.perf_counter()
    with engine.connect() as connection:
        sid = connection.execute(sa.text("SELECT study_id FROM studies WHERE study_name = :n"),
                                 {"n": STUDY}).scalar_one()
        for query in ("SELECT t.number, t.state FROM trials t WHERE t.study_id = :s",
                      "SELECT v.trial_id, v.objective, v.value FROM trial_values v "
                      "JOIN trials t ON t.trial_id = v.trial_id WHERE t.study_id = :s",
                      "SELECT a.trial_id, a.key, a.value_json FROM trial_user_attributes a "
                      "JOIN trials t ON t.trial_id = a.trial_id WHERE t.study_id = :s"):
            connection.execute(sa.text(query), {"s": sid}).all()
    took = time.perf_counter() - started
    engine.dispose()
    return took


# Runs the autost command line in this interpreter and, as it exits, writes to argv[1] the
# peak resident memory in KB of its own process plus that of its largest child (the forked
# scoring or plot process). wait4's ru_maxrss of a process started from this benchmark
# would count the benchmark's own resident set, copied by the fork before the exec.
_MEASURED = """
import atexit, resource, sys

def _report(path=sys.argv[1]):
    with open("/proc/self/status") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(path, "w") as out:
        out.write(str(own + child))

atexit.register(_report)
sys.argv = ["autost", *sys.argv[2:]]
from autost.cli import main
main()
"""


def command(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak resident MB, stdout) of ``autost ARGS`` as a fresh process."""
    peak = cwd / "peak.kb"
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _MEASURED, str(peak), *args], cwd=cwd,
                         capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if out.returncode != 0:
        sys.exit(f"autost {' '.join(args)} failed (exit {out.returncode}):\n{out.stderr}")
    return wall, int(peak.read_text()) / 1024, out.stdout


def service_reads(url: str) -> tuple[float, float]:
    """Seconds of the study page's data (summary, first page of trials) read first and then
    from the cache, in a fresh process (imports not counted)."""
    code = (
        "import time, sys\n"
        "from autost.storage import open_storage\n"
        "from autost.service import studies\n"
        "cache = studies.StudyCache(open_storage(sys.argv[1], create=False))\n"
        "def page():\n"
        "    e = cache.get(sys.argv[2])\n"
        "    studies.summary(e)\n"
        "    cache.memo(sys.argv[2], 'page', lambda e: studies.list_trials(e))\n"
        "t = time.perf_counter(); page(); first = time.perf_counter() - t\n"
        "t = time.perf_counter(); page(); cached = time.perf_counter() - t\n"
        "print(first, cached)\n")
    out = subprocess.run([sys.executable, "-c", code, url, STUDY], capture_output=True,
                         text=True, check=True)
    first, cached = map(float, out.stdout.split())
    return first, cached


def complete_trials(url: str, study: str = STUDY) -> tuple[int, datetime.datetime | None]:
    """(COMPLETE trials of ``study``, the latest finish time among them, naive UTC as Optuna
    stores it)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        count, latest = connection.execute(sa.text(
            "SELECT count(*), max(t.datetime_complete) FROM trials t JOIN studies s "
            "ON s.study_id = t.study_id WHERE s.study_name = :n AND t.state = 'COMPLETE'")
            .columns(sa.column("count", sa.Integer), sa.column("max", sa.DateTime)),
            {"n": study}).one()
    engine.dispose()
    return count, latest


def resume_start(url: str, cwd: Path, study: str = STUDY
                 ) -> tuple[float, float, float, bool]:
    """(seconds until it told its trial, seconds of the whole command, peak resident MB,
    whether it scored its trial) of ``autost search`` resuming the study for one more
    COMPLETE trial (cost-only objectives, scored and told, then the search's summary). A
    trial whose architecture the study scored before reads its scores (no cost pass); a
    new one is scored. The study keeps the trial."""
    budget = complete_trials(url)[0] + 1 if study == STUDY else 1
    args = ["search", "--study", study, "--space", SPACE, "--storage", url, "--budget",
            str(budget), "--no-progress", "--json", "--objective", "flops:max",
            "--objective", "energy:min", "--rates", "prior"]
    started = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    wall, peak, out = command(args, cwd)
    told = (complete_trials(url, study)[1] - started).total_seconds()
    return told, wall, peak, json.loads(out)["run"]["scored"] > 0


def measure(url: str, cwd: Path, repeat: int) -> dict[str, float]:
    """Every figure for one built study (the best of ``repeat`` runs of each)."""
    base = ["--study", STUDY, "--storage", url]
    runs = {"top": ["results", "top", *base, "-k", "10"], "pareto": ["pareto", *base],
            "report": ["report", *base, "--out", str(cwd / "report")]}
    found = {"raw SQL floor": min(raw_floor(url) for _ in range(repeat))}
    peak = 0.0
    for name, args in runs.items():
        walls = []
        for _ in range(repeat):
            wall, rss, _ = command(args, cwd)
            walls.append(wall)
            peak = max(peak, rss)
        found[f"autost {name} (s)"] = min(walls)
    found["peak memory (MB)"] = peak
    reads = [service_reads(url) for _ in range(repeat)]
    found["service first read (s)"] = min(r[0] for r in reads)
    found["service cached read (s)"] = min(r[1] for r in reads)
    told, wall, resume_peak, scored = resume_start(url, cwd)
    found["resume start (s)"], found["resume, whole command (s)"] = told, wall
    found["resume scored its trial"] = float(scored)  # 0: its architecture was stored
    with unscored_copy(url, cwd) as copy:
        told, wall, new_peak, _ = resume_start(copy, cwd)
    found["resume start, new architecture (s)"] = told
    found["resume, new architecture, whole command (s)"] = wall
    found["resume peak memory (MB)"] = max(resume_peak, new_peak)
    return found


@contextlib.contextmanager
def unscored_copy(url: str, cwd: Path):
    """The URL of a copy of the study without its stored scores, so that a resumed trial's
    architecture is always new to it (scored: a cost pass, torch imported); dropped after."""
    import sqlalchemy as sa

    if url.startswith("sqlite:///"):
        copy = cwd / "unscored.db"
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as source, \
                contextlib.closing(sqlite3.connect(copy)) as target:
            source.backup(target)
            target.execute("DELETE FROM autost_scores")
            target.commit()
        try:
            yield f"sqlite:///{copy}"
        finally:
            copy.unlink()
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    copy_name = f"{name}_unscored"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{copy_name}" TEMPLATE "{name}"')
    copy = url.replace(name, copy_name)
    engine = sa.create_engine(copy)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM autost_scores"))
    engine.dispose()
    try:
        yield copy
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "autost-scale"),
                        help="folder of the built SQLite studies (PostgreSQL keeps databases "
                             "autost_scale_N)")
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    sizes = [int(n) for n in opts.sizes.split(",")]
    cache = Path(opts.cache)
    cache.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {Path('/proc/loadavg').read_text().split()[:3]}")
    for backend in opts.backends.split(","):
        table: dict[int, dict[str, float]] = {}
        with tempfile.TemporaryDirectory() as tmp:
            floor_url = f"sqlite:///{Path(tmp) / 'floor.db'}"
            start_floor = resume_start(floor_url, Path(tmp), study="floor")[:2]
            for n in sizes:
                url = database(backend, n, cache)
                table[n] = measure(url, Path(tmp), opts.repeat)
        _print(backend, table, start_floor)
    print(f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}")


def _print(backend: str, table: dict[int, dict[str, float]],
           start_floor: tuple[float, float]) -> None:
    sizes = sorted(table)
    names = list(table[sizes[0]])
    print(f"\n{backend}: trials " + "  ".join(f"{n:>9}" for n in sizes)
          + f"  growth {sizes[0]}->{sizes[-1]}")
    for name in names:
        cells = "  ".join(f"{table[n][name]:9.3f}" for n in sizes)
        first = table[sizes[0]][name]
        growth = f"x{table[sizes[-1]][name] / first:.1f}" if first else ""
        print(f"  {name:<44} {cells}  {growth}")
    print("  a new search's first trial (the floor of resume start): "
          f"{start_floor[0]:.2f} s (its whole command {start_floor[1]:.2f} s)")


if __name__ == "__main__":
    main()
