"""Latency of the study page's data from ``autost serve`` with 10,000 trials in SQLite.

The study is made by a real search (``autost.search``: random sampler, literature rates,
two scoring processes) of ``--trials`` trials on ``autost-tiny``; it is kept in ``--db``
and reused by later runs. A real ``autost serve`` is started on it, and the requests the
study page makes are each sent ``--requests`` times over HTTP after one cold request
(which reads the study into the server's cache):

    summary  GET /api/studies/NAME                       (the page's progress poll)
    pareto   GET /api/studies/NAME/pareto?cloud=2000     (the front and 2,000 others)
    table    GET /api/studies/NAME/trials?sort=..&limit=25 (one page of the table)
    page     GET /studies/NAME                           (the HTML page itself)

Beside them, in the same run: ``autost results top --study NAME -k 10`` as a command
(Python start-up, imports and reading the study included), median of three.
Target: p95 of each API request under 200 ms. Usage:
    python benchmarks/api_latency.py [--trials 10000] [--requests 100] [--db PATH]
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


def build(url: str, trials: int) -> float | None:
    """Run the search unless the study already holds ``trials`` complete trials."""
    import autost
    from autost.report import load_entries
    from autost.storage import open_storage
    from autost.study.trial_attrs import count_complete

    try:
        storage = open_storage(url)
        rdb = storage.optuna_storage()
        if count_complete(storage.engine, rdb.get_study_id_from_name(STUDY)) >= trials:
            return None
    except KeyError:
        pass
    started = time.perf_counter()
    autost.search("autost-tiny", budget=trials, sampler="random", seed=0, study_name=STUDY,
                  storage=url, workers=2, rates="prior", progress=True)
    load_entries(open_storage(url), STUDY)
    return time.perf_counter() - started


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
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "autost_api.db"))
    parser.add_argument("--port", type=int, default=8653)
    args = parser.parse_args()
    url = f"sqlite:///{Path(args.db).resolve()}"
    built = build(url, args.trials)
    if built is not None:
        print(f"built {args.trials} trials by a real search in {built:.0f} s", flush=True)
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
