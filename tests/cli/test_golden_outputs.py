"""Every reading command prints, byte for byte, what it printed before the SQL reader."""

import golden_outputs as golden
import pytest


@pytest.fixture
def outputs(scored_study, tmp_path):
    storage, info = scored_study
    golden.add_training(storage, info)
    return golden.outputs(storage, info, tmp_path)


def test_every_golden_file_is_produced(outputs):
    assert sorted(f"{name}.txt" for name in outputs) == sorted(
        p.name for p in golden.GOLDEN.glob("*.txt"))


def test_outputs_are_byte_identical(outputs):
    for name, text in outputs.items():
        assert text == (golden.GOLDEN / f"{name}.txt").read_text(), name
