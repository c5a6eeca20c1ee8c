"""The front a search hands over: the spread rule by hand, and one set for search and train."""

import pytest

from autost.exceptions import ReportError
from autost.search import search
from autost.search.front import handed_over, spread


def test_spread_takes_both_ends_and_rounded_even_steps_between():
    rows = list(range(11))
    assert spread(rows, 6) == [0, 2, 4, 6, 8, 10]
    assert spread(rows, 2) == [0, 10]
    assert spread(rows, 1) == [0]
    # 9 rows, 4 wanted: steps of 8/3 rounded: 0, 2.67, 5.33, 8
    assert spread(list("abcdefghi"), 4) == ["a", "d", "f", "i"]


def test_spread_keeps_a_short_front_whole_and_refuses_k_below_one():
    assert spread([5, 6], 6) == [5, 6]
    assert spread([], 3) == []
    with pytest.raises(ValueError, match="^k must be at least 1, got 0$"):
        spread([1, 2], 0)


def test_handed_over_is_the_spread_the_search_lists(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    result = search("stmixer", budget=30, objectives=["flops:max", "energy:min"], seed=4,
                    storage=url, progress=False)
    from autost.storage import open_storage

    storage = open_storage(url, create=False)
    assert len(result.best) > 4
    for k in (1, 3, 4, len(result.best) + 2):
        assert handed_over(storage, "stmixer", k) == [b.arch_id for b in spread(result.best, k)]
    listed = handed_over(storage, "stmixer", 4)
    energies = [next(b.values["energy"] for b in result.best if b.arch_id == a) for a in listed]
    assert energies == sorted(energies, reverse=True)  # dearest first along the front


def test_a_study_without_objectives_has_no_front_to_spread(tmp_path):
    import optuna

    from autost.storage import open_storage

    url = f"sqlite:///{tmp_path / 'o.db'}"
    storage = open_storage(url)
    optuna.create_study(study_name="bare", storage=storage.optuna_storage())
    with pytest.raises(ReportError, match="^study 'bare' does not record its objectives, so it "
                                          "has no front to spread; train it with --top K "
                                          "instead$"):
        handed_over(storage, "bare", 2)
