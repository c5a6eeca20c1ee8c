"""``autost serve``: a JSON API and web pages over the results database, and a job queue.

The API and the pages read studies through the same functions as ``autost results``,
``autost pareto`` and ``autost results show``; submitted searches and trainings become rows
of ``autost_jobs`` that worker processes run through ``autost.search.search`` and
``autost.train.top_candidates.train_ranked``. Reads are open; writes need the server's
bearer token.
``create_app`` is imported on first use, so a job process never loads the web stack.
"""

from importlib import import_module

__all__ = ["create_app"]


def __getattr__(name):
    if name == "create_app":
        return import_module("autost.service.app").create_app
    raise AttributeError(f"module 'autost.service' has no attribute {name!r}")
