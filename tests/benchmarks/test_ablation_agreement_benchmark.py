"""benchmarks/ablation_agreement.py: the record's pairs, the training order, and a run at the
test preset (synthetic data, seconds of training) end to end."""


def test_by_default_every_pair_and_configuration_of_the_record(load_benchmark, capsys):
    assert load_benchmark("ablation_agreement").main(["--count"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == ("70 pairs (45 with a published gap >= 1 point) over 39 published rows; "
                      "33 distinct configurations to train, 99 trainings (seeds 0 and 1, and "
                      "twice the epochs)")
    listed = [line.split("  L")[0].strip() for line in out[2:]]
    assert len(listed) == 33
    # the most MACs first: QKFormer HST-10-768 (10 blocks, 768 wide, T = 4) leads the
    # keep8 order (the cpu preset's), and a T = 1 configuration of 4 blocks comes last
    assert listed[0] == "QKFormer HST-10-768"
    assert listed[-1].endswith("T = 1") and " L4 " in out[-1]


def test_longest_first_orders_by_the_surrogates_macs(load_benchmark):
    from autost.cost.count import count_costs
    from autost.models.published import RECORD
    from autost.surrogate import get_surrogate

    bench = load_benchmark("ablation_agreement")
    cfgs = list(bench.training_configs(RECORD[:12]).values())
    ordered = bench.longest_first(cfgs, "keep8")
    macs = [count_costs(get_surrogate("keep8").apply(c)).macs_total for c in ordered]
    assert macs == sorted(macs, reverse=True) and sorted(map(id, ordered)) == sorted(
        map(id, cfgs))


def test_a_test_preset_run_trains_three_recipes_and_prints_every_figure(
        load_benchmark, tmp_path, local_ray, capsys):
    bench = load_benchmark("ablation_agreement")
    url = f"sqlite:///{tmp_path / 'ablation.db'}"
    assert bench.main(["--preset", "test", "--series", "spikformer-size", "--datasets",
                       "CIFAR10", "--storage", url]) == 0
    out = capsys.readouterr().out
    assert "3 distinct configurations to train, 9 trainings" in out
    for line in ("agreement with the papers, all pairs:", "noise ceiling (seeds 0 and 1 "
                 "order alike):", "horizon, tau(1x, 2x epochs) over 3 configurations:",
                 "one training (1x epochs): median",
                 "the baseline, full-size FLOPs, all pairs:   3/3 = 1.00",
                 "Kendall tau with published top-1 over the series' rows",
                 "CIFAR10   surrogate accuracy  n =  3", "CIFAR10   flops               n =  3"):
        assert line in out
    from autost.storage import open_storage

    storage = open_storage(url)
    try:
        keys = {r.settings_key for r in storage.trainings()}
    finally:
        storage.close()
    assert len(keys) == 3 and all("surrogate=keep8" in k for k in keys)


def test_no_horizon_trains_the_two_seeds_only(load_benchmark, tmp_path, local_ray, capsys):
    url = f"sqlite:///{tmp_path / 'ablation.db'}"
    assert load_benchmark("ablation_agreement").main([
        "--preset", "test", "--series", "qkformer-timesteps", "--datasets", "CIFAR100",
        "--storage", url, "--no-horizon"]) == 0
    out = capsys.readouterr().out
    assert "4 distinct configurations to train, 8 trainings (seeds 0 and 1)" in out
    assert out.rstrip().endswith("horizon: not measured (--no-horizon)")
