"""The progress bar on stderr: COMPLETE trials of the study against the budget, best so far.

"Best" is per objective over the feasible COMPLETE trials this process has seen (those in
the study when it started and those it told), so it moves without re-reading the study.
"""

from __future__ import annotations

import math
import sys


def format_number(x: float) -> str:
    """Short human form: 1.23G, 45.6M, 0.012."""
    if x is None or not math.isfinite(x):
        return str(x)
    for factor, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= factor:
            return f"{x / factor:.3g}{suffix}"
    return f"{x:.3g}"


class Progress:
    """A tqdm bar (disabled when ``enabled`` is False) with counters and best values."""

    def __init__(self, objectives, budget: int, initial_trials, enabled: bool) -> None:
        from tqdm import tqdm

        self._objectives = objectives
        self._best: list[float | None] = [None] * len(objectives)
        self.counts = {"failed": 0, "cached": 0, "waited": 0}
        for trial in initial_trials:
            self.saw(trial.values, all(v <= 0 for v in trial.constraints.values()))
        # Redraw at most every few seconds when stderr is a log file rather than a terminal.
        interval = 0.1 if sys.stderr.isatty() else 5.0
        self._bar = tqdm(total=budget, file=sys.stderr, disable=not enabled, unit="trial",
                         dynamic_ncols=True, desc="search", mininterval=interval)

    def saw(self, values, feasible: bool) -> None:
        """Take one COMPLETE trial's objective values into the best-so-far."""
        if not feasible or values is None:
            return
        for i, (obj, v) in enumerate(zip(self._objectives, values, strict=True)):
            best = self._best[i]
            if best is None or (v > best if obj.maximize else v < best):
                self._best[i] = v

    def update(self, complete: int) -> None:
        postfix = {o.name: format_number(b) for o, b in zip(self._objectives, self._best,
                                                              strict=True) if b is not None}
        postfix.update({k: v for k, v in self.counts.items() if v})
        self._bar.set_postfix(postfix, refresh=False)
        self._bar.update(min(complete, self._bar.total) - self._bar.n)

    def close(self) -> None:
        self._bar.close()
