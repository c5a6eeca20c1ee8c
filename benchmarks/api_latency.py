"""Latency of the study page's data from ``autost serve`` with 10,000 trials in SQLite.

The study is built quickly through the real code paths: a real search (``autost.search``,
random sampler, literature rates, the cost-only objectives flops and energy) of
``--searched`` trials on ``autost-tiny``; then, up to ``--trials``, further distinct
architectures sampled from the same space, scored by the same ``score_architecture`` (two
processes), stored by the same Storage calls and added to the study with Optuna's
``study.add_trials`` (instead of an ask/tell round each, which is most of a search's
time). The database is kept in ``--db`` and reused by later runs.
A real ``autost serve`` is started on it, and the requests the study page makes are each
sent ``--requests`` times over HTTP after one cold request (which reads the study into the
server's cache):

    summary  GET /api/studies/NAME                       (the page's progress poll)
    pareto   GET /api/studies/NAME/pareto?cloud=2000     (the front and 2,000 others)
    table    GET /api/studies/NAME/trials?sort=..&limit=25 (one page of the table)
    page     GET /studies/NAME                           (the HTML page itself)

Beside them, in the same run: ``autost results top --study NAME -k 10`` as a command
(Python start-up, imports and reading the study included), median of three.
Target: p95 of each API request under 200 ms. Usage:
    python benchmarks/api_latency.py [--trials 10000] [--searched 500] [--requests 100]
                                     [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

STUDY = "bench"
TOKEN = "benchmark"
# cost-only objectives: no forward pass per candidate (the default objectives' naswot needs
# one, which made the 500 searched trials take most of an hour on two cores)
COST_OBJECTIVES = ["flops:max", "energy:min"]


def build(url: str, trials: int, searched: int) -> float | None:
    """Make the study unless it already holds ``trials`` trials; return seconds taken."""
    import autost
    from autost.exceptions import StudyNotFoundError
    from autost.search.plan import SearchPlan
    from autost.storage import load_study, open_storage

    storage = open_storage(url)
    try:
        study = load_study(storage, STUDY)
        if len(study.get_trials(deepcopy=False)) >= trials:
            return None
    except StudyNotFoundError:
        pass
    started = time.perf_counter()
    autost.search("autost-tiny", budget=min(searched, trials), sampler="random", seed=0,
                  study_name=STUDY, storage=url, rates="prior", progress=False,
                  objectives=COST_OBJECTIVES)
    study = load_study(storage, STUDY)
    plan = SearchPlan.from_user_attrs(study.user_attrs)
    missing = trials - len(study.get_trials(deepcopy=False))
    if missing > 0:
        add_sampled(storage, study, plan, missing)
    return time.perf_counter() - started


def add_sampled(storage, study, plan, count: int) -> None:
    """Add ``count`` COMPLETE trials of new architectures sampled from the study's space."""
    import random
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    import optuna

    from autost.space import load_space
    from autost.storage.study_reader import ARCH_ID_ATTR, SETTINGS_KEY_ATTR, SPACE_ATTR

    space = load_space(plan.space_source)
    seen = {t.user_attrs.get(ARCH_ID_ATTR) for t in study.get_trials(deepcopy=False)}
    rng, archs = random.Random(1), {}
    while len(archs) < count:
        cfg = space.sample(rng)
        if cfg.arch_id not in seen:
            archs.setdefault(cfg.arch_id, cfg)
    key = plan.settings_key()
    jobs = [(cfg.to_json(), plan.proxies, plan.score_settings) for cfg in archs.values()]
    with ProcessPoolExecutor(2, mp_context=get_context("forkserver")) as pool:
        results = list(pool.map(_score, jobs, chunksize=100))
    trials = []
    for cfg, result in zip(archs.values(), results, strict=True):
        storage.add_candidate(cfg, plan.space)
        storage.put_scores(cfg.arch_id, key, result)
        trials.append(optuna.trial.create_trial(
            values=[result.values[o.name] for o in plan.objectives],
            user_attrs={ARCH_ID_ATTR: cfg.arch_id, SETTINGS_KEY_ATTR: key,
                        SPACE_ATTR: plan.space},
            constraints={c.name: c.violation(result.values) for c in plan.constraints}))
    study.add_trials(trials)


def _score(job):
    from autost.arch import ArchConfig
    from autost.proxies import ScoreSettings, score_architecture

    arch_json, proxies, settings = job
    return score_architecture(ArchConfig.from_json(arch_json), list(proxies),
                              ScoreSettings(**settings))


def serve(url: str, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "autost", "serve", "--port", str(port), "--storage", url],
        env={**os.environ, "AUTOST_TOKEN": TOKEN}, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            fetch(f"http://127.0.0.1:{port}/api/jobs")
            return process
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                sys.exit("autost serve did not answer within 60 s")
            time.sleep(0.2)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read()


def timed(url: str) -> float:
    started = time.perf_counter()
    fetch(url)
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cli_top(url: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "autost", "results", "top", "--study", STUDY,
                        "-k", "10", "--storage", url], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--searched", type=int, default=500,
                        help="trials made by a real search; the rest are added (see above)")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "autost_api.db"))
    parser.add_argument("--port", type=int, default=8653)
    args = parser.parse_args()
    url = f"sqlite:///{Path(args.db).resolve()}"
    built = build(url, args.trials, args.searched)
    if built is not None:
        print(f"built {args.trials} trials ({args.searched} by a real search) in "
              f"{built:.0f} s", flush=True)
    base = f"http://127.0.0.1:{args.port}"
    process = serve(url, args.port)
    try:
        first = json.loads(fetch(f"{base}/api/studies/{STUDY}"))["plan"]["objectives"][0]
        requests = {
            "summary": f"{base}/api/studies/{STUDY}",
            "pareto": f"{base}/api/studies/{STUDY}/pareto?cloud=2000",
            "table": f"{base}/api/studies/{STUDY}/trials?sort={first}&limit=25",
            "page": f"{base}/studies/{STUDY}",
        }
        process.kill()  # restart, so the cold request below reads the study from disk
        process.wait()
        process = serve(url, args.port)
        cold = timed(requests["pareto"])
        rows = []
        for name, request in requests.items():
            times = [timed(request) for _ in range(args.requests)]
            rows.append((name, statistics.median(times), percentile(times, 0.95)))
        progress = json.loads(fetch(requests["summary"]))["progress"]
    finally:
        process.kill()
        process.wait()
    cli = cli_top(url)
    print(f"study {STUDY}: {progress['trials']} trials, {progress['candidates']} feasible "
          f"architectures; {args.requests} requests each over HTTP to autost serve")
    print(f"cold pareto (first request, reads the study): {cold * 1e3:.0f} ms")
    print(f"{'request':<10}{'median ms':>11}{'p95 ms':>9}{'p95/CLI':>9}")
    for name, median, p95 in rows:
        print(f"{name:<10}{median * 1e3:>11.1f}{p95 * 1e3:>9.1f}{p95 / cli:>9.3f}")
    print(f"CLI `autost results top --study {STUDY} -k 10`: {cli * 1e3:.0f} ms (median of 3)")
    worst = max(p95 for _, _, p95 in rows)
    print(f"target p95 < 200 ms: {'met' if worst < 0.2 else 'MISSED'} (worst {worst * 1e3:.0f} "
          "ms)")


if __name__ == "__main__":
    main()
