"""``tau.png`` of the fidelity study: every row, the legend and the whole title visible.

The layout is checked on the drawn figure in display coordinates: the legend's box against
every marker and interval of the axes' data, and every piece of text against the figure.
"""

import numpy as np
import pytest
from matplotlib.text import Text

from autost.proxies import list_proxies
from autost.report.bootstrap import Estimate
from autost.report.fidelity_files import tau_figure

TITLE = "mixed: 24 random architectures, 1 epoch on fashion-mnist (cpu)"
ROWS = [*list_proxies(), "synflow+snip+grad_norm+zico+sahd+naswot+flops",
        "ridge (5-fold, out of fold)"]


def _table(low_last: bool):
    """Taus rising down the rows; the last row (the ridge) low or at the far left, where a
    legend in the corner of the axes used to sit."""
    table = [{"proxy": name, "kendall_tau": t, "kendall_tau_low": t - 0.2,
              "kendall_tau_high": t + 0.2}
             for name, t in zip(ROWS, np.linspace(-0.6, 0.7, len(ROWS)), strict=True)]
    if low_last:
        table[-1].update(kendall_tau=-0.8, kendall_tau_low=-0.99, kendall_tau_high=-0.6)
    return table


def _drawn(table, title=TITLE):
    fig = tau_figure(table, Estimate(0.51, 0.11, 0.85), title)
    fig.canvas.draw()
    return fig, fig.canvas.get_renderer()


def _title(fig) -> Text:
    return next(c for c in fig.get_children()
                if isinstance(c, Text) and c.get_text() == fig.get_suptitle())


def _inside(inner, outer) -> bool:
    return (inner.x0 >= outer.x0 - 0.5 and inner.x1 <= outer.x1 + 0.5
            and inner.y0 >= outer.y0 - 0.5 and inner.y1 <= outer.y1 + 0.5)


@pytest.mark.parametrize("low_last", [False, True])
def test_the_legend_covers_no_marker_and_no_interval(low_last):
    table = _table(low_last)
    fig, renderer = _drawn(table)
    ax = fig.axes[0]
    legends = [*fig.legends, *([ax.get_legend()] if ax.get_legend() else [])]
    assert len(legends) == 1
    box = legends[0].get_window_extent(renderer)
    ys = np.arange(len(table))[::-1]
    points = [(row[k], y) for row, y in zip(table, ys, strict=True)
              for k in ("kendall_tau", "kendall_tau_low", "kendall_tau_high")]
    for x, y in ax.transData.transform(points):
        assert not (box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1), (x, y, box)
    assert not box.overlaps(ax.get_window_extent(renderer))  # nor the axes at all
    assert _inside(box, fig.bbox)


def test_every_row_name_and_the_whole_title_are_inside_the_figure():
    fig, renderer = _drawn(_table(True))
    ax = fig.axes[0]
    labels = ax.get_yticklabels()
    assert [label.get_text() for label in labels] == ROWS
    for label in labels:
        assert _inside(label.get_window_extent(renderer), fig.bbox), label.get_text()
    title = _title(fig)
    assert " ".join(title.get_text().split()) == TITLE
    assert _inside(title.get_window_extent(renderer), fig.bbox)
    assert _inside(ax.xaxis.label.get_window_extent(renderer), fig.bbox)


def test_a_long_title_is_wrapped_not_cut():
    long = TITLE + ", seed 0, the noise ceiling of 10 architectures trained twice"
    fig, renderer = _drawn(_table(False), long)
    title = _title(fig)
    assert " ".join(title.get_text().split()) == long
    assert _inside(title.get_window_extent(renderer), fig.bbox)
