"""Counted nouns in messages: "1 architecture", "3 architectures", "known proxies".

The one place that spells a plural, so that no message says "1 epochs" or "proxys".
"""


def plural(noun: str) -> str:
    """The plural of ``noun`` (its last word): trial -> trials, proxy -> proxies,
    process -> processes, batch -> batches, epoch -> epochs."""
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "sh", "tch")):
        return noun + "es"
    return noun + "s"


def counted(n: int, noun: str, shown: str | None = None) -> str:
    """``n`` (or its text ``shown``, e.g. "1.05e+18") and ``noun``, plural unless n is 1."""
    return f"{n if shown is None else shown} {noun if n == 1 else plural(noun)}"
