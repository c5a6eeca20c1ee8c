"""benchmarks/study_scale.py end to end on a study of 40 trials: every figure printed, the
memory of each command measured in the command's own process."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "study_scale.py"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_small_study_prints_every_figure(tmp_path):
    out = subprocess.run([sys.executable, str(SCRIPT), "--sizes", "40", "--backends", "sqlite",
                          "--repeat", "1", "--cache", str(tmp_path)], capture_output=True,
                         text=True, check=False, timeout=600)
    assert out.returncode == 0, out.stderr
    rows = dict(re.findall(r"^  (\S.*?) +(\d+\.\d+)  (?:x\S+)?$", out.stdout, re.MULTILINE))
    assert list(rows) == [
        "raw SQL floor", "autost top (s)", "autost pareto (s)", "autost report (s)",
        "peak memory (MB)", "service first read (s)", "service cached read (s)",
        "resume start (s)", "resume, whole command (s)", "resume scored its trial",
        "resume start, new architecture (s)", "resume, new architecture, whole command (s)",
        "resume peak memory (MB)"]
    # until the tell (its stored finish time), then the summary and the exit
    assert 0 < float(rows["resume start (s)"]) < float(rows["resume, whole command (s)"])
    # the benchmark's own few hundred MB (it built the study) are not counted; a command
    # that imports torch, or forks a child that does, is counted with it
    assert 40 < float(rows["peak memory (MB)"]) < 600
    assert 150 < float(rows["resume peak memory (MB)"]) < 1000
    assert float(rows["resume scored its trial"]) in (0.0, 1.0)
    assert "a new search's first trial (the floor of resume start)" in out.stdout
