"""A one-worker search scores in a process forked as ``autost search`` starts: the same
outcomes as inline, torch never imported by the search's own process, inline again when the
child is gone, and no child left after the block (a killed search: test_reliability)."""

import json
import subprocess
import sys
import textwrap

import optuna
import pytest

from autost.models.presets import get_preset
from autost.proxies.settings import ScoreSettings
from autost.search import search
from autost.search.scorer import score_candidate
from autost.search.scoring_process import worth_forking

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks")
COST = ["flops:max", "energy:min"]


def _python(script: str) -> dict:
    """Run ``script`` in a fresh interpreter (torch not imported) and return the JSON it
    prints last."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True,
                         text=True, check=False, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_the_cli_scores_in_the_child_and_finds_what_inline_scoring_finds(tmp_path):
    forked, inline = f"sqlite:///{tmp_path / 'forked.db'}", f"sqlite:///{tmp_path / 'inline.db'}"
    seen = _python(f"""
        import json, sys
        from autost.cli import main
        try:
            main(["search", "--space", "stmixer", "--budget", "12", "--seed", "4",
                  "--objective", "flops:max", "--objective", "energy:min",
                  "--storage", {forked!r}, "--no-progress", "--json"])
        except SystemExit as e:
            assert e.code == 0, e.code
        print(json.dumps({{"torch": "torch" in sys.modules}}))
    """)
    assert seen == {"torch": False}  # twelve trials scored, none of it in this process
    search("stmixer", budget=12, seed=4, objectives=COST, storage=inline, progress=False)
    studies = [optuna.load_study(study_name="stmixer", storage=url).trials
               for url in (forked, inline)]
    assert [[(t.number, t.state, t.values, t.user_attrs["arch_id"]) for t in trials]
            for trials in studies] == [[(t.number, t.state, t.values, t.user_attrs["arch_id"])
                                        for t in studies[1]]] * 2


def test_a_dead_child_leaves_scoring_inline_and_the_block_ends_the_child():
    arch = get_preset("spikformer-4-384").to_json()
    expected = score_candidate(arch, ("params", "flops"), ScoreSettings())
    seen = _python(f"""
        import json, os, signal
        from autost.proxies.settings import ScoreSettings
        from autost.search.scorer import Scorer
        from autost.search.scoring_process import forked_scoring

        arch, proxies, settings = {arch!r}, ("params", "flops"), ScoreSettings()
        with forked_scoring(1) as process:
            scorer = Scorer(settings, 1, process)
            first = scorer.outcome(scorer.submit(arch, proxies))
            os.kill(process.pid, signal.SIGKILL)
            second = scorer.outcome(scorer.submit(arch, proxies))
        print(json.dumps({{"first": first.values, "second": second.values,
                          "child alive": process._child.is_alive(),
                          "connection open": process.alive}}))
    """)
    assert seen == {"first": expected.values, "second": expected.values,
                    "child alive": False, "connection open": False}


def test_it_forks_only_for_one_worker_where_torch_is_not_imported_yet():
    assert "torch" in sys.modules and not worth_forking(1)  # this test session has torch
    fresh = _python("""
        import json
        from autost.search.scoring_process import worth_forking
        print(json.dumps([worth_forking(1), worth_forking(2)]))
    """)
    assert fresh == [True, False]
