"""SAHD and NASWOT kernels on hand-made spike codes, against values computed by hand."""

import math

import pytest
import torch

from autost.exceptions import CostModelError
from autost.proxies.kernels import log_abs_det, naswot_kernel, sahd_kernel

# Layer A: T = 1, B = 2, N_A = 4. Layer B: T = 2, B = 2, N_A = 3.
A = torch.tensor([[[1, 1, 0, 0], [1, 0, 1, 0]]], dtype=torch.bool)
B = torch.tensor([[[1, 0, 0], [1, 0, 0]], [[1, 1, 1], [0, 0, 0]]], dtype=torch.bool)


def _sahd_entry(n_a, x, y):
    d_h = sum(a != b for a, b in zip(x, y, strict=True))
    rx, ry = sum(x) / n_a, sum(y) / n_a
    norm = n_a * (rx * (1 - ry) + (1 - rx) * ry)
    return n_a - 0.5 * d_h / (norm + 1e-3)


def test_sahd_by_hand():
    # off-diagonal entries per (layer, step): A t0: codes 1100 / 1010; B t0: 100 / 100;
    # B t1: 111 / 000. Diagonal entries are N_A (d_H = 0).
    off = [_sahd_entry(4, [1, 1, 0, 0], [1, 0, 1, 0]),   # 4 - 0.5 * 2 / 2.001
           _sahd_entry(3, [1, 0, 0], [1, 0, 0]),         # 3 - 0
           _sahd_entry(3, [1, 1, 1], [0, 0, 0])]         # 3 - 0.5 * 3 / 3.001
    assert off[0] == 4 - 1 / 2.001 and off[1] == 3 and off[2] == 3 - 1.5 / 3.001
    diag = (4 + 3 + 3) / 3
    k = sahd_kernel([A, B])
    expected = torch.tensor([[diag, sum(off) / 3], [sum(off) / 3, diag]], dtype=torch.float64)
    assert torch.allclose(k, expected, rtol=0, atol=1e-12)
    assert log_abs_det(k) == pytest.approx(math.log(diag**2 - (sum(off) / 3) ** 2), abs=1e-12)


def test_naswot_by_hand():
    # K = sum over layers and steps of N_A - d_H: A: [[4, 2], [2, 4]]; B t0: [[3, 3], [3, 3]];
    # B t1: [[3, 0], [0, 3]] -> [[10, 5], [5, 10]], det 75.
    k = naswot_kernel([A, B])
    assert k.tolist() == [[10.0, 5.0], [5.0, 10.0]]
    assert log_abs_det(k) == pytest.approx(math.log(75), abs=1e-12)


def test_identical_codes_give_minus_infinity():
    same = torch.ones(2, 3, 5, dtype=torch.bool)
    assert log_abs_det(naswot_kernel([same])) == -math.inf
    assert log_abs_det(sahd_kernel([torch.zeros(2, 3, 5, dtype=torch.bool)])) == -math.inf


def test_no_codes_is_an_error():
    with pytest.raises(CostModelError, match="no LIF layer"):
        sahd_kernel([])
    with pytest.raises(CostModelError, match="no LIF layer"):
        naswot_kernel([])
