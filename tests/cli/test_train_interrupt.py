"""Ctrl-C or SIGTERM during `autost train`, in a real process with real Ray and training.

Trials run one at a time (each takes every CPU), so the signal comes while the second trains
and after the first has finished (EPOCHS epochs of 8 batches keep the second training for
seconds, so a signal sent within half a second of the first one's last line cannot come after
it ends): exit 130, the first training stays stored, and stderr
holds the progress lines and the closing lines (the stored training listed), no traceback and
nothing of Ray's.
"""

import os
import signal
import subprocess
import sys
import time

import pytest

EPOCHS = 60


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_training_keeping_finished_trainings(scored_study, tmp_path, signum):
    storage, _ = scored_study
    command = [sys.executable, "-m", "autost", "train", "--study", "demo", "--storage",
               storage.url, "--top", "2", "--by", "params:min", "--epochs", str(EPOCHS),
               "--shrink", "--no-asha", "--dataset", "synthetic", "--max-batches", "8",
               "--cpus-per-trial", str(os.cpu_count())]
    err = tmp_path / "stderr.txt"
    with open(err, "w") as stderr:
        process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=stderr,
                                   start_new_session=True)
        deadline = time.monotonic() + 600
        while f"% after {EPOCHS} epochs" not in err.read_text():
            assert process.poll() is None, err.read_text()
            assert time.monotonic() < deadline, err.read_text()
            time.sleep(0.5)
        if signum == signal.SIGINT:
            os.killpg(process.pid, signum)  # Ctrl-C reaches the whole foreground group
        else:
            process.send_signal(signum)      # kill PID, a scheduler or a container stopping
        out, _ = process.communicate(timeout=120)
    lines = err.read_text().splitlines()
    assert process.returncode == 130, lines
    assert out == b""
    stored = storage.trainings(study_name="demo")
    assert [(t.status, len(t.history), t.stop_reason) for t in stored] == [
        ("ok", EPOCHS, "completed")]
    assert lines[-3:] == [
        "Interrupted: 1 training finished and stored by this run:",
        f"  {stored[0].arch_id[:12]} on synthetic, seed 0, {EPOCHS} epochs: "
        f"{stored[0].accuracy:.1f} %",
        "the trainings listed stay stored; the same command trains every candidate again"]
    assert all(line.startswith(("timing one", "estimate: ", "trial ")) for line in lines[:-3])
