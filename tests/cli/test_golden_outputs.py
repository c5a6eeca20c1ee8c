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


@pytest.mark.postgres
def test_outputs_on_postgresql_are_the_same_bytes(postgres_url, scored_study_builder,
                                                  tmp_path):
    storage, info = scored_study_builder(postgres_url)
    golden.add_training(storage, info)
    for name, text in golden.outputs(storage, info, tmp_path).items():
        assert text == (golden.GOLDEN / f"{name}.txt").read_text(), name
    storage.close()
