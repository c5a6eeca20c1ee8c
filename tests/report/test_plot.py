"""Plots: a real PNG of the expected size; HTML only through plotly."""

import sys

import pytest
from matplotlib import image

from autost.exceptions import ReportError
from autost.report import load_entries, pareto_front
from autost.report.plot import PNG_DPI, PNG_SIZE_IN, axis_label, plot_front


@pytest.fixture
def front(scored_study):
    storage, _ = scored_study
    return pareto_front(load_entries(storage, "demo"))


def test_png_is_a_real_image_of_the_expected_size(front, tmp_path):
    path = plot_front(front, tmp_path / "front.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = image.imread(path)
    width, height = (int(s * PNG_DPI) for s in PNG_SIZE_IN)
    assert pixels.shape[:2] == (height, width) == (600, 800)
    assert pixels[..., :3].std() > 0.05  # something was drawn


def test_three_objectives_still_plot(scored_study, tmp_path):
    storage, _ = scored_study
    front = pareto_front(load_entries(storage, "demo"), ["flops:max", "energy:min",
                                                         "params:min"])
    assert image.imread(plot_front(front, tmp_path / "f.png")).shape[:2] == (600, 800)


def test_axis_labels_name_unit_and_direction(front):
    assert axis_label(front.objectives[0]) == (
        "flops: MACs per image, total over T (M) - higher is better")
    assert axis_label(front.objectives[1]) == "energy: mJ per image - lower is better"


def test_html_without_plotly_is_a_clear_error(front, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "plotly", None)  # import fails even where installed
    with pytest.raises(ReportError) as e:
        plot_front(front, tmp_path / "front.html")
    assert str(e.value) == (
        f"cannot write '{tmp_path / 'front.html'}': HTML plots need plotly, which is not "
        "installed; pip install plotly, or give a .png file")


def test_html_with_plotly(front, tmp_path):
    pytest.importorskip("plotly")
    path = plot_front(front, tmp_path / "front.html")
    assert "Pareto front" in path.read_text()


def test_other_suffix_and_missing_folder(front, tmp_path):
    with pytest.raises(ReportError, match="give a .png or .html file name"):
        plot_front(front, tmp_path / "front.svg")
    with pytest.raises(ReportError, match="cannot write .*No such file or directory"):
        plot_front(front, tmp_path / "missing" / "front.png")
