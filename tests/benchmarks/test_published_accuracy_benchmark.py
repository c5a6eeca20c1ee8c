"""benchmarks/published_accuracy.py: the batch size of the data-dependent proxies is an
option that keys the stored scores, and a bad one is one Error: line before any write."""

import sys


def _main(load_benchmark, monkeypatch, *args) -> int:
    monkeypatch.setattr(sys, "argv", ["published_accuracy.py", *args])
    return load_benchmark("published_accuracy").main()


def test_a_batch_of_one_is_one_error_line_and_writes_nothing(load_benchmark, monkeypatch,
                                                              tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert _main(load_benchmark, monkeypatch, "--batch-size", "1", "--storage", url) == 1
    assert capsys.readouterr().err == ("Error: batch_size 1 is invalid: the spike-code kernels "
                                       "compare images, use at least 2\n")
    assert not (tmp_path / "p.db").exists()


def test_the_batch_size_keys_the_scores(load_benchmark, monkeypatch, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    args = ["--datasets", "CIFAR10", "--proxies", "flops", "params", "naswot", "--storage", url]
    assert _main(load_benchmark, monkeypatch, *args, "--batch-size", "8") == 0
    out = capsys.readouterr().out
    assert "8 published rows scored or reused in" in out and "/b8/" in out.splitlines()[0]
    assert any(line.split()[:3] == ["CIFAR10", "naswot", "8"] for line in out.splitlines())
