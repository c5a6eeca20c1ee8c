"""Carry a database's successful trainings to another database through a JSON-lines file.

The fidelity trainings and the search-quality benchmark's trainings take hours of CPU; the
files in ``docs/`` hold those behind the README's figures, so a fresh database reuses them
(every training is keyed by architecture and recipe, as autost keys its own) and a rerun
trains only what they lack. Usage:

    python benchmarks/trainings_file.py export sqlite:///fidelity.db docs/FILE.jsonl
        [--spaces stmixer mixed ...]
    python benchmarks/trainings_file.py import docs/FILE.jsonl sqlite:///fidelity.db
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv=None) -> None:
    from autost.storage import open_storage
    from autost.train.records import add_training_records, training_records

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    out = commands.add_parser("export", help="write the trainings of a database to a file")
    out.add_argument("storage")
    out.add_argument("file")
    out.add_argument("--spaces", nargs="+", default=None)
    into = commands.add_parser("import", help="add the trainings of a file to a database")
    into.add_argument("file")
    into.add_argument("storage")
    args = parser.parse_args(argv)
    if args.command == "export":
        records = training_records(open_storage(args.storage, create=False),
                                   spaces=None if args.spaces is None else set(args.spaces))
        Path(args.file).write_text("".join(json.dumps(r, sort_keys=True) + "\n"
                                           for r in records))
        print(f"{len(records)} trainings written to {args.file}", file=sys.stderr)
    else:
        lines = Path(args.file).read_text().splitlines()
        added = add_training_records(open_storage(args.storage),
                                     (json.loads(line) for line in lines if line.strip()))
        print(f"{added} of {len(lines)} trainings added to {args.storage}", file=sys.stderr)


if __name__ == "__main__":
    main()
