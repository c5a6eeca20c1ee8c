"""The study's settings in its user attrs: round trip, defaults, reruns that clash."""

import pytest

from autost.exceptions import SearchConfigError
from autost.search.objectives import chosen_objectives
from autost.search.plan import DEFAULT_RATES, SearchPlan, make_plan, reconcile
from autost.space import load_space

SPACE = load_space("stmixer")


def test_user_attrs_round_trip_and_defaults():
    objectives, predictor, note = chosen_objectives(SPACE, None, None)
    assert (objectives, predictor.name, note) == (["predicted:max", "energy:min"], "builtin",
                                                  None)
    plan = make_plan(SPACE, budget=7, objectives=objectives, predictor=predictor,
                     constraints={"max_params": "12M"}, seed=3)
    attrs = plan.user_attrs()
    assert attrs["objectives"] == ["predicted:max", "energy:min"]
    assert attrs["predictor"]["name"] == "builtin"
    assert attrs["constraints"] == {"max_params": 12e6} and attrs["rates"] == DEFAULT_RATES
    assert attrs["sampler"] == "tpe" and attrs["seed"] == 3 and attrs["budget"] == 7
    assert SearchPlan.from_user_attrs(attrs) == plan
    assert plan.proxies == ("energy", "params")  # the predictor's inputs are its surrogate's
    assert plan.settings_key() == "cost3/prior/digits/b16/s0/mac4.6/ac0.9"


def test_given_objectives_or_predictor_replace_the_defaults():
    assert chosen_objectives(SPACE, ["naswot:max"], None) == (["naswot:max"], None, None)
    objectives, predictor, _ = chosen_objectives(SPACE, None, "builtin")
    assert objectives is None and predictor.name == "builtin"  # make_plan's default objectives


WIDE = ('[space]\nname = "wide"\n[fixed]\npatch_splitter = "sps"\ntimesteps = 1\n'
        '[global]\ndepth = {low = 1, high = 2}\nembed_dim = [200]\n'
        '[block]\ntoken_mixer = "conv"\n')


def test_a_space_the_builtin_surrogate_cannot_shrink_falls_back_to_naswot(tmp_path):
    (tmp_path / "wide.toml").write_text(WIDE)
    objectives, predictor, note = chosen_objectives(load_space(str(tmp_path / "wide.toml")),
                                                    None, None)
    assert (objectives, predictor) == (["naswot:max", "energy:min"], None)
    assert note == (
        "predictor 'builtin' cannot score space 'wide': surrogate 'keep8' cannot shrink "
        "L2 D200 T1 sps [conv/mlp conv/mlp]: embed_dim 50 is invalid: must be divisible by 8 "
        "(patch splitters use D/8); choose another surrogate; searching the other default "
        "objectives, naswot:max and energy:min")


def test_no_seed_draws_one_to_record():
    assert isinstance(make_plan(SPACE, budget=1).seed, int)


def test_a_file_space_is_recorded_by_its_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.toml").write_text("")
    plan = make_plan(SPACE, budget=1, space_arg="mine.toml")
    assert plan.space == "stmixer" and plan.space_source == str(tmp_path / "mine.toml")


@pytest.mark.parametrize("budget", [0, -1, 1.5, True])
def test_budget_must_be_a_positive_integer(budget):
    with pytest.raises(SearchConfigError, match="budget"):
        make_plan(SPACE, budget=budget)


def test_a_study_not_made_by_autost_cannot_be_joined():
    with pytest.raises(SearchConfigError, match="not made by `autost search`; give another"):
        SearchPlan.from_user_attrs({"objectives": ["flops:max"]})


def test_a_rerun_keeps_the_study_and_takes_a_new_budget_sampler_and_seed():
    stored = make_plan(SPACE, budget=5, seed=1, objectives=["params:min"])
    asked = make_plan(SPACE, budget=9, seed=2, sampler="nsga2")
    plan = reconcile(stored, asked, given={"sampler"})
    assert (plan.budget, plan.sampler, plan.seed) == (9, "nsga2", 1)
    assert plan.objectives == stored.objectives
    with pytest.raises(SearchConfigError, match="objectives: study has"):
        reconcile(stored, asked, given={"objectives"})
