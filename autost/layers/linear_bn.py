"""Token-wise projections: Linear then BatchNorm over channels (and a spiking one), the
units of every mixer.

Spikformer's CIFAR code applies ``nn.Linear`` to [T*B, N, C] and BatchNorm1d to the
transposed [T*B, C, N]; the ImageNet and QKFormer code use 1x1 Conv1d/Conv2d instead, which
has the same parameters and MACs. autost uses the Linear form everywhere, and normalizes the
Linear's output where it lies: as the rows of a contiguous [T*B*N, C] matrix. The statistics
are the same (per channel, over every token, sample and step), but on a CPU BatchNorm's
backward over the transposed, non-contiguous view is several times slower.
"""

import torch
from torch import nn
from torch.nn import functional as F


class TokenLinear(nn.Linear):
    """nn.Linear on [..., N, C] tokens, computed on a CPU as a 1x1 convolution.

    The same parameters, state-dict keys and MACs as ``nn.Linear``. On a CPU, PyTorch's
    float32 Linear calls MKL's GEMM, whose kernels on AMD processors are about half as fast
    as oneDNN's 1x1 convolution on the same data: the tokens of each leading index as a
    1-pixel-wide image in channels-last order, which is the [N, C] matrix as it lies, so
    neither side copies. The result agrees with the GEMM up to float rounding (a different
    summation order). A non-contiguous input is copied once, so that the output is
    contiguous for the BatchNorm. Other devices keep ``F.linear``.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.device.type != "cpu":
            return super().forward(x)
        *lead, n, c = x.shape
        image = x.contiguous().view(-1, n, 1, c).permute(0, 3, 1, 2)  # [L, C, N, 1]
        y = F.conv2d(image, self.weight[:, :, None, None], self.bias)
        return y.permute(0, 2, 3, 1).reshape(*lead, n, self.out_features)


class TokenBatchNorm(nn.BatchNorm1d):
    """BatchNorm1d over the last axis of [..., C]: one row of C channels per token.

    The same parameters, buffers and state-dict keys as ``nn.BatchNorm1d(C)``.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.reshape(-1, x.shape[-1])).view(x.shape)


class LinearBN(nn.Module):
    """Linear(in -> out) then BatchNorm over out channels on [T, B, N, in], T folded."""

    def __init__(self, in_features: int, out_features: int, bias: bool):
        super().__init__()
        self.linear = TokenLinear(in_features, out_features, bias=bias)
        self.bn = TokenBatchNorm(out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t, b, n, _ = x.shape
        return self.bn(self.linear(x.flatten(0, 1))).reshape(t, b, n, -1)


class SpikingLinear(LinearBN):
    """LinearBN, then a LIF, then a random spike mask: SN(BN(Linear(x))), the Q, K, V,
    router and hidden-layer unit of the mixers.

    ``masked=False`` (V and the routers, which Masked Spiking Transformer leaves unmasked)
    puts an ``nn.Identity`` where the mask would be and draws no mask number, so the masks
    of a model keep their construction order.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool, make,
                 masked: bool = True):
        super().__init__(in_features, out_features, bias)
        self.lif = make.lif()
        self.mask = make.mask() if masked else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mask(self.lif(super().forward(x)))
